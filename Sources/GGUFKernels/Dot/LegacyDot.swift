// Dot products of the 32-weight types with their activation types (ggml_vec_dot_*_q8_0 / _q8_1):
// exact int32 sums per block, then one Float multiply-add per block in block order.

enum LegacyDot {
    @inline(__always) static func i8dot32(_ a: UnsafePointer<Int8>, _ b: UnsafePointer<Int8>) -> Int32 {
        var s: Int32 = 0
        for l in 0..<32 { s &+= Int32(a[l]) &* Int32(b[l]) }
        return s
    }

    /// Even and odd code lanes of a Q4_0/Q4_1 block's 16 nibble bytes at `off`: elements 0..<16 in the
    /// low half, 16..<32 in the high half, matching the Int16 lanes of a Q8 block's 32 bytes.
    @inline(__always) static func nibbleLanes(_ p: UnsafeRawPointer, _ off: Int) -> (SIMD16<Int16>, SIMD16<Int16>) {
        let v = p.loadUnaligned(fromByteOffset: off, as: SIMD8<Int16>.self)
        let m4 = SIMD8<Int16>(repeating: 0xF)
        return (SIMD16<Int16>(lowHalf: v & m4, highHalf: (v &>> 4) & m4),
                SIMD16<Int16>(lowHalf: (v &>> 8) & m4, highHalf: (v &>> 12) & m4))
    }

    /// Q4_0 · Q8_0
    static func q4_0(_ n: Int, _ x: UnsafeRawPointer, _ y: UnsafeRawPointer) -> Float {
        var acc = SIMD8<Float>()
        let c8 = SIMD16<Int16>(repeating: 8)
        for i in 0..<(n / 32) {
            let xb = x + 18 * i, yb = y + 34 * i
            let (e, o) = nibbleLanes(xb, 2)
            let s = dot32Codes(e &- c8, o &- c8, load16x16(yb, 2))
            acc += SIMD8<Float>(s) * (loadF16fast(xb, 0) * loadF16fast(yb, 0))
        }
        return acc.sum()
    }

    /// Q4_1 · Q8_1
    static func q4_1(_ n: Int, _ x: UnsafeRawPointer, _ y: UnsafeRawPointer) -> Float {
        var acc = SIMD8<Float>()
        var mins: Float = 0
        for i in 0..<(n / 32) {
            let xb = x + 20 * i, yb = y + 36 * i
            let (e, o) = nibbleLanes(xb, 4)
            let s = dot32Codes(e, o, load16x16(yb, 4))
            acc += SIMD8<Float>(s) * (loadF16fast(xb, 0) * loadF16fast(yb, 0))
            mins += loadF16fast(xb, 2) * loadF16fast(yb, 2)
        }
        return acc.sum() + mins
    }

    /// The fifth bits of a Q5 block as 16 (0 or 16) in even and odd code lanes (layout of ``nibbleLanes``).
    @inline(__always) static func highBitLanes(_ qh: UInt32) -> (SIMD16<Int16>, SIMD16<Int16>) {
        // Multiplying by 2^(15−s) moves bit s to the sign bit; an arithmetic shift by 15 spreads it.
        let evenMul = SIMD16<Int16>(1 << 15, 1 << 13, 1 << 11, 1 << 9, 1 << 7, 1 << 5, 1 << 3, 1 << 1,
                                    1 << 15, 1 << 13, 1 << 11, 1 << 9, 1 << 7, 1 << 5, 1 << 3, 1 << 1)
        let oddMul = SIMD16<Int16>(1 << 14, 1 << 12, 1 << 10, 1 << 8, 1 << 6, 1 << 4, 1 << 2, 1,
                                   1 << 14, 1 << 12, 1 << 10, 1 << 8, 1 << 6, 1 << 4, 1 << 2, 1)
        let v = SIMD16<Int16>(lowHalf: SIMD8(repeating: Int16(truncatingIfNeeded: qh)),
                              highHalf: SIMD8(repeating: Int16(truncatingIfNeeded: qh >> 16)))
        let sixteen = SIMD16<Int16>(repeating: 16)
        return (((v &* evenMul) &>> 15) & sixteen, ((v &* oddMul) &>> 15) & sixteen)
    }

    /// Q5_0 · Q8_0
    static func q5_0(_ n: Int, _ x: UnsafeRawPointer, _ y: UnsafeRawPointer) -> Float {
        var acc = SIMD8<Float>()
        let c16 = SIMD16<Int16>(repeating: 16)
        for i in 0..<(n / 32) {
            let xb = x + 22 * i, yb = y + 34 * i
            let (e, o) = nibbleLanes(xb, 6)
            let (he, ho) = highBitLanes(loadU32(xb, 2))
            let s = dot32Codes((e | he) &- c16, (o | ho) &- c16, load16x16(yb, 2))
            acc += SIMD8<Float>(s) * (loadF16fast(xb, 0) * loadF16fast(yb, 0))
        }
        return acc.sum()
    }

    /// Q5_1 · Q8_1
    static func q5_1(_ n: Int, _ x: UnsafeRawPointer, _ y: UnsafeRawPointer) -> Float {
        var acc = SIMD8<Float>()
        var mins: Float = 0
        for i in 0..<(n / 32) {
            let xb = x + 24 * i, yb = y + 36 * i
            let (e, o) = nibbleLanes(xb, 8)
            let (he, ho) = highBitLanes(loadU32(xb, 4))
            let s = dot32Codes(e | he, o | ho, load16x16(yb, 4))
            acc += SIMD8<Float>(s) * (loadF16fast(xb, 0) * loadF16fast(yb, 0))
            mins += loadF16fast(xb, 2) * loadF16fast(yb, 2)
        }
        return acc.sum() + mins
    }

    /// Q8_0 · Q8_0
    static func q8_0(_ n: Int, _ x: UnsafeRawPointer, _ y: UnsafeRawPointer) -> Float {
        var acc = SIMD8<Float>()
        for i in 0..<(n / 32) {
            let xb = x + 34 * i, yb = y + 34 * i
            let s = dot32xI8(load16x16(xb, 2), load16x16(yb, 2))
            acc += SIMD8<Float>(s) * (loadF16fast(xb, 0) * loadF16fast(yb, 0))
        }
        return acc.sum()
    }
}
