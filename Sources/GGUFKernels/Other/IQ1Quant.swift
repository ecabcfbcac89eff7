// Quantizers of IQ1_S and IQ1_M: ggml's quantize_row_iq1_s_impl and quantize_row_iq1_m_impl over the 2048-point
// ternary grid of iq2xs_init_impl(IQ1_S) (IQGridTable.iq1s). Float arithmetic in C's order, no FMA.
// IQ1_S needs importance weights (ggml asserts them); IQ1_M weighs by x² without.
//
// Both sort a sub-block's values with qsort on the value alone; glibc's qsort is a stable merge sort for
// arrays this small, so equal values (±0, repeats) keep their order: an insertion sort here. (A NaN anywhere
// in the super-block makes every weight NaN and the sub-block is skipped before the order matters.)

enum IQ1Quant {
    static let xp: (Float, Float, Float) = (-1 + 0.125, 0.125, 1 + 0.125)
    static let xm: (Float, Float, Float) = (-1 - 0.125, -0.125, 1 - 0.125)

    /// Indices 0 ..< n ordered by x, stable.
    @inline(__always)
    static func sortIndices(_ x: UnsafePointer<Float>, _ n: Int, _ idx: UnsafeMutablePointer<Int>) {
        for j in 0..<n {
            let v = x[j]
            var i = j
            while i > 0 && x[idx[i - 1]] > v { idx[i] = idx[i - 1]; i -= 1 }
            idx[i] = j
        }
    }

