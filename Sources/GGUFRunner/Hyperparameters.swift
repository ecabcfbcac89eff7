import GGUFFormat

/// The llama hyper-parameters the forward pass needs, read from GGUF metadata (`llama.*` keys).
public struct Hyperparameters: Sendable, Equatable {
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

    public var headSize: Int { embeddingLength / headCount }
    public var kvDimension: Int { headSize * headCountKV }

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

    /// Reads and checks the `llama.*` keys. `vocabularySize` comes from the token list (or token_embd).
    public init(metadata m: GGUFMetadata, vocabularySize: Int) throws(RunnerError) {
        let arch = m.string("general.architecture") ?? "(none)"
        guard arch == "llama" else { throw .unsupportedArchitecture(arch) }
        func req(_ k: String) throws(RunnerError) -> Int {
            guard let v = m.int("llama." + k) else { throw .badHyperparameter("llama.\(k) is missing") }
            guard v > 0 else { throw .badHyperparameter("llama.\(k) = \(v)") }
            return v
        }
        let nEmbd = try req("embedding_length")
        let nHead = try req("attention.head_count")
        let nHeadKV = m.int("llama.attention.head_count_kv") ?? nHead
        guard nHeadKV > 0, nHead % nHeadKV == 0 else {
            throw .badHyperparameter("head_count \(nHead) is not a multiple of head_count_kv \(nHeadKV)")
        }
        guard nEmbd % nHead == 0 else { throw .badHyperparameter("embedding_length \(nEmbd) is not a multiple of head_count \(nHead)") }
        let headSize = nEmbd / nHead
        let nRot = m.int("llama.rope.dimension_count") ?? headSize
        guard nRot > 0, nRot <= headSize, nRot % 2 == 0 else { throw .badHyperparameter("rope.dimension_count \(nRot) with head size \(headSize)") }
        guard let eps = m.double("llama.attention.layer_norm_rms_epsilon"), eps >= 0 else {
            throw .badHyperparameter("llama.attention.layer_norm_rms_epsilon is missing")
        }
        // llama.cpp: type defaults to linear; freq_scale = 1/factor (old key: rope.scale_linear) for any type.
        let scalingType = m.string("llama.rope.scaling.type") ?? "linear"
        guard scalingType == "linear" || scalingType == "none" else {
            throw .badHyperparameter("RoPE scaling type '\(scalingType)' is not supported (only none and linear)")
        }
        let factor = m.double("llama.rope.scaling.factor") ?? m.double("llama.rope.scale_linear") ?? 0
        let scale: Float = factor == 0 ? 1 : 1 / Float(factor)
        self.init(vocabularySize: vocabularySize, embeddingLength: nEmbd, layerCount: try req("block_count"),
                  headCount: nHead, headCountKV: nHeadKV, feedForwardLength: try req("feed_forward_length"),
                  contextLength: m.int("llama.context_length") ?? 2048, ropeDimensions: nRot,
                  rmsEpsilon: Float(eps), ropeFreqBase: Float(m.double("llama.rope.freq_base") ?? 10000),
                  ropeFreqScale: scale)
    }
}
