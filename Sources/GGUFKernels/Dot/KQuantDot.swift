// Dot products of the k-quants with Q8_K activations (ggml_vec_dot_q*_K_q8_K). Codes are unpacked on the
// fly and multiplied with the activation codes in exact int32 arithmetic per sub-block; one Float multiply
// per super-block (two with mins). Float rounding differs from ggml's SIMD kernels only in summation order.
// The loops are written so that LLVM vectorizes them (no scratch buffers: writing bytes and reading them
// back as vectors stalls on store forwarding).

enum KQuantDot {
    @inline(__always) static func yd(_ yb: UnsafeRawPointer) -> Float { Float(bitPattern: loadU32(yb, 0)) }
    @inline(__always) static func bsum(_ yb: UnsafeRawPointer, _ j: Int) -> Int32 {
        Int32(Int16(bitPattern: loadU16(yb, 260 + 2 * j)))
    }

    /// Q2_K · Q8_K
    static func q2_K(_ n: Int, _ x: UnsafeRawPointer, _ y: UnsafeRawPointer) -> Float {
        var sumf: Float = 0
        let m2 = SIMD16<Int16>(repeating: 3)
        for i in 0..<(n / 256) {
            let xb = x + 84 * i, yb = y + 292 * i
            let sc = xb.assumingMemoryBound(to: UInt8.self)
            var summs: Int32 = 0
            for j in 0..<16 { summs &+= bsum(yb, j) &* Int32(sc[j] >> 4) }
            var acc = SIMD8<Int32>()
            for h in 0..<2 {
                let v = load16x16(xb, 16 + 32 * h)
                for s in 0..<4 {
                    let sh = Int16(2 * s)
                    let p = dot32Codes((v &>> sh) & m2, (v &>> (sh + 8)) & m2, load16x16(yb, 4 + 128 * h + 32 * s))
                    let b = 8 * h + 2 * s
                    acc &+= p &* scalePair(Int32(sc[b] & 0xF), Int32(sc[b + 1] & 0xF))
                }
            }
            let d = yd(yb)
            sumf += (d * loadF16fast(xb, 80)) * Float(acc.wrappedSum()) - (d * loadF16fast(xb, 82)) * Float(summs)
        }
        return sumf
    }

    /// Q3_K · Q8_K
    static func q3_K(_ n: Int, _ x: UnsafeRawPointer, _ y: UnsafeRawPointer) -> Float {
        var sumf: Float = 0
        let m2 = SIMD16<Int16>(repeating: 3), one = SIMD16<Int16>(repeating: 1), c4 = SIMD16<Int16>(repeating: 4)
        for i in 0..<(n / 256) {
            let xb = x + 110 * i, yb = y + 292 * i
            let sc = (xb + 96).assumingMemoryBound(to: UInt8.self)
            let hm = load16x16(xb, 0)
            var acc = SIMD8<Int32>()
            for h in 0..<2 {
                let v = load16x16(xb, 32 + 32 * h)
                for s in 0..<4 {
                    let sh = Int16(2 * s), hs = Int16(4 * h + s)
                    let e = ((v &>> sh) & m2) &- c4 &+ (((hm &>> hs) & one) &<< 2)
                    let o = ((v &>> (sh + 8)) & m2) &- c4 &+ (((hm &>> (hs + 8)) & one) &<< 2)
                    let p = dot32Codes(e, o, load16x16(yb, 4 + 128 * h + 32 * s))
                    let b = 8 * h + 2 * s
                    acc &+= p &* scalePair(Q3_K.scales(sc, b), Q3_K.scales(sc, b + 1))
                }
            }
            sumf += (loadF16fast(xb, 108) * yd(yb)) * Float(acc.wrappedSum())
        }
        return sumf
    }

    /// Q4_K · Q8_K
    static func q4_K(_ n: Int, _ x: UnsafeRawPointer, _ y: UnsafeRawPointer) -> Float {
        var sumf: Float = 0
        let m4 = SIMD16<Int16>(repeating: 0xF)
        for i in 0..<(n / 256) {
            let xb = x + 144 * i, yb = y + 292 * i
            var acc = SIMD8<Int32>()
            var summs: Int32 = 0
            for c in 0..<4 {
                let v = load16x16(xb, 16 + 32 * c)
                let lo = dot32Codes(v & m4, (v &>> 8) & m4, load16x16(yb, 4 + 64 * c))
                let hi = dot32Codes((v &>> 4) & m4, (v &>> 12) & m4, load16x16(yb, 4 + 64 * c + 32))
                let (sc0, m0) = scaleMinK4(2 * c, xb + 4)
                let (sc1, m1) = scaleMinK4(2 * c + 1, xb + 4)
                acc &+= lo &* Int32(sc0) &+ hi &* Int32(sc1)
                summs &+= (bsum(yb, 4 * c) &+ bsum(yb, 4 * c + 1)) &* Int32(m0) &+ (bsum(yb, 4 * c + 2) &+ bsum(yb, 4 * c + 3)) &* Int32(m1)
            }
            let d = yd(yb)
            sumf += (loadF16fast(xb, 0) * d) * Float(acc.wrappedSum()) - (loadF16fast(xb, 2) * d) * Float(summs)
        }
        return sumf
    }

