// Dot products of the IQ grid types with Q8_K activations (ggml_vec_dot_iq*_q8_K), in the lane order of ggml's
// x86 AVX2 code: per super-block eight Int32 lanes (lane k sums elements 4k..<4k+4 of every 32, each 32 scaled
// by its block scale(s)), converted and fused into eight Float accumulators with d = d_x·d_y, summed as
// hsum_float_8, then one final factor. The signs are applied to the activation codes with 8-bit wrapping
// (as _mm256_sign_epi8 does: −(−128) stays −128), so the integers, and with them the floats, are ggml's.

/// ggml's hsum_float_8: (high half + low half), then (0 + 2) + (1 + 3).
@inline(__always) func hsum8(_ v: SIMD8<Float>) -> Float {
    let r = v.highHalf + v.lowHalf
    return (r[0] + r[2]) + (r[1] + r[3])
}

/// `acc + d · Float(lanes)` per lane, fused (_mm256_fmadd_ps).
@inline(__always) func fmaLanes(_ acc: SIMD8<Float>, _ d: Float, _ lanes: SIMD8<Int32>) -> SIMD8<Float> {
    acc.addingProduct(SIMD8<Float>(repeating: d), SIMD8<Float>(lanes))
}

enum IQDot {
    /// −q with 8-bit wrapping (_mm256_sign_epi8 by a negative byte).
    @inline(__always) static func neg8(_ q: Int8) -> Int32 { Int32(0 &- q) }

    /// Bytes 0xFF where bit j of `bits` is set (byte j), else 0, as 16 Int16 lanes (the layout of ``load16x16``).
    @inline(__always) static func maskBytes(_ bits: UInt32) -> SIMD16<Int16> {
        var m = SIMD4<UInt64>()
        for l in 0..<4 { m[l] = spreadBits(UInt8(truncatingIfNeeded: bits >> UInt32(8 * l))) }
        return unsafeBitCast(m, to: SIMD16<Int16>.self)
    }

    /// 8 bits to 8 bytes (0xFF where set).
    @inline(__always) static func spreadBits(_ b: UInt8) -> UInt64 {
        var x: UInt64 = 0
        for j in 0..<8 { x |= UInt64((b >> UInt8(j)) & 1) << UInt64(8 * j) }
        return x &* 0xFF
    }

    /// Sign-extends the low byte of each lane.
    @inline(__always) static func sx8(_ v: SIMD16<Int16>) -> SIMD16<Int16> { (v &<< 8) &>> 8 }

    /// One 32-element chunk: lane k = Σ_{j<4} w[4k+j] · (bit 4k+j of `signs` ? −q : q), times `lo` for lanes
    /// 0..<4 (elements 0..<16) and `hi` for lanes 4..<8. −q wraps in 8 bits (−(−128) = −128).
    @inline(__always) static func chunk(_ w: SIMD32<UInt8>, _ signs: UInt32, _ q: UnsafePointer<Int8>, _ lo: Int32, _ hi: Int32) -> SIMD8<Int32> {
        let w16 = unsafeBitCast(w, to: SIMD16<Int16>.self)
        let we = w16 & 0xFF, wo = (w16 &>> 8) & 0xFF
        let q16 = load16x16(UnsafeRawPointer(q), 0), m = maskBytes(signs)
        let me = sx8(m), mo = m &>> 8
        let qe = sx8((sx8(q16) ^ me) &- me), qo = sx8(((q16 &>> 8) ^ mo) &- mo)
        return pairSum32(we &* qe &+ wo &* qo) &* KQuantDot.scalePair(lo, hi)
    }

    /// 32 grid bytes from four 8-byte grid entries.
    @inline(__always) static func bytes(_ a: UInt64, _ b: UInt64, _ c: UInt64, _ d: UInt64) -> SIMD32<UInt8> {
        unsafeBitCast(SIMD4<UInt64>(a, b, c, d), to: SIMD32<UInt8>.self)
    }

    /// 32 grid bytes from eight 4-byte grid entries.
    @inline(__always) static func bytes(_ g: SIMD8<UInt32>) -> SIMD32<UInt8> { unsafeBitCast(g, to: SIMD32<UInt8>.self) }

