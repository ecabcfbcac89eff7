/// A pair of adjacent symbols a merge tokenizer may join; `precedes` is its pop order.
protocol MergeCandidate {
    /// Whether `self` pops before `other`.
    func precedes(_ other: Self) -> Bool
}

/// A symbol of the text during merging: a byte range and its neighbours in a linked list (-1 at the ends;
/// `n == 0` once merged away). Both SPM and BPE sessions use it.
struct MergeSymbol {
    var start: Int
    var n: Int
    var prev: Int
    var next: Int
}

/// A binary heap of merge candidates in ``MergeCandidate/precedes(_:)`` order (the SPM and BPE sessions'
/// priority queue).
struct MergeHeap<T: MergeCandidate> {
    private var items: [T] = []

    mutating func reserve(_ n: Int) { items.reserveCapacity(n) }

    mutating func push(_ b: T) {
        items.append(b)
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) >> 1
            if !items[i].precedes(items[parent]) { break }
            items.swapAt(i, parent)
            i = parent
        }
    }

    mutating func pop() -> T? {
        guard let top = items.first else { return nil }
        let last = items.removeLast()
        if items.isEmpty { return top }
        items[0] = last
        var i = 0
        let n = items.count
        while true {
            let l = 2 * i + 1
            if l >= n { break }
            var best = l
            if l + 1 < n, items[l + 1].precedes(items[l]) { best = l + 1 }
            if !items[best].precedes(items[i]) { break }
            items.swapAt(i, best)
            i = best
        }
        return top
    }
}
