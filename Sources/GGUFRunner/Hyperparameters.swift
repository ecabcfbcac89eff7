import GGUFFormat

/// The hyper-parameters the forward pass needs, read from GGUF metadata (`ARCH.*` keys; the
/// architectures in ``Architecture``).
public struct Hyperparameters: Sendable, Equatable {
    /// `general.architecture`.
    public var architecture: Architecture = .llama
    /// Experts per MoE layer (`ARCH.expert_count`; 0: a dense FFN).
    public var expertCount = 0
    /// Experts used per token (`ARCH.expert_used_count`).
    public var expertUsedCount = 0
    /// The FFN width of one expert (`ARCH.expert_feed_forward_length`, else `feed_forward_length`).
    public var expertFeedForwardLength = 0
    /// Per-head key/query size (`ARCH.attention.key_length`, default n_embd / n_head).
    public var keyLength = 0
    public var vocabularySize: Int
    public var embeddingLength: Int
    public var layerCount: Int
    public var headCount: Int
    public var headCountKV: Int
    public var feedForwardLength: Int
    /// Training context length (`llama.context_length`).
    public var contextLength: Int
    /// Rotated dimensions per head (`llama.rope.dimension_count`, default head size).
    public var ropeDimensions: Int
    /// RMS-norm epsilon as llama.cpp keeps it: a Float.
    public var rmsEpsilon: Float
    /// RoPE frequency base (`llama.rope.freq_base`, default 10000).
    public var ropeFreqBase: Float
    /// RoPE frequency scale: 1 / `llama.rope.scaling.factor` for linear scaling, else 1.
    public var ropeFreqScale: Float
    /// Sliding-window attention (gemma2, gemma3): the window (`ARCH.attention.sliding_window`; 0: none) and which
    /// layers use it (llama.cpp's `is_swa`, from `sliding_window_pattern`: an array, or n with layer il sliding when
    /// il % n < n - 1).
    public var slidingWindow = 0
    public var slidingLayers: [Bool] = []
    /// RoPE base and scale of the sliding-window layers (`ARCH.rope.freq_base_swa`; gemma2: the global ones by
    /// default, gemma3: 10000 and scale 1).
    public var ropeFreqBaseSWA: Float = 10000
    public var ropeFreqScaleSWA: Float = 1
    /// Attention logit soft-cap (gemma2: `attn_logit_softcapping`, default 50) and final logit soft-cap (gemma2:
    /// `final_logit_softcapping`, default 30; gemma3 when the key is present): `cap · tanh(x / cap)`; 0 = none.
    public var attentionSoftcap: Float = 0
    public var finalSoftcap: Float = 0
    /// Scale of Q before attention, whose own scale is then 1 (gemma, gemma2, gemma3, phi3), else nil: attention's
    /// softmax scales by 1/sqrt(head size).
    public var queryScale: Float?
    /// RoPE's magnitude factor (`ARCH.rope.scaling.attn_factor`, phi3's LongRoPE; llama.cpp's `yarn_attn_factor`):
    /// cos and sin of every angle multiplied by it.
    public var ropeAttnFactor: Float = 1
    /// The training context before RoPE scaling (`ARCH.rope.scaling.original_context_length`, default the context
    /// length): phi3 takes `rope_factors_long` when the session's context, rounded up to 256 as llama.cpp's
    /// `n_ctx_seq`, exceeds it, else `rope_factors_short`.
    public var ropeOriginalContext = 0
    /// FFN width of qwen2moe's shared expert (`expert_shared_feed_forward_length`, default `feed_forward_length`).
    public var sharedExpertFeedForwardLength = 0

    /// Whether layer `il` uses sliding-window attention.
    public func isSliding(_ il: Int) -> Bool { slidingWindow > 0 && il < slidingLayers.count && slidingLayers[il] }

    public var headSize: Int { keyLength > 0 ? keyLength : embeddingLength / headCount }
    public var kvDimension: Int { headSize * headCountKV }
    /// Width of the query (and attention output) rows: head size × heads.
    public var queryDimension: Int { headSize * headCount }

