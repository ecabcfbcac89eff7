// IQ3_S quantizer: ggml's quantize_iq3_s (quantize_row_iq3_s_impl, sub-blocks of 32), with the 512-point grid,
// its inverse map and the neighbour lists that iq3xs_init_impl(512) builds. Float arithmetic in C's order, no FMA.
// Block: fp16 d, qs[64] (low 8 bits of grid indices), qh[8] (9th bits), signs[32], scales[4] (4-bit pairs).

enum IQ3SQuant {
    /// iq3xs_init_impl(512): `map[u]` for a 12-bit point u (four 3-bit levels) is its grid index when the point is
    /// on the grid, else −(offset + 1) into `neighbours`, where neighbours[offset] = n, followed by the n grid
    /// indices whose squared distance is one of the 3 smallest distances, in (distance, index) order.
    struct Tables: Sendable {
        let grid: [UInt32]      // = iq3s_grid: bytes 2·l + 1
        let map: [Int32]
        let neighbours: [UInt16]
    }

    static let tables: Tables = {
        let grid = iq3sGrid
        func level(_ g: UInt32, _ k: Int) -> Int { (Int((g >> UInt32(8 * k)) & 0xFF) - 1) / 2 }
        var map = [Int32](repeating: -1, count: 4096)
        for (i, g) in grid.enumerated() {
            var u = 0
            for k in 0..<4 { u |= level(g, k) << (3 * k) }
            map[u] = Int32(i)
        }
        var neighbours: [UInt16] = []
        var d2 = [Int](repeating: 0, count: grid.count)
        for i in 0..<4096 where map[i] < 0 {
            for j in 0..<grid.count {
                var s = 0
                for k in 0..<4 {
                    let diff = Int((grid[j] >> UInt32(8 * k)) & 0xFF) - (2 * ((i >> (3 * k)) & 7) + 1)
                    s += diff * diff
                }
                d2[j] = s
            }
            // the first three distinct distances; qsort by (d2, j) lists each distance's indices in ascending j
            var levels: [Int] = []
            for _ in 0..<3 {
                var m = Int.max
                for v in d2 where v < m && !levels.contains(v) && v > (levels.last ?? -1) { m = v }
                if m == Int.max { break }
                levels.append(m)
            }
            map[i] = -Int32(neighbours.count + 1)
            let start = neighbours.count
            neighbours.append(0)
            for lv in levels { for j in 0..<grid.count where d2[j] == lv { neighbours.append(UInt16(j)) } }
            neighbours[start] = UInt16(neighbours.count - start - 1)
        }
        return Tables(grid: grid, map: map, neighbours: neighbours)
    }()

