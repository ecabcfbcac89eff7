// Quantizers of IQ2_XXS, IQ2_XS and IQ2_S: ggml's quantize_row_iq2_xxs_impl, quantize_row_iq2_xs_impl and
// quantize_row_iq2_s_impl over the tables of iq2xs_init_impl (IQGridTable). Float arithmetic in C's order,
// no FMA. IQ2_XXS and IQ2_XS need importance weights (ggml asserts `quant_weights`); IQ2_S takes none too.

enum IQ2Quant {
    /// xval = |x| and the sign bits of 8 values; with `evenSigns` (IQ2_XXS, IQ2_XS, IQ3_XXS) an odd count of
    /// negatives flips the value of least w·x² back (its xval negative), so that 7 bits store the signs.
    @inline(__always)
    static func signs8(_ xb: UnsafePointer<Float>, _ weight: UnsafePointer<Float>, _ xval: UnsafeMutablePointer<Float>,
                       evenSigns: Bool) -> UInt8 {
        var s: UInt8 = 0, nflip = 0
        for i in 0..<8 {
            if xb[i] >= 0 { xval[i] = xb[i] } else { xval[i] = -xb[i]; nflip += 1; s |= 1 << UInt8(i) }
        }
        if !evenSigns { return s }
        if nflip % 2 == 1 {
            var imin = 0
            var mn = weight[0] * xb[0] * xb[0]
            for i in 1..<8 {
                let ax = weight[i] * xb[i] * xb[i]
                if ax < mn { mn = ax; imin = i }
            }
            xval[imin] = -xval[imin]
            s ^= 1 << UInt8(imin)
        }
        return s & 127
    }

    /// Σ w·x·q and Σ w·q² over n values with q = 2·L + 1, in element order.
    @inline(__always)
    static func sums(_ n: Int, _ weight: UnsafePointer<Float>, _ xval: UnsafePointer<Float>, _ L: UnsafePointer<Int8>) -> (Float, Float) {
        var sumqx: Float = 0, sumq2: Float = 0
        for i in 0..<n {
            let w = weight[i], q = Float(2 * Int32(L[i]) + 1)
            sumqx += w * xval[i] * q
            sumq2 += w * q * q
        }
        return (sumqx, sumq2)
    }

    /// The `max` of ggml's MAX-macro scan (`a > b ? a : b` from the first value).
    @inline(__always)
    static func scanMax(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
        var m = x[0]
        for i in 1..<n { m = m > x[i] ? m : x[i] }
        return m
    }

    /// Scratch of one sub-block (32 values at most).
    struct Scratch {
        let weight: UnsafeMutablePointer<Float>, waux: UnsafeMutablePointer<Float>, xval: UnsafeMutablePointer<Float>
        let L: UnsafeMutablePointer<Int8>, Laux: UnsafeMutablePointer<Int8>
        let scales: UnsafeMutablePointer<Float>
        static func with(_ body: (Scratch) -> Void) {
            withUnsafeTemporaryAllocation(of: Float.self, capacity: 32 * 3 + 16) { f in
            withUnsafeTemporaryAllocation(of: Int8.self, capacity: 64) { i in
                let p = f.baseAddress!, q = i.baseAddress!
                body(Scratch(weight: p, waux: p + 32, xval: p + 64, L: q, Laux: q + 32, scales: p + 96))
            }
            }
        }
    }

