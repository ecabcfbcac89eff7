import ArgumentParser
import GGUFModel

/// The hyper-parameters a GGML-era file never stored; shared by every command that reads such files.
struct GGMLOptions: ParsableArguments {
    @Option(help: "GGML input: grouped-query factor n_head/n_head_kv (8 for Llama-2 70B). Default: detected.")
    var gqa: Int?
    @Option(help: "GGML input: RMS-norm epsilon (1e-6 for LLaMA-1, 1e-5 for Llama-2). Default: 5e-6, as llama.cpp.")
    var eps: Double?
    @Option(name: [.customLong("context-length")], help: "GGML input: training context length. Default: 2048.")
    var contextLength: Int?
    @Option(name: .customLong("vocab-dir"), help: "GGML input: the original model's folder (tokenizer.model or tokenizer.json, config.json, special-token files).")
    var vocabDir: String?
    @Option(name: .customLong("rope-freq-base"), help: "GGML input: RoPE frequency base (1e6 for CodeLlama).")
    var ropeFreqBase: Double?
    @Option(name: .customLong("rope-freq-scale"), help: "GGML input: linear RoPE frequency scale (0.25 for SuperHOT-8k models).")
    var ropeFreqScale: Double?

    var convertOptions: ConvertOptions {
        var o = ConvertOptions()
        o.gqa = gqa
        o.eps = eps
        o.contextLength = contextLength
        o.vocabDir = vocabDir
        o.ropeFreqBase = ropeFreqBase
        o.ropeFreqScale = ropeFreqScale
        return o
    }
}