    /// Four groups of 7 sign bits (at bit 0, 7, 14, 21 of `a`) with ggml's even-parity eighth bits, as 32 bits.
    @inline(__always) static func evenSigns(_ a: UInt32) -> UInt32 {
        var s: UInt32 = 0
        for l in 0..<4 { s |= UInt32(ksigns((a >> UInt32(7 * l)) & 127)) << UInt32(8 * l) }
        return s
    }

    @inline(__always) static func yd(_ yb: UnsafeRawPointer) -> Float { Float(bitPattern: loadU32(yb, 0)) }
    @inline(__always) static func yq(_ yb: UnsafeRawPointer) -> UnsafePointer<Int8> { (yb + 4).assumingMemoryBound(to: Int8.self) }

    /// IQ2_XXS · Q8_K
    static func iq2_xxs(_ n: Int, _ x: UnsafeRawPointer, _ y: UnsafeRawPointer) -> Float {
        iq2xxsGrid.withUnsafeBufferPointer { grid in
            var acc = SIMD8<Float>()
            for i in 0..<(n / 256) {
                let xb = x + 66 * i, yb = y + 292 * i
                var lanes = SIMD8<Int32>()
                for ib in 0..<8 {
                    let a0 = loadU32(xb, 2 + 8 * ib), a1 = loadU32(xb, 6 + 8 * ib)
                    let g = bytes(grid[Int(a0 & 0xFF)], grid[Int((a0 >> 8) & 0xFF)], grid[Int((a0 >> 16) & 0xFF)], grid[Int(a0 >> 24)])
                    let ls = 2 * Int32(a1 >> 28) + 1
                    lanes &+= chunk(g, evenSigns(a1), yq(yb) + 32 * ib, ls, ls)
                }
                acc = fmaLanes(acc, loadF16fast(xb, 0) * yd(yb), lanes)
            }
            return 0.125 * hsum8(acc)
        }
    }

    /// IQ2_XS · Q8_K
    static func iq2_xs(_ n: Int, _ x: UnsafeRawPointer, _ y: UnsafeRawPointer) -> Float {
        iq2xsGrid.withUnsafeBufferPointer { grid in
            var acc = SIMD8<Float>()
            for i in 0..<(n / 256) {
                let xb = x + 74 * i, yb = y + 292 * i
                var lanes = SIMD8<Int32>()
                for ib in 0..<8 {
                    let q = (0..<4).map { UInt32(loadU16(xb, 2 + 8 * ib + 2 * $0)) }
                    let g = bytes(grid[Int(q[0] & 511)], grid[Int(q[1] & 511)], grid[Int(q[2] & 511)], grid[Int(q[3] & 511)])
                    var s: UInt32 = 0
                    for l in 0..<4 { s |= UInt32(ksigns(q[l] >> 9)) << UInt32(8 * l) }
                    let sc = Int32(xb.load(fromByteOffset: 66 + ib, as: UInt8.self))
                    lanes &+= chunk(g, s, yq(yb) + 32 * ib, 2 * (sc & 0xF) + 1, 2 * (sc >> 4) + 1)
                }
                acc = fmaLanes(acc, loadF16fast(xb, 0) * yd(yb), lanes)
            }
            return 0.125 * hsum8(acc)
        }
    }

    /// IQ2_S · Q8_K
    static func iq2_s(_ n: Int, _ x: UnsafeRawPointer, _ y: UnsafeRawPointer) -> Float {
        iq2sGrid.withUnsafeBufferPointer { grid in
            var acc = SIMD8<Float>()
            for i in 0..<(n / 256) {
                let xb = x + 82 * i, yb = y + 292 * i
                let qs = (xb + 2).assumingMemoryBound(to: UInt8.self)
                var lanes = SIMD8<Int32>()
                for ib in 0..<8 {
                    let h = Int(xb.load(fromByteOffset: 66 + ib, as: UInt8.self))
                    let q = qs + 4 * ib
                    let g = bytes(grid[Int(q[0]) | ((h << 8) & 0x300)], grid[Int(q[1]) | ((h << 6) & 0x300)],
                                  grid[Int(q[2]) | ((h << 4) & 0x300)], grid[Int(q[3]) | ((h << 2) & 0x300)])
                    let sc = Int32(xb.load(fromByteOffset: 74 + ib, as: UInt8.self))
                    lanes &+= chunk(g, loadU32(xb, 34 + 4 * ib), yq(yb) + 32 * ib, 2 * (sc & 0xF) + 1, 2 * (sc >> 4) + 1)
                }
                acc = fmaLanes(acc, loadF16fast(xb, 0) * yd(yb), lanes)
            }
            return 0.125 * hsum8(acc)
        }
    }

