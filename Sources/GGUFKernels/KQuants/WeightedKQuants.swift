// The importance-weighted K-quant quantizers of ggml-quants.c (`quantize_row_q2_K_impl` … `_q6_K_impl`,
// what `ggml_quantize_chunk` runs for Q2_K … Q6_K given an imatrix), one row at a time: `qw` holds a weight
// per column of the row. Nil weights give the reference quantizer's bytes (what ggml does without an imatrix).

enum WeightedKQuants {
    /// quantize_q2_K for one row.
    static func q2_K(_ x: UnsafePointer<Float>, _ y: UnsafeMutableRawPointer, _ k: Int, _ qw: UnsafePointer<Float>?) {
        guard let qw else { return Q2_K.quantize(x, y, k) }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 256 + 16 + 32) { lbuf in
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 16 * 4 + 48) { fbuf in
            let L = lbuf.baseAddress!, Ls = L + 272, Lm = L + 288
            let weight = fbuf.baseAddress!, mins = weight + 16, scales = mins + 16, sw = scales + 16
            for i in 0..<(k / 256) {
                let xb = x + i * 256, yb = y + i * Q2_K.bytes
                let sigma2 = sumOfSquares(xb, 256) / 256
                for j in 0..<16 {
                    importance(16, xb + 16 * j, qw + 256 * i + 16 * j, sigma2, weight)
                    var s: Float = 0
                    for l in 0..<16 { s += weight[l] }
                    sw[j] = s
                    var m: Float = 0
                    scales[j] = makeQkx3Quants(16, 3, xb + 16 * j, weight, L + 16 * j, &m, -0.9, 0.05, 36)
                    mins[j] = m
                }
                var dm = makeQpQuants(16, 15, scales, Ls, sw)
                var mm = makeQpQuants(16, 15, mins, Lm, sw)
                storeF16(yb, 80, dm)
                storeF16(yb, 82, mm)
                dm = loadF16(yb, 80)
                mm = loadF16(yb, 82)
                let sc = yb.assumingMemoryBound(to: UInt8.self)
                for j in 0..<16 { sc[j] = Ls[j] | (Lm[j] << 4) }
                for j in 0..<16 {
                    let d = dm * Float(sc[j] & 0xF)
                    if d == 0 { continue }
                    let m = mm * Float(sc[j] >> 4)
                    for ii in 0..<16 {
                        L[16 * j + ii] = UInt8(truncatingIfNeeded: clamp(nearestInt((xb[16 * j + ii] + m) / d), 0, 3))
                    }
                }
                let qs = (yb + 16).assumingMemoryBound(to: UInt8.self)
                for h in 0..<2 {
                    let j = 128 * h
                    for l in 0..<32 {
                        qs[32 * h + l] = L[j + l] | (L[j + l + 32] << 2) | (L[j + l + 64] << 4) | (L[j + l + 96] << 6)
                    }
                }
            }
        }
        }
    }

    /// quantize_q3_K for one row.
    static func q3_K(_ x: UnsafePointer<Float>, _ y: UnsafeMutableRawPointer, _ k: Int, _ qw: UnsafePointer<Float>?) {
        guard let qw else { return Q3_K.quantize(x, y, k, cGroups: CKernelTable.enabled) }
        withUnsafeTemporaryAllocation(of: Int8.self, capacity: 256 + 16) { lbuf in
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 16 * 3 + 72) { fbuf in
            let L = lbuf.baseAddress!, Ls = L + 256
            let weight = fbuf.baseAddress!, scales = weight + 16, sw = scales + 16, tmp = sw + 16
            for i in 0..<(k / 256) {
                let xb = x + i * 256, yb = y + i * Q3_K.bytes
                let sigma2 = 2 * sumOfSquares(xb, 256) / 256
                for j in 0..<16 {
                    importance(16, xb + 16 * j, qw + 256 * i + 16 * j, sigma2, weight)
                    var s: Float = 0
                    for l in 0..<16 { s += weight[l] }
                    sw[j] = s
                    scales[j] = makeQxQuants(16, 4, xb + 16 * j, L + 16 * j, tmp, weights: weight)
                }
                let sc = (yb + 96).assumingMemoryBound(to: UInt8.self)
                for j in 0..<12 { sc[j] = 0 }
                let dBlock = makeQxQuants(16, 32, scales, Ls, tmp, weights: sw)
                for j in 0..<16 {
                    var l = Int32(Ls[j])
                    if j < 8 {
                        sc[j] = UInt8(truncatingIfNeeded: l & 0xF)
                    } else {
                        sc[j - 8] |= UInt8(truncatingIfNeeded: (l & 0xF) << 4)
                    }
                    l >>= 4
                    sc[j % 4 + 8] |= UInt8(truncatingIfNeeded: l << Int32(2 * (j / 4)))
                }
                storeF16(yb, 108, dBlock)
                let dAll = loadF16(yb, 108)
                for j in 0..<16 {
                    let d = dAll * Float(Q3_K.scales(sc, j))
                    if d == 0 { continue }
                    for ii in 0..<16 {
                        L[16 * j + ii] = Int8(truncatingIfNeeded: clamp(nearestInt(xb[16 * j + ii] / d), -4, 3) + 4)
                    }
                }
                let hmask = yb.assumingMemoryBound(to: UInt8.self)
                for j in 0..<32 { hmask[j] = 0 }
                var m = 0
                var hm: UInt8 = 1
                for j in 0..<256 {
                    if L[j] > 3 { hmask[m] |= hm; L[j] -= 4 }
                    m += 1
                    if m == 32 { m = 0; hm <<= 1 }
                }
                let qs = (yb + 32).assumingMemoryBound(to: UInt8.self)
                let Lu = UnsafeRawPointer(L).assumingMemoryBound(to: UInt8.self)
                for h in 0..<2 {
                    let j = 128 * h
                    for l in 0..<32 {
                        qs[32 * h + l] = Lu[j + l] | (Lu[j + l + 32] << 2) | (Lu[j + l + 64] << 4) | (Lu[j + l + 96] << 6)
                    }
                }
            }
        }
        }
    }

    /// The shared part of quantize_row_q4_K_impl / q5_K_impl: the weighted sub-block fits, the 6-bit scales
    /// and mins (Q5_K caps them at 63, `capScales`), d and dmin, and the re-quantized codes 0…nmax in `L`.
    @inline(__always)
    static func fit4or5(_ xb: UnsafePointer<Float>, _ qw: UnsafePointer<Float>, _ yb: UnsafeMutableRawPointer, _ nmax: Int32,
                        _ capScales: Bool, _ L: UnsafeMutablePointer<UInt8>, _ Laux: UnsafeMutablePointer<UInt8>,
                        _ Ls: UnsafeMutablePointer<UInt8>, _ Lm: UnsafeMutablePointer<UInt8>, _ weights: UnsafeMutablePointer<Float>,
                        _ sw: UnsafeMutablePointer<Float>, _ mins: UnsafeMutablePointer<Float>, _ scales: UnsafeMutablePointer<Float>,
                        _ tmp: UnsafeMutablePointer<Float>) {
        let sigma2 = 2 * sumOfSquares(xb, 256) / 256
        for j in 0..<8 {
            importance(32, xb + 32 * j, qw + 32 * j, sigma2, weights)
            var s: Float = 0
            for l in 0..<32 { s += weights[l] }
            sw[j] = s
            var m: Float = 0
            scales[j] = makeQkx3Quants(32, nmax, xb + 32 * j, weights, L + 32 * j, &m, -0.9, 0.05, 36)
            mins[j] = m
        }
        let dBlock = makeQpQuants(8, 63, scales, Ls, sw)
        let mBlock = makeQpQuants(8, 63, mins, Lm, sw)
        let sc = (yb + 4).assumingMemoryBound(to: UInt8.self)
        for j in 0..<8 {
            var ls = Ls[j], lm = Lm[j]
            if capScales { ls = Swift.min(63, ls); lm = Swift.min(63, lm) }
            if j < 4 {
                sc[j] = ls
                sc[j + 4] = lm
            } else {
                sc[j + 4] = (ls & 0xF) | ((lm & 0xF) << 4)
                sc[j - 4] |= (ls >> 4) << 6
                sc[j] |= (lm >> 4) << 6
            }
        }
        storeF16(yb, 0, dBlock)
        storeF16(yb, 2, mBlock)
        let dAll = loadF16(yb, 0), dMin = loadF16(yb, 2)
        for j in 0..<8 {
            let (s, m) = scaleMinK4(j, sc)
            let d = dAll * Float(s)
            if d == 0 { continue }
            let dm = dMin * Float(m)
            for ii in 0..<32 {
                L[32 * j + ii] = UInt8(truncatingIfNeeded: clamp(nearestInt((xb[32 * j + ii] + dm) / d), 0, nmax))
            }
        }
    }

    static func withScratch4or5(_ body: (UnsafeMutablePointer<UInt8>, UnsafeMutablePointer<UInt8>, UnsafeMutablePointer<UInt8>,
                                         UnsafeMutablePointer<UInt8>, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>,
                                         UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>) -> Void) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 256 + 32 + 16) { lbuf in
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 32 + 8 * 3 + 96) { fbuf in
            let L = lbuf.baseAddress!, w = fbuf.baseAddress!
            body(L, L + 256, L + 288, L + 296, w, w + 32, w + 40, w + 48, w + 56)
        }
        }
    }

    /// quantize_q4_K for one row.
    static func q4_K(_ x: UnsafePointer<Float>, _ y: UnsafeMutableRawPointer, _ k: Int, _ qw: UnsafePointer<Float>?) {
        guard let qw else { return Q4_K.quantize(x, y, k) }
        withScratch4or5 { L, Laux, Ls, Lm, weights, sw, mins, scales, tmp in
            for i in 0..<(k / 256) {
                let yb = y + i * Q4_K.bytes
                fit4or5(x + i * 256, qw + i * 256, yb, 15, false, L, Laux, Ls, Lm, weights, sw, mins, scales, tmp)
                let q = (yb + 16).assumingMemoryBound(to: UInt8.self)
                for c in 0..<4 {
                    for l in 0..<32 { q[32 * c + l] = L[64 * c + l] | (L[64 * c + l + 32] << 4) }
                }
            }
        }
    }

    /// quantize_q5_K for one row.
    static func q5_K(_ x: UnsafePointer<Float>, _ y: UnsafeMutableRawPointer, _ k: Int, _ qw: UnsafePointer<Float>?) {
        guard let qw else { return Q5_K.quantize(x, y, k) }
        withScratch4or5 { L, Laux, Ls, Lm, weights, sw, mins, scales, tmp in
            for i in 0..<(k / 256) {
                let yb = y + i * Q5_K.bytes
                fit4or5(x + i * 256, qw + i * 256, yb, 31, true, L, Laux, Ls, Lm, weights, sw, mins, scales, tmp)
                let qh = (yb + 16).assumingMemoryBound(to: UInt8.self)
                let ql = (yb + 48).assumingMemoryBound(to: UInt8.self)
                for j in 0..<32 { qh[j] = 0 }
                var m1: UInt8 = 1, m2: UInt8 = 2
                for c in 0..<4 {
                    let n = 64 * c
                    for j in 0..<32 {
                        var l1 = L[n + j]
                        if l1 > 15 { l1 -= 16; qh[j] |= m1 }
                        var l2 = L[n + j + 32]
                        if l2 > 15 { l2 -= 16; qh[j] |= m2 }
                        ql[32 * c + j] = l1 | (l2 << 4)
                    }
                    m1 <<= 2; m2 <<= 2
                }
            }
        }
    }

    /// quantize_q6_K for one row (the weights go to make_qx_quants as they are).
    static func q6_K(_ x: UnsafePointer<Float>, _ y: UnsafeMutableRawPointer, _ k: Int, _ qw: UnsafePointer<Float>?) {
        Q6_K.quantize(x, y, k, weights: qw)
    }
}
