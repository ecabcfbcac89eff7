// Q8_K: 256 weights, 292 bytes: f32 d, int8 qs[256], int16 bsums[16] (sums of 16 consecutive qs).
// Activations only (the k-quants' vec_dot_type). ggml has no to_float for it.

enum Q8_K {
    static let blockSize = 256, bytes = 292

    /// quantize_row_q8_K_ref (also what the x86 CPU backend uses). All-zero blocks get zero bsums.
    static func quantize(_ x: UnsafePointer<Float>, _ y: UnsafeMutableRawPointer, _ k: Int) {
        for i in 0..<(k / 256) {
            let xb = x + i * 256, yb = y + i * bytes
            let (amax, max) = absMax(xb, 256)
            let qs = (yb + 4).assumingMemoryBound(to: Int8.self)
            if amax == 0 {
                yb.storeBytes(of: Float(0).bitPattern.littleEndian, toByteOffset: 0, as: UInt32.self)
                (yb + 4).initializeMemory(as: UInt8.self, repeating: 0, count: 288)
                continue
            }
            let iscale = -127 / max
            for j in 0..<256 { qs[j] = Int8(truncatingIfNeeded: Swift.min(127, nearestInt(iscale * xb[j]))) }
            for j in 0..<16 {
                var sum: Int32 = 0
                for ii in 0..<16 { sum &+= Int32(qs[16 * j + ii]) }
                yb.storeBytes(of: Int16(truncatingIfNeeded: sum).littleEndian, toByteOffset: 260 + 2 * j, as: Int16.self)
            }
            yb.storeBytes(of: (1 / iscale).bitPattern.littleEndian, toByteOffset: 0, as: UInt32.self)
        }
    }

    /// dequantize_row_q8_K: `d · q`.
    static func dequantize(_ x: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>, _ k: Int) {
        for i in 0..<(k / 256) {
            let xb = x + i * bytes
            let d = Float(bitPattern: loadU32(xb, 0))
            let qs = (xb + 4).assumingMemoryBound(to: Int8.self)
            for j in 0..<256 { y[i * 256 + j] = d * Float(qs[j]) }
        }
    }
}
