// MXFP4: 32 weights, 17 bytes: e (E8M0 shared exponent), qs[16] (E2M1 nibbles, element j low, j+16 high).
// Dequantizer only.

let kvaluesMXFP4: [Int8] = [0, 1, 2, 3, 4, 6, 8, 12, 0, -1, -2, -3, -4, -6, -8, -12]

enum MXFP4 {
    /// ggml_e8m0_to_fp32_half: 2^(e−128) (the table holds doubled E2M1 values).
    @inline(__always) static func e8m0Half(_ e: UInt8) -> Float {
        Float(bitPattern: e < 2 ? UInt32(0x0020_0000) << UInt32(e) : UInt32(e - 1) << 23)
    }

    /// dequantize_row_mxfp4
    static func dequantize(_ x: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>, _ k: Int) {
        kvaluesMXFP4.withUnsafeBufferPointer { kv in
            for i in 0..<(k / 32) {
                let xb = x + 17 * i, yb = y + 32 * i
                let d = e8m0Half(xb.load(as: UInt8.self))
                let qs = (xb + 1).assumingMemoryBound(to: UInt8.self)
                for j in 0..<16 {
                    yb[j] = Float(kv[Int(qs[j] & 0xF)]) * d
                    yb[j + 16] = Float(kv[Int(qs[j] >> 4)]) * d
                }
            }
        }
    }
}