    public init(vocabularySize: Int, embeddingLength: Int, layerCount: Int, headCount: Int, headCountKV: Int,
                feedForwardLength: Int, contextLength: Int, ropeDimensions: Int, rmsEpsilon: Float,
                ropeFreqBase: Float = 10000, ropeFreqScale: Float = 1) {
        self.vocabularySize = vocabularySize
        self.embeddingLength = embeddingLength
        self.layerCount = layerCount
        self.headCount = headCount
        self.headCountKV = headCountKV
        self.feedForwardLength = feedForwardLength
        self.contextLength = contextLength
        self.ropeDimensions = ropeDimensions
        self.rmsEpsilon = rmsEpsilon
        self.ropeFreqBase = ropeFreqBase
        self.ropeFreqScale = ropeFreqScale
    }

    /// Reads and checks the `ARCH.*` keys. `vocabularySize` comes from the token list (or token_embd).
    public init(metadata m: GGUFMetadata, vocabularySize: Int) throws(RunnerError) {
        let name = m.string("general.architecture") ?? "(none)"
        guard let arch = Architecture(rawValue: name) else { throw .unsupportedArchitecture(name) }
        let a = arch.rawValue
        func req(_ k: String) throws(RunnerError) -> Int {
            guard let v = m.int(a + "." + k) else { throw .badHyperparameter("\(a).\(k) is missing") }
            guard v > 0 else { throw .badHyperparameter("\(a).\(k) = \(v)") }
            return v
        }
        let nEmbd = try req("embedding_length")
        let nHead = try req("attention.head_count")
        let nHeadKV = m.int(a + ".attention.head_count_kv") ?? nHead
        guard nHeadKV > 0, nHead % nHeadKV == 0 else {
            throw .badHyperparameter("head_count \(nHead) is not a multiple of head_count_kv \(nHeadKV)")
        }
        let keyLength = m.int(a + ".attention.key_length") ?? 0
        let valueLength = m.int(a + ".attention.value_length") ?? keyLength
        guard keyLength >= 0, valueLength == keyLength else {
            throw .badHyperparameter("attention.key_length \(keyLength) and value_length \(valueLength) differ")
        }
        guard keyLength > 0 || nEmbd % nHead == 0 else { throw .badHyperparameter("embedding_length \(nEmbd) is not a multiple of head_count \(nHead)") }
        let headSize = keyLength > 0 ? keyLength : nEmbd / nHead
        let nRot = m.int(a + ".rope.dimension_count") ?? headSize
        guard nRot > 0, nRot <= headSize, nRot % 2 == 0 else { throw .badHyperparameter("rope.dimension_count \(nRot) with head size \(headSize)") }
        guard !arch.requiresFullRotation || nRot == headSize else {
            throw .badHyperparameter("\(a): rope.dimension_count \(nRot) must equal the head size \(headSize)")
        }
        guard let eps = m.double(a + ".attention.layer_norm_rms_epsilon"), eps >= 0 else {
            throw .badHyperparameter("\(a).attention.layer_norm_rms_epsilon is missing")
        }
        // llama.cpp: type defaults to linear; freq_scale = 1/factor (old key: rope.scale_linear) for any type.
        let scalingType = m.string(a + ".rope.scaling.type") ?? "linear"
        guard scalingType == "linear" || scalingType == "none" else {
            throw .badHyperparameter("RoPE scaling type '\(scalingType)' is not supported (only none and linear)")
        }
        let factor = m.double(a + ".rope.scaling.factor") ?? m.double(a + ".rope.scale_linear") ?? 0
        let scale: Float = factor == 0 ? 1 : 1 / Float(factor)
        let nFF = arch.alwaysMoE ? (m.int(a + ".feed_forward_length") ?? 0) : try req("feed_forward_length")
        self.init(vocabularySize: vocabularySize, embeddingLength: nEmbd, layerCount: try req("block_count"),
                  headCount: nHead, headCountKV: nHeadKV, feedForwardLength: nFF,
                  contextLength: m.int(a + ".context_length") ?? 2048, ropeDimensions: nRot,
                  rmsEpsilon: Float(eps), ropeFreqBase: Float(m.double(a + ".rope.freq_base") ?? 10000),
                  ropeFreqScale: scale)
        architecture = arch
        self.keyLength = keyLength
        // Experts (llama.cpp's generic keys; llama with experts is Mixtral's layout).
        let nExpert = m.int(a + ".expert_count") ?? 0
        let nUsed = m.int(a + ".expert_used_count") ?? 0
        if arch.alwaysMoE && nExpert == 0 { throw .badHyperparameter("\(a).expert_count is missing") }
        guard arch.allowsMoE || nExpert == 0 else { throw .badHyperparameter("\(a) has no experts, but \(a).expert_count = \(nExpert)") }
        if nExpert > 0 {
            guard nUsed > 0, nUsed <= nExpert else {
                throw .badHyperparameter("\(a).expert_used_count \(nUsed) with expert_count \(nExpert) (need 1...expert_count)")
            }
            guard nExpert <= 1024 else {
                // llama.cpp's LLAMA_MAX_EXPERTS.
                throw .badHyperparameter("\(a).expert_count \(nExpert): at most 1024 experts are supported")
            }
            let ffExp = m.int(a + ".expert_feed_forward_length") ?? nFF
            guard ffExp > 0 else { throw .badHyperparameter("\(a).expert_feed_forward_length is missing") }
            switch arch {
            case .qwen3moe: expertFeedForwardLength = ffExp
            // llama.cpp: n_ff_exp, else n_ff / n_expert_used.
            case .qwen2moe: expertFeedForwardLength = m.int(a + ".expert_feed_forward_length") ?? nFF / nUsed
            default: expertFeedForwardLength = nFF
            }
            guard expertFeedForwardLength > 0 else { throw .badHyperparameter("\(a).expert_feed_forward_length is missing") }
        }
        expertCount = nExpert
        expertUsedCount = nExpert > 0 ? nUsed : 0
        if arch == .qwen2moe {
            sharedExpertFeedForwardLength = m.int(a + ".expert_shared_feed_forward_length") ?? nFF
            guard sharedExpertFeedForwardLength > 0 else { throw .badHyperparameter("\(a).expert_shared_feed_forward_length is missing") }
        }
        try readGemmaAndPhi(m, arch)
    }

