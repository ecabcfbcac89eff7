// Q6_K: 256 weights, 210 bytes: ql[128] (low 4 bits), qh[64] (high 2 bits), int8 scales[16], fp16 d.

enum Q6_K {
    static let blockSize = 256, bytes = 210

    /// quantize_row_q6_K_ref, or with importance weights (a float per element of the row) quantize_row_q6_K_impl,
    /// which differs only in weighing each value of make_qx_quants by its weight instead of x².
    static func quantize(_ x: UnsafePointer<Float>, _ y: UnsafeMutableRawPointer, _ k: Int, weights qw: UnsafePointer<Float>? = nil) {
        withUnsafeTemporaryAllocation(of: Int8.self, capacity: 256) { lbuf in
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 16 + 72) { sbuf in
            let L = lbuf.baseAddress!, scales = sbuf.baseAddress!, tmp = scales + 16
            for i in 0..<(k / 256) {
                let xb = x + i * 256, yb = y + i * bytes
                var maxScale: Float = 0, maxAbsScale: Float = 0
                for ib in 0..<16 {
                    let scale = makeQxQuants(16, 32, xb + 16 * ib, L + 16 * ib, tmp, weights: qw.map { $0 + 256 * i + 16 * ib })
                    scales[ib] = scale
                    if abs(scale) > maxAbsScale { maxAbsScale = abs(scale); maxScale = scale }
                }
                if maxAbsScale < groupMaxEps {
                    yb.initializeMemory(as: UInt8.self, repeating: 0, count: bytes)
                    continue
                }
                let iscale = -128 / maxScale
                storeF16(yb, 208, 1 / iscale)
                let sc = (yb + 192).assumingMemoryBound(to: Int8.self)
                for ib in 0..<16 { sc[ib] = Int8(truncatingIfNeeded: Swift.min(127, nearestInt(iscale * scales[ib]))) }
                let dAll = loadF16(yb, 208)
                for j in 0..<16 {
                    let d = dAll * Float(sc[j])
                    if d == 0 { continue }
                    for ii in 0..<16 {
                        L[16 * j + ii] = Int8(truncatingIfNeeded: clamp(nearestInt(xb[16 * j + ii] / d), -32, 31) + 32)
                    }
                }
                let Lu = UnsafeRawPointer(L).assumingMemoryBound(to: UInt8.self)
                let ql = yb.assumingMemoryBound(to: UInt8.self)
                let qh = (yb + 128).assumingMemoryBound(to: UInt8.self)
                for h in 0..<2 {
                    let j = 128 * h
                    for l in 0..<32 {
                        let q1 = Lu[j + l] & 0xF, q2 = Lu[j + l + 32] & 0xF
                        let q3 = Lu[j + l + 64] & 0xF, q4 = Lu[j + l + 96] & 0xF
                        ql[64 * h + l] = q1 | (q3 << 4)
                        ql[64 * h + l + 32] = q2 | (q4 << 4)
                        qh[32 * h + l] = (Lu[j + l] >> 4) | ((Lu[j + l + 32] >> 4) << 2) | ((Lu[j + l + 64] >> 4) << 4) | ((Lu[j + l + 96] >> 4) << 6)
                    }
                }
            }
        }
        }
    }

    /// dequantize_row_q6_K
    static func dequantize(_ x: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>, _ k: Int) {
        for i in 0..<(k / 256) {
            let xb = x + i * bytes
            let d = loadF16(xb, 208)
            for h in 0..<2 {
                let ql = (xb + 64 * h).assumingMemoryBound(to: UInt8.self)
                let qh = (xb + 128 + 32 * h).assumingMemoryBound(to: UInt8.self)
                let sc = (xb + 192 + 8 * h).assumingMemoryBound(to: Int8.self)
                let yp = y + i * 256 + 128 * h
                for l in 0..<32 {
                    let isc = l / 16
                    let q1 = Int32((ql[l] & 0xF) | (((qh[l] >> 0) & 3) << 4)) - 32
                    let q2 = Int32((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32
                    let q3 = Int32((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32
                    let q4 = Int32((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32
                    yp[l] = d * Float(sc[isc]) * Float(q1)
                    yp[l + 32] = d * Float(sc[isc + 2]) * Float(q2)
                    yp[l + 64] = d * Float(sc[isc + 4]) * Float(q3)
                    yp[l + 96] = d * Float(sc[isc + 6]) * Float(q4)
                }
            }
        }
    }
}
