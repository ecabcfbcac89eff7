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
    let qkv: QKVWeights
    let wo: Weight
    /// Q/K/V biases (qwen2), added after the matmuls (with a fused QKV: one bias over the fused row).
    let qBias, kBias, vBias: NormWeight?
    /// Per-head Q/K RMS-norm weights (qwen3, gemma3), applied before RoPE.
    let qNorm, kNorm: NormWeight?
    /// gemma2/gemma3: RMS norm of the attention output before the residual add.
    let postAttnNorm: NormWeight?
    let ffnNorm: NormWeight
    let ffn: FeedForward
    /// gemma2/gemma3: RMS norm of the FFN output before the residual add.
    let postFFNNorm: NormWeight?
}

/// The Q, K and V projections: three matrices, or one fused `attn_qkv` whose rows are Q's, then K's, then V's.
enum QKVWeights: Sendable {
    case separate(q: Weight, k: Weight, v: Weight)
    case fused(Weight)
}

/// A block's feed-forward network: one gated FFN (SwiGLU or GEGLU, as the architecture says), phi3's fused gate-up
/// (`ffn_up` of 2·n_ff rows: the gate's, then the up's), or routed experts.
enum FeedForward: Sendable {
    case dense(gate: Weight, up: Weight, down: Weight)
    case fusedGateUp(gateUp: Weight, down: Weight)
    case experts(MoEWeights)
}

/// qwen2moe's shared expert: a SwiGLU FFN added to the experts' output, scaled per token by
/// sigmoid(`ffn_gate_inp_shexp` · x).
struct SharedExpert: Sendable {
    let gateInp: Weight
    let gate, up, down: Weight
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
    /// qwen2moe's shared expert.
    let shared: SharedExpert?
}