    /// The keys of gemma, gemma2, gemma3 and phi3 (llama.cpp's load_arch_hparams of each).
    private mutating func readGemmaAndPhi(_ m: GGUFMetadata, _ arch: Architecture) throws(RunnerError) {
        let a = arch.rawValue
        let hs = Float(headSize)
        ropeOriginalContext = m.int(a + ".rope.scaling.original_context_length") ?? contextLength
        ropeAttnFactor = Float(m.double(a + ".rope.scaling.attn_factor") ?? 1)
        switch arch {
        case .gemma:
            queryScale = 1 / hs.squareRoot()
        case .gemma2, .gemma3:
            // f_attention_scale: 27B (46 / 62 layers) scales by n_embd / n_head, the others by the head size.
            let big = (arch == .gemma2 && layerCount == 46) || (arch == .gemma3 && layerCount == 62)
            queryScale = 1 / (big ? Float(embeddingLength / headCount) : hs).squareRoot()
            if arch == .gemma2 {
                slidingWindow = m.int(a + ".attention.sliding_window") ?? 4096
                attentionSoftcap = Float(m.double(a + ".attn_logit_softcapping") ?? 50)
                finalSoftcap = Float(m.double(a + ".final_logit_softcapping") ?? 30)
                ropeFreqBaseSWA = ropeFreqBase
                ropeFreqScaleSWA = ropeFreqScale
            } else {
                slidingWindow = max(0, m.int(a + ".attention.sliding_window") ?? 0)
                finalSoftcap = Float(m.double(a + ".final_logit_softcapping") ?? 0)
            }
            if let b = m.double(a + ".rope.freq_base_swa") { ropeFreqBaseSWA = Float(b) }
            guard attentionSoftcap >= 0, finalSoftcap >= 0 else { throw .badHyperparameter("\(a): negative logit soft-capping") }
            if slidingWindow > 0 {
                let key = a + ".attention.sliding_window_pattern"
                if case .array(_, let values)? = m[key] {
                    let flags = values.compactMap { v -> Bool? in if case .bool(let b) = v { return b }; return nil }
                    guard flags.count == values.count, flags.count >= layerCount else {
                        throw .badHyperparameter("\(key) must hold \(layerCount) booleans")
                    }
                    slidingLayers = Array(flags.prefix(layerCount))
                } else {
                    let n = m.int(key) ?? (arch == .gemma2 ? 2 : 6)
                    guard n >= 0 else { throw .badHyperparameter("\(key) = \(n)") }
                    slidingLayers = (0..<layerCount).map { n == 0 || $0 % n < n - 1 }
                }
            }
        case .phi3:
            // llama.cpp disables phi3's sliding window (its key is read and ignored).
            queryScale = 1 / hs.squareRoot()
        default:
            break
        }
    }
}

