// Q1_0 (128 weights, 18 bytes: fp16 d, 16 bytes of sign bits) and Q2_0 (64 weights, 18 bytes: fp16 d, 16 bytes
// of 2-bit codes): ggml's quantize_row_q1_0_ref / quantize_row_q2_0_ref and their dequantizers. ggml's
// quantize_q1_0/q2_0 run the reference quantizer with or without importance weights (it ignores them).

enum Q1_0 {
    /// quantize_row_q1_0_ref: d = Σ|x|/128 (summed in order); bit j set where x ≥ 0 (−0 included, NaN not).
    static func quantize(_ x: UnsafePointer<Float>, _ y: UnsafeMutableRawPointer, _ k: Int) {
        for i in 0..<(k / 128) {
            let xb = x + 128 * i, yb = y + 18 * i
            var sumAbs: Float = 0
            for j in 0..<128 { sumAbs += abs(xb[j]) }
            storeF16(yb, 0, sumAbs / 128)
            let qs = (yb + 2).assumingMemoryBound(to: UInt8.self)
            for b in 0..<16 {
                var byte: UInt8 = 0
                for j in 0..<8 where xb[8 * b + j] >= 0 { byte |= 1 << UInt8(j) }
                qs[b] = byte
            }
        }
    }

    /// dequantize_row_q1_0: ±d by bit.
    static func dequantize(_ x: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>, _ k: Int) {
        for i in 0..<(k / 128) {
            let xb = x + 18 * i
            let d = loadF16(xb, 0), negD = -d
            let qs = (xb + 2).assumingMemoryBound(to: UInt8.self)
            for j in 0..<128 { y[128 * i + j] = (qs[j / 8] >> UInt8(j % 8)) & 1 != 0 ? d : negD }
        }
    }
}

enum Q2_0 {
    /// quantize_row_q2_0_ref: d = max |x| (strict `>` scan from 0: NaN never taken); code = clamp((int)roundf(x/d)
    /// + 1, 0, 3) with id = 1/d (0 when d is 0), C's float → int conversion as x86 does it (NaN, inf → INT_MIN → 0).
    static func quantize(_ x: UnsafePointer<Float>, _ y: UnsafeMutableRawPointer, _ k: Int) {
        for i in 0..<(k / 64) {
            let xb = x + 64 * i, yb = y + 18 * i
            var amax: Float = 0
            for j in 0..<64 { let a = abs(xb[j]); if a > amax { amax = a } }
            let d = amax
            let id: Float = d > 0 ? 1 / d : 0
            storeF16(yb, 0, d)
            let qs = (yb + 2).assumingMemoryBound(to: UInt8.self)
            for b in 0..<16 {
                var byte: UInt8 = 0
                for j in 0..<4 {
                    let q = clamp(roundAway(xb[4 * b + j] * id) &+ 1, 0, 3)
                    byte |= UInt8(q) << UInt8(2 * j)
                }
                qs[b] = byte
            }
        }
    }

    /// dequantize_row_q2_0: (code − 1)·d.
    static func dequantize(_ x: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>, _ k: Int) {
        for i in 0..<(k / 64) {
            let xb = x + 18 * i
            let d = loadF16(xb, 0)
            let qs = (xb + 2).assumingMemoryBound(to: UInt8.self)
            for j in 0..<64 { y[64 * i + j] = Float(Int32((qs[j / 4] >> UInt8(2 * (j % 4))) & 3) - 1) * d }
        }
    }
}
