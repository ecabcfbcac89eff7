import CKernels

// The search tables of ggml's grid quantizers, built as iq2xs_init_impl (IQ2_XXS, IQ2_XS, IQ2_S, IQ1_S/IQ1_M)
// and iq3xs_init_impl(256) (IQ3_XXS) build them: the grid's levels, the map from a point of the level lattice
// to its grid index, and for every lattice point off the grid the list of its nearest grid points.
// Each table is a `static let` (built once, on first use, thread-safely).

/// One grid with its map and neighbour lists.
///
/// A lattice point `u` packs `width` levels of `bits` bits (level of value i at bit `bits·i`). `map[u]` is its
/// grid index when the point is on the grid, else −(offset + 1): `neighbours[offset]` = n, followed by the n
/// grid indices whose squared distance (over the odd values 2·l + 1) is one of the `nwant` smallest distances,
/// in (distance, index) order, as ggml's qsort of (d², j) pairs lists them.
struct IQGridTable: Sendable {
    /// Values per grid point (8, or 4 for IQ3).
    let width: Int
    /// Bits per level in a lattice point.
    let bits: Int
    /// `levels[width·j + i]`: the level (0 …) of value i of grid point j; ggml's `(pg[i] − 1)/2`.
    let levels: [Int8]
    /// `odd[width·j + i]` = 2·level + 1 as a float (ggml's `pg[i]`).
    let odd: [Float]
    let map: [Int32]
    let neighbours: [UInt16]
    /// The largest level + 1.
    let levelCount: Int
    /// Each grid point's levels packed as its lattice point (ggml's `kgrid_*` value), for the C search.
    let packed: [UInt32]

    /// Builds the table from grid levels (`width` per point), the size of the map and the number of distances kept.
    init(levels: [Int8], width: Int, bits: Int, mapSize: Int, nwant: Int) {
        self.width = width; self.bits = bits; self.levels = levels
        levelCount = Int(levels.max() ?? 0) + 1
        packed = (0..<(levels.count / width)).map { j in
            (0..<width).reduce(UInt32(0)) { $0 | UInt32(levels[width * j + $1]) << UInt32(bits * $1) }
        }
        odd = levels.map { Float(2 * Int32($0) + 1) }
        let n = levels.count / width
        var map = [Int32](repeating: -1, count: mapSize)
        for j in 0..<n {
            var u = 0
            for i in 0..<width { u |= Int(levels[width * j + i]) << (bits * i) }
            map[u] = Int32(j)
        }
        var neighbours: [UInt16] = []
        let mask = (1 << bits) - 1
        let oddInt = levels.map { 2 * Int32($0) + 1 }
        oddInt.withUnsafeBufferPointer { gb in
        withUnsafeTemporaryAllocation(of: Int32.self, capacity: n) { d2b in
            let g = gb.baseAddress!, d2 = d2b.baseAddress!
            var pos = [Int32](repeating: 0, count: width)
            var found = [Int32](repeating: 0, count: nwant)
            for u in 0..<mapSize where map[u] < 0 {
                for k in 0..<width { pos[k] = Int32(2 * ((u >> (bits * k)) & mask) + 1) }
                for j in 0..<n {
                    var s: Int32 = 0
                    for k in 0..<width { let d = g[width * j + k] - pos[k]; s += d * d }
                    d2[j] = s
                }
                // the nwant smallest distinct distances, ascending
                var have = 0, last: Int32 = -1
                while have < nwant {
                    var m = Int32.max
                    for j in 0..<n where d2[j] > last && d2[j] < m { m = d2[j] }
                    if m == .max { break }
                    found[have] = m; have += 1; last = m
                }
                map[u] = -Int32(neighbours.count + 1)
                let start = neighbours.count
                neighbours.append(0)
                for h in 0..<have { for j in 0..<n where d2[j] == found[h] { neighbours.append(UInt16(j)) } }
                neighbours[start] = UInt16(neighbours.count - start - 1)
            }
        }
        }
        self.map = map
        self.neighbours = neighbours
    }

