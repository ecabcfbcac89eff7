// Dot products of the 32-weight types with their activation types (ggml_vec_dot_*_q8_0 / _q8_1):
// exact int32 sums per block, then one Float multiply-add per block in block order.

enum LegacyDot {
    @inline(__always) static func i8dot32(_ a: UnsafePointer<Int8>, _ b: UnsafePointer<Int8>) -> Int32 {
        var s: Int32 = 0
        for l in 0..<32 { s &+= Int32(a[l]) &* Int32(b[l]) }
        return s
    }

    /// Q4_0 · Q8_0
    static func q4_0(_ n: Int, _ x: UnsafeRawPointer, _ y: UnsafeRawPointer) -> Float {
        var sumf: Float = 0
        for i in 0..<(n / 32) {
            let xb = x + 18 * i, yb = y + 34 * i
            let q = (xb + 2).assumingMemoryBound(to: UInt8.self), a = (yb + 2).assumingMemoryBound(to: Int8.self)
            var s: Int32 = 0
            for j in 0..<16 {
                s &+= (Int32(q[j] & 0xF) &- 8) &* Int32(a[j])
                s &+= (Int32(q[j] >> 4) &- 8) &* Int32(a[j + 16])
            }
            sumf += Float(s) * (loadF16(xb, 0) * loadF16(yb, 0))
        }
        return sumf
    }

    /// Q4_1 · Q8_1
    static func q4_1(_ n: Int, _ x: UnsafeRawPointer, _ y: UnsafeRawPointer) -> Float {
        var sumf: Float = 0
        for i in 0..<(n / 32) {
            let xb = x + 20 * i, yb = y + 36 * i
            let q = (xb + 4).assumingMemoryBound(to: UInt8.self), a = (yb + 4).assumingMemoryBound(to: Int8.self)
            var s: Int32 = 0
            for j in 0..<16 {
                s &+= Int32(q[j] & 0xF) &* Int32(a[j])
                s &+= Int32(q[j] >> 4) &* Int32(a[j + 16])
            }
            sumf += (loadF16(xb, 0) * loadF16(yb, 0)) * Float(s) + loadF16(xb, 2) * loadF16(yb, 2)
        }
        return sumf
    }

    /// Q5_0 · Q8_0
    static func q5_0(_ n: Int, _ x: UnsafeRawPointer, _ y: UnsafeRawPointer) -> Float {
        var sumf: Float = 0
        for i in 0..<(n / 32) {
            let xb = x + 22 * i, yb = y + 34 * i
            let qh = loadU32(xb, 2)
            let q = (xb + 6).assumingMemoryBound(to: UInt8.self), a = (yb + 2).assumingMemoryBound(to: Int8.self)
            var s: Int32 = 0
            for j in 0..<16 {
                let h0 = Int32(truncatingIfNeeded: ((qh >> UInt32(j)) << 4) & 0x10)
                let h1 = Int32(truncatingIfNeeded: (qh >> UInt32(j + 12)) & 0x10)
                s &+= ((Int32(q[j] & 0xF) | h0) &- 16) &* Int32(a[j])
                s &+= ((Int32(q[j] >> 4) | h1) &- 16) &* Int32(a[j + 16])
            }
            sumf += Float(s) * (loadF16(xb, 0) * loadF16(yb, 0))
        }
        return sumf
    }

    /// Q5_1 · Q8_1
    static func q5_1(_ n: Int, _ x: UnsafeRawPointer, _ y: UnsafeRawPointer) -> Float {
        var sumf: Float = 0
        for i in 0..<(n / 32) {
            let xb = x + 24 * i, yb = y + 36 * i
            let qh = loadU32(xb, 4)
            let q = (xb + 8).assumingMemoryBound(to: UInt8.self), a = (yb + 4).assumingMemoryBound(to: Int8.self)
            var s: Int32 = 0
            for j in 0..<16 {
                let h0 = Int32(truncatingIfNeeded: ((qh >> UInt32(j)) << 4) & 0x10)
                let h1 = Int32(truncatingIfNeeded: (qh >> UInt32(j + 12)) & 0x10)
                s &+= (Int32(q[j] & 0xF) | h0) &* Int32(a[j])
                s &+= (Int32(q[j] >> 4) | h1) &* Int32(a[j + 16])
            }
            sumf += (loadF16(xb, 0) * loadF16(yb, 0)) * Float(s) + loadF16(xb, 2) * loadF16(yb, 2)
        }
        return sumf
    }

    /// Q8_0 · Q8_0
    static func q8_0(_ n: Int, _ x: UnsafeRawPointer, _ y: UnsafeRawPointer) -> Float {
        var sumf: Float = 0
        for i in 0..<(n / 32) {
            let xb = x + 34 * i, yb = y + 34 * i
            let s = i8dot32((xb + 2).assumingMemoryBound(to: Int8.self), (yb + 2).assumingMemoryBound(to: Int8.self))
            sumf += Float(s) * (loadF16(xb, 0) * loadF16(yb, 0))
        }
        return sumf
    }
}
