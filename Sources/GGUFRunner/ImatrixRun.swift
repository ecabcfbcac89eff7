import Foundation

/// llama-imatrix's pass over a text (tools/imatrix/imatrix.cpp, `compute_imatrix`): the tokens cut into chunks of
/// `n_ctx`, each evaluated from an empty cache with every logit requested (so every layer runs on all tokens) and
/// its first token replaced by BOS when the vocabulary adds one; with perplexity on, the logits of positions
/// `n_ctx/2 ..< n_ctx-1` scored against the next token. The ``ImatrixCollector`` attached to the session
/// gathers the statistics meanwhile.
public struct ImatrixRun: Sendable {
    /// Running perplexity after each chunk (what llama-imatrix prints as `[i]value`).
    public var runningPPL: [Double] = []
    public var tokensScored = 0
    public var nll: Double = 0
    public var nll2: Double = 0

    public init() {}

    /// Perplexity over all scored tokens.
    public var ppl: Double { exp(nll / Double(max(tokensScored, 1))) }
    /// llama-imatrix's ± estimate (`Final estimate: PPL = … +/- …`); nil where it reports a negative variance.
    public var pplError: Double? {
        let n = Double(tokensScored)
        guard n > 1 else { return nil }
        let mean = nll / n, v = nll2 / n - mean * mean
        return v > 0 ? (v / (n - 1)).squareRoot() * ppl : nil
    }
}

extension Session {
    /// Evaluates one chunk (`contextSize` tokens of the text, the first replaced by BOS when the vocabulary adds
    /// one) from an empty cache, feeding ``collector``; with `scorePPL`, adds its second half's log-likelihoods to
    /// `run`.
    public func imatrixChunk(_ tokens: ArraySlice<Int32>, run: inout ImatrixRun, scorePPL: Bool) throws(RunnerError) {
        let nCtx = contextSize, nv = model.hparams.vocabularySize
        guard tokens.count == nCtx else { throw .usage("an imatrix chunk holds \(nCtx) tokens, not \(tokens.count)") }
        var chunk = Array(tokens)
        let voc = model.tokenizer.vocabulary
        if voc.addBOS, let bos = voc.bosID { chunk[0] = bos }
        reset()
        let logits = try evaluate(chunk, allLogits: true)
        guard scorePPL else { return }
        let first = nCtx / 2
        logits.withUnsafeBufferPointer { lp in
            for j in first ..< nCtx - 1 {
                let row = lp.baseAddress! + j * nv
                let target = Int(chunk[j + 1])
                // log_softmax as imatrix.cpp: max, then the sum of expf in double.
                var mx = row[0]
                for v in 1..<nv { mx = max(mx, row[v]) }
                var sum: Double = 0
                for v in 0..<nv { sum += Double(expf(row[v] - mx)) }
                let nl = -(Double(row[target] - mx) - log(sum))
                run.nll += nl
                run.nll2 += nl * nl
                run.tokensScored += 1
            }
        }
        run.runningPPL.append(run.ppl)
    }
}
