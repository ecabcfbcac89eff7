import GGUFFormat

/// A Hugging Face architecture the converter knows: how its config and tensors become GGUF, following
/// the model class llama.cpp's `convert_hf_to_gguf.py` registers for it.
public struct HFArchitecture: Sendable {
    /// The `architectures[0]` name of config.json.
    public var hfName: String
    /// `general.architecture`.
    public var ggufName: String
    /// Defaults transformers' config class fills in when config.json lacks the key.
    var defaults: [(String, JSONNode)]
    /// Whether Q/K rows are permuted to ggml's RoPE layout (llama's `undo_permute`).
    var permuteQK: Bool
    /// Whether transformers' config class sets a missing `head_dim` to hidden_size / num_attention_heads
    /// (else it stays null, and no key_length/value_length is written).
    var fillsHeadDim = true
    /// LlamaModel's extra keys: `vocab_size` and `rope.dimension_count`.
    var llamaKeys = true
    /// GemmaModel: its own hyper-parameter keys, RMS-norm weights stored as w - 1 (so 1 is added), no lm_head,
    /// CodeGemma's special tokens and no space prefix.
    var gemma = false

    /// Every architecture `ggufkit convert` reads.
    public static let all: [HFArchitecture] = [
        HFArchitecture(hfName: "LlamaForCausalLM", ggufName: "llama",
                       defaults: [("vocab_size", .int(32000)), ("max_position_embeddings", .int(2048)),
                                  ("rms_norm_eps", .double(1e-6)), ("rope_theta", .double(10000))],
                       permuteQK: true),
        HFArchitecture(hfName: "MistralForCausalLM", ggufName: "llama",
                       defaults: [("vocab_size", .int(32000)), ("max_position_embeddings", .int(4096 * 32)),
                                  ("rms_norm_eps", .double(1e-6)), ("rope_theta", .double(10000))],
                       permuteQK: true),
        HFArchitecture(hfName: "MixtralForCausalLM", ggufName: "llama",
                       defaults: [("vocab_size", .int(32000)), ("max_position_embeddings", .int(4096 * 32)),
                                  ("rms_norm_eps", .double(1e-5)), ("rope_theta", .double(1e6)),
                                  ("num_local_experts", .int(8)), ("num_experts_per_tok", .int(2))],
                       permuteQK: true, fillsHeadDim: false),
        HFArchitecture(hfName: "Qwen2ForCausalLM", ggufName: "qwen2",
                       defaults: [("vocab_size", .int(151936)), ("max_position_embeddings", .int(32768)),
                                  ("rms_norm_eps", .double(1e-6)), ("rope_theta", .double(10000)), ("num_key_value_heads", .int(32))],
                       permuteQK: false, fillsHeadDim: false, llamaKeys: false),
        HFArchitecture(hfName: "Qwen3ForCausalLM", ggufName: "qwen3",
                       defaults: [("vocab_size", .int(151936)), ("max_position_embeddings", .int(32768)),
                                  ("rms_norm_eps", .double(1e-6)), ("rope_theta", .double(10000)), ("num_key_value_heads", .int(32)),
                                  ("head_dim", .int(128))],
                       permuteQK: false, fillsHeadDim: false, llamaKeys: false),
        HFArchitecture(hfName: "GemmaForCausalLM", ggufName: "gemma",
                       defaults: [("vocab_size", .int(256000)), ("max_position_embeddings", .int(8192)),
                                  ("rms_norm_eps", .double(1e-6)), ("rope_theta", .double(10000)), ("num_key_value_heads", .int(16)),
                                  ("head_dim", .int(256))],
                       permuteQK: false, fillsHeadDim: false, llamaKeys: false, gemma: true),
    ]

    public static var supportedNames: [String] { all.map(\.hfName) }

    public static func named(_ name: String) -> HFArchitecture? { all.first { $0.hfName == name } }

    /// The GGUF name of an HF tensor base name (without `.weight`/`.bias`), as gguf-py's `TensorNameMap`
    /// maps it for the llama architecture; nil when it has none.
    static func llamaTensorName(_ base: String) -> String? {
        switch base {
        case "model.embed_tokens": return "token_embd"
        case "lm_head": return "output"
        case "model.norm": return "output_norm"
        default: break
        }
        let parts = base.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        // model.layers.N.<rest> or layers.N.<rest> (merged experts)
        let offset: Int
        if parts.count > 3, parts[0] == "model", parts[1] == "layers", Int(parts[2]) != nil { offset = 2 }
        else if parts.count > 2, parts[0] == "layers", Int(parts[1]) != nil { offset = 1 }
        else { return nil }
        let bid = parts[offset]
        let rest = parts[(offset + 1)...].joined(separator: ".")
        let table: [String: String] = [
            "input_layernorm": "attn_norm",
            "self_attn.q_proj": "attn_q",
            "self_attn.k_proj": "attn_k",
            "self_attn.v_proj": "attn_v",
            "self_attn.o_proj": "attn_output",
            "self_attn.rotary_emb.inv_freq": "attn_rot_embd",
            "self_attn.q_norm": "attn_q_norm",
            "self_attn.k_norm": "attn_k_norm",
            "post_attention_layernorm": "ffn_norm",
            "mlp.gate_proj": "ffn_gate",
            "mlp.up_proj": "ffn_up",
            "mlp.down_proj": "ffn_down",
            "block_sparse_moe.gate": "ffn_gate_inp",
            "feed_forward.experts.w1": "ffn_gate_exps",
            "feed_forward.experts.w2": "ffn_down_exps",
            "feed_forward.experts.w3": "ffn_up_exps",
        ]
        guard offset == 2 || rest.hasPrefix("feed_forward.experts.") else { return nil }
        return table[rest].map { "blk.\(bid).\($0)" }
    }
}
