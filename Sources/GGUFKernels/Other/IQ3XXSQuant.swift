// IQ3_XXS quantizer: ggml's quantize_row_iq3_xxs_impl(256, …) with the 256-point grid, map and neighbour lists
// of iq3xs_init_impl(256) (IQGridTable.iq3xxs). Float arithmetic in C's order, no FMA.
// Block (98 bytes): fp16 d, qs[64] (grid indices, 8 per sub-block of 32), then per sub-block a uint32 of four
// 7-bit sign groups and a 4-bit scale at bit 28.

enum IQ3XXSQuant {
    /// quantize_row_iq3_xxs_impl for one row of `n` floats (weights: a float per column, or nil for x²).
    static func quantize(_ x: UnsafePointer<Float>, _ vy: UnsafeMutableRawPointer, _ n: Int, weights qwAll: UnsafePointer<Float>?) {
        IQGridView.with(IQGridTable.iq3xxs) { g in IQ2Quant.Scratch.with { s in
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 8 + 8 + 4 + 64) { bb in
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 8) { sb in
            let kMaxQ: Int32 = 8
            let weight = s.weight, waux = s.waux, xval = s.xval, L = s.L, Laux = s.Laux, scales = s.scales
            let onGrid = bb.baseAddress!, onGridAux = onGrid + 8, blockSigns = onGridAux + 8, q3 = blockSigns + 4
            let sas = sb.baseAddress!
            for ibl in 0..<(n / 256) {
                let y = vy + 98 * ibl
                for i in 0..<64 { q3[i] = 0 }
                for i in 0..<8 { sas[i] = 0 }
                var maxScale: Float = 0
                let xbl = x + 256 * ibl
                var sumx2: Float = 0
                for i in 0..<256 { sumx2 += xbl[i] * xbl[i] }
                let sigma2 = 2 * sumx2 / 256
                for ib in 0..<8 {
                    let xb = xbl + 32 * ib
                    if let qwAll {
                        let qw = qwAll + 256 * ibl + 32 * ib
                        for i in 0..<32 { weight[i] = qw[i] * (sigma2 + xb[i] * xb[i]).squareRoot() }
                    } else {
                        for i in 0..<32 { weight[i] = xb[i] * xb[i] }
                    }
                    for i in 0..<32 { waux[i] = weight[i].squareRoot() }
                    for k in 0..<4 { blockSigns[k] = IQ2Quant.signs8(xb + 8 * k, weight + 8 * k, xval + 8 * k, evenSigns: true) }
                    let max = IQ2Quant.scanMax(xval, 32)
                    for i in 0..<32 { L[i] = 0 }
                    if max < 1e-8 { scales[ib] = 0; continue }
                    var best: Float = 0
                    var scale = max / Float(2 * kMaxQ - 1)
                    for k in 0..<8 { onGrid[k] = 1 }
                    for iscan in -15...15 {
                        let id = (Float(2 * kMaxQ - 1) + Float(iscan) * 0.2) / max
                        let thisScale = 1 / id
                        for k in 0..<8 {
                            onGridAux[k] = g.place(xval + 4 * k, waux + 4 * k, id: id, scale: thisScale, kMaxQ: kMaxQ, Laux + 4 * k, width: 4) ? 1 : 0
                        }
                        let (sumqx, sumq2) = IQ2Quant.sums(32, weight, xval, Laux)
                        if sumq2 > 0 && sumqx * sumqx > best * sumq2 {
                            scale = sumqx / sumq2; best = scale * sumqx
                            for i in 0..<32 { L[i] = Laux[i] }
                            for k in 0..<8 { onGrid[k] = onGridAux[k] }
                        }
                    }
                    var offGrid = false
                    for k in 0..<8 where onGrid[k] == 0 { offGrid = true }
                    if offGrid && scale > 0 {
                        let id = 1 / scale
                        for k in 0..<8 where onGrid[k] == 0 {
                            _ = g.place(xval + 4 * k, waux + 4 * k, id: id, scale: scale, kMaxQ: kMaxQ, L + 4 * k, width: 4)
                        }
                        let (sumqx, sumq2) = IQ2Quant.sums(32, weight, xval, L)
                        if sumq2 > 0 { scale = sumqx / sumq2 }
                    }
                    if scale < 0 {
                        scale = -scale
                        for k in 0..<4 { blockSigns[k] = ~blockSigns[k] & 127 }
                    }
                    for k in 0..<8 { q3[8 * ib + k] = UInt8(truncatingIfNeeded: g.index(L + 4 * k, width: 4)) }
                    sas[ib] = UInt32(blockSigns[0]) | UInt32(blockSigns[1]) << 7 | UInt32(blockSigns[2]) << 14 | UInt32(blockSigns[3]) << 21
                    scales[ib] = scale
                    maxScale = maxScale > scale ? maxScale : scale
                }
                storeF16(y, 0, 0)
                if maxScale == 0 {
                    (y + 2).initializeMemory(as: UInt8.self, repeating: 0, count: 96)
                    continue
                }
                let d = maxScale / 31
                storeF16(y, 0, d * 1.0125)
                let id = 1 / d
                for ib in 0..<8 {
                    let l = clamp(nearestInt(0.5 * (id * scales[ib] - 1)), 0, 15)
                    sas[ib] |= UInt32(l) << 28
                }
                for i in 0..<64 { (y + 2 + i).storeBytes(of: q3[i], as: UInt8.self) }
                for ib in 0..<8 { (y + 66 + 4 * ib).storeBytes(of: sas[ib].littleEndian, as: UInt32.self) }
            }
        }
        }
        } }
    }
}
