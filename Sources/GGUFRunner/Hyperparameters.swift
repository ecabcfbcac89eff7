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
        guard arch == .llama || nRot == headSize else {
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
        let nFF = arch == .qwen3moe ? (m.int(a + ".feed_forward_length") ?? 0) : try req("feed_forward_length")
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
            guard nExpert <= 16 else {
                // llama.cpp's argsort (std::sort) keeps equal router probabilities in index order only up to 16.
                throw .badHyperparameter("\(a).expert_count \(nExpert): at most 16 experts are supported")
            }
            let ffExp = m.int(a + ".expert_feed_forward_length") ?? nFF
            guard ffExp > 0 else { throw .badHyperparameter("\(a).expert_feed_forward_length is missing") }
            expertFeedForwardLength = arch == .qwen3moe ? ffExp : nFF
        }
        expertCount = nExpert
        expertUsedCount = nExpert > 0 ? nUsed : 0
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

    /// Whether RoPE rotates pairs (i, i + n_rot/2) (llama.cpp's `LLAMA_ROPE_TYPE_NEOX`) rather than adjacent pairs.
    public var ropeNeox: Bool { self != .llama }
    /// Whether the attention has per-head Q/K RMS norms (`attn_q_norm`, `attn_k_norm`).
    var hasQKNorm: Bool { self == .qwen3 || self == .qwen3moe }
    var allowsMoE: Bool { self == .llama || self == .qwen3moe }
    var alwaysMoE: Bool { self == .qwen3moe }

    /// The supported names, for error lines.
    public static var supportedList: String { allCases.map { "'\($0.rawValue)'" }.joined(separator: ", ") }
}
