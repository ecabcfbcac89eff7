import Dispatch
import Foundation

/// Holds a value across a `@Sendable` boundary; the caller guarantees the accesses do not race.
struct UncheckedSendable<T>: @unchecked Sendable { let value: T }

/// Hands out piece numbers 0 ..< limit, each once, to whichever worker asks first.
final class PieceCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0
    private let limit: Int
    init(limit: Int) { self.limit = limit }
    func take() -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard next < limit else { return nil }
        next += 1
        return next - 1
    }
}

/// Pieces per worker: a worker the OS deschedules (another process on the same cores) leaves its
/// remaining pieces to the others instead of holding up the whole operation.
let piecesPerWorker = 4

/// Runs `body(start, end)` over `n` items in parallel on at most `threads` workers. The items are cut
/// into contiguous pieces (`piecesPerWorker` per worker) that the workers take in turn, like ggml's
/// chunk counter. Callers write disjoint parts of their outputs and compute each item independently of
/// the piece it falls in, so results never depend on the thread count or the scheduling.
func parallelRanges(_ n: Int, threads: Int, _ body: (Int, Int) -> Void) {
    let workers = max(1, min(threads, n))
    if workers == 1 { if n > 0 { body(0, n) }; return }
    let pieces = min(n, workers * piecesPerWorker)
    let counter = PieceCounter(limit: pieces)
    withoutActuallyEscaping(body) { b in
        let box = UncheckedSendable(value: b)
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while let p = counter.take() { box.value(n * p / pieces, n * (p + 1) / pieces) }
        }
    }
}
