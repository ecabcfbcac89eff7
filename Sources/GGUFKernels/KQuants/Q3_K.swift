// Q3_K: 256 weights, 110 bytes: hmask[32] (high bits), qs[64] (low 2 bits), scales[12] (16 six-bit codes), fp16 d.

enum Q3_K {
    static let blockSize = 256, bytes = 110

    /// quantize_row_q3_K_ref. With `cGroups`, each group of 16 goes through the AVX2 C make_q3_quants
    /// (same bits; the caller checks that the CPU runs it), else through ``makeQ3Quants``.
    static func quantize(_ x: UnsafePointer<Float>, _ y: UnsafeMutableRawPointer, _ k: Int, cGroups: Bool = false) {
        withUnsafeTemporaryAllocation(of: Int8.self, capacity: 256) { lbuf in
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 16 + 7 * 16) { sbuf in
            let L = lbuf.baseAddress!, scales = sbuf.baseAddress!, tmp = scales + 16
            for i in 0..<(k / 256) {
                let xb = x + i * 256, yb = y + i * bytes
                var maxScale: Float = 0, amax: Float = 0
                for j in 0..<16 {
                    scales[j] = cGroups ? CKernelTable.makeQ3Quants(xb + 16 * j, L + 16 * j)
                                        : makeQ3Quants(16, 4, xb + 16 * j, L + 16 * j, tmp)
                    let s = abs(scales[j])
                    if s > amax { amax = s; maxScale = scales[j] }
                }
                let sc = (yb + 96).assumingMemoryBound(to: UInt8.self)
                for j in 0..<12 { sc[j] = 0 }
                if maxScale != 0 {
                    let iscale = -32 / maxScale
                    for j in 0..<16 {
                        let l8 = Int8(truncatingIfNeeded: nearestInt(iscale * scales[j]))
                        let l = UInt8(truncatingIfNeeded: clamp(Int32(l8), -32, 31) + 32)
                        if j < 8 { sc[j] = l & 0xF } else { sc[j - 8] |= (l & 0xF) << 4 }
                        sc[j % 4 + 8] |= (l >> 4) << UInt8(2 * (j / 4))
                    }
                    storeF16(yb, 108, 1 / iscale)
                } else {
                    storeF16(yb, 108, 0)
                }
                let dAll = loadF16(yb, 108)
                for j in 0..<16 {
                    let lo = j < 8 ? sc[j] & 0xF : sc[j - 8] >> 4
                    let s = Int32(lo | (((sc[8 + j % 4] >> UInt8(2 * (j / 4))) & 3) << 4)) - 32
                    let d = dAll * Float(s)
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

    /// The sixteen signed scales (−32…31) of a Q3_K block.
    @inline(__always) static func scales(_ b: UnsafePointer<UInt8>, _ j: Int) -> Int32 {
        let lo = j < 8 ? b[j] & 0xF : b[j - 8] >> 4
        return Int32(lo | (((b[8 + j % 4] >> UInt8(2 * (j / 4))) & 3) << 4)) - 32
    }

    /// dequantize_row_q3_K
    static func dequantize(_ x: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>, _ k: Int) {
        for i in 0..<(k / 256) {
            let xb = x + i * bytes
            var yp = y + i * 256
            let dAll = loadF16(xb, 108)
            let hm = xb.assumingMemoryBound(to: UInt8.self)
            var q = (xb + 32).assumingMemoryBound(to: UInt8.self)
            let sc = (xb + 96).assumingMemoryBound(to: UInt8.self)
            var m: UInt8 = 1
            var isc = 0
            for _ in 0..<2 {
                var shift: UInt8 = 0
                for _ in 0..<4 {
                    var dl = dAll * Float(scales(sc, isc)); isc += 1
                    for l in 0..<16 {
                        yp[l] = dl * Float(Int32((q[l] >> shift) & 3) - ((hm[l] & m) != 0 ? 0 : 4))
                    }
                    yp += 16
                    dl = dAll * Float(scales(sc, isc)); isc += 1
                    for l in 0..<16 {
                        yp[l] = dl * Float(Int32((q[l + 16] >> shift) & 3) - ((hm[l + 16] & m) != 0 ? 0 : 4))
                    }
                    yp += 16
                    shift += 2
                    m <<= 1
                }
                q += 32
            }
        }
    }
}
