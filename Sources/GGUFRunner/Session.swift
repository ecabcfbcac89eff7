import Foundation
import GGUFKernels

/// One running context over a model: the KV cache and the forward pass (`llama_decode`).
public final class Session: @unchecked Sendable {
    public let model: LlamaModel
    public let contextSize: Int
    public let threads: Int
    public private(set) var cache: KVCache
    /// Tokens evaluated so far, in order (the cache holds their keys and values).
    public private(set) var history: [Int32] = []
    /// Largest number of tokens evaluated in one pass (llama.cpp's default n_ubatch).
    public var batchSize = 512
    var scratch: [UInt8] = []
    /// Collects llama-imatrix's importance matrix from every matmul's input while set (nil: no extra work).
    public var collector: ImatrixCollector?

    public init(model: LlamaModel, contextSize: Int? = nil, threads: Int = 1) throws(RunnerError) {
        let n = contextSize ?? model.hparams.contextLength
        guard n > 0 else { throw .usage("the context size must be positive, not \(n)") }
        guard threads > 0 else { throw .usage("the thread count must be positive, not \(threads)") }
        self.model = model
        self.contextSize = n
        self.threads = threads
        cache = KVCache(layers: model.hparams.layerCount, capacity: n, kvDimension: model.hparams.kvDimension)
    }

    /// Positions left in the context.
    public var remaining: Int { contextSize - cache.count }

    /// Forgets everything (positions restart at 0).
    public func reset() { cache.truncate(to: 0); history = [] }

    /// Evaluates `tokens` at the next positions and returns logits: one row of `vocabularySize` per token
    /// when `allLogits`, else only the last token's row.
    public func evaluate(_ tokens: [Int32], allLogits: Bool = false) throws(RunnerError) -> [Float] {
        let nv = model.hparams.vocabularySize
        guard !tokens.isEmpty else { return [] }
        guard tokens.count <= remaining else { throw .contextFull(needed: cache.count + tokens.count, context: contextSize) }
        for t in tokens where t < 0 || Int(t) >= nv { throw .badToken(t, vocabularySize: nv) }
        var result = [Float]()
        result.reserveCapacity(allLogits ? tokens.count * nv : nv)
        var i = 0
        while i < tokens.count {
            let part = Array(tokens[i ..< min(tokens.count, i + batchSize)])
            let last = i + part.count == tokens.count
            let logits = forward(part, outputs: allLogits ? .all : (last ? .last : .none))
            result.append(contentsOf: logits)
            i += part.count
        }
        return result
    }

    enum Outputs { case all, last, none }

