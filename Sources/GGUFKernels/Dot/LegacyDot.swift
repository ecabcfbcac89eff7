// Dot products of the 32-weight types with their activation types (ggml_vec_dot_*_q8_0 / _q8_1):
// exact int32 sums per block, then one Float multiply-add per block in block order.

enum LegacyDot {
    @inline(__always) static func i8dot32(_ a: UnsafePointer<Int8>, _ b: UnsafePointer<Int8>) -> Int32 {
        var s: Int32 = 0
        for l in 0..<32 { s &+= Int32(a[l]) &* Int32(b[l]) }
        return s
    }

    /// Eight fp16 fields at `p + k·stride + off` (k = 0..<8) as Floats, converted together.
    @inline(__always) static func halves8(_ p: UnsafeRawPointer, _ stride: Int, _ off: Int) -> SIMD8<Float> {
        #if (GGUFKIT_HW_F16 && !(os(macOS) && arch(x86_64))) || arch(arm64)
        // scalar conversions: SIMD8<Float>(SIMD8<Float16>) is kept for the F16 dot, where it must stay inlined
        var f = SIMD8<Float>()
        for k in 0..<8 { f[k] = Float(Float16(bitPattern: p.loadUnaligned(fromByteOffset: k * stride + off, as: UInt16.self))) }
        return f
        #else
        var w = SIMD8<UInt32>()
        for k in 0..<8 { w[k] = UInt32(p.loadUnaligned(fromByteOffset: k * stride + off, as: UInt16.self)) << 16 }
        return FloatDot.halfToFloat(w)
        #endif
    }

    /// Runs `block` (the int32 lane sums of block i) over all blocks and returns
    /// Σ_i Σ lanes(sums_i) · (d_x,i · d_y,i) + Σ_i m_x,i · s_y,i (the second term only when `withMins`).
    /// The fp16 scales are converted eight blocks at a time.
    @inline(__always)
    static func driver(_ n: Int, _ x: UnsafeRawPointer, _ bx: Int, _ y: UnsafeRawPointer, _ by: Int, withMins: Bool,
                       _ block: (UnsafeRawPointer, UnsafeRawPointer) -> SIMD8<Int32>) -> Float {
        let nb = n / 32
        var acc = SIMD8<Float>()
        var minAcc = SIMD8<Float>()
        var i = 0
        while i + 8 <= nb {
            let xg = x + i * bx, yg = y + i * by
            let d = halves8(xg, bx, 0) * halves8(yg, by, 0)
            if withMins { minAcc += halves8(xg, bx, 2) * halves8(yg, by, 2) }
            for k in 0..<8 { acc += SIMD8<Float>(block(xg + k * bx, yg + k * by)) * d[k] }
            i += 8
        }
        var mins: Float = 0
        while i < nb {
            let xb = x + i * bx, yb = y + i * by
            acc += SIMD8<Float>(block(xb, yb)) * (loadF16fast(xb, 0) * loadF16fast(yb, 0))
            if withMins { mins += loadF16fast(xb, 2) * loadF16fast(yb, 2) }
            i += 1
        }
        return acc.sum() + (minAcc.sum() + mins)
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
        let c8 = SIMD16<Int16>(repeating: 8)
        return driver(n, x, 18, y, 34, withMins: false) { xb, yb in
            let (e, o) = nibbleLanes(xb, 2)
            return dot32Codes(e &- c8, o &- c8, load16x16(yb, 2))
        }
    }

    /// Q4_1 · Q8_1
    static func q4_1(_ n: Int, _ x: UnsafeRawPointer, _ y: UnsafeRawPointer) -> Float {
        driver(n, x, 20, y, 36, withMins: true) { xb, yb in
            let (e, o) = nibbleLanes(xb, 4)
            return dot32Codes(e, o, load16x16(yb, 4))
        }
    }

    /// The fifth bits of a Q5 block as 16 (0 or 16) in even and odd code lanes (layout of ``nibbleLanes``).
    @inline(__always) static func highBitLanes(_ qh: UInt32) -> (SIMD16<Int16>, SIMD16<Int16>) {
        // Lane k of `v & mask` is 0 or a single bit b ≤ 0x8000; (b + 0x7FFF) >> 15 is 1 exactly when b ≠ 0.
        let evenMask = SIMD16<UInt16>(1, 4, 16, 64, 256, 1024, 4096, 16384, 1, 4, 16, 64, 256, 1024, 4096, 16384)
        let v = SIMD16<UInt16>(lowHalf: SIMD8(repeating: UInt16(truncatingIfNeeded: qh)),
                               highHalf: SIMD8(repeating: UInt16(truncatingIfNeeded: qh >> 16)))
        let e = (((v & evenMask) &+ 0x7FFF) &>> 15) &<< 4
        let o = (((v & (evenMask &<< 1)) &+ 0x7FFF) &>> 15) &<< 4
        return (unsafeBitCast(e, to: SIMD16<Int16>.self), unsafeBitCast(o, to: SIMD16<Int16>.self))
    }

    /// Q5_0 · Q8_0
    static func q5_0(_ n: Int, _ x: UnsafeRawPointer, _ y: UnsafeRawPointer) -> Float {
        let c16 = SIMD16<Int16>(repeating: 16)
        return driver(n, x, 22, y, 34, withMins: false) { xb, yb in
            let (e, o) = nibbleLanes(xb, 6)
            let (he, ho) = highBitLanes(loadU32(xb, 2))
            return dot32Codes((e | he) &- c16, (o | ho) &- c16, load16x16(yb, 2))
        }
    }

    /// Q5_1 · Q8_1
    static func q5_1(_ n: Int, _ x: UnsafeRawPointer, _ y: UnsafeRawPointer) -> Float {
        driver(n, x, 24, y, 36, withMins: true) { xb, yb in
            let (e, o) = nibbleLanes(xb, 8)
            let (he, ho) = highBitLanes(loadU32(xb, 4))
            return dot32Codes(e | he, o | ho, load16x16(yb, 4))
        }
    }

    /// Q8_0 · Q8_0
    static func q8_0(_ n: Int, _ x: UnsafeRawPointer, _ y: UnsafeRawPointer) -> Float {
        driver(n, x, 34, y, 34, withMins: false) { xb, yb in dot32xI8(load16x16(xb, 2), load16x16(yb, 2)) }
    }
}
