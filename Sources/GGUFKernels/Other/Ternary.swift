// TQ1_0 (256 weights, 54 bytes: qs[48] base-3 packed 5 per byte, qh[4] 4 per byte, fp16 d) and
// TQ2_0 (256 weights, 66 bytes: qs[64] 2-bit codes, fp16 d). Values are d·{−1, 0, 1}. Dequantizers only.

enum TQ1_0 {
    @inline(__always) static func trit(_ b: UInt8, _ pow3: UInt8) -> Float {
        let q = b &* pow3
        return Float(Int32((UInt16(q) &* 3) >> 8) - 1)
    }

    /// dequantize_row_tq1_0
    static func dequantize(_ x: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>, _ k: Int) {
        let pow3: [UInt8] = [1, 3, 9, 27, 81, 243]
        for i in 0..<(k / 256) {
            let xb = x + 54 * i
            var yp = y + 256 * i
            let d = loadF16(xb, 52)
            let qs = xb.assumingMemoryBound(to: UInt8.self)
            let qh = (xb + 48).assumingMemoryBound(to: UInt8.self)
            for n in 0..<5 {
                for m in 0..<32 { yp[m] = trit(qs[m], pow3[n]) * d }
                yp += 32
            }
            for n in 0..<5 {
                for m in 0..<16 { yp[m] = trit(qs[32 + m], pow3[n]) * d }
                yp += 16
            }
            for n in 0..<4 {
                for j in 0..<4 { yp[j] = trit(qh[j], pow3[n]) * d }
                yp += 4
            }
        }
    }
}

enum TQ2_0 {
    /// dequantize_row_tq2_0
    static func dequantize(_ x: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>, _ k: Int) {
        for i in 0..<(k / 256) {
            let xb = x + 66 * i
            var yp = y + 256 * i
            let d = loadF16(xb, 64)
            let qs = xb.assumingMemoryBound(to: UInt8.self)
            for j in stride(from: 0, to: 64, by: 32) {
                for l in 0..<4 {
                    for m in 0..<32 { yp[m] = Float(Int32((qs[j + m] >> UInt8(2 * l)) & 3) - 1) * d }
                    yp += 32
                }
            }
        }
    }
}