    /// One batch through the network; writes its keys/values at positions `cache.count ..<`.
    func forward(_ tokens: [Int32], outputs: Outputs) -> [Float] {
        let hp = model.hparams, arch = hp.architecture
        let T = tokens.count, d = hp.embeddingLength, kvd = hp.kvDimension, ff = hp.feedForwardLength
        let hs = hp.headSize, qd = hp.queryDimension, start = cache.count
        let neox = arch.ropeNeox
        var x = [Float](repeating: 0, count: T * d)
        var xn = x, proj = x
        var q = [Float](repeating: 0, count: T * qd), attnOut = q
        var k = [Float](repeating: 0, count: T * kvd), v = k
        var gate = [Float](repeating: 0, count: T * ff), up = gate
        let emb = model.tokenEmbedding
        x.withUnsafeMutableBufferPointer { xp in
            for (t, id) in tokens.enumerated() { emb.kernel.dequantize(emb.row(Int(id)), xp.baseAddress! + t * d, d) }
        }
        // gemma: ggml_scale(inpL, sqrtf(n_embd)).
        if arch.isGemma {
            let s = Float(d).squareRoot()
            for i in 0..<T * d { x[i] *= s }
        }
        // RoPE caches: the global layers', and the sliding layers' (their own base and scale: gemma2, gemma3).
        // Frequency factors: Llama 3's rope_freqs, or phi3's long/short factors chosen by the context size as
        // llama.cpp's get_rope_factors: n_ctx_seq (the context per sequence, padded to 256) > original context.
        let ctxSeq = (contextSize + 255) / 256 * 256
        let factors = model.ropeFreqs?.values
            ?? (ctxSeq > hp.ropeOriginalContext ? model.ropeFactorsLong : model.ropeFactorsShort)?.values
        func ropes(base: Float, scale: Float) -> [[Float]] {
            (0..<T).map { ropeCache(position: start + $0, nRot: hp.ropeDimensions, freqBase: base, freqScale: scale,
                                    freqFactors: factors, attnFactor: hp.ropeAttnFactor) }
        }
        let globalRopes = ropes(base: hp.ropeFreqBase, scale: hp.ropeFreqScale)
        let slidingRopes = hp.slidingWindow > 0 ? ropes(base: hp.ropeFreqBaseSWA, scale: hp.ropeFreqScaleSWA) : globalRopes
        var fused: [Float] = []
        var pruned = false
        for (l, L) in model.layers.enumerated() {
            let sliding = hp.isSliding(l)
            norm(x, L.attnNorm, &xn, T)
            switch L.qkv {
            case .separate(let wq, let wk, let wv):
                mm(wq, xn, T, &q)
                mm(wk, xn, T, &k)
                mm(wv, xn, T, &v)
            case .fused(let w):
                // One matmul of qd + 2·kvd rows; Q, K and V are views of each token's row.
                let width = qd + 2 * kvd
                if fused.count != T * width { fused = [Float](repeating: 0, count: T * width) }
                mm(w, xn, T, &fused)
                for t in 0..<T {
                    let r = t * width
                    for i in 0..<qd { q[t * qd + i] = fused[r + i] }
                    for i in 0..<kvd { k[t * kvd + i] = fused[r + qd + i]; v[t * kvd + i] = fused[r + qd + kvd + i] }
                }
            }
            // qwen2: biases added after each matmul (ggml_add); qwen3, gemma3: per-head RMS norms before RoPE.
            if let b = L.qBias { addRows(&q, b, T) }
            if let b = L.kBias { addRows(&k, b, T) }
            if let b = L.vBias { addRows(&v, b, T) }
            if let w = L.qNorm { norm(q, w, &q, T * hp.headCount) }
            if let w = L.kNorm { norm(k, w, &k, T * hp.headCountKV) }
            let layerRopes = sliding ? slidingRopes : globalRopes
            q.withUnsafeMutableBufferPointer { qp in
                k.withUnsafeMutableBufferPointer { kp in
                    for t in 0..<T {
                        layerRopes[t].withUnsafeBufferPointer { c in
                            if neox {
                                applyRopeNeox(qp.baseAddress! + t * qd, heads: hp.headCount, headSize: hs, nRot: hp.ropeDimensions, cache: c.baseAddress!)
                                applyRopeNeox(kp.baseAddress! + t * kvd, heads: hp.headCountKV, headSize: hs, nRot: hp.ropeDimensions, cache: c.baseAddress!)
                            } else {
                                applyRope(qp.baseAddress! + t * qd, heads: hp.headCount, headSize: hs, nRot: hp.ropeDimensions, cache: c.baseAddress!)
                                applyRope(kp.baseAddress! + t * kvd, heads: hp.headCountKV, headSize: hs, nRot: hp.ropeDimensions, cache: c.baseAddress!)
                            }
                        }
                    }
                }
            }
            // gemma, phi3: Q scaled after RoPE (ggml_scale), attention's own scale then 1.
            if let s = hp.queryScale { for i in 0..<T * qd { q[i] *= s } }
            cache.keys[l].withUnsafeMutableBufferPointer { kc in
                k.withUnsafeBufferPointer { toF16($0.baseAddress!, kc.baseAddress! + start * kvd, T * kvd) }
            }
            let cap = cache.capacity
            cache.values[l].withUnsafeMutableBufferPointer { vc in
                for t in 0..<T {
                    for i in 0..<kvd { vc[i * cap + start + t] = Half.fp16(v[t * kvd + i]) }
                }
            }
            let threads = self.threads, span = attentionSpan(used: start + T, contextSize: contextSize)
            let shape = AttentionShape(scale: hp.queryScale == nil ? nil : 1, softcap: hp.attentionSoftcap,
                                       window: sliding ? hp.slidingWindow : 0)
            cache.keys[l].withUnsafeBufferPointer { kc in
                cache.values[l].withUnsafeBufferPointer { vc in
                    q.withUnsafeBufferPointer { qp in
                        attnOut.withUnsafeMutableBufferPointer { op in
                            attention(q: qp.baseAddress!, tokens: T, start: start, span: span, keys: kc.baseAddress!,
                                      values: vc.baseAddress!, capacity: cap, heads: hp.headCount, headsKV: hp.headCountKV,
                                      headSize: hs, out: op.baseAddress!, threads: threads, shape: shape)
                        }
                    }
                }
            }
            mm(L.wo, attnOut, T, &proj)
            // llama.cpp's inp_out_ids: in the last layer, the rows whose logits are not wanted are dropped after the
            // attention (get_rows of the attention output and the residual), so the rest of the layer runs on the
            // output rows only and its matmuls take the paths of that many tokens (one: vec_dot).
            var n = T
            if l == model.layers.count - 1 && outputs != .all {
                if outputs == .none { continue }
                x = Array(x[(T - 1) * d ..< T * d])
                proj = Array(proj[(T - 1) * d ..< T * d])
                n = 1
                pruned = true
            }
            if let w = L.postAttnNorm { norm(proj, w, &proj, n) }
            for i in 0..<n * d { x[i] += proj[i] }
            norm(x, L.ffnNorm, &xn, n)
            switch L.ffn {
            case .dense(let wg, let wu, let wd):
                mm(wg, xn, n, &gate)
                mm(wu, xn, n, &up)
                gatedActivation(&gate, up, rows: n, width: ff, gelu: arch.usesGELU)
                mm(wd, gate, n, &proj)
            case .fusedGateUp(let wgu, let wd):
                // phi3: ggml_swiglu of the fused row: silu(first half) · second half.
                var gu = [Float](repeating: 0, count: n * 2 * ff)
                mm(wgu, xn, n, &gu)
                for t in 0..<n {
                    for i in 0..<ff { gate[t * ff + i] = gu[t * 2 * ff + i]; up[t * ff + i] = gu[t * 2 * ff + ff + i] }
                }
                gatedActivation(&gate, up, rows: n, width: ff, gelu: false)
                mm(wd, gate, n, &proj)
            case .experts(let moe):
                moeFFN(moe, xn, n, &proj)
            }
            if let w = L.postFFNNorm { norm(proj, w, &proj, n) }
            for i in 0..<n * d { x[i] += proj[i] }
        }
        cache.count = start + T
        history.append(contentsOf: tokens)
        let rows: Range<Int>
        switch outputs {
        case .none: return []
        case .last: rows = pruned ? 0 ..< 1 : (T - 1) ..< T
        case .all: rows = 0 ..< T
        }
        let sel = Array(x[rows.lowerBound * d ..< rows.upperBound * d])
        var h = [Float](repeating: 0, count: sel.count)
        norm(sel, model.outputNorm, &h, rows.count)
        var logits = [Float](repeating: 0, count: rows.count * hp.vocabularySize)
        mm(model.output, h, rows.count, &logits)
        if hp.finalSoftcap > 0 {
            logits.withUnsafeMutableBufferPointer { softcap($0.baseAddress!, $0.count, cap: hp.finalSoftcap) }
        }
        return logits
    }

