/// What `ggufkit convert` needs beyond the GGML file itself: the hyper-parameters GGML never stored.
public struct ConvertOptions: Sendable {
    /// `general.name`; default: the input file's name (as llama.cpp's converter does).
    public var name: String?
    /// `general.description`; default: `converted from legacy GGJTv3 MOSTLY_Q4_K_M format`.
    public var description: String?
    /// Grouped-query factor n_head / n_head_kv (8 for Llama-2 70B). Default: detected from the
    /// shape of `layers.0.attention.wk.weight`.
    public var gqa: Int?
    /// RMS-norm epsilon. Default 5e-6 (llama.cpp's converter); LLaMA-1 used 1e-6, Llama-2 1e-5.
    public var eps: Double?
    /// Training context length. Default 2048 (llama.cpp's converter); Llama-2 is 4096.
    public var contextLength: Int?
    /// The original model's folder: tokenizer.model or tokenizer.json, config.json, special-token files.
    public var vocabDir: String?
    /// RoPE frequency base (`llama.rope.freq_base`), e.g. 1e6 for CodeLlama.
    public var ropeFreqBase: Double?
    /// Linear RoPE frequency scale (0.25 for SuperHOT-8k); written as `llama.rope.scaling.factor` = 1/scale.
    public var ropeFreqScale: Double?
    /// Write `general.quantization_version` = 2 when any tensor is quantized (the GGUF spec asks for it;
    /// llama.cpp's converter does not write it).
    public var writeQuantizationVersion = true

    public init() {}
}