    /// Levels of a ggml-common grid whose entries hold `width` byte values: each distinct byte value is a level,
    /// in ascending order (iq2xxs_grid's 0x08, 0x19, 0x2b are levels 0, 1, 2; iq1s_grid's −1, 0, 1 likewise).
    static func levels(_ grid: [UInt64], width: Int, signed: Bool) -> [Int8] {
        func byte(_ g: UInt64, _ i: Int) -> Int {
            let b = UInt8(truncatingIfNeeded: g >> UInt64(8 * i))
            return signed ? Int(Int8(bitPattern: b)) : Int(b)
        }
        var values = Set<Int>()
        for g in grid { for i in 0..<width { values.insert(byte(g, i)) } }
        let sorted = values.sorted()
        return grid.flatMap { g in (0..<width).map { Int8(sorted.firstIndex(of: byte(g, $0))!) } }
    }

    // kmap_size 43692 = the largest 2-bit lattice point of 8 levels ≤ 2 (0xAAAA) + 2, as ggml sizes it.
    static let iq2xxs = IQGridTable(levels: levels(iq2xxsGrid, width: 8, signed: false), width: 8, bits: 2, mapSize: 43692, nwant: 2)
    static let iq2xs = IQGridTable(levels: levels(iq2xsGrid, width: 8, signed: false), width: 8, bits: 2, mapSize: 43692, nwant: 2)
    static let iq2s = IQGridTable(levels: levels(iq2sGrid, width: 8, signed: false), width: 8, bits: 2, mapSize: 43692, nwant: 1)
    /// IQ1_S and IQ1_M share one table (ggml's iq2_data[2]).
    static let iq1s = IQGridTable(levels: levels(iq1sGrid, width: 8, signed: true), width: 8, bits: 2, mapSize: 43692, nwant: 3)
    static let iq3xxs = IQGridTable(levels: levels(iq3xxsGrid.map { UInt64($0) }, width: 4, signed: false), width: 4, bits: 3,
                                    mapSize: 4096, nwant: 2)

    /// The lattice point of `width` levels.
    @inline(__always) func point(_ L: UnsafePointer<Int8>) -> Int {
        var u = 0
        for i in 0..<width { u |= Int(L[i]) << (bits * i) }
        return u
    }
}

/// Raw views of a table for the inner loops.
struct IQGridView {
    /// Values per point, bits per level, levels in use (the largest level + 1).
    let width: Int, bits: Int, levelCount: Int
    let levels: UnsafePointer<Int8>
    let odd: UnsafePointer<Float>
    let map: UnsafePointer<Int32>
    let neighbours: UnsafePointer<UInt16>
    let packed: UnsafePointer<UInt32>
    /// Whether the 2-bit 8-value searches run in C (AVX2; `CKernelTable.enabled`).
    let cSearch: Bool

    /// Calls `body` with pointers into `t` (kept alive for the call).
    static func with<R>(_ t: IQGridTable, _ body: (IQGridView) -> R) -> R {
        t.levels.withUnsafeBufferPointer { l in
        t.odd.withUnsafeBufferPointer { o in
        t.map.withUnsafeBufferPointer { m in
        t.neighbours.withUnsafeBufferPointer { nb in
        t.packed.withUnsafeBufferPointer { pk in
            body(IQGridView(width: t.width, bits: t.bits, levelCount: t.levelCount, levels: l.baseAddress!, odd: o.baseAddress!, map: m.baseAddress!,
                            neighbours: nb.baseAddress!, packed: pk.baseAddress!,
                            cSearch: CKernelTable.enabled && t.width == 8 && t.bits == 2 && t.levelCount <= 4))
        }
        }
        }
        }
        }
    }

    @inline(__always) func point(_ L: UnsafePointer<Int8>) -> Int {
        var u = 0
        for i in 0..<width { u |= Int(L[i]) << (bits * i) }
        return u
    }

    /// Copies the levels of grid point `g` to L.
    @inline(__always) func setLevels(_ g: Int, _ L: UnsafeMutablePointer<Int8>) {
        for i in 0..<width { L[i] = levels[width * g + i] }
    }