    /// IQ3_XXS · Q8_K
    static func iq3_xxs(_ n: Int, _ x: UnsafeRawPointer, _ y: UnsafeRawPointer) -> Float {
        iq3xxsGrid.withUnsafeBufferPointer { grid in
            var acc = SIMD8<Float>()
            for i in 0..<(n / 256) {
                let xb = x + 98 * i, yb = y + 292 * i
                let q3 = (xb + 2).assumingMemoryBound(to: UInt8.self)
                var lanes = SIMD8<Int32>()
                for ib in 0..<8 {
                    let a = loadU32(xb, 66 + 4 * ib)
                    var g = SIMD8<UInt32>()
                    for l in 0..<8 { g[l] = grid[Int(q3[8 * ib + l])] }
                    let ls = 2 * Int32(a >> 28) + 1
                    lanes &+= chunk(bytes(g), evenSigns(a), yq(yb) + 32 * ib, ls, ls)
                }
                acc = fmaLanes(acc, loadF16fast(xb, 0) * yd(yb), lanes)
            }
            return 0.25 * hsum8(acc)
        }
    }

    /// IQ3_S · Q8_K
    static func iq3_s(_ n: Int, _ x: UnsafeRawPointer, _ y: UnsafeRawPointer) -> Float {
        iq3sGrid.withUnsafeBufferPointer { grid in
            var acc = SIMD8<Float>()
            for i in 0..<(n / 256) {
                let xb = x + 110 * i, yb = y + 292 * i
                let qs = (xb + 2).assumingMemoryBound(to: UInt8.self)
                var lanes = SIMD8<Int32>()
                for ib in 0..<8 {
                    let h = Int(xb.load(fromByteOffset: 66 + ib, as: UInt8.self))
                    var g = SIMD8<UInt32>()
                    for l in 0..<8 { g[l] = grid[Int(qs[8 * ib + l]) | (((h >> l) & 1) << 8)] }
                    let sc = Int32(xb.load(fromByteOffset: 106 + ib / 2, as: UInt8.self))
                    let ls = 2 * (ib & 1 == 1 ? sc >> 4 : sc & 0xF) + 1
                    lanes &+= chunk(bytes(g), loadU32(xb, 74 + 4 * ib), yq(yb) + 32 * ib, ls, ls)
                }
                acc = fmaLanes(acc, loadF16fast(xb, 0) * yd(yb), lanes)
            }
            return hsum8(acc)
        }
    }

    /// One 32-chunk of IQ1 grid values (−1, 0, 1 bytes): lane k = Σ_{j<4} v·q as ggml's mul_add_epi8 computes
    /// it (|v| · sign(q, v), so −1 · −128 gives −128), times `lo` / `hi` as in ``chunk``.
    @inline(__always) static func chunkTernary(_ w: SIMD32<UInt8>, _ q: UnsafePointer<Int8>, _ lo: Int32, _ hi: Int32) -> SIMD8<Int32> {
        let w16 = unsafeBitCast(w, to: SIMD16<Int16>.self)
        let ve = sx8(w16), vo = w16 &>> 8
        let me = ve &>> 15, mo = vo &>> 15          // −1 where the value is negative
        let q16 = load16x16(UnsafeRawPointer(q), 0)
        let qe = sx8((sx8(q16) ^ me) &- me) &* (ve & 1), qo = sx8(((q16 &>> 8) ^ mo) &- mo) &* (vo & 1)
        return pairSum32(qe &+ qo) &* KQuantDot.scalePair(lo, hi)
    }

