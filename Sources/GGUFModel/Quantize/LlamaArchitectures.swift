import GGUFFormat

/// The architectures `llama-quantize` accepts, and how it reads the hyper-parameters its rules use.
public enum LlamaArchitectures {
    /// `general.architecture` values that `llama_model_mapping` (src/llama-model.cpp at 0c1e570) creates a
    /// model for; any other value makes `llama-quantize` stop with "unknown model architecture".
    public static let known: Set<String> = [
        "clip", "llama", "llama4", "llama-embed", "maincoder", "talkie", "deci", "baichuan", "falcon", "grok",
        "starcoder", "refact", "bert", "jina-bert-v2", "jina-bert-v3", "nomic-bert", "nomic-bert-moe",
        "modern-bert", "neo-bert", "eurobert", "bloom", "mpt", "stablelm", "mellum", "nanbeige", "qwen", "qwen2",
        "dream", "llada", "llada-moe", "rnd1", "qwen2vl", "qwen2moe", "qwen3", "qwen3moe", "qwen3vl",
        "qwen3vlmoe", "qwen3tts", "pockettts", "phi2", "phi3", "phimoe", "plamo", "plamo2", "plamo3", "gpt2",
        "codeshell", "orion", "internlm2", "minicpm3", "gemma", "gemma2", "gemma3", "gemma3n", "gemma4",
        "gemma4-assistant", "gemma-embedding", "starcoder2", "mamba", "mamba2", "maple", "jamba", "xverse",
        "command-r", "cohere2", "cohere2moe", "dbrx", "olmo", "olmo2", "olmoe", "muse-glimmer", "openelm",
        "gptneox", "arctic", "deepseek", "deepseek2", "deepseek2-ocr", "deepseek32", "dots3note", "deepseek4",
        "glm-dsa", "mistral4", "chatglm", "glm4", "glm4moe", "bitnet", "t5", "t5encoder", "jais", "jais2",
        "nemotron", "nemotron_h", "nemotron_h_moe", "exaone", "exaone4", "exaone-moe", "rwkv6", "rwkv6qwen2",
        "rwkv7", "arwkv7", "granite", "granitemoe", "graniteswitch", "minicpm", "granitehybrid", "granite_swa",
        "chameleon", "wavtokenizer-dec", "plm", "bailingmoe", "bailingmoe2", "bailingmoe3", "seed_oss", "dots1",
        "arcee", "afmoe", "laguna", "ernie4_5", "ernie4_5-moe", "paddleocr", "hunyuan-moe", "hunyuan_vl",
        "hunyuan-dense", "hy_v3", "hy_v4", "smollm3", "gpt-oss", "falcon-h1", "lfm2", "lfm2moe", "smallthinker",
        "grovemoe", "apertus", "minimax-01", "minimax-m2", "minimax-m3", "hrm_text", "cogvlm", "pangu-embedded",
        "qwen3next", "qwen35", "qwen35moe", "qwen4exp", "mistral3", "eagle3", "dflash", "mimo2", "kimi-linear",
        "kimi-k3", "glm5-next", "step35", "spark2_5",
    ]

    /// Errors in the hyper-parameters the rules need.
    public enum HParamError: Error, Equatable, Sendable, CustomStringConvertible {
        case missingKey(String)
        case wrongArrayLength(key: String, expected: Int, got: Int)
        case outOfRange(key: String, value: Int)

        public var description: String {
            switch self {
            case .missingKey(let k): return "the metadata has no \(k) (llama.cpp requires it)"
            case .wrongArrayLength(let k, let e, let g): return "\(k) has the wrong array length: expected \(e) (one per layer), got \(g)"
            case .outOfRange(let k, let v): return "\(k) = \(v) is out of range"
            }
        }
    }

    /// `LLAMA_MAX_LAYERS` and `LLAMA_MAX_EXPERTS`.
    static let maxLayers = 512, maxExperts = 512

    /// Reads the hyper-parameters the mix rules use from GGUF metadata, as `load_hparams` reads them:
    /// `block_count` (required), `nextn_predict_layers`, `expert_count`, `attention.head_count` and
    /// `attention.head_count_kv` (a number, or an array of one per layer whose first element is used).
    public static func mixModel(_ m: GGUFMetadata) throws(HParamError) -> MixModel {
        let arch = m.string("general.architecture") ?? "llama"
        func key(_ k: String) -> String { "\(arch).\(k)" }
        guard let blocks = m.int(key("block_count")) else { throw .missingKey(key("block_count")) }
        guard blocks > 0, blocks <= maxLayers else { throw .outOfRange(key: key("block_count"), value: blocks) }
        let nextn = m.int(key("nextn_predict_layers")) ?? 0
        guard nextn >= 0, nextn <= blocks else { throw .outOfRange(key: key("nextn_predict_layers"), value: nextn) }
        let experts = m.int(key("expert_count")) ?? 0
        guard experts >= 0, experts <= maxExperts else { throw .outOfRange(key: key("expert_count"), value: experts) }
        let heads = try perLayer(m, key("attention.head_count"), layers: blocks) ?? 0
        let kv = try perLayer(m, key("attention.head_count_kv"), layers: blocks) ?? heads
        var nExpert = experts
        if (arch == "hunyuan_vl" || arch == "hunyuan-dense") && nExpert <= 1 { nExpert = 0 }
        var nLayer = blocks
        let main = blocks - nextn
        if arch == "nanbeige", let loops = m.int(key("num_loops")), loops > 1 { nLayer = main * loops }
        if arch == "graniteswitch" { nLayer = main + 1 }
        return MixModel(nLayer: nLayer, nHead: heads, nHeadKV: kv, nExpert: nExpert, architecture: arch, nLayerMain: main)
    }

    /// `get_key_or_arr`: a scalar, or an array of exactly `layers` values (the first is returned).
    static func perLayer(_ m: GGUFMetadata, _ k: String, layers: Int) throws(HParamError) -> Int? {
        guard let v = m[k] else { return nil }
        if case .array(_, let values) = v {
            guard values.count == layers else { throw .wrongArrayLength(key: k, expected: layers, got: values.count) }
            return values.first?.intValue
        }
        return v.intValue
    }
}
