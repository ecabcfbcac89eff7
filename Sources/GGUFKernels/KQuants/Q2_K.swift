// Q2_K: 256 weights, 84 bytes: scales[16] (scale code | min code << 4), qs[64] (2-bit codes), fp16 d, fp16 dmin.

enum Q2_K {
    static let blockSize = 256, bytes = 84

    /// quantize_row_q2_K_ref
    static func quantize(_ x: UnsafePointer<Float>, _ y: UnsafeMutableRawPointer, _ k: Int) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 256 + 16) { lbuf in
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 16 + 16 + 16 + 48) { fbuf in
            let L = lbuf.baseAddress!, Laux = L + 256
            let weights = fbuf.baseAddress!, mins = weights + 16, scales = mins + 16, tmp = scales + 16
            for i in 0..<(k / 256) {
                let xb = x + i * 256, yb = y + i * bytes
                let sc = yb.assumingMemoryBound(to: UInt8.self)
                var maxScale: Float = 0, maxMin: Float = 0
                for j in 0..<16 {
                    for l in 0..<16 { weights[l] = abs(xb[16 * j + l]) }
                    var m: Float = 0
                    scales[j] = makeQkx2Quants(16, 3, xb + 16 * j, weights, L + 16 * j, &m, Laux, -0.5, 0.1, 15, true, tmp)
                    mins[j] = m
                    if scales[j] > maxScale { maxScale = scales[j] }
                    if m > maxMin { maxMin = m }
                }
                if maxScale > 0 {
                    let iscale = 15 / maxScale
                    for j in 0..<16 { sc[j] = UInt8(truncatingIfNeeded: nearestInt(iscale * scales[j])) }
                    storeF16(yb, 80, maxScale / 15)
                } else {
                    for j in 0..<16 { sc[j] = 0 }
                    storeF16(yb, 80, 0)
                }
                if maxMin > 0 {
                    let iscale = 15 / maxMin
                    for j in 0..<16 { sc[j] |= UInt8(truncatingIfNeeded: nearestInt(iscale * mins[j]) << 4) }
                    storeF16(yb, 82, maxMin / 15)
                } else {
                    storeF16(yb, 82, 0)
                }
                let dAll = loadF16(yb, 80), dMin = loadF16(yb, 82)
                for j in 0..<16 {
                    let d = dAll * Float(sc[j] & 0xF)
                    if d == 0 { continue }
                    let dm = dMin * Float(sc[j] >> 4)
                    for ii in 0..<16 {
                        L[16 * j + ii] = UInt8(truncatingIfNeeded: clamp(nearestInt((xb[16 * j + ii] + dm) / d), 0, 3))
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

    /// dequantize_row_q2_K
    static func dequantize(_ x: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>, _ k: Int) {
        for i in 0..<(k / 256) {
            let xb = x + i * bytes
            var yp = y + i * 256
            let d = loadF16(xb, 80), min = loadF16(xb, 82)
            let sc = xb.assumingMemoryBound(to: UInt8.self)
            var q = (xb + 16).assumingMemoryBound(to: UInt8.self)
            var isc = 0
            for _ in 0..<2 {
                var shift: UInt8 = 0
                for _ in 0..<4 {
                    var s = sc[isc]; isc += 1
                    var dl = d * Float(s & 0xF), ml = min * Float(s >> 4)
                    for l in 0..<16 { yp[l] = dl * Float((q[l] >> shift) & 3) - ml }
                    yp += 16
                    s = sc[isc]; isc += 1
                    dl = d * Float(s & 0xF); ml = min * Float(s >> 4)
                    for l in 0..<16 { yp[l] = dl * Float((q[l + 16] >> shift) & 3) - ml }
                    yp += 16
                    shift += 2
                }
                q += 32
            }
        }
    }
}
