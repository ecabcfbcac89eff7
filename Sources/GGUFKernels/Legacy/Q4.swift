// Q4_0 (32 weights, 18 bytes: fp16 d, 16 nibble bytes) and Q4_1 (20 bytes: fp16 d, fp16 m, 16 nibble bytes).
// Byte j of qs holds element j (low nibble) and element j+16 (high nibble).

enum Q4_0 {
    static let blockSize = 32, bytes = 18

    /// quantize_row_q4_0_ref
    static func quantize(_ x: UnsafePointer<Float>, _ y: UnsafeMutableRawPointer, _ k: Int) {
        for i in 0..<(k / 32) {
            let xb = x + i * 32, yb = y + i * bytes
            let max = absMax(xb, 32).max
            let d = max / -8
            let id: Float = d != 0 ? 1 / d : 0
            storeF16(yb, 0, d)
            let qs = (yb + 2).assumingMemoryBound(to: UInt8.self)
            for j in 0..<16 {
                let x0 = xb[j] * id, x1 = xb[j + 16] * id
                let q0 = Swift.min(15, Int32(Int8(truncatingIfNeeded: cTrunc(x0 + 8.5))))
                let q1 = Swift.min(15, Int32(Int8(truncatingIfNeeded: cTrunc(x1 + 8.5))))
                qs[j] = UInt8(truncatingIfNeeded: q0) | UInt8(truncatingIfNeeded: q1) << 4
            }
        }
    }

    /// dequantize_row_q4_0
    static func dequantize(_ x: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>, _ k: Int) {
        for i in 0..<(k / 32) {
            let xb = x + i * bytes, yb = y + i * 32
            let d = loadF16(xb, 0)
            let qs = (xb + 2).assumingMemoryBound(to: UInt8.self)
            for j in 0..<16 {
                let q = qs[j]
                yb[j] = Float(Int32(q & 0x0F) - 8) * d
                yb[j + 16] = Float(Int32(q >> 4) - 8) * d
            }
        }
    }
}

enum Q4_1 {
    static let blockSize = 32, bytes = 20

    /// quantize_row_q4_1_ref
    static func quantize(_ x: UnsafePointer<Float>, _ y: UnsafeMutableRawPointer, _ k: Int) {
        for i in 0..<(k / 32) {
            let xb = x + i * 32, yb = y + i * bytes
            let (min, max) = minMax(xb, 32)
            let d = (max - min) / 15
            let id: Float = d != 0 ? 1 / d : 0
            storeF16(yb, 0, d)
            storeF16(yb, 2, min)
            let qs = (yb + 4).assumingMemoryBound(to: UInt8.self)
            for j in 0..<16 {
                let x0 = (xb[j] - min) * id, x1 = (xb[j + 16] - min) * id
                let q0 = Swift.min(15, Int32(Int8(truncatingIfNeeded: cTrunc(x0 + 0.5))))
                let q1 = Swift.min(15, Int32(Int8(truncatingIfNeeded: cTrunc(x1 + 0.5))))
                qs[j] = UInt8(truncatingIfNeeded: q0) | UInt8(truncatingIfNeeded: q1) << 4
            }
        }
    }

    /// dequantize_row_q4_1
    static func dequantize(_ x: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>, _ k: Int) {
        for i in 0..<(k / 32) {
            let xb = x + i * bytes, yb = y + i * 32
            let d = loadF16(xb, 0), m = loadF16(xb, 2)
            let qs = (xb + 4).assumingMemoryBound(to: UInt8.self)
            for j in 0..<16 {
                let q = qs[j]
                yb[j] = Float(q & 0x0F) * d + m
                yb[j + 16] = Float(q >> 4) * d + m
            }
        }
    }
}