    /// iq1_find_best_neighbour2: the listed grid point with the smallest Σ w·(scale·xg[level] − x)². ggml's
    /// fallback when none is below FLT_MAX scans the whole grid but reads `xval[i]` with i the grid index (out
    /// of bounds: undefined); here it reads `xval[j]`, and where still none is found (ggml asserts) takes the first.
    @inline(__always)
    static func bestNeighbour2(_ g: IQGridView, _ offset: Int, _ xval: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ scale: Float,
                               _ xg: UnsafePointer<Float>, _ L: UnsafeMutablePointer<Int8>, ngrid: Int) -> Int {
        let nb = g.neighbours + offset
        var best = Float.greatestFiniteMagnitude
        var index = -1
        // Each term w·diff·diff depends only on (i, level): 3 per value, computed once; every point's sum adds
        // its eight terms in ggml's order (the same floats as its loop).
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 24) { tb in
            let t = tb.baseAddress!
            for i in 0..<8 {
                for l in 0..<3 {
                    let diff = scale * xg[l] - xval[i]
                    t[3 * i + l] = w[i] * diff * diff
                }
            }
            @inline(__always) func d2(_ p: Int) -> Float {
                let lv = g.levels + 8 * p
                var d: Float = 0
                for i in 0..<8 { d += t[3 * i + Int(lv[i])] }
                return d
            }
            if let r = g.search8(nb, Int(nb[0]), t, stride: 3) {
                (best, index) = r
            } else {
                for j in 1...Int(nb[0]) {
                    let p = Int(nb[j]), d = d2(p)
                    if d < best { best = d; index = p }
                }
            }
            if index < 0 {
                for p in 0..<ngrid {
                    let d = d2(p)
                    if d < best { best = d; index = p }
                }
            }
        }
        if index < 0 { index = Int(nb[1]) }
        g.setLevels(index, L)
        return index
    }

    /// quantize_row_iq1_s_impl for one row (`qw` must not be nil: ggml asserts it).
    static func quantizeS(_ x: UnsafePointer<Float>, _ vy: UnsafeMutableRawPointer, _ n: Int, weights qwAll: UnsafePointer<Float>) {
        IQGridView.with(IQGridTable.iq1s) { g in
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 32 + 33 + 33 + 8 + 6) { fb in
        withUnsafeTemporaryAllocation(of: Int.self, capacity: 32 + 4) { ib_ in
        withUnsafeTemporaryAllocation(of: Int8.self, capacity: 32 + 8) { i8 in
            let weight = fb.baseAddress!, sumx = weight + 32, sumw = sumx + 33, scales = sumw + 33, xx = scales + 8
            let xpv = xx, xmv = xx + 3
            (xpv[0], xpv[1], xpv[2]) = xp
            (xmv[0], xmv[1], xmv[2]) = xm
            let idx = ib_.baseAddress!, index = idx + 32
            let L = i8.baseAddress!, shifts = L + 32
            let block = 32
            for ibl in 0..<(n / 256) {
                let y = vy + 50 * ibl
                y.initializeMemory(as: UInt8.self, repeating: 0, count: 50)
                let qs = (y + 2).assumingMemoryBound(to: UInt8.self)
                var maxScale: Float = 0
                let xbl = x + 256 * ibl
                var sumx2: Float = 0
                for i in 0..<256 { sumx2 += xbl[i] * xbl[i] }
                let sigma2 = 2 * sumx2 / 256
                for ib in 0..<(256 / block) {
                    let xb = xbl + block * ib
                    let qw = qwAll + 256 * ibl + block * ib
                    for i in 0..<block { weight[i] = qw[i] * (sigma2 + xb[i] * xb[i]).squareRoot() }
                    var max = abs(xb[0])
                    for i in 1..<block { let a = abs(xb[i]); max = max > a ? max : a }
                    if max < 1e-12 {
                        scales[ib] = 0; shifts[ib] = 1
                        for i in 0..<block { L[i] = 1 }
                        continue
                    }
                    sortIndices(xb, block, idx)
                    sumx[0] = 0; sumw[0] = 0
                    for j in 0..<block {
                        let i = idx[j]
                        sumx[j + 1] = sumx[j] + weight[i] * xb[i]
                        sumw[j + 1] = sumw[j] + weight[i]
                    }
                    var bestScore = -Float.greatestFiniteMagnitude, scale = max
                    var besti1 = -1, besti2 = -1, bestShift = 0
                    let (p0, p1, p2) = xp, (m0, m1, m2) = xm
                    for i1 in 0...block {
                        for i2 in i1...block {
                            let a = sumx[i1] - sumx[0], b = sumx[i2] - sumx[i1], c = sumx[block] - sumx[i2]
                            let wa = sumw[i1] - sumw[0], wb = sumw[i2] - sumw[i1], wc = sumw[block] - sumw[i2]
                            var sumqx = a * p0 + b * p1 + c * p2
                            var sumq2 = wa * p0 * p0 + wb * p1 * p1 + wc * p2 * p2
                            if sumq2 > 0 && sumqx * sumqx > bestScore * sumq2 {
                                scale = sumqx / sumq2; bestScore = scale * sumqx
                                besti1 = i1; besti2 = i2; bestShift = 1
                            }
                            sumqx = a * m0 + b * m1 + c * m2
                            sumq2 = wa * m0 * m0 + wb * m1 * m1 + wc * m2 * m2
                            if sumq2 > 0 && sumqx * sumqx > bestScore * sumq2 {
                                scale = sumqx / sumq2; bestScore = scale * sumqx
                                besti1 = i1; besti2 = i2; bestShift = -1
                            }
                        }
                    }
                    if besti1 < 0 || besti2 < 0 || bestShift == 0 {
                        scales[ib] = 0; shifts[ib] = 1
                        for i in 0..<block { L[i] = 1 }
                        continue
                    }
                    for j in 0..<besti1 { L[idx[j]] = 0 }
                    for j in besti1..<besti2 { L[idx[j]] = 1 }
                    for j in besti2..<block { L[idx[j]] = 2 }
                    if scale < 0 {
                        for j in 0..<block { L[j] = 2 - L[j] }
                        scale = -scale; bestShift = -bestShift
                    }
                    var allOnGrid = true
                    let xxp = bestShift == 1 ? xpv : xmv
                    for k in 0..<(block / 8) {
                        let u = g.point(L + 8 * k)
                        var gi = Int(g.map[u])
                        if gi < 0 {
                            allOnGrid = false
                            gi = bestNeighbour2(g, -gi - 1, xb + 8 * k, weight + 8 * k, scale, xxp, L + 8 * k, ngrid: 2048)
                        }
                        index[k] = gi
                    }
                    if !allOnGrid {
                        var sumqx: Float = 0, sumq2: Float = 0
                        for k in 0..<(block / 8) {
                            let lv = g.levels + 8 * index[k]
                            for j in 0..<8 {
                                let w = weight[8 * k + j], q = xxp[Int(lv[j])]
                                sumqx += w * q * xb[8 * k + j]
                                sumq2 += w * q * q
                            }
                        }
                        if sumqx > 0 && sumq2 > 0 { scale = sumqx / sumq2 }
                    }
                    var h: UInt16 = 0
                    for k in 0..<(block / 8) {
                        qs[(block / 8) * ib + k] = UInt8(truncatingIfNeeded: index[k])
                        h |= UInt16(index[k] >> 8) << UInt16(3 * k)
                    }
                    (y + 34 + 2 * ib).storeBytes(of: h.littleEndian, as: UInt16.self)
                    scales[ib] = scale
                    shifts[ib] = Int8(bestShift)
                    maxScale = maxScale > scale ? maxScale : scale
                }
                if maxScale == 0 { continue }
                let d = maxScale / 15
                storeF16(y, 0, d * 1.125)
                let id = 1 / d
                for ib in 0..<(256 / block) {
                    var l = UInt16(clamp(nearestInt(0.5 * (id * scales[ib] - 1)), 0, 7))
                    if shifts[ib] == -1 { l |= 8 }
                    let h = UInt16(littleEndian: (y + 34 + 2 * ib).loadUnaligned(as: UInt16.self)) | l << 12
                    (y + 34 + 2 * ib).storeBytes(of: h.littleEndian, as: UInt16.self)
                }
            }
        }
        }
        }
        }
    }

    /// quantize_row_iq1_m_impl for one row (weights: a float per column, or nil for x²).
    static func quantizeM(_ x: UnsafePointer<Float>, _ vy: UnsafeMutableRawPointer, _ n: Int, weights qwAll: UnsafePointer<Float>?) {
        IQGridView.with(IQGridTable.iq1s) { g in
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 16 + 16 + 6 + 4 * 17) { fb in
        withUnsafeTemporaryAllocation(of: Int.self, capacity: 16 + 2) { ib_ in
        withUnsafeTemporaryAllocation(of: Int8.self, capacity: 16 + 16) { i8 in
            let weight = fb.baseAddress!, scales = weight + 16, xpv = scales + 16, xmv = xpv + 3
            let px0 = xmv + 3, px1 = px0 + 17, pw0 = px1 + 17, pw1 = pw0 + 17
            (xpv[0], xpv[1], xpv[2]) = xp
            (xmv[0], xmv[1], xmv[2]) = xm
            let idx = ib_.baseAddress!, index = idx + 16
            let L = i8.baseAddress!, shifts = L + 16
            let block = 16
            let masks: [UInt8] = [0x00, 0x80, 0x08, 0x88]
            /// The values of group k (0: first 8, 1: second 8) under shift pattern bk (0: +,+ 1: +,− 2: −,+ 3: −,−).
            func xxFor(_ k: Int, _ bk: Int) -> UnsafeMutablePointer<Float> {
                k == 0 ? (bk < 2 ? xpv : xmv) : (bk % 2 == 0 ? xpv : xmv)
            }
            func setWeights(_ xb: UnsafePointer<Float>, _ ibl: Int, _ ib: Int, _ sigma2: Float) {
                if let qwAll {
                    let qw = qwAll + 256 * ibl + block * ib
                    for i in 0..<block { weight[i] = qw[i] * (sigma2 + xb[i] * xb[i]).squareRoot() }
                } else {
                    for i in 0..<block { weight[i] = xb[i] * xb[i] }
                }
            }
            for ibl in 0..<(n / 256) {
                let y = vy + 56 * ibl
                y.initializeMemory(as: UInt8.self, repeating: 0, count: 56)
                let qs = y.assumingMemoryBound(to: UInt8.self), qh = (y + 32).assumingMemoryBound(to: UInt8.self)
                var maxScale: Float = 0
                let xbl = x + 256 * ibl
                var sumx2: Float = 0
                for i in 0..<256 { sumx2 += xbl[i] * xbl[i] }
                let sigma2 = 2 * sumx2 / 256
                for ib in 0..<(256 / block) {
                    let xb = xbl + block * ib
                    setWeights(xb, ibl, ib, sigma2)
                    var max = abs(xb[0])
                    for i in 1..<block { let a = abs(xb[i]); max = max > a ? max : a }
                    if max < 1e-7 {
                        scales[ib] = 0; shifts[ib] = 0
                        for i in 0..<block { L[i] = 1 }
                        continue
                    }
                    sortIndices(xb, block, idx)
                    var bestScore = -Float.greatestFiniteMagnitude, scale = max
                    var besti1 = -1, besti2 = -1, bestK = -1
                    px0[0] = 0; px1[0] = 0; pw0[0] = 0; pw1[0] = 0
                    for j in 0..<block {
                        let i = idx[j]
                        if i < block / 2 {
                            px0[j + 1] = px0[j] + weight[i] * xb[i]; px1[j + 1] = px1[j]
                            pw0[j + 1] = pw0[j] + weight[i]; pw1[j + 1] = pw1[j]
                        } else {
                            px1[j + 1] = px1[j] + weight[i] * xb[i]; px0[j + 1] = px0[j]
                            pw1[j + 1] = pw1[j] + weight[i]; pw0[j + 1] = pw0[j]
                        }
                    }
                    let txs0 = px0[block], txs1 = px1[block], tws0 = pw0[block], tws1 = pw1[block]
                    let (p0, p1, p2) = xp, (m0, m1, m2) = xm
                    let cp1 = p0 * p0 - p1 * p1, cp2 = p1 * p1 - p2 * p2
                    let cm1 = m0 * m0 - m1 * m1, cm2 = m1 * m1 - m2 * m2
                    var sumqx: (Float, Float, Float, Float) = (0, 0, 0, 0), sumq2 = sumqx
                    for i1 in 0...block {
                        for i2 in i1...block {
                            let sx0 = px0[i1] + px0[i2], sx1 = px1[i1] + px1[i2]
                            let qxp0 = txs0 * p2 - sx0, qxm0 = txs0 * m2 - sx0
                            let qxp1 = txs1 * p2 - sx1, qxm1 = txs1 * m2 - sx1
                            let q2p0 = tws0 * p2 * p2 + pw0[i1] * cp1 + pw0[i2] * cp2
                            let q2m0 = tws0 * m2 * m2 + pw0[i1] * cm1 + pw0[i2] * cm2
                            let q2p1 = tws1 * p2 * p2 + pw1[i1] * cp1 + pw1[i2] * cp2
                            let q2m1 = tws1 * m2 * m2 + pw1[i1] * cm1 + pw1[i2] * cm2
                            sumqx = (qxp0 + qxp1, qxp0 + qxm1, qxm0 + qxp1, qxm0 + qxm1)
                            sumq2 = (q2p0 + q2p1, q2p0 + q2m1, q2m0 + q2p1, q2m0 + q2m1)
                            withUnsafeBytes(of: sumqx) { qxb in withUnsafeBytes(of: sumq2) { q2b in
                                let qx = qxb.bindMemory(to: Float.self), q2 = q2b.bindMemory(to: Float.self)
                                for k in 0..<4 where q2[k] > 0 && qx[k] * qx[k] > bestScore * q2[k] {
                                    scale = qx[k] / q2[k]; bestScore = scale * qx[k]
                                    besti1 = i1; besti2 = i2; bestK = k
                                }
                            } }
                        }
                    }
                    if besti1 < 0 || besti2 < 0 || bestK < 0 {
                        scales[ib] = 0; shifts[ib] = 0
                        for i in 0..<block { L[i] = 1 }
                        continue
                    }
                    for j in 0..<besti1 { L[idx[j]] = 0 }
                    for j in besti1..<besti2 { L[idx[j]] = 1 }
                    for j in besti2..<block { L[idx[j]] = 2 }
                    if scale < 0 {
                        for j in 0..<block { L[j] = 2 - L[j] }
                        scale = -scale
                        bestK = 3 - bestK
                    }
                    var allOnGrid = true
                    for k in 0..<(block / 8) {
                        let u = g.point(L + 8 * k)
                        var gi = Int(g.map[u])
                        if gi < 0 {
                            allOnGrid = false
                            gi = bestNeighbour2(g, -gi - 1, xb + 8 * k, weight + 8 * k, scale, xxFor(k, bestK), L + 8 * k, ngrid: 2048)
                        }
                        index[k] = gi
                    }
                    if !allOnGrid {
                        var sqx: Float = 0, sq2: Float = 0
                        for k in 0..<(block / 8) {
                            let xx = xxFor(k, bestK), lv = g.levels + 8 * index[k]
                            for j in 0..<8 {
                                let w = weight[8 * k + j], q = xx[Int(lv[j])]
                                sqx += w * q * xb[8 * k + j]
                                sq2 += w * q * q
                            }
                        }
                        if sqx > 0 && sq2 > 0 { scale = sqx / sq2 }
                    }
                    qs[2 * ib] = UInt8(truncatingIfNeeded: index[0])
                    qs[2 * ib + 1] = UInt8(truncatingIfNeeded: index[1])
                    qh[ib] = UInt8(index[0] >> 8) | UInt8(index[1] >> 8) << 4
                    scales[ib] = scale
                    shifts[ib] = Int8(bestK)
                    maxScale = maxScale > scale ? maxScale : scale
                }
                if maxScale == 0 { continue }
                var sc: [UInt16] = [0, 0, 0, 0]
                var d = maxScale / 15
                let id = 1 / d
                var sqx: Float = 0, sq2: Float = 0
                for ib in 0..<(256 / block) {
                    let l = clamp(nearestInt(0.5 * (id * scales[ib] - 1)), 0, 7)
                    sc[ib / 4] |= UInt16(l) << UInt16(3 * (ib % 4))
                    qh[ib] |= masks[Int(shifts[ib])]
                    let xb = xbl + block * ib
                    setWeights(xb, ibl, ib, sigma2)
                    for k in 0..<(block / 8) {
                        let xx = xxFor(k, Int(shifts[ib]))
                        let gi = Int(qs[2 * ib + k]) + ((Int(qh[ib]) << (8 - 4 * k)) & 0x700)
                        let lv = g.levels + 8 * gi
                        for j in 0..<8 {
                            let w = weight[8 * k + j], q = xx[Int(lv[j])] * Float(2 * l + 1)
                            sqx += w * q * xb[8 * k + j]
                            sq2 += w * q * q
                        }
                    }
                }
                if sq2 > 0 { d = sqx / sq2 }
                let s = Half.fp16(d * 1.1125)
                sc[0] |= (s & 0x000f) << 12
                sc[1] |= (s & 0x00f0) << 8
                sc[2] |= (s & 0x0f00) << 4
                sc[3] |= s & 0xf000
                for i in 0..<4 { (y + 48 + 2 * i).storeBytes(of: sc[i].littleEndian, as: UInt16.self) }
            }
        }
        }
        }
        }
    }
}
