// Q8_0 (32 weights, 34 bytes: fp16 d, 32 × int8) and Q8_1 (36 bytes: fp16 d, fp16 s = d·Σqs, 32 × int8).
// Two flavours of quantizer: the reference (`quantize_row_q8_*_ref`: id = 1/d, roundf) that files use, and
// the activation quantizer of the x86 CPU backend (`quantize_row_q8_*` with AVX: id = 127/amax,
// round half to even) that llama.cpp's matmul applies to activations.

enum Q8_0 {
    static let blockSize = 32, bytes = 34

    /// quantize_row_q8_0_ref
    static func quantize(_ x: UnsafePointer<Float>, _ y: UnsafeMutableRawPointer, _ k: Int) {
        for i in 0..<(k / 32) {
            let xb = x + i * 32, yb = y + i * bytes
            let amax = absMaxMacro(xb, 32)
            let d = amax / 127
            let id: Float = d != 0 ? 1 / d : 0
            storeF16(yb, 0, d)
            let qs = (yb + 2).assumingMemoryBound(to: Int8.self)
            for j in 0..<32 { qs[j] = Int8(truncatingIfNeeded: roundAway(xb[j] * id)) }
        }
    }

    /// The x86 CPU backend's `quantize_row_q8_0` (AVX path): activations for Q4_0/Q5_0/Q8_0 weights.
    static func quantizeActivations(_ x: UnsafePointer<Float>, _ y: UnsafeMutableRawPointer, _ k: Int) {
        for i in 0..<(k / 32) {
            let xb = x + i * 32, yb = y + i * bytes
            let amax = absMax(xb, 32).amax
            let d = amax / 127
            let id: Float = amax != 0 ? 127 / amax : 0
            storeF16(yb, 0, d)
            let qs = (yb + 2).assumingMemoryBound(to: Int8.self)
            for j in 0..<32 { qs[j] = Int8(truncatingIfNeeded: clamp(nearestInt(xb[j] * id), -128, 127)) }
        }
    }

    /// dequantize_row_q8_0
    static func dequantize(_ x: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>, _ k: Int) {
        for i in 0..<(k / 32) {
            let xb = x + i * bytes, yb = y + i * 32
            let d = loadF16(xb, 0)
            let qs = (xb + 2).assumingMemoryBound(to: Int8.self)
            for j in 0..<32 { yb[j] = Float(qs[j]) * d }
        }
    }
}

enum Q8_1 {
    static let blockSize = 32, bytes = 36

    /// quantize_row_q8_1_ref
    static func quantize(_ x: UnsafePointer<Float>, _ y: UnsafeMutableRawPointer, _ k: Int) {
        for i in 0..<(k / 32) {
            let xb = x + i * 32, yb = y + i * bytes
            let amax = absMaxMacro(xb, 32)
            let d = amax / 127
            let id: Float = d != 0 ? 1 / d : 0
            storeF16(yb, 0, d)
            let qs = (yb + 4).assumingMemoryBound(to: Int8.self)
            var sum: Int32 = 0
            for j in 0..<32 {
                let q = Int8(truncatingIfNeeded: roundAway(xb[j] * id))
                qs[j] = q
                sum &+= Int32(q)
            }
            storeF16(yb, 2, Float(sum) * d)
        }
    }

    /// The x86 CPU backend's `quantize_row_q8_1` (AVX2 path): activations for Q4_1/Q5_1 weights.
    static func quantizeActivations(_ x: UnsafePointer<Float>, _ y: UnsafeMutableRawPointer, _ k: Int) {
        for i in 0..<(k / 32) {
            let xb = x + i * 32, yb = y + i * bytes
            let amax = absMax(xb, 32).amax
            let d = amax / 127
            let id: Float = amax != 0 ? 127 / amax : 0
            storeF16(yb, 0, d)
            let qs = (yb + 4).assumingMemoryBound(to: Int8.self)
            var sum: Int32 = 0
            for j in 0..<32 {
                let q = clamp(nearestInt(xb[j] * id), -128, 127)
                qs[j] = Int8(truncatingIfNeeded: q)
                sum &+= q
            }
            storeF16(yb, 2, d * Float(sum))
        }
    }

    /// Q8_1 has no to_float in ggml; this is `d · q` for tests and tools.
    static func dequantize(_ x: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>, _ k: Int) {
        for i in 0..<(k / 32) {
            let xb = x + i * bytes, yb = y + i * 32
            let d = loadF16(xb, 0)
            let qs = (xb + 4).assumingMemoryBound(to: Int8.self)
            for j in 0..<32 { yb[j] = Float(qs[j]) * d }
        }
    }
}