    /// quantize_row_iq2_xxs_impl for one row of `n` floats; `qw` must not be nil (ggml asserts it).
    static func quantizeXXS(_ x: UnsafePointer<Float>, _ vy: UnsafeMutableRawPointer, _ n: Int, weights qwAll: UnsafePointer<Float>) {
        IQGridView.with(IQGridTable.iq2xxs) { g in Scratch.with { s in
            let kMaxQ: Int32 = 3
            let weight = s.weight, waux = s.waux, xval = s.xval, L = s.L, Laux = s.Laux, scales = s.scales
            var q2 = [UInt32](repeating: 0, count: 16)
            var blockSigns: (UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0)
            for ibl in 0..<(n / 256) {
                let y = vy + 66 * ibl
                for i in 0..<16 { q2[i] = 0 }
                var maxScale: Float = 0
                let xbl = x + 256 * ibl
                var sumx2: Float = 0
                for i in 0..<256 { sumx2 += xbl[i] * xbl[i] }
                let sigma2 = sumx2 / 256
                for ib in 0..<8 {
                    let xb = xbl + 32 * ib
                    let qw = qwAll + 256 * ibl + 32 * ib
                    for i in 0..<32 { weight[i] = qw[i] * (sigma2 + xb[i] * xb[i]).squareRoot() }
                    for i in 0..<32 { waux[i] = weight[i].squareRoot() }
                    withUnsafeMutableBytes(of: &blockSigns) { bs in
                        for k in 0..<4 { bs[k] = signs8(xb + 8 * k, weight + 8 * k, xval + 8 * k, evenSigns: true) }
                    }
                    let max = scanMax(xval, 32)
                    if max < groupMaxEps {
                        scales[ib] = 0
                        for i in 0..<32 { L[i] = 0 }
                        continue
                    }
                    var scale = L.withMemoryRebound(to: UInt8.self, capacity: 32) { makeQpQuants(32, kMaxQ + 1, xval, $0, weight) }
                    let effMax = scale * Float(kMaxQ)
                    if effMax <= 0 {
                        scales[ib] = 0
                        for i in 0..<32 { L[i] = 0 }
                        continue
                    }
                    var best: Float = 0
                    for iscan in -6...6 {
                        let id = (Float(2 * kMaxQ - 1) + Float(iscan) * 0.1) / effMax
                        let thisScale = 1 / id
                        for k in 0..<4 { _ = g.place(xval + 8 * k, waux + 8 * k, id: id, scale: thisScale, kMaxQ: kMaxQ, Laux + 8 * k, width: 8) }
                        let (sumqx, sumq2) = sums(32, weight, xval, Laux)
                        if sumq2 > 0 && sumqx * sumqx > best * sumq2 {
                            scale = sumqx / sumq2; best = scale * sumqx
                            for i in 0..<32 { L[i] = Laux[i] }
                        }
                    }
                    if scale > 0 {
                        let id = 1 / scale
                        for k in 0..<4 { _ = g.place(xval + 8 * k, waux + 8 * k, id: id, scale: scale, kMaxQ: kMaxQ, L + 8 * k, width: 8) }
                        let (sumqx, sumq2) = sums(32, weight, xval, L)
                        if sumq2 > 0 { scale = sumqx / sumq2 }
                    }
                    withUnsafeMutableBytes(of: &blockSigns) { bs in
                        if scale < 0 {
                            scale = -scale
                            for k in 0..<4 { bs[k] = ~bs[k] & 127 }
                        }
                        for k in 0..<4 {
                            q2[2 * ib] |= UInt32(g.index(L + 8 * k, width: 8)) << UInt32(8 * k)
                            q2[2 * ib + 1] |= UInt32(bs[k]) << UInt32(7 * k)
                        }
                    }
                    scales[ib] = scale
                    maxScale = maxScale > scale ? maxScale : scale
                }
                storeF16(y, 0, 0)
                if maxScale == 0 {
                    (y + 2).initializeMemory(as: UInt8.self, repeating: 0, count: 64)
                    continue
                }
                let d = maxScale / 31
                storeF16(y, 0, d)
                let id = 1 / d
                for ib in 0..<8 {
                    let l = clamp(nearestInt(0.5 * (id * scales[ib] - 1)), 0, 15)
                    q2[2 * ib + 1] |= UInt32(l) << 28
                }
                for i in 0..<16 { (y + 2 + 4 * i).storeBytes(of: q2[i].littleEndian, as: UInt32.self) }
            }
        } }
    }