    /// `g = act(g) · u` row by row (ggml's swiglu / geglu run per row of `width`: their 8-wide chunks restart at
    /// each row).
    func gatedActivation(_ g: inout [Float], _ u: [Float], rows: Int, width: Int, gelu: Bool) {
        g.withUnsafeMutableBufferPointer { gp in
            u.withUnsafeBufferPointer { up in
                for r in 0..<rows {
                    let a = gp.baseAddress! + r * width, b = up.baseAddress! + r * width
                    if gelu { GELU.geglu(a, b, width) } else { swiglu(a, b, width) }
                }
            }
        }
    }

    /// `x[t] += b` for every row (ggml_add of a bias row: one float add per value).
    private func addRows(_ x: inout [Float], _ b: NormWeight, _ T: Int) {
        let n = b.values.count
        for t in 0..<T { for i in 0..<n { x[t * n + i] += b.values[i] } }
    }

    /// RMS norm of `T` rows of the weight's length (rows of `x` may be heads: qwen3's Q/K norms).
    private func norm(_ x: [Float], _ w: NormWeight, _ y: inout [Float], _ T: Int) {
        let d = w.values.count, eps = model.hparams.rmsEpsilon
        x.withUnsafeBufferPointer { xp in
            w.values.withUnsafeBufferPointer { wp in
                y.withUnsafeMutableBufferPointer { yp in
                    for t in 0..<T { rmsNorm(xp.baseAddress! + t * d, wp.baseAddress!, yp.baseAddress! + t * d, d, eps: eps) }
                }
            }
        }
    }

    func mm(_ w: Weight, _ x: [Float], _ T: Int, _ out: inout [Float]) {
        if let c = collector {
            x.withUnsafeBufferPointer { c.addDense(w.name, $0.baseAddress!, rows: T, cols: w.cols) }
        }
        x.withUnsafeBufferPointer { xp in
            out.withUnsafeMutableBufferPointer { op in
                matmul(w, xp.baseAddress!, tokens: T, op.baseAddress!, threads: threads, scratch: &scratch)
            }
        }
    }
}
