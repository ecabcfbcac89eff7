import Foundation

/// Perplexity as llama-perplexity computes it (tools/perplexity/perplexity.cpp, `perplexity()`):
/// the whole text tokenized with BOS, cut into chunks of `n_ctx` tokens (the tail dropped), each chunk
/// evaluated from an empty cache with its first token replaced by BOS, and the second half of each
/// chunk scored: logits at positions `n_ctx/2 ..< n_ctx-1` predict the next token.
public struct PerplexityRun: Sendable {
    public struct Chunk: Sendable {
        /// Running perplexity after this chunk (what llama-perplexity prints as `[i]value`).
        public var runningPPL: Double
        /// Running KL divergence against the base logits (when given).
        public var runningKL: Double?
    }

    public var chunks: [Chunk] = []
    public var tokensScored = 0
    public var nll: Double = 0
    public var nll2: Double = 0
    /// Perplexity over all scored tokens.
    public var ppl: Double { exp(nll / Double(max(tokensScored, 1))) }
    /// llama-perplexity's ± estimate.
    public var pplError: Double {
        let n = Double(tokensScored)
        guard n > 1 else { return 0 }
        let mean = nll / n, m2 = nll2 / n - mean * mean
        return m2 > 0 ? ppl * (m2 / (n - 1)).squareRoot() : 0
    }
    // KL divergence against base logits.
    public var klSum: Double = 0
    public var klCount = 0
    public var sameTop = 0
    public var meanKL: Double { klSum / Double(max(klCount, 1)) }
    /// The scored logits of every chunk, rows in order (kept when asked, for `--save-logits`).
    public var savedLogits: [Float] = []

    public init() {}
}

extension Session {
    /// Runs llama-perplexity's computation over `tokens` (tokenized text, BOS first). `maxChunks` limits the
    /// chunks (nil: all). `base` gives logits rows of a base model for the same scored tokens (KL mode).
    public func perplexity(tokens: [Int32], maxChunks: Int? = nil, keepLogits: Bool = false, base: [Float]? = nil,
                           progress: ((Int, Int, PerplexityRun) -> Void)? = nil) throws(RunnerError) -> PerplexityRun {
        let nCtx = contextSize, nv = model.hparams.vocabularySize
        guard tokens.count >= 2 * nCtx else {
            throw .usage("you need at least \(2 * nCtx) tokens for a context of \(nCtx) tokens; the text has \(tokens.count)")
        }
        var nChunk = tokens.count / nCtx
        if let maxChunks, maxChunks > 0 { nChunk = min(nChunk, maxChunks) }
        let first = nCtx / 2
        let perChunk = nCtx - 1 - first
        if let base, base.count < nChunk * perChunk * nv {
            throw .usage("the base logits hold \(base.count / nv) rows, \(nChunk * perChunk) are needed")
        }
        var run = PerplexityRun()
        let bos = model.tokenizer.vocabulary.addBOS ? model.tokenizer.vocabulary.bosID : nil
        for i in 0..<nChunk {
            let start = i * nCtx
            var chunk = Array(tokens[start ..< start + nCtx])
            if let bos { chunk[0] = bos }
            reset()
            let logits = try evaluate(chunk, allLogits: true)
            logits.withUnsafeBufferPointer { lp in
                for j in first ..< nCtx - 1 {
                    let row = lp.baseAddress! + j * nv
                    let target = Int(tokens[start + j + 1])
                    // log_softmax as perplexity.cpp: max, then sum of expf in double.
                    var mx = row[0]
                    for v in 0..<nv where row[v] > mx { mx = row[v] }
                    var sum: Double = 0
                    for v in 0..<nv { sum += Double(expf(row[v] - mx)) }
                    let lp = Double(row[target] - mx) - log(sum)
                    run.nll -= lp
                    run.nll2 += lp * lp
                    run.tokensScored += 1
                    if let base {
                        let r = (i * perChunk + (j - first)) * nv
                        base.withUnsafeBufferPointer { bp in
                            let (kl, same) = klDivergence(base: bp.baseAddress! + r, row, nv)
                            run.klSum += kl
                            run.klCount += 1
                            if same { run.sameTop += 1 }
                        }
                    }
                }
                if keepLogits { run.savedLogits += Array(lp[first * nv ..< (nCtx - 1) * nv]) }
            }
            run.chunks.append(.init(runningPPL: run.ppl, runningKL: base == nil ? nil : run.meanKL))
            progress?(i, nChunk, run)
        }
        return run
    }
}

/// KL(base ‖ current) of two logit rows, and whether both put the top token first.
func klDivergence(base: UnsafePointer<Float>, _ cur: UnsafePointer<Float>, _ n: Int) -> (Double, Bool) {
    func logSoftmax(_ r: UnsafePointer<Float>) -> (Float, Double, Int) {
        var mx = r[0], arg = 0
        for v in 0..<n where r[v] > mx { mx = r[v]; arg = v }
        var s: Double = 0
        for v in 0..<n { s += Double(expf(r[v] - mx)) }
        return (mx, log(s), arg)
    }
    let (bm, bl, ba) = logSoftmax(base), (cm, cl, ca) = logSoftmax(cur)
    var kl: Double = 0
    for v in 0..<n {
        let lb = Double(base[v] - bm) - bl
        let lc = Double(cur[v] - cm) - cl
        kl += exp(lb) * (lb - lc)
    }
    return (kl, ba == ca)
}
