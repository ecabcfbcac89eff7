/// What `tokenizer.ggml.pre` selects in llama.cpp's `llama_vocab::impl::load`: the pre-tokenizer type
/// and the flags that go with it.
public struct BPESettings: Sendable, Equatable {
    /// The `LLAMA_VOCAB_PRE_TYPE_*` name in lower case (a key of the pattern table).
    public var type: String
    /// A word that is itself a token is not merged (`ignore_merges`).
    public var ignoreMerges = false
    /// Detokenization removes spaces before `?!.,` and around `'` (`clean_spaces`).
    public var cleanSpaces = true
    /// Forces `add_bos` on (before the GGUF key is read).
    public var addBOS = false
    /// Spaces become `▁` before merging and back in pieces (gemma4-style BPE).
    public var escapeWhitespaces = false
    /// The default BOS id is dropped (chatglm).
    public var noDefaultBOS = false

    /// The settings for a `tokenizer.ggml.pre` value (empty: llama.cpp's default), or nil when llama.cpp
    /// does not know the name.
    public static func forPre(_ pre: String) -> BPESettings? {
        func s(_ type: String, ignore: Bool = false, clean: Bool = true, bos: Bool = false,
               escape: Bool = false, noBOS: Bool = false) -> BPESettings {
            BPESettings(type: type, ignoreMerges: ignore, cleanSpaces: clean, addBOS: bos,
                        escapeWhitespaces: escape, noDefaultBOS: noBOS)
        }
        switch pre {
        case "", "default": return s("default")
        case "minicpm5": return s("minicpm5", ignore: true)
        case "llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral", "midm-2.0", "lfm2", "jina-v5-nano":
            return s("llama3", ignore: true, bos: true)
        case "deepseek-llm": return s("deepseek_llm", clean: false)
        case "deepseek-coder": return s("deepseek_coder", clean: false)
        case "deepseek-v3": return s("deepseek3_llm", clean: false)
        case "spark2_5": return s("spark2_5", clean: false)
        case "youtu": return s("youtu", ignore: true, clean: false)
        case "falcon": return s("falcon")
        case "mpt": return s("mpt")
        case "starcoder": return s("starcoder")
        case "gpt-2", "phi-2", "jina-es", "jina-de", "gigachat", "jina-v2-es", "jina-v2-de", "a.x-4.0", "mellum",
             "modern-bert", "jina-v1-en", "jina-v2-code", "roberta-bpe", "exaone4":
            return s("gpt2")
        case "jais-2": return s("jais2")
        case "gemma4", "granite-embed-multi-311m": return s("gemma4", escape: true)
        case "sarvam-moe": return s("sarvam_moe", clean: false, escape: true)
        case "whitespace": return s("whitespace")
        case "refact": return s("refact")
        case "command-r": return s("command_r", clean: false)
        case "qwen2", "deepseek-r1-qwen", "kormo", "f2llmv2": return s("qwen2", clean: false)
        case "qwen35": return s("qwen35", clean: false)
        case "stablelm2": return s("stablelm2")
        case "olmo": return s("olmo")
        case "dbrx": return s("dbrx")
        case "smaug-bpe": return s("smaug")
        case "poro-chat": return s("poro", clean: false)
        case "chatglm-bpe": return s("chatglm4", noBOS: true)
        case "glm4", "glm5": return s("chatglm4", ignore: true, noBOS: true)
        case "viking": return s("viking", clean: false)
        case "jais": return s("jais")
        case "tekken": return s("tekken", ignore: true, clean: false, bos: true)
        case "smollm": return s("smollm", clean: false)
        case "codeshell": return s("codeshell")
        case "bloom": return s("bloom")
        case "gpt3-finnish": return s("gpt3_finnish")
        case "exaone": return s("exaone")
        case "exaone-moe": return s("exaone_moe")
        case "chameleon": return s("chameleon", clean: false, bos: true)
        case "minerva-7b": return s("minerva")
        case "megrez": return s("qwen2")
        case "gpt-4o", "llama4", "kanana2", "talkie": return s("gpt4o", clean: false)
        case "granite-embed-multi-97m": return s("granite_emb_multi", ignore: true, clean: false)
        case "tiny_aya", "cohere2moe": return s("tiny_aya", clean: false)
        case "superbpe": return s("superbpe", clean: false)
        case "trillion": return s("trillion", clean: false)
        case "granite-docling": return s("granite_docling", clean: false)
        case "bailingmoe", "bailingmoe2", "llada-moe": return s("bailingmoe", clean: false)
        case "seed-coder": return s("seed_coder", clean: false)
        case "hunyuan": return s("hunyuan", clean: false)
        case "hunyuan-dense": return s("hunyuan_dense", clean: false)
        case "hy_v4": return s("hy_v4", clean: false)
        case "joyai-llm": return s("joyai_llm", clean: false)
        case "kimi-k2": return s("kimi_k2", clean: false)
        case "ufakzeka": return s("ufakzeka", clean: false)
        case "grok-2": return s("grok_2", clean: false)
        case "afmoe": return s("afmoe", clean: false)
        case "laguna": return s("laguna", clean: false)
        case "minimax-m2": return s("minimax_m2", clean: false)
        case "solar-open": return s("solar_open", clean: false)
        case "mellum2": return s("mellum2")
        default: return nil
        }
    }

