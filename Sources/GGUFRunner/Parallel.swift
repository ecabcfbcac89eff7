import Dispatch

/// Holds a value across a `@Sendable` boundary; the caller guarantees the accesses do not race.
struct UncheckedSendable<T>: @unchecked Sendable { let value: T }

/// Runs `body(start, end)` over `n` items split into `threads` contiguous ranges, in parallel.
/// Callers write disjoint parts of their outputs, so the ranges never race.
func parallelRanges(_ n: Int, threads: Int, _ body: (Int, Int) -> Void) {
    let chunks = max(1, min(threads, n))
    if chunks == 1 { body(0, n); return }
    withoutActuallyEscaping(body) { b in
        let box = UncheckedSendable(value: b)
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            box.value(n * c / chunks, n * (c + 1) / chunks)
        }
    }
}
