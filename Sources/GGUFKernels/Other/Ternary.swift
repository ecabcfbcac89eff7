// TQ1_0 (256 weights, 54 bytes: qs[48] base-3 packed 5 per byte, qh[4] 4 per byte, fp16 d) and
// TQ2_0 (256 weights, 66 bytes: qs[64] 2-bit codes, fp16 d). Values are d·{−1, 0, 1}. Quantizers and dequantizers.

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

// Quantizers: quantize_row_tq1_0_ref / quantize_row_tq2_0_ref (what quantize_tq1_0/tq2_0 run; importance
// weights are ignored). Per block d = max|x| (NaN handled as C's MAX macro), codes lroundf(x/d) + 1.

/// C's `lroundf(v) + 1` stored in an int, as x86-64 glibc gives it: half away from zero; NaN, ±inf and
/// |v| ≥ 2⁶³ give LONG_MIN (the conversion's indefinite value), whose low 32 bits + 1 are 1.
@inline(__always) func lroundPlusOne(_ v: Float) -> Int32 {
    guard abs(v) < 9.223372e18 else { return 1 }
    return Int32(truncatingIfNeeded: Int64(v.rounded(.toNearestOrAwayFromZero)) &+ 1)
}

extension TQ1_0 {
    /// Five trits (first most significant) → the byte ⌈q·256/243⌉ that dequantize_row_tq1_0 reads back.
    @inline(__always) static func pack(_ x: UnsafePointer<Float>, stride: Int, count: Int, _ id: Float) -> UInt8 {
        var q: UInt8 = 0
        for n in 0..<count { q = q &* 3 &+ UInt8(truncatingIfNeeded: lroundPlusOne(x[n * stride] * id)) }
        if count == 4 { q = q &* 3 }
        return UInt8(truncatingIfNeeded: (UInt32(q) * 256 + 242) / 243)
    }

    /// quantize_row_tq1_0_ref
    static func quantize(_ x: UnsafePointer<Float>, _ y: UnsafeMutableRawPointer, _ k: Int) {
        for i in 0..<(k / 256) {
            var xp = x + 256 * i
            let yb = y + 54 * i
            let d = absMaxMacro(xp, 256)
            let id: Float = d != 0 ? 1 / d : 0
            storeF16(yb, 52, d)
            let qs = yb.assumingMemoryBound(to: UInt8.self)
            for m in 0..<32 { qs[m] = pack(xp + m, stride: 32, count: 5, id) }
            xp += 160
            for m in 0..<16 { qs[32 + m] = pack(xp + m, stride: 16, count: 5, id) }
            xp += 80
            for j in 0..<4 { qs[48 + j] = pack(xp + j, stride: 4, count: 4, id) }
        }
    }
}

extension TQ2_0 {
    /// quantize_row_tq2_0_ref
    static func quantize(_ x: UnsafePointer<Float>, _ y: UnsafeMutableRawPointer, _ k: Int) {
        for i in 0..<(k / 256) {
            let xb = x + 256 * i, yb = y + 66 * i
            let d = absMaxMacro(xb, 256)
            let id: Float = d != 0 ? 1 / d : 0
            storeF16(yb, 64, d)
            let qs = yb.assumingMemoryBound(to: UInt8.self)
            for j in stride(from: 0, to: 64, by: 32) {
                let xp = xb + 4 * j
                for m in 0..<32 {
                    var q: UInt8 = 0
                    for n in 0..<4 { q &+= UInt8(truncatingIfNeeded: lroundPlusOne(xp[m + 32 * n] * id) & 3) << UInt8(2 * n) }
                    qs[j + m] = q
                }
            }
        }
    }
}