/// The architectures the runner computes (`general.architecture`), each as llama.cpp's graph for it.
public enum Architecture: String, Sendable, CaseIterable {
    /// llama (and Mistral); with `llama.expert_count` the Mixtral MoE layout.
    case llama
    /// Qwen2: Q/K/V biases, NEOX RoPE.
    case qwen2
    /// Qwen3: per-head Q/K RMS norms before NEOX RoPE, no biases.
    case qwen3
    /// Qwen3-MoE: qwen3's attention, experts with renormalized weights.
    case qwen3moe
    /// Qwen2-MoE: qwen2's attention; experts (weights not renormalized) plus a shared expert with a sigmoid gate.
    case qwen2moe
    /// Gemma: embeddings × sqrt(n_embd), GELU FFN, Q scaled before attention, output tied to the embeddings.
    case gemma
    /// Gemma 2: gemma's, plus post-attention and post-FFN norms, attention and final logit soft-capping,
    /// sliding-window layers alternating with global ones.
    case gemma2
    /// Gemma 3: gemma 2's without attention soft-capping, with per-head Q/K norms; sliding layers (5 of 6) use
    /// their own RoPE base.
    case gemma3
    /// Phi-3: fused QKV (`attn_qkv`), fused gate-up (`ffn_up` of 2·n_ff), LongRoPE factors.
    case phi3

    /// Whether RoPE rotates pairs (i, i + n_rot/2) (llama.cpp's `LLAMA_ROPE_TYPE_NEOX`) rather than adjacent pairs.
    public var ropeNeox: Bool { self != .llama }
    /// Whether the attention has per-head Q/K RMS norms (`attn_q_norm`, `attn_k_norm`).
    var hasQKNorm: Bool { self == .qwen3 || self == .qwen3moe || self == .gemma3 }
    var allowsMoE: Bool { self == .llama || self == .qwen3moe || self == .qwen2moe }
    var alwaysMoE: Bool { self == .qwen3moe || self == .qwen2moe }
    /// Whether llama.cpp asserts n_rot = head size.
    var requiresFullRotation: Bool { [.qwen2, .qwen3, .qwen3moe, .qwen2moe].contains(self) }
    var isGemma: Bool { self == .gemma || self == .gemma2 || self == .gemma3 }
    /// Whether the FFN's activation is GELU (`geglu`: ggml's F16 table) rather than SiLU.
    var usesGELU: Bool { isGemma }
    /// Post-attention and post-FFN RMS norms (`post_attention_norm`, `post_ffw_norm`).
    var hasPostNorms: Bool { self == .gemma2 || self == .gemma3 }

    /// The supported names, for error lines.
    public static var supportedList: String { allCases.map { "'\($0.rawValue)'" }.joined(separator: ", ") }
}
