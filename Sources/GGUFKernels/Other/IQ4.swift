// IQ4_NL (32 weights, 18 bytes: fp16 d, 16 nibble bytes into a non-linear 16-value table) and
// IQ4_XS (256 weights, 136 bytes: fp16 d, u16 scales_h, scales_l[4], qs[128]). Dequantizers; the quantizers are in IQ4Quant.swift.

let kvaluesIQ4NL: [Int8] = [-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113]

enum IQ4_NL {
    /// dequantize_row_iq4_nl
    static func dequantize(_ x: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>, _ k: Int) {
        kvaluesIQ4NL.withUnsafeBufferPointer { kv in
            for i in 0..<(k / 32) {
                let xb = x + 18 * i, yb = y + 32 * i
                let d = loadF16(xb, 0)
                let qs = (xb + 2).assumingMemoryBound(to: UInt8.self)
                for j in 0..<16 {
                    yb[j] = d * Float(kv[Int(qs[j] & 0xF)])
                    yb[j + 16] = d * Float(kv[Int(qs[j] >> 4)])
                }
            }
        }
    }
}

enum IQ4_XS {
    /// dequantize_row_iq4_xs
    static func dequantize(_ x: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>, _ k: Int) {
        kvaluesIQ4NL.withUnsafeBufferPointer { kv in
            for i in 0..<(k / 256) {
                let xb = x + 136 * i
                let d = loadF16(xb, 0)
                let scalesH = UInt32(loadU16(xb, 2))
                let scalesL = (xb + 4).assumingMemoryBound(to: UInt8.self)
                let qsAll = (xb + 8).assumingMemoryBound(to: UInt8.self)
                for ib in 0..<8 {
                    let ls = Int32((scalesL[ib / 2] >> UInt8(4 * (ib % 2))) & 0xF) | Int32((scalesH >> UInt32(2 * ib)) & 3) << 4
                    let dl = d * Float(ls - 32)
                    let qs = qsAll + 16 * ib, yb = y + 256 * i + 32 * ib
                    for j in 0..<16 {
                        yb[j] = dl * Float(kv[Int(qs[j] & 0xF)])
                        yb[j + 16] = dl * Float(kv[Int(qs[j] >> 4)])
                    }
                }
            }
        }
    }
}
