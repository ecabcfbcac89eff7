import GGUFFormat

/// The model's shape, as the memory estimate and the mix match need it.
///
/// GGUF: from `ARCH.*` keys, with the tensor shapes filling what is missing. GGML era: from the seven
/// stored hyper-parameters, the KV head count from `wk`'s shape and the feed-forward length from `w1`'s.
public struct Hyperparameters: Sendable, Equatable {
    public var architecture: String
    /// Training context length (`ARCH.context_length`); `nil` when the file does not say (GGML era).
    public var contextLength: Int?
    public var nEmbd: Int
    public var nLayer: Int
    public var nHead: Int
    public var nHeadKV: Int
    public var nFF: Int
    public var nVocab: Int
    /// Per-head key and value sizes (`attention.key_length` / `value_length`, else `n_embd / n_head`).
    public var headDimK: Int
    public var headDimV: Int
    public var ropeDimensions: Int?
    public var rmsEpsilon: Double?
    public var ropeFreqBase: Double?

    /// Sliding-window attention as llama.cpp reads it for the architectures GGUFRunner runs (gemma2: window 4096 by
    /// default, every 2nd layer global; gemma3: when `attention.sliding_window` > 0, pattern 6; `sliding_window_pattern`
    /// as an array or a number): the window (0: none) and how many layers slide.
    public var slidingWindow = 0
    public var slidingLayers = 0
    /// Experts per MoE layer and used per token (`expert_count`, `expert_used_count`; 0 when dense).
    public var nExpert = 0
    public var nExpertUsed = 0
    /// One expert's FFN width (`expert_feed_forward_length`, else `ffn_gate_exps`' rows, else `feed_forward_length`).
    public var nFFExp = 0

    /// `n_embd_k_gqa`: the K row of one token in one layer.
    public var nEmbdKGQA: Int { headDimK * nHeadKV }
    public var nEmbdVGQA: Int { headDimV * nHeadKV }

    init(gguf md: GGUFMetadata, tensors: [TensorEntry]) {
        let arch = md.string("general.architecture") ?? "llama"
        architecture = arch
        func int(_ k: String) -> Int? { md.int("\(arch).\(k)") }
        func shape(_ name: String, _ d: Int) -> Int? {
            guard let t = tensors.first(where: { $0.name == name }), t.ne.count > d else { return nil }
            return t.ne[d]
        }
        contextLength = int("context_length")
        nEmbd = int("embedding_length") ?? shape("token_embd.weight", 0) ?? 0
        nLayer = int("block_count") ?? (tensors.compactMap { LlamaTensorNames.layer(ofGGUF: $0.name) }.max().map { $0 + 1 } ?? 0)
        nHead = max(int("attention.head_count") ?? 1, 1)
        let hk = int("attention.head_count_kv")
        headDimK = int("attention.key_length") ?? (nEmbd / nHead)
        headDimV = int("attention.value_length") ?? (nEmbd / nHead)
        if let hk {
            nHeadKV = hk
        } else if let rows = shape("blk.0.attn_k.weight", 1), headDimK > 0 {
            nHeadKV = rows / headDimK
        } else {
            nHeadKV = nHead
        }
        nFF = int("feed_forward_length") ?? shape("blk.0.ffn_gate.weight", 1) ?? shape("blk.0.ffn_up.weight", 1) ?? 0
        nVocab = md["tokenizer.ggml.tokens"]?.arrayValue?.count ?? int("vocab_size") ?? shape("token_embd.weight", 1) ?? 0
        ropeDimensions = int("rope.dimension_count")
        rmsEpsilon = md.double("\(arch).attention.layer_norm_rms_epsilon")
        ropeFreqBase = md.double("\(arch).rope.freq_base")
        nExpert = max(0, int("expert_count") ?? 0)
        nExpertUsed = max(0, int("expert_used_count") ?? 0)
        nFFExp = int("expert_feed_forward_length") ?? shape("blk.0.ffn_gate_exps.weight", 1) ?? nFF
        let window: Int? = arch == "gemma2" ? (int("attention.sliding_window") ?? 4096)
            : arch == "gemma3" ? int("attention.sliding_window") : nil
        if let window, window > 0 {
            slidingWindow = window
            if case .array(_, let values)? = md["\(arch).attention.sliding_window_pattern"] {
                slidingLayers = values.prefix(nLayer).filter { $0 == .bool(true) }.count
            } else {
                let n = int("attention.sliding_window_pattern") ?? (arch == "gemma2" ? 2 : 6)
                slidingLayers = n <= 0 ? nLayer : (0..<nLayer).filter { $0 % n < n - 1 }.count
            }
        }
    }

    init(ggml f: GGMLFile) {
        let hp = f.hparams
        architecture = "llama"
        contextLength = nil
        nEmbd = hp.nEmbd
        nLayer = hp.nLayer
        nHead = hp.nHead
        headDimK = hp.nEmbd / hp.nHead
        headDimV = headDimK
        if let wk = f.tensor("layers.0.attention.wk.weight"), wk.ne.count == 2, headDimK > 0, wk.ne[1] % headDimK == 0 {
            nHeadKV = wk.ne[1] / headDimK
        } else {
            nHeadKV = hp.nHead
        }
        nFF = f.tensor("layers.0.feed_forward.w1.weight").flatMap { $0.ne.count == 2 ? $0.ne[1] : nil } ?? 0
        nVocab = hp.nVocab
        ropeDimensions = hp.nRot
        rmsEpsilon = nil
        ropeFreqBase = nil
    }
}
