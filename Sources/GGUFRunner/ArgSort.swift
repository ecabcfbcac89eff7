/// ggml's descending argsort as ggml-cpu computes it: `std::sort` of the indices 0 ..< n with `v[a] > v[b]`, in
/// libstdc++'s introsort order (GCC 12's `bits/stl_algo.h`): quicksort with a median-of-three pivot moved to the front
/// and an unguarded partition while a range has more than 16 elements, heapsort when the depth limit 2·⌊log2 n⌋ runs
/// out, then one insertion sort over the whole (the first 16 guarded, the rest unguarded). Equal values end in the
/// order this sequence of swaps leaves them (index order for n ≤ 16, where only the insertion sort runs), which decides
/// the experts chosen and their summation order when router probabilities tie (`ArgSortTests` checks it against
/// std::sort on rows full of ties).
func stdSortDescending(_ v: UnsafePointer<Float>, _ n: Int) -> [Int32] {
    var a = (0..<Int32(n)).map { $0 }
    guard n > 1 else { return a }
    a.withUnsafeMutableBufferPointer { p in
        let x = p.baseAddress!
        @inline(__always) func less(_ i: Int32, _ j: Int32) -> Bool { v[Int(i)] > v[Int(j)] }   // comp(a, b)

        func unguardedLinearInsert(_ last: Int) {
            let val = x[last]
            var l = last, next = last - 1
            while less(val, x[next]) { x[l] = x[next]; l = next; next -= 1 }
            x[l] = val
        }
        func insertionSort(_ first: Int, _ last: Int) {
            guard first != last else { return }
            var i = first + 1
            while i < last {
                if less(x[i], x[first]) {
                    let val = x[i]
                    var j = i
                    while j > first { x[j] = x[j - 1]; j -= 1 }
                    x[first] = val
                } else {
                    unguardedLinearInsert(i)
                }
                i += 1
            }
        }
        func swapAt(_ i: Int, _ j: Int) { let t = x[i]; x[i] = x[j]; x[j] = t }
        func moveMedianToFirst(_ result: Int, _ a: Int, _ b: Int, _ c: Int) {
            if less(x[a], x[b]) {
                if less(x[b], x[c]) { swapAt(result, b) } else if less(x[a], x[c]) { swapAt(result, c) } else { swapAt(result, a) }
            } else if less(x[a], x[c]) {
                swapAt(result, a)
            } else if less(x[b], x[c]) {
                swapAt(result, c)
            } else {
                swapAt(result, b)
            }
        }
        func unguardedPartition(_ first0: Int, _ last0: Int, _ pivot: Int) -> Int {
            var first = first0, last = last0
            while true {
                while less(x[first], x[pivot]) { first += 1 }
                last -= 1
                while less(x[pivot], x[last]) { last -= 1 }
                if !(first < last) { return first }
                swapAt(first, last)
                first += 1
            }
        }
        // Heapsort of [first, last) (std::__partial_sort(first, last, last): make_heap, then sort_heap).
        func adjustHeap(_ first: Int, _ hole0: Int, _ len: Int, _ value: Int32) {
            let top = hole0
            var hole = hole0, second = hole0
            while second < (len - 1) / 2 {
                second = 2 * (second + 1)
                if less(x[first + second], x[first + second - 1]) { second -= 1 }
                x[first + hole] = x[first + second]
                hole = second
            }
            if len & 1 == 0 && second == (len - 2) / 2 {
                second = 2 * (second + 1)
                x[first + hole] = x[first + second - 1]
                hole = second - 1
            }
            var parent = (hole - 1) / 2
            while hole > top && less(x[first + parent], value) {
                x[first + hole] = x[first + parent]
                hole = parent
                parent = (hole - 1) / 2
            }
            x[first + hole] = value
        }
        func heapSort(_ first: Int, _ last: Int) {
            let len = last - first
            if len >= 2 {
                var parent = (len - 2) / 2
                while true {
                    adjustHeap(first, parent, len, x[first + parent])
                    if parent == 0 { break }
                    parent -= 1
                }
            }
            var end = last
            while end - first > 1 {
                end -= 1
                let value = x[end]
                x[end] = x[first]
                adjustHeap(first, 0, end - first, value)
            }
        }
        func introsortLoop(_ first: Int, _ last0: Int, _ depth0: Int) {
            var last = last0, depth = depth0
            while last - first > 16 {
                if depth == 0 { heapSort(first, last); return }
                depth -= 1
                let mid = first + (last - first) / 2
                moveMedianToFirst(first, first + 1, mid, last - 1)
                let cut = unguardedPartition(first + 1, last, first)
                introsortLoop(cut, last, depth)
                last = cut
            }
        }
        introsortLoop(0, n, 2 * (Int.bitWidth - 1 - n.leadingZeroBitCount))
        if n > 16 {
            insertionSort(0, 16)
            for i in 16..<n { unguardedLinearInsert(i) }
        } else {
            insertionSort(0, n)
        }
    }
    return a
}
