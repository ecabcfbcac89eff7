import GGUFFormat

/// The part a weight plays, as far as the mix rules care (`tensor_category` in `llama-quant.cpp`).
///
/// Both GGUF names (`blk.0.attn_v.weight`) and GGML-era names (`layers.0.attention.wv.weight`) are recognized.
public enum TensorRole: Sendable, Equatable {
    case output, tokenEmbedding
    /// `attn_v`, and the fused `attn_qkv` / `attn_kv_b`, which current llama.cpp treats alike.
    case attentionV
    case attentionK, attentionQ, attentionOutput
    case ffnUp, ffnGate, ffnDown
    case other

    /// Classifies a tensor name with llama.cpp's checks, in its order (exact names first, then substrings).
    public init(name: String) {
        self.init(bytes: Array(name.utf8))
    }

    init(bytes name: [UInt8]) {
        if name == Self.outputName { self = .output; return }
        if Self.embeddingNames.contains(name) { self = .tokenEmbedding; return }
        for (needles, role) in Self.substrings where needles.contains(where: { name.containsBytes($0) }) {
            self = role
            return
        }
        self = .other
    }

    static let outputName = Array("output.weight".utf8)
    static let embeddingNames: Set<[UInt8]> = Set(["token_embd.weight", "per_layer_token_embd.weight",
                                                   "tok_embeddings.weight"].map { Array($0.utf8) })

    /// Substring checks in `tensor_get_category` order; the second spelling is the GGML-era name.
    static let substrings: [([[UInt8]], TensorRole)] = ([
        (["attn_qkv.weight", "attn_kv_b.weight"], .attentionV),
        (["attn_v.weight", "attention.wv.weight"], .attentionV),
        (["attn_k.weight", "attention.wk.weight"], .attentionK),
        (["attn_q.weight", "attention.wq.weight"], .attentionQ),
        (["attn_output.weight", "attention.wo.weight"], .attentionOutput),
        (["ffn_up", "feed_forward.w3"], .ffnUp),
        (["ffn_gate", "feed_forward.w1"], .ffnGate),
        (["ffn_down", "feed_forward.w2"], .ffnDown),
    ] as [([String], TensorRole)]).map { ($0.0.map { Array($0.utf8) }, $0.1) }
}

extension Array where Element == UInt8 {
    /// Byte-wise substring test (`std::string::find != npos`).
    func containsBytes(_ needle: [UInt8]) -> Bool {
        let n = count, m = needle.count
        guard m <= n else { return false }
        if m == 0 { return true }
        return withUnsafeBufferPointer { h in
            needle.withUnsafeBufferPointer { s in
                let first = s[0]
                var i = 0
                while i <= n - m {
                    if h[i] == first {
                        var j = 1
                        while j < m && h[i + j] == s[j] { j += 1 }
                        if j == m { return true }
                    }
                    i += 1
                }
                return false
            }
        }
    }
}

/// The facts about the model that the rules read, as `llama_model_base::load_hparams` reads them.
public struct MixModel: Sendable, Equatable {
    /// `general.architecture` (`llama` for GGML-era files).
    public var architecture: String
    /// `hparams.n_layer_all`: `block_count` (times `num_loops` for nanbeige; plus the router layer for graniteswitch).
    public var nLayer: Int
    /// `hparams.n_layer()`: `nLayer` less the MTP (`nextn_predict_layers`) layers; what the 70B test reads.
    public var nLayerMain: Int
    /// `attention.head_count` of layer 0 (a per-layer array gives its first element).
    public var nHead: Int
    /// `attention.head_count_kv` of layer 0 (equal to `nHead` when absent).
    public var nHeadKV: Int
    /// `expert_count` (0 for dense models).
    public var nExpert: Int

    public init(nLayer: Int, nHead: Int, nHeadKV: Int? = nil, nExpert: Int = 0, architecture: String = "llama",
                nLayerMain: Int? = nil) {
        self.architecture = architecture
        self.nLayer = nLayer
        self.nLayerMain = nLayerMain ?? nLayer
        self.nHead = nHead
        self.nHeadKV = nHeadKV ?? nHead
        self.nExpert = nExpert
    }

    /// Query heads per KV head (`hparams.n_gqa()`), 0 when `nHeadKV` is 0.
    public var nGQA: Int { nHeadKV == 0 ? 0 : nHead / nHeadKV }

    /// llama.cpp's `LLM_TYPE_70B`, which only some architectures' `load_arch_hparams` assign: llama with 80
    /// layers and grouped-query attention (no experts; 80 without GQA is 65B), qwen2, deci and olmo with 80
    /// layers, jais2 with 68.
    public var is70B: Bool {
        switch architecture {
        case "llama": return nExpert != 8 && nLayerMain == 80 && nHead != nHeadKV
        case "qwen2", "deci", "olmo": return nLayerMain == 80
        case "jais2": return nLayerMain == 68
        default: return false
        }
    }

    /// Whether `llama-quantize` (llama.cpp 0c1e570) loads models of this architecture at all.
    public var isKnownArchitecture: Bool { LlamaArchitectures.known.contains(architecture) }
}

/// `use_more_bits`: the first and last eighth of the layers and every third one in between.
@inline(__always)
func useMoreBits(_ i: Int, _ n: Int) -> Bool {
    i < n / 8 || i >= 7 * n / 8 || (i - n / 8) % 3 == 2
}

/// One cell of the 2023 mix table: how a tensor of a role is typed in layer `i` of `n`.
enum LayerRule: Sendable, Equatable {
    /// Leave the default type.
    case keep
    /// Always this type.
    case always(GGMLType)
    /// `then` where ``useMoreBits(_:_:)`` holds, else the default.
    case moreBits(GGMLType)

    func apply(to type: GGMLType, i: Int, n: Int) -> GGMLType {
        switch self {
        case .keep: return type
        case .always(let t): return t
        case .moreBits(let t): return useMoreBits(i, n) ? t : type
        }
    }
}

/// One row of the 2023 mix table: the rules of one target for the three roles that ever differ.
struct MixRow: Sendable, Equatable {
    var attentionV: LayerRule = .keep
    var attentionOutput: LayerRule = .keep
    var ffnDown: LayerRule = .keep

    static let plain = MixRow()
}

/// The 2023 table (the current rules are ``CurrentRules``). Targets not listed keep their default type for these roles.
enum MixTable {
    /// `llama_model_quantize_internal@dadbed9` (QK_K = 256).
    static let v2023: [QuantizeTarget: MixRow] = [
        .q2_K: MixRow(attentionV: .always(.q4_K), attentionOutput: .always(.q4_K), ffnDown: .always(.q4_K)),
        .q3_K_M: MixRow(attentionV: .always(.q4_K), attentionOutput: .always(.q4_K), ffnDown: .always(.q4_K)),
        .q3_K_L: MixRow(attentionV: .always(.q5_K), attentionOutput: .always(.q5_K), ffnDown: .always(.q5_K)),
        .q4_K_M: MixRow(attentionV: .moreBits(.q6_K), ffnDown: .moreBits(.q6_K)),
        .q5_K_M: MixRow(attentionV: .moreBits(.q6_K), ffnDown: .moreBits(.q6_K)),
    ]
}
