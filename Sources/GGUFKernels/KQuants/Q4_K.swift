// Q4_K: 256 weights, 144 bytes: fp16 d, fp16 dmin, scales[12] (8 six-bit scales + 8 six-bit mins), qs[128].
// Q5_K: 176 bytes: d, dmin, scales[12], qh[32] (fifth bits), qs[128]. Both share the sub-block fit below.

enum KQuant4or5 {
    /// The common first half of quantize_row_q4_K_ref / quantize_row_q5_K_ref: fits each 32-weight sub-block
    /// with make_qkx2_quants, packs the 6-bit scales and mins, writes d and dmin, and re-quantizes with the
    /// rounded scales into `L` (codes 0…nmax).
    @inline(__always)
    static func fit(_ xb: UnsafePointer<Float>, _ yb: UnsafeMutableRawPointer, _ nmax: Int32, _ rmin: Float, _ nstep: Int,
                    _ L: UnsafeMutablePointer<UInt8>, _ Laux: UnsafeMutablePointer<UInt8>, _ weights: UnsafeMutablePointer<Float>,
                    _ mins: UnsafeMutablePointer<Float>, _ scales: UnsafeMutablePointer<Float>, _ tmp: UnsafeMutablePointer<Float>) {
        var maxScale: Float = 0, maxMin: Float = 0
        for j in 0..<8 {
            let xs = xb + 32 * j
            var sumX2: Float = 0
            for l in 0..<32 { sumX2 += xs[l] * xs[l] }
            let avX = (sumX2 / 32).squareRoot()
            for l in 0..<32 { weights[l] = avX + abs(xs[l]) }
            var m: Float = 0
            scales[j] = makeQkx2Quants(32, nmax, xs, weights, L + 32 * j, &m, Laux, rmin, 0.1, nstep, false, tmp)
            mins[j] = m
            if scales[j] > maxScale { maxScale = scales[j] }
            if m > maxMin { maxMin = m }
        }
        let invScale: Float = maxScale > 0 ? 63 / maxScale : 0
        let invMin: Float = maxMin > 0 ? 63 / maxMin : 0
        let sc = (yb + 4).assumingMemoryBound(to: UInt8.self)
        for j in 0..<8 {
            let ls = Swift.min(63, UInt8(truncatingIfNeeded: nearestInt(invScale * scales[j])))
            let lm = Swift.min(63, UInt8(truncatingIfNeeded: nearestInt(invMin * mins[j])))
            if j < 4 {
                sc[j] = ls
                sc[j + 4] = lm
            } else {
                sc[j + 4] = (ls & 0xF) | ((lm & 0xF) << 4)
                sc[j - 4] |= (ls >> 4) << 6
                sc[j] |= (lm >> 4) << 6
            }
        }
        storeF16(yb, 0, maxScale / 63)
        storeF16(yb, 2, maxMin / 63)
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

    static func withScratch(_ body: (UnsafeMutablePointer<UInt8>, UnsafeMutablePointer<UInt8>, UnsafeMutablePointer<Float>,
                                     UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>) -> Void) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 256 + 32) { lbuf in
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 32 + 8 + 8 + 96) { fbuf in
            let L = lbuf.baseAddress!, w = fbuf.baseAddress!
            body(L, L + 256, w, w + 32, w + 40, w + 48)
        }
        }
    }
}

enum Q4_K {
    static let blockSize = 256, bytes = 144

    /// quantize_row_q4_K_ref
    static func quantize(_ x: UnsafePointer<Float>, _ y: UnsafeMutableRawPointer, _ k: Int) {
        KQuant4or5.withScratch { L, Laux, weights, mins, scales, tmp in
            for i in 0..<(k / 256) {
                let yb = y + i * bytes
                KQuant4or5.fit(x + i * 256, yb, 15, -1.0, 20, L, Laux, weights, mins, scales, tmp)
                let q = (yb + 16).assumingMemoryBound(to: UInt8.self)
                for c in 0..<4 {
                    for l in 0..<32 { q[32 * c + l] = L[64 * c + l] | (L[64 * c + l + 32] << 4) }
                }
            }
        }
    }

    /// dequantize_row_q4_K
    static func dequantize(_ x: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>, _ k: Int) {
        for i in 0..<(k / 256) {
            let xb = x + i * bytes
            let yp = y + i * 256
            let d = loadF16(xb, 0), min = loadF16(xb, 2)
            let sc = xb + 4
            let q = (xb + 16).assumingMemoryBound(to: UInt8.self)
            for c in 0..<4 {
                let (s1, m1) = scaleMinK4(2 * c, sc)
                let (s2, m2) = scaleMinK4(2 * c + 1, sc)
                let d1 = d * Float(s1), mm1 = min * Float(m1)
                let d2 = d * Float(s2), mm2 = min * Float(m2)
                let qc = q + 32 * c, yc = yp + 64 * c
                for l in 0..<32 { yc[l] = d1 * Float(qc[l] & 0xF) - mm1 }
                for l in 0..<32 { yc[l + 32] = d2 * Float(qc[l] >> 4) - mm2 }
            }
        }
    }
}

enum Q5_K {
    static let blockSize = 256, bytes = 176

    /// quantize_row_q5_K_ref
    static func quantize(_ x: UnsafePointer<Float>, _ y: UnsafeMutableRawPointer, _ k: Int) {
        KQuant4or5.withScratch { L, Laux, weights, mins, scales, tmp in
            for i in 0..<(k / 256) {
                let yb = y + i * bytes
                KQuant4or5.fit(x + i * 256, yb, 31, -0.5, 15, L, Laux, weights, mins, scales, tmp)
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

    /// dequantize_row_q5_K
    static func dequantize(_ x: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>, _ k: Int) {
        for i in 0..<(k / 256) {
            let xb = x + i * bytes
            let yp = y + i * 256
            let d = loadF16(xb, 0), min = loadF16(xb, 2)
            let sc = xb + 4
            let qh = (xb + 16).assumingMemoryBound(to: UInt8.self)
            let ql = (xb + 48).assumingMemoryBound(to: UInt8.self)
            // Unrolled so that the fifth-bit masks are constants (a variable mask compiled to scalar code).
            subBlocks(0, 1, 2, d, min, sc, ql, qh, yp)
            subBlocks(1, 4, 8, d, min, sc, ql, qh, yp)
            subBlocks(2, 16, 32, d, min, sc, ql, qh, yp)
            subBlocks(3, 64, 128, d, min, sc, ql, qh, yp)
        }
    }

    /// Sub-blocks 2c and 2c+1 (64 weights); `u1`/`u2` select their fifth bits in qh.
    @inline(__always)
    static func subBlocks(_ c: Int, _ u1: UInt8, _ u2: UInt8, _ d: Float, _ min: Float, _ sc: UnsafeRawPointer,
                          _ ql: UnsafePointer<UInt8>, _ qh: UnsafePointer<UInt8>, _ yp: UnsafeMutablePointer<Float>) {
        let (s1, m1) = scaleMinK4(2 * c, sc)
        let (s2, m2) = scaleMinK4(2 * c + 1, sc)
        let d1 = d * Float(s1), mm1 = min * Float(m1)
        let d2 = d * Float(s2), mm2 = min * Float(m2)
        let qc = ql + 32 * c, yc = yp + 64 * c
        for l in 0..<32 { yc[l] = d1 * Float((qc[l] & 0xF) | ((qh[l] & u1) != 0 ? 16 : 0)) - mm1 }
        for l in 0..<32 { yc[l + 32] = d2 * Float((qc[l] >> 4) | ((qh[l] & u2) != 0 ? 16 : 0)) - mm2 }
    }
}