    /// quantize_row_iq2_xs_impl (`xs`) and quantize_row_iq2_s_impl (`!xs`) for one row: sub-blocks of 16.
    /// IQ2_XS needs weights; IQ2_S without them weighs each value by σ²/4 + x².
    static func quantizeXSorS(_ x: UnsafePointer<Float>, _ vy: UnsafeMutableRawPointer, _ n: Int, weights qwAll: UnsafePointer<Float>?,
                              xs: Bool) {
        IQGridView.with(xs ? IQGridTable.iq2xs : IQGridTable.iq2s) { g in Scratch.with { s in
            let kMaxQ: Int32 = 3
            let weight = s.weight, waux = s.waux, xval = s.xval, L = s.L, Laux = s.Laux, scales = s.scales
            let blockBytes = xs ? 74 : 82
            let eps: Float = xs ? groupMaxEps : 1e-8
            var q2 = [UInt16](repeating: 0, count: 32)
            for ibl in 0..<(n / 256) {
                let y = vy + blockBytes * ibl
                y.initializeMemory(as: UInt8.self, repeating: 0, count: blockBytes)
                for i in 0..<32 { q2[i] = 0 }
                var maxScale: Float = 0
                let xbl = x + 256 * ibl
                var sumx2: Float = 0
                for i in 0..<256 { sumx2 += xbl[i] * xbl[i] }
                let sigma2 = xs ? sumx2 / 256 : 2 * sumx2 / 256
                for ib in 0..<16 {
                    let xb = xbl + 16 * ib
                    if let qwAll {
                        let qw = qwAll + 256 * ibl + 16 * ib
                        for i in 0..<16 { weight[i] = qw[i] * (sigma2 + xb[i] * xb[i]).squareRoot() }
                    } else {
                        for i in 0..<16 { weight[i] = 0.25 * sigma2 + xb[i] * xb[i] }
                    }
                    for i in 0..<16 { waux[i] = weight[i].squareRoot() }
                    var bs0 = signs8(xb, weight, xval, evenSigns: xs)
                    var bs1 = signs8(xb + 8, weight + 8, xval + 8, evenSigns: xs)
                    let max = scanMax(xval, 16)
                    for i in 0..<16 { L[i] = 0 }
                    if max < eps { scales[ib] = 0; continue }
                    var best: Float = 0
                    var scale = max / Float(2 * kMaxQ - 1)
                    var on0 = true, on1 = true
                    for iscan in -9...9 {
                        let id = (Float(2 * kMaxQ - 1) + Float(iscan) * 0.1) / max
                        let thisScale = 1 / id
                        let a0 = g.place(xval, waux, id: id, scale: thisScale, kMaxQ: kMaxQ, Laux, width: 8)
                        let a1 = g.place(xval + 8, waux + 8, id: id, scale: thisScale, kMaxQ: kMaxQ, Laux + 8, width: 8)
                        let (sumqx, sumq2) = sums(16, weight, xval, Laux)
                        if sumq2 > 0 && sumqx * sumqx > best * sumq2 {
                            scale = sumqx / sumq2; best = scale * sumqx
                            for i in 0..<16 { L[i] = Laux[i] }
                            on0 = a0; on1 = a1
                        }
                    }
                    if (!on0 || !on1) && scale > 0 {
                        let id = 1 / scale
                        if !on0 { _ = g.place(xval, waux, id: id, scale: scale, kMaxQ: kMaxQ, L, width: 8) }
                        if !on1 { _ = g.place(xval + 8, waux + 8, id: id, scale: scale, kMaxQ: kMaxQ, L + 8, width: 8) }
                        let (sumqx, sumq2) = sums(16, weight, xval, L)
                        if sumq2 > 0 { scale = sumqx / sumq2 }
                    }
                    if scale < 0 {
                        scale = -scale
                        bs0 = xs ? ~bs0 & 127 : ~bs0
                        bs1 = xs ? ~bs1 & 127 : ~bs1
                    }
                    let g0 = g.index(L, width: 8), g1 = g.index(L + 8, width: 8)
                    if xs {
                        q2[2 * ib] = UInt16(g0) | UInt16(bs0) << 9
                        q2[2 * ib + 1] = UInt16(g1) | UInt16(bs1) << 9
                    } else {
                        let qs = (y + 2).assumingMemoryBound(to: UInt8.self), qh = (y + 66).assumingMemoryBound(to: UInt8.self)
                        for (k, gi, sg) in [(0, g0, bs0), (1, g1, bs1)] {
                            let i8 = 2 * ib + k
                            qs[i8] = UInt8(truncatingIfNeeded: gi)
                            qh[i8 / 4] |= UInt8(gi >> 8) << UInt8(2 * (i8 % 4))
                            qs[32 + i8] = sg
                        }
                    }
                    scales[ib] = scale
                    maxScale = maxScale > scale ? maxScale : scale
                }
                if maxScale == 0 { continue }   // (IQ2_XS: qs memset to 0; IQ2_S: the grid bytes written stay)
                let d = maxScale / 31
                storeF16(y, 0, xs ? d : d * 0.9875)
                let id = 1 / d
                let sc = (y + (xs ? 66 : 74)).assumingMemoryBound(to: UInt8.self)
                for ib in 0..<16 {
                    let l = UInt8(clamp(nearestInt(0.5 * (id * scales[ib] - 1)), 0, 15))
                    if ib % 2 == 0 { sc[ib / 2] = l } else { sc[ib / 2] |= l << 4 }
                }
                if xs { for i in 0..<32 { (y + 2 + 2 * i).storeBytes(of: q2[i].littleEndian, as: UInt16.self) } }
            }
        } }
    }
}
