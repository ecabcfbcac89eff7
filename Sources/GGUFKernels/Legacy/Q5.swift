// Q5_0 (32 weights, 22 bytes: fp16 d, u32 qh, 16 nibble bytes) and Q5_1 (24 bytes: d, m, qh, qs).
// qh bit j is the fifth bit of element j; nibbles packed as in Q4_0.

enum Q5_0 {
    static let blockSize = 32, bytes = 22

    /// quantize_row_q5_0_ref
    static func quantize(_ x: UnsafePointer<Float>, _ y: UnsafeMutableRawPointer, _ k: Int) {
        for i in 0..<(k / 32) {
            let xb = x + i * 32, yb = y + i * bytes
            let max = absMax(xb, 32).max
            let d = max / -16
            let id: Float = d != 0 ? 1 / d : 0
            storeF16(yb, 0, d)
            let qs = (yb + 6).assumingMemoryBound(to: UInt8.self)
            var qh: UInt32 = 0
            for j in 0..<16 {
                let x0 = xb[j] * id, x1 = xb[j + 16] * id
                let q0 = UInt32(truncatingIfNeeded: Swift.min(31, Int32(Int8(truncatingIfNeeded: cTrunc(x0 + 16.5))))) & 0xFF
                let q1 = UInt32(truncatingIfNeeded: Swift.min(31, Int32(Int8(truncatingIfNeeded: cTrunc(x1 + 16.5))))) & 0xFF
                qs[j] = UInt8(truncatingIfNeeded: (q0 & 0x0F) | ((q1 & 0x0F) << 4))
                qh |= ((q0 & 0x10) >> 4) << UInt32(j)
                qh |= ((q1 & 0x10) >> 4) << UInt32(j + 16)
            }
            storeU32(yb, 2, qh)
        }
    }

    /// dequantize_row_q5_0
    static func dequantize(_ x: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>, _ k: Int) {
        for i in 0..<(k / 32) {
            let xb = x + i * bytes, yb = y + i * 32
            let d = loadF16(xb, 0)
            let qh = loadU32(xb, 2)
            let qs = (xb + 6).assumingMemoryBound(to: UInt8.self)
            for j in 0..<16 {
                let h0 = Int32(truncatingIfNeeded: ((qh >> UInt32(j)) << 4) & 0x10)
                let h1 = Int32(truncatingIfNeeded: (qh >> UInt32(j + 12)) & 0x10)
                yb[j] = Float((Int32(qs[j] & 0x0F) | h0) - 16) * d
                yb[j + 16] = Float((Int32(qs[j] >> 4) | h1) - 16) * d
            }
        }
    }
}

enum Q5_1 {
    static let blockSize = 32, bytes = 24

    /// quantize_row_q5_1_ref. The 32 codes go to a scratch row first (a vectorized loop), then nibbles and the
    /// fifth bits are packed from it; the bit gather is a multiply per 8 codes (shifting by the element index
    /// compiled to scalar code).
    static func quantize(_ x: UnsafePointer<Float>, _ y: UnsafeMutableRawPointer, _ k: Int) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { buf in
            let q = buf.baseAddress!, raw = UnsafeRawPointer(q)
            for i in 0..<(k / 32) {
                let xb = x + i * 32, yb = y + i * bytes
                let (min, max) = minMax(xb, 32)
                let d = (max - min) / 31
                let id: Float = d != 0 ? 1 / d : 0
                storeF16(yb, 0, d)
                storeF16(yb, 2, min)
                for j in 0..<32 { q[j] = UInt8(truncatingIfNeeded: cTrunc((xb[j] - min) * id + 0.5)) }
                let qs = (yb + 8).assumingMemoryBound(to: UInt8.self)
                for j in 0..<16 { qs[j] = (q[j] & 0x0F) | (q[j + 16] & 0x0F) << 4 }
                var qh: UInt32 = 0
                for w in 0..<4 {
                    // bit 4 of byte b of the word -> bit b of the top byte of the product
                    let fifth = (raw.loadUnaligned(fromByteOffset: 8 * w, as: UInt64.self) >> 4) & 0x0101_0101_0101_0101
                    qh |= UInt32(truncatingIfNeeded: (fifth &* 0x0102_0408_1020_4080) >> 56) << UInt32(8 * w)
                }
                storeU32(yb, 4, qh)
            }
        }
    }

    /// dequantize_row_q5_1
    static func dequantize(_ x: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>, _ k: Int) {
        for i in 0..<(k / 32) {
            let xb = x + i * bytes, yb = y + i * 32
            let d = loadF16(xb, 0), m = loadF16(xb, 2)
            let qh = loadU32(xb, 4)
            let qs = (xb + 8).assumingMemoryBound(to: UInt8.self)
            for j in 0..<16 {
                let h0 = UInt32(((qh >> UInt32(j)) << 4) & 0x10)
                let h1 = UInt32((qh >> UInt32(j + 12)) & 0x10)
                yb[j] = Float(UInt32(qs[j] & 0x0F) | h0) * d + m
                yb[j + 16] = Float(UInt32(qs[j] >> 4) | h1) * d + m
            }
        }
    }
}
