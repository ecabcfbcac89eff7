/// llama.cpp's built-in chat templates (src/llama-chat.cpp, `llm_chat_template`, at 0c1e570): the
/// formats `llama_chat_apply_template` writes without a Jinja engine.
///
/// A template is found from a model's `tokenizer.chat_template` text by ``detect(_:)`` (llama.cpp's
/// `llm_chat_detect_template`: the text is first looked up as a name, then searched for marker strings)
/// or forced by name with ``init(name:)``; ``apply(_:addAssistant:)`` formats messages with it.
public enum ChatTemplate: Sendable, Hashable, CaseIterable {
    case chatml
    case llama2, llama2Sys, llama2SysBOS, llama2SysStrip
    case mistralV1, mistralV3, mistralV3Tekken, mistralV7, mistralV7Tekken
    case phi3, phi4, falcon3, zephyr, monarch, gemma, orion, openchat, vicuna, vicunaOrca
    case deepseek, deepseek2, deepseek3, deepseekOCR
    case commandR, llama3, chatglm3, chatglm4, glmEdge, minicpm
    case exaone3, exaone4, exaoneMoE, rwkvWorld
    case granite3, granite40, granite41
    case gigachat, megrez, yandex, bailing, bailingThink, bailing2, llama4, smolvlm
    /// dots.llm1: detected from the template text only; llama.cpp has no name for it.
    case dots1
    case hunyuanMoE, gptOSS, hunyuanDense, hunyuanVL, kimiK2, seedOSS, grok2, panguEmbedded, solarOpen

    /// llama.cpp's name (`LLM_CHAT_TEMPLATES`), as `--chat-template` takes it; nil for ``dots1``.
    public var name: String? {
        switch self {
        case .chatml: "chatml"
        case .llama2: "llama2"
        case .llama2Sys: "llama2-sys"
        case .llama2SysBOS: "llama2-sys-bos"
        case .llama2SysStrip: "llama2-sys-strip"
        case .mistralV1: "mistral-v1"
        case .mistralV3: "mistral-v3"
        case .mistralV3Tekken: "mistral-v3-tekken"
        case .mistralV7: "mistral-v7"
        case .mistralV7Tekken: "mistral-v7-tekken"
        case .phi3: "phi3"
        case .phi4: "phi4"
        case .falcon3: "falcon3"
        case .zephyr: "zephyr"
        case .monarch: "monarch"
        case .gemma: "gemma"
        case .orion: "orion"
        case .openchat: "openchat"
        case .vicuna: "vicuna"
        case .vicunaOrca: "vicuna-orca"
        case .deepseek: "deepseek"
        case .deepseek2: "deepseek2"
        case .deepseek3: "deepseek3"
        case .deepseekOCR: "deepseek-ocr"
        case .commandR: "command-r"
        case .llama3: "llama3"
        case .chatglm3: "chatglm3"
        case .chatglm4: "chatglm4"
        case .glmEdge: "glmedge"
        case .minicpm: "minicpm"
        case .exaone3: "exaone3"
        case .exaone4: "exaone4"
        case .exaoneMoE: "exaone-moe"
        case .rwkvWorld: "rwkv-world"
        case .granite3: "granite"
        case .granite40: "granite-4.0"
        case .granite41: "granite-4.1"
        case .gigachat: "gigachat"
        case .megrez: "megrez"
        case .yandex: "yandex"
        case .bailing: "bailing"
        case .bailingThink: "bailing-think"
        case .bailing2: "bailing2"
        case .llama4: "llama4"
        case .smolvlm: "smolvlm"
        case .dots1: nil
        case .hunyuanMoE: "hunyuan-moe"
        case .gptOSS: "gpt-oss"
        case .hunyuanDense: "hunyuan-dense"
        case .hunyuanVL: "hunyuan-vl"
        case .kimiK2: "kimi-k2"
        case .seedOSS: "seed_oss"
        case .grok2: "grok-2"
        case .panguEmbedded: "pangu-embedded"
        case .solarOpen: "solar-open"
        }
    }

    /// Every name llama.cpp accepts, in its order (`llama_chat_builtin_templates`: byte order).
    public static let builtinNames: [String] = allCases.compactMap(\.name).sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }

    /// The template llama.cpp calls `name` (an exact match), or nil.
    public init?(name: String) {
        let bytes = Array(name.utf8)
        guard let t = Self.allCases.first(where: { $0.name.map { Array($0.utf8) == bytes } ?? false }) else { return nil }
        self = t
    }

    /// The template of a `tokenizer.chat_template` text or a name, as `llama_chat_apply_template` resolves
    /// it; throws ``ChatTemplateError`` (llama.cpp: -1) when it is not recognised.
    public static func resolve(_ templateOrName: String) throws(ChatTemplateError) -> ChatTemplate {
        guard let t = detect(templateOrName) else { throw ChatTemplateError(template: templateOrName) }
        return t
    }
}