    /// Q5_K · Q8_K
    static func q5_K(_ n: Int, _ x: UnsafeRawPointer, _ y: UnsafeRawPointer) -> Float {
        var sumf: Float = 0
        let m4 = SIMD16<Int16>(repeating: 0xF), one = SIMD16<Int16>(repeating: 1)
        for i in 0..<(n / 256) {
            let xb = x + 176 * i, yb = y + 292 * i
            let h = load16x16(xb, 16)
            let he = h & 0xFF, ho = (h &>> 8) & 0xFF
            var acc = SIMD8<Int32>()
            var summs: Int32 = 0
            for c in 0..<4 {
                let v = load16x16(xb, 48 + 32 * c)
                let s0 = Int16(2 * c), s1 = Int16(2 * c + 1)
                let lo = dot32Codes(v & m4 | (((he &>> s0) & one) &<< 4), (v &>> 8) & m4 | (((ho &>> s0) & one) &<< 4),
                                    load16x16(yb, 4 + 64 * c))
                let hi = dot32Codes((v &>> 4) & m4 | (((he &>> s1) & one) &<< 4), (v &>> 12) & m4 | (((ho &>> s1) & one) &<< 4),
                                    load16x16(yb, 4 + 64 * c + 32))
                let (sc0, m0) = scaleMinK4(2 * c, xb + 4)
                let (sc1, m1) = scaleMinK4(2 * c + 1, xb + 4)
                acc &+= lo &* Int32(sc0) &+ hi &* Int32(sc1)
                summs &+= (bsum(yb, 4 * c) &+ bsum(yb, 4 * c + 1)) &* Int32(m0) &+ (bsum(yb, 4 * c + 2) &+ bsum(yb, 4 * c + 3)) &* Int32(m1)
            }
            let d = yd(yb)
            sumf += (loadF16fast(xb, 0) * d) * Float(acc.wrappedSum()) - (loadF16fast(xb, 2) * d) * Float(summs)
        }
        return sumf
    }

    /// Q6_K · Q8_K
    static func q6_K(_ n: Int, _ x: UnsafeRawPointer, _ y: UnsafeRawPointer) -> Float {
        var sumf: Float = 0
        let m4 = SIMD16<Int16>(repeating: 0xF), m3 = SIMD16<Int16>(repeating: 3), c32 = SIMD16<Int16>(repeating: 32)
        for i in 0..<(n / 256) {
            let xb = x + 210 * i, yb = y + 292 * i
            let sc = (xb + 192).assumingMemoryBound(to: Int8.self)
            var acc = SIMD8<Int32>()
            for h in 0..<2 {
                // 32 bytes each: ql[0..<32], ql[32..<64], qh[0..<32] of this half
                let l0 = load16x16(xb, 64 * h), l1 = load16x16(xb, 64 * h + 32), hb = load16x16(xb, 128 + 32 * h)
                let l0e = l0 & m4, l0o = (l0 &>> 8) & m4, l0he = (l0 &>> 4) & m4, l0ho = (l0 &>> 12) & m4
                let l1e = l1 & m4, l1o = (l1 &>> 8) & m4, l1he = (l1 &>> 4) & m4, l1ho = (l1 &>> 12) & m4
                let he = hb & 0xFF, ho = (hb &>> 8) & 0xFF
                // values − 32 for elements l (q1), l+32 (q2), l+64 (q3), l+96 (q4)
                let q1e = (l0e | ((he & m3) &<< 4)) &- c32, q1o = (l0o | ((ho & m3) &<< 4)) &- c32
                let q2e = (l1e | (((he &>> 2) & m3) &<< 4)) &- c32, q2o = (l1o | (((ho &>> 2) & m3) &<< 4)) &- c32
                let q3e = (l0he | (((he &>> 4) & m3) &<< 4)) &- c32, q3o = (l0ho | (((ho &>> 4) & m3) &<< 4)) &- c32
                let q4e = (l1he | (((he &>> 6) & m3) &<< 4)) &- c32, q4o = (l1ho | (((ho &>> 6) & m3) &<< 4)) &- c32
                let base = 4 + 128 * h
                let p1 = dot32Codes(q1e, q1o, load16x16(yb, base))
                let p2 = dot32Codes(q2e, q2o, load16x16(yb, base + 32))
                let p3 = dot32Codes(q3e, q3o, load16x16(yb, base + 64))
                let p4 = dot32Codes(q4e, q4o, load16x16(yb, base + 96))
                // lanes 0..<4 cover elements 0..<16 (first scale), lanes 4..<8 elements 16..<32
                let b = 8 * h
                acc &+= p1 &* scalePair(sc[b], sc[b + 1]) &+ p2 &* scalePair(sc[b + 2], sc[b + 3])
                acc &+= p3 &* scalePair(sc[b + 4], sc[b + 5]) &+ p4 &* scalePair(sc[b + 6], sc[b + 7])
            }
            sumf += (loadF16fast(xb, 208) * yd(yb)) * Float(acc.wrappedSum())
        }
        return sumf
    }

    /// Eight Int32 lanes: the first scale in lanes 0..<4, the second in lanes 4..<8.
    @inline(__always) static func scalePair(_ a: Int8, _ b: Int8) -> SIMD8<Int32> { scalePair(Int32(a), Int32(b)) }
    @inline(__always) static func scalePair(_ a: Int32, _ b: Int32) -> SIMD8<Int32> {
        SIMD8<Int32>(lowHalf: SIMD4<Int32>(repeating: a), highHalf: SIMD4<Int32>(repeating: b))
    }
}
