// Dot products of the 16-value lookup types in the lane order of ggml's x86 AVX2 code: IQ4_NL and MXFP4 with
// Q8_0 (blocks in pairs into two accumulators of eight Float lanes, an odd last block in scalar code, fused as
// GCC builds it), IQ4_XS with Q8_K (eight Int32 lanes per super-block). Lane k of a 32-block sums elements
// 4k..<4k+4 (low nibbles are elements 0..<16, high nibbles 16..<32).

enum LookupDot {
    /// Eight Int32 lanes of one block: codes through `table` (16 entries), times the activation codes.
    /// The products are |v| · sign(q, v) as ggml's mul_add_epi8 forms them (q = −128 never occurs in Q8_0 rows
    /// made by the AVX2 from_float, and |v| ≤ 127 keeps the pair sums in int16).
    @inline(__always) static func lanes(_ qs: UnsafeRawPointer, _ table: UnsafePointer<Int8>, _ q: UnsafePointer<Int8>) -> SIMD8<Int32> {
        let b = qs.assumingMemoryBound(to: UInt8.self)
        // the 32 table values packed 8 per UInt64 (element order: low nibbles, then high nibbles)
        var u = SIMD4<UInt64>()
        for g in 0..<2 {
            var lo: UInt64 = 0, hi: UInt64 = 0
            for j in 0..<8 {
                let byte = b[8 * g + j]
                lo |= UInt64(UInt8(bitPattern: table[Int(byte & 0xF)])) << UInt64(8 * j)
                hi |= UInt64(UInt8(bitPattern: table[Int(byte >> 4)])) << UInt64(8 * j)
            }
            u[g] = lo
            u[g + 2] = hi
        }
        // |v| · sign(q, v): −q wraps in 8 bits; v is never 0 for IQ4 (MXFP4's 0 gives 0)
        let v16 = unsafeBitCast(u, to: SIMD16<Int16>.self)
        let ve = IQDot.sx8(v16), vo = v16 &>> 8
        let me = ve &>> 15, mo = vo &>> 15
        let q16 = load16x16(UnsafeRawPointer(q), 0)
        let qe = IQDot.sx8((IQDot.sx8(q16) ^ me) &- me), qo = IQDot.sx8(((q16 &>> 8) ^ mo) &- mo)
        let ae = (ve ^ me) &- me, ao = (vo ^ mo) &- mo      // |v| ≤ 127
        return pairSum32(ae &* qe &+ ao &* qo)
    }

    @inline(__always) static func pairs(_ n: Int, _ x: UnsafeRawPointer, _ bx: Int, _ qoff: Int, _ y: UnsafeRawPointer,
                                        _ table: UnsafePointer<Int8>, _ scale: (UnsafeRawPointer, UnsafeRawPointer) -> Float) -> Float {
        let nb = n / 32
        var acc1 = SIMD8<Float>(), acc2 = SIMD8<Float>()
        var ib = 0
        while ib + 1 < nb {
            let x0 = x + bx * ib, x1 = x0 + bx, y0 = y + 34 * ib, y1 = y0 + 34
            let p1 = lanes(x0 + qoff, table, (y0 + 2).assumingMemoryBound(to: Int8.self))
            let p2 = lanes(x1 + qoff, table, (y1 + 2).assumingMemoryBound(to: Int8.self))
            acc1 = fmaLanes(acc1, scale(x0, y0), p1)
            acc2 = fmaLanes(acc2, scale(x1, y1), p2)
            ib += 2
        }
        var sumf = hsum8(acc1 + acc2)
        while ib < nb {
            let xb = x + bx * ib, yb = y + 34 * ib
            let p = lanes(xb + qoff, table, (yb + 2).assumingMemoryBound(to: Int8.self))
            sumf = sumf.addingProduct(scale(xb, yb), Float(p.wrappedSum()))   // GCC fuses sumf += d * sumi
            ib += 1
        }
        return sumf
    }

    /// IQ4_NL · Q8_0
    static func iq4_nl(_ n: Int, _ x: UnsafeRawPointer, _ y: UnsafeRawPointer) -> Float {
        kvaluesIQ4NL.withUnsafeBufferPointer { t in
            pairs(n, x, 18, 2, y, t.baseAddress!) { xb, yb in loadF16fast(yb, 0) * loadF16fast(xb, 0) }
        }
    }

    /// MXFP4 · Q8_0
    static func mxfp4(_ n: Int, _ x: UnsafeRawPointer, _ y: UnsafeRawPointer) -> Float {
        kvaluesMXFP4.withUnsafeBufferPointer { t in
            pairs(n, x, 17, 1, y, t.baseAddress!) { xb, yb in loadF16fast(yb, 0) * MXFP4.e8m0Half(xb.load(as: UInt8.self)) }
        }
    }

    /// IQ4_XS · Q8_K
    static func iq4_xs(_ n: Int, _ x: UnsafeRawPointer, _ y: UnsafeRawPointer) -> Float {
        kvaluesIQ4NL.withUnsafeBufferPointer { t in
            var acc = SIMD8<Float>()
            for i in 0..<(n / 256) {
                let xb = x + 136 * i, yb = y + 292 * i
                let sh = Int32(loadU16(xb, 2))
                var sumi = SIMD8<Int32>()
                for ib in 0..<8 {
                    let sl = Int32(xb.load(fromByteOffset: 4 + ib / 2, as: UInt8.self))
                    let ls = (((sl >> Int32(4 * (ib & 1))) & 0xF) | (((sh >> Int32(2 * ib)) & 3) << 4)) - 32
                    sumi &+= lanes(xb + 8 + 16 * ib, t.baseAddress!, (yb + 4 + 32 * ib).assumingMemoryBound(to: Int8.self)) &* ls
                }
                acc = fmaLanes(acc, loadF16fast(xb, 0) * Float(bitPattern: loadU32(yb, 0)), sumi)
            }
            return hsum8(acc)
        }
    }
}
