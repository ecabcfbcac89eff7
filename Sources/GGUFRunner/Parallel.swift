import CKernels

/// Pieces per worker: a worker the OS deschedules (another process on the same cores) leaves its
/// remaining pieces to the others instead of holding up the whole operation.
let piecesPerWorker = 4

/// One parallel loop, handed to the C pool as its context.
private final class Job {
    let body: (Int, Int) -> Void
    let n: Int
    let pieces: Int
    init(_ body: @escaping (Int, Int) -> Void, n: Int, pieces: Int) { self.body = body; self.n = n; self.pieces = pieces }
}

/// Runs `body(start, end)` over `n` items in parallel on at most `threads` threads (the caller and
/// pool threads, `rops_parallel`). The items are cut into contiguous pieces (`piecesPerWorker` per
/// worker) that the threads take in turn, like ggml's chunk counter. Callers write disjoint parts of their
/// outputs and compute each item independently of the piece it falls in, so results never depend on the
/// thread count or the scheduling.
func parallelRanges(_ n: Int, threads: Int, _ body: (Int, Int) -> Void) {
    let workers = max(1, min(threads, n))
    if workers == 1 { if n > 0 { body(0, n) }; return }
    let pieces = min(n, workers * piecesPerWorker)
    withoutActuallyEscaping(body) { b in
        let job = Job(b, n: n, pieces: pieces)
        withExtendedLifetime(job) {
            rops_parallel(workers, pieces, { ctx, p in
                let job = Unmanaged<Job>.fromOpaque(ctx).takeUnretainedValue()
                job.body(job.n * p / job.pieces, job.n * (p + 1) / job.pieces)
            }, Unmanaged.passUnretained(job).toOpaque())
        }
    }
}