    /// Every `tokenizer.ggml.pre` value llama.cpp accepts for BPE.
    public static let knownNames: [String] = [
        "default", "minicpm5", "llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral", "midm-2.0", "lfm2",
        "jina-v5-nano", "deepseek-llm", "deepseek-coder", "deepseek-v3", "spark2_5", "youtu", "falcon", "mpt",
        "starcoder", "gpt-2", "phi-2", "jina-es", "jina-de", "gigachat", "jina-v2-es", "jina-v2-de", "a.x-4.0",
        "mellum", "modern-bert", "jina-v1-en", "jina-v2-code", "roberta-bpe", "exaone4", "jais-2", "gemma4",
        "granite-embed-multi-311m", "sarvam-moe", "whitespace", "refact", "command-r", "qwen2", "deepseek-r1-qwen", "kormo",
        "f2llmv2", "qwen35", "stablelm2", "olmo", "dbrx", "smaug-bpe", "poro-chat", "chatglm-bpe", "glm4", "glm5",
        "viking", "jais", "tekken", "smollm", "codeshell", "bloom", "gpt3-finnish", "exaone", "exaone-moe",
        "chameleon", "minerva-7b", "megrez", "gpt-4o", "llama4", "kanana2", "talkie", "granite-embed-multi-97m",
        "tiny_aya", "cohere2moe", "superbpe", "trillion", "granite-docling", "bailingmoe", "bailingmoe2",
        "llada-moe", "seed-coder", "hunyuan", "hunyuan-dense", "hy_v4", "joyai-llm", "kimi-k2", "ufakzeka",
        "grok-2", "afmoe", "laguna", "minimax-m2", "solar-open", "mellum2",
    ]
}

extension PreTokenizer {
    /// Pre-tokenizer types not supported here (none at present: every type in llama.cpp 0c1e570's switch works).
    static let unportedTypes: Set<String> = []

    /// The `tokenizer.ggml.pre` values that work here.
    public static var supportedNames: [String] {
        BPESettings.knownNames.filter { name in
            guard let s = BPESettings.forPre(name) else { return false }
            return !unportedTypes.contains(s.type)
        }
    }

    /// The pre-tokenizer of a llama.cpp type name (a ``BPESettings/type``).
    public init(type: String) throws(Unsupported) {
        guard !PreTokenizer.unportedTypes.contains(type), let entry = PreTokenizer.patternTable[type] else {
            throw Unsupported(name: type)
        }
        try self.init(type: type, patterns: entry.patterns, byteEncode: entry.byteEncode)
    }
}