    /// iq2_find_best_neighbour / iq3_find_best_neighbour: among the neighbours listed at `offset`, the grid point
    /// with the smallest Σ w·(scale·q − x)² (strict `<` from FLT_MAX: the first of equals); writes its levels to L.
    /// Where every distance is NaN or ≥ FLT_MAX ggml asserts (aborts); here the first neighbour is taken.
    /// `width` is the table's, passed by the caller as a literal so that the loops unroll.
    @inline(__always) func bestNeighbour(_ offset: Int, _ xval: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ scale: Float,
                                         _ L: UnsafeMutablePointer<Int8>, width: Int) -> Int {
        let nb = neighbours + offset
        var best = Float.greatestFiniteMagnitude
        var index = -1
        let count = Int(nb[0])
        if count * 2 <= 3 * levelCount {   // short lists: the direct loop (fewer terms than precomputing them)
            for j in 1...count {
                let g = Int(nb[j])
                let q = odd + width * g
                var d2: Float = 0
                for i in 0..<width {
                    let diff = scale * q[i] - xval[i]
                    d2 += w[i] * diff * diff
                }
                if d2 < best { best = d2; index = g }
            }
        } else {
            // Each term w·diff·diff depends only on (i, level): computed once per level (8 levels at most), then
            // every neighbour's sum adds the same terms in the same order: the same floats as ggml's loop.
            withUnsafeTemporaryAllocation(of: Float.self, capacity: 64) { tb in
                let t = tb.baseAddress!
                for i in 0..<width {
                    for l in 0..<levelCount {
                        let diff = scale * Float(2 * l + 1) - xval[i]
                        t[8 * i + l] = w[i] * diff * diff
                    }
                }
                if let r = search8(nb, count, t, stride: 8) { (best, index) = r; return }
                for j in 1...count {
                    let g = Int(nb[j])
                    let lv = levels + width * g
                    var d2: Float = 0
                    for i in 0..<width { d2 += t[8 * i + Int(lv[i])] }
                    if d2 < best { best = d2; index = g }
                }
            }
        }
        if index < 0 { index = Int(nb[1]) }
        for i in 0..<width { L[i] = levels[width * index + i] }
        return index
    }

    /// The C search (ckernels_grid8_search) over the list at `nb` when this view uses it, else nil.
    @inline(__always)
    func search8(_ nb: UnsafePointer<UInt16>, _ count: Int, _ t: UnsafePointer<Float>, stride: Int) -> (Float, Int)? {
        #if arch(x86_64)
        if cSearch {
            var best: Float = 0
            let i = ckernels_grid8_search(nb + 1, Int32(count), packed, t, Int32(stride), &best)
            return (best, Int(i))
        }
        #endif
        return nil
    }

    /// The levels of the nearest lattice point of id·x (`nearest_int(0.5·(id·x − 1))` clamped to 0 … kMaxQ − 1)
    /// into L; off the grid, L becomes its best neighbour at `scale`. Returns whether the point was on the grid.
    @inline(__always) func place(_ xval: UnsafePointer<Float>, _ waux: UnsafePointer<Float>, id: Float, scale: Float, kMaxQ: Int32,
                                 _ L: UnsafeMutablePointer<Int8>, width: Int) -> Bool {
        var u = 0
        for i in 0..<width {
            let l = clamp(nearestInt(0.5 * (id * xval[i] - 1)), 0, kMaxQ - 1)
            L[i] = Int8(l)
            u |= Int(l) << (bits * i)
        }
        let m = map[u]
        if m >= 0 { return true }
        _ = bestNeighbour(Int(-m - 1), xval, waux, scale, L, width: width)
        return false
    }

    /// The grid index of the point whose levels are in L; ggml aborts ("Oops: found point … not on grid") where
    /// it is not on the grid, which the search never leaves for finite input; 0 here.
    @inline(__always) func index(_ L: UnsafePointer<Int8>, width: Int) -> Int {
        var u = 0
        for i in 0..<width { u |= Int(L[i]) << (bits * i) }
        return u < 0 ? 0 : Swift.max(0, Int(map[u]))
    }
}