    /// iq3_find_best_neighbour: the listed grid point with the smallest Σ w·(scale·q − x)² (first of equals);
    /// writes its levels to L. (ggml asserts a point was found; with NaN distances the first is kept here.)
    @inline(__always)
    static func bestNeighbour(_ nb: UnsafePointer<UInt16>, _ grid: UnsafePointer<UInt32>, _ xval: UnsafePointer<Float>,
                              _ w: UnsafePointer<Float>, _ scale: Float, _ L: UnsafeMutablePointer<Int8>) -> Int {
        var best = Float.greatestFiniteMagnitude
        var index = -1
        // Each term w·diff·diff depends only on (i, level) (grid bytes are 2·level + 1): computed once per
        // level, then each neighbour adds its four terms in ggml's order — the same floats as its loop.
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 32) { tb in
            let t = tb.baseAddress!
            for i in 0..<4 {
                for l in 0..<8 {
                    let diff = scale * Float(2 * l + 1) - xval[i]
                    t[8 * i + l] = w[i] * diff * diff
                }
            }
            for j in 1...Int(nb[0]) {
                let g = grid[Int(nb[j])]
                var d2: Float = 0
                for i in 0..<4 { d2 += t[8 * i + Int((g >> UInt32(8 * i + 1)) & 7)] }
                if d2 < best { best = d2; index = Int(nb[j]) }
            }
        }
        if index < 0 { index = Int(nb[1]) }
        let g = grid[index]
        for i in 0..<4 { L[i] = Int8((Int((g >> UInt32(8 * i)) & 0xFF) - 1) / 2) }
        return index
    }

    /// quantize_iq3_s for one row of `n` floats (weights: a float per column, or nil).
    static func quantize(_ x: UnsafePointer<Float>, _ vy: UnsafeMutableRawPointer, _ n: Int, weights qwAll: UnsafePointer<Float>?) {
        let t = tables
        t.grid.withUnsafeBufferPointer { gridB in
        t.map.withUnsafeBufferPointer { mapB in
        t.neighbours.withUnsafeBufferPointer { nbB in
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 8 + 32 * 3) { fb in
        withUnsafeTemporaryAllocation(of: Int8.self, capacity: 64) { ib8 in
            let grid = gridB.baseAddress!, map = mapB.baseAddress!, nbs = nbB.baseAddress!
            let scales = fb.baseAddress!, weight = scales + 8, xval = weight + 32, waux = xval + 32
            let L = ib8.baseAddress!, Laux = L + 32
            let kMaxQ: Int32 = 8
            var isOnGrid = [Bool](repeating: false, count: 8), isOnGridAux = isOnGrid
            var blockSigns = [UInt8](repeating: 0, count: 4)
            for ibl in 0..<(n / 256) {
                let y = vy + 110 * ibl
                y.initializeMemory(as: UInt8.self, repeating: 0, count: 110)
                var qs = (y + 2).assumingMemoryBound(to: UInt8.self)
                let qh = (y + 66).assumingMemoryBound(to: UInt8.self)
                var signs = (y + 74).assumingMemoryBound(to: UInt8.self)
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
                    for k in 0..<4 {
                        var s: UInt8 = 0
                        for i in 0..<8 {
                            let v = xb[8 * k + i]
                            if v >= 0 { xval[8 * k + i] = v } else { xval[8 * k + i] = -v; s |= 1 << UInt8(i) }
                        }
                        blockSigns[k] = s
                    }
                    var max = xval[0]
                    for i in 1..<32 { max = max > xval[i] ? max : xval[i] }
                    for i in 0..<32 { L[i] = 0 }
                    if max == 0 { scales[ib] = 0; continue }   // (qs and signs do not advance: as in ggml)
                    var best: Float = 0
                    var scale = max / Float(2 * kMaxQ - 1)
                    for k in 0..<8 { isOnGrid[k] = false }
                    for iscan in -9...9 {
                        let id = (Float(2 * kMaxQ - 1) + Float(iscan) * 0.2) / max
                        let thisScale = 1 / id
                        for k in 0..<8 {
                            var u = 0
                            for i in 0..<4 {
                                let l = clamp(nearestInt(0.5 * (id * xval[4 * k + i] - 1)), 0, kMaxQ - 1)
                                Laux[4 * k + i] = Int8(l)
                                u |= Int(l) << (3 * i)
                            }
                            isOnGridAux[k] = true
                            if map[u] < 0 {
                                isOnGridAux[k] = false
                                _ = bestNeighbour(nbs + Int(-map[u] - 1), grid, xval + 4 * k, waux + 4 * k, thisScale, Laux + 4 * k)
                            }
                        }
                        var sumqx: Float = 0, sumq2: Float = 0
                        for i in 0..<32 {
                            let w = weight[i], q = Float(2 * Int32(Laux[i]) + 1)
                            sumqx += w * xval[i] * q
                            sumq2 += w * q * q
                        }
                        if sumq2 > 0 && sumqx * sumqx > best * sumq2 {
                            scale = sumqx / sumq2; best = scale * sumqx
                            for i in 0..<32 { L[i] = Laux[i] }
                            for k in 0..<8 { isOnGrid[k] = isOnGridAux[k] }
                        }
                    }
                    if isOnGrid.contains(false) && scale > 0 {
                        let id = 1 / scale
                        for k in 0..<8 {
                            var u = 0
                            for i in 0..<4 {
                                u |= Int(clamp(nearestInt(0.5 * (id * xval[4 * k + i] - 1)), 0, kMaxQ - 1)) << (3 * i)
                            }
                            var gi = Int(map[u])
                            if gi < 0 { gi = bestNeighbour(nbs + (-gi - 1), grid, xval + 4 * k, waux + 4 * k, scale, L + 4 * k) }
                            let g = grid[gi]
                            for i in 0..<4 { L[4 * k + i] = Int8((Int((g >> UInt32(8 * i)) & 0xFF) - 1) / 2) }
                        }
                        var sumqx: Float = 0, sumq2: Float = 0
                        for i in 0..<32 {
                            let w = weight[i], q = Float(2 * Int32(L[i]) + 1)
                            sumqx += w * xval[i] * q
                            sumq2 += w * q * q
                        }
                        if sumq2 > 0 { scale = sumqx / sumq2 }
                    }
                    if scale < 0 {
                        scale = -scale
                        for k in 0..<4 { blockSigns[k] = ~blockSigns[k] }
                    }
                    for k in 0..<8 {
                        var u = 0
                        for i in 0..<4 { u |= Int(L[4 * k + i]) << (3 * i) }
                        // ggml aborts on a point off the grid ("Oops"); it cannot happen for finite input
                        let gi = Swift.max(0, Int(map[u]))
                        qs[k] = UInt8(truncatingIfNeeded: gi)
                        qh[(ib * 8 + k) / 8] |= UInt8(gi >> 8) << UInt8((ib * 8 + k) % 8)
                    }
                    qs += 8
                    for k in 0..<4 { signs[k] = blockSigns[k] }
                    signs += 4
                    scales[ib] = scale
                    maxScale = maxScale > scale ? maxScale : scale
                }
                if maxScale == 0 { continue }
                let d = maxScale / 31
                storeF16(y, 0, d * 1.033)
                let id = 1 / d
                let sc = (y + 106).assumingMemoryBound(to: UInt8.self)
                for ib in stride(from: 0, to: 8, by: 2) {
                    let l1 = clamp(nearestInt(0.5 * (id * scales[ib] - 1)), 0, 15)
                    let l2 = clamp(nearestInt(0.5 * (id * scales[ib + 1] - 1)), 0, 15)
                    sc[ib / 2] = UInt8(l1) | UInt8(l2) << 4
                }
            }
        }
        }
        }
        }
        }
    }
}