    /// IQ1_S · Q8_K
    static func iq1_s(_ n: Int, _ x: UnsafeRawPointer, _ y: UnsafeRawPointer) -> Float {
        iq1sGrid.withUnsafeBufferPointer { grid in
            var acc = SIMD8<Float>()
            var acc1: Float = 0
            for i in 0..<(n / 256) {
                let xb = x + 50 * i, yb = y + 292 * i
                let qs = (xb + 2).assumingMemoryBound(to: UInt8.self)
                var lanes = SIMD8<Int32>()
                var sumi1: Int32 = 0
                for ib in 0..<8 {
                    let h = Int(loadU16(xb, 34 + 2 * ib))
                    let q = qs + 4 * ib
                    let g = bytes(grid[Int(q[0]) | ((h << 8) & 0x700)], grid[Int(q[1]) | ((h << 5) & 0x700)],
                                  grid[Int(q[2]) | ((h << 2) & 0x700)], grid[Int(q[3]) | ((h >> 1) & 0x700)])
                    let ls = 2 * Int32((h >> 12) & 7) + 1
                    lanes &+= chunkTernary(g, yq(yb) + 32 * ib, ls, ls)
                    let bs = KQuantDot.bsum(yb, 2 * ib) &+ KQuantDot.bsum(yb, 2 * ib + 1)
                    sumi1 &+= bs &* (h & 0x8000 != 0 ? -1 : 1) &* ls
                }
                let d = yd(yb) * loadF16fast(xb, 0)
                acc = fmaLanes(acc, d, lanes)
                acc1 = acc1.addingProduct(d, Float(sumi1))   // GCC fuses accum1 += d * sumi1
            }
            return hsum8(acc) + IQ1_S.delta * acc1
        }
    }

    /// IQ1_M · Q8_K
    static func iq1_m(_ n: Int, _ x: UnsafeRawPointer, _ y: UnsafeRawPointer) -> Float {
        iq1sGrid.withUnsafeBufferPointer { grid in
            var acc1 = SIMD8<Float>(), acc2 = SIMD8<Float>()
            for i in 0..<(n / 256) {
                let xb = x + 56 * i, yb = y + 292 * i
                let qs = xb.assumingMemoryBound(to: UInt8.self), qh = (xb + 32).assumingMemoryBound(to: UInt8.self)
                let sc0 = loadU16(xb, 48), sc1 = loadU16(xb, 50), sc2 = loadU16(xb, 52), sc3 = loadU16(xb, 54)
                let u16 = (sc0 >> 12) | ((sc1 >> 8) & 0x00f0) | ((sc2 >> 4) & 0x0f00) | (sc3 & 0xf000)
                var lanes1 = SIMD8<Int32>(), lanes2 = SIMD8<Int32>()
                for ib in 0..<8 {
                    let h0 = Int(qh[2 * ib]), h1 = Int(qh[2 * ib + 1])
                    let q = qs + 4 * ib
                    let g = bytes(grid[Int(q[0]) | ((h0 << 8) & 0x700)], grid[Int(q[1]) | ((h0 << 4) & 0x700)],
                                  grid[Int(q[2]) | ((h1 << 8) & 0x700)], grid[Int(q[3]) | ((h1 << 4) & 0x700)])
                    let s = Int32([sc0, sc1, sc2, sc3][ib / 2] >> UInt16(6 * (ib & 1)))
                    let lo = 2 * (s & 7) + 1, hi = 2 * ((s >> 3) & 7) + 1
                    let q8 = yq(yb) + 32 * ib
                    lanes1 &+= chunkTernary(g, q8, lo, hi)
                    // the delta term: Σ ±q per 8 (sign of the group's delta), as maddubs(1, sign(q, δ))
                    let neg = [h0 & 0x08, h0 & 0x80, h1 & 0x08, h1 & 0x80]
                    var m: UInt32 = 0
                    for l in 0..<4 where neg[l] != 0 { m |= 0xFF << UInt32(8 * l) }
                    lanes2 &+= chunk(SIMD32<UInt8>(repeating: 1), m, q8, lo, hi)
                }
                let d = yd(yb) * Half.fp32(fp16: u16)
                acc1 = fmaLanes(acc1, d, lanes1)
                acc2 = fmaLanes(acc2, d, lanes2)
            }
            return hsum8(acc1) + 0.125 * hsum8(acc2)
        }
    }
}
