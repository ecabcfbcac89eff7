import GGUFFormat

/// A 2-D weight in the mapped file: `rows` rows of `cols` values of `type`, rows `rowBytes` apart.
struct Weight: @unchecked Sendable {
    let name: String
    let type: GGMLType
    let cols: Int
    let rows: Int
    let rowBytes: Int
    let data: UnsafeRawPointer
    let kernel: any WeightKernel

    func row(_ r: Int) -> UnsafeRawPointer { data + r * rowBytes }
}

/// A 1-D F32 weight (norms), copied out of the file.
struct NormWeight: Sendable {
    let values: [Float]
}

/// A 3-D expert weight (`ffn_*_exps`): `count` matrices of `rows` rows of `cols` values, one after another.
struct ExpertWeights: @unchecked Sendable {
    let name: String
    let type: GGMLType
    let cols: Int
    let rows: Int
    let count: Int
    let rowBytes: Int
    let data: UnsafeRawPointer
    let kernel: any WeightKernel

    /// Expert `e`'s matrix.
    func expert(_ e: Int) -> UnsafeRawPointer { data + e * rows * rowBytes }
}

/// One transformer block's weights.
struct LayerWeights: Sendable {
    let attnNorm: NormWeight
    let wq, wk, wv, wo: Weight
    /// Q/K/V biases (qwen2), added after the matmuls.
    let qBias, kBias, vBias: NormWeight?
    /// Per-head Q/K RMS-norm weights (qwen3), applied before RoPE.
    let qNorm, kNorm: NormWeight?
    let ffnNorm: NormWeight
    let ffn: FeedForward
}

/// A block's feed-forward network: one SwiGLU FFN, or routed experts.
enum FeedForward: Sendable {
    case dense(gate: Weight, up: Weight, down: Weight)
    case experts(MoEWeights)
}

/// A mixture-of-experts FFN: the router and the 3-D expert weights.
struct MoEWeights: Sendable {
    /// `ffn_gate_inp`: n_expert rows of n_embd (the router).
    let router: Weight
    let gate, up, down: ExpertWeights
    /// Experts used per token.
    let used: Int
    /// Whether the selected probabilities are divided by their sum (llama.cpp's `norm_w`).
    let normalize: Bool
}
