import GGUFChat
import GGUFFormat
import GGUFTokenizer

/// The token side of llama-completion's conversation mode (`-cnv` without `--jinja`, tools/completion at
/// llama.cpp 0c1e570): which ids each turn evaluates, so that the KV cache is kept between turns and only the
/// new part of the formatted conversation is evaluated.
///
/// * ``start(system:prompt:)``: the system prompt (and a first user message, when given) formatted as one
///   text and tokenized with BOS (when the vocabulary adds one) and special tokens parsed.
/// * ``user(_:)``: the text the formatted conversation grows by with the new message and the assistant's
///   opening (``Conversation/add(_:addAssistant:)``: `common_chat_format_single`), tokenized without BOS,
///   special tokens parsed.
/// * ``assistant(_:)``: a reply that ended at an end-of-generation token joins the history (its pieces without
///   special tokens, the end token left out), as llama-completion records it; a reply cut by `-n` does not.
public struct ChatPrompt: Sendable {
    /// The messages so far and their template.
    public private(set) var conversation: Conversation
    public let tokenizer: Tokenizer

    public init(template: ChatTemplate, tokenizer: Tokenizer) {
        conversation = Conversation(template: template)
        self.tokenizer = tokenizer
    }

    /// The ids that open the conversation: `system` and `prompt` (empty: none) formatted with the assistant's
    /// opening when there is a prompt; just BOS (or nothing) when both are empty.
    public mutating func start(system: String, prompt: String) -> [Int32] {
        if !system.isEmpty { _ = conversation.add(ChatMessage(role: "system", content: system), addAssistant: false) }
        if !prompt.isEmpty { _ = conversation.add(ChatMessage(role: "user", content: prompt), addAssistant: true) }
        let text = system.isEmpty && prompt.isEmpty ? "" : conversation.formatted(addAssistant: !prompt.isEmpty)
        return tokenizer.tokenize(text, addSpecial: true, parseSpecial: true)
    }

    /// The ids of one user turn (the new part of the formatted conversation).
    public mutating func user(_ text: String) -> [Int32] {
        let bytes = conversation.add(ChatMessage(role: "user", content: text), addAssistant: true)
        return tokenizer.tokenize(bytes: bytes, addSpecial: false, parseSpecial: true)
    }

    /// Records the assistant's reply (its ids before the end-of-generation token).
    public mutating func assistant(_ ids: [Int32]) {
        var text: [UInt8] = []
        for id in ids { text += tokenizer.piece(id, special: false) }
        _ = conversation.add(ChatMessage(role: "assistant", content: String(decoding: text, as: UTF8.self)), addAssistant: false)
    }
}

extension LlamaModel {
    /// The model's chat template text (`tokenizer.chat_template`), if it has one.
    public var chatTemplateText: String? { metadata["tokenizer.chat_template"]?.stringValue }

    /// The template conversation mode uses, as llama-completion picks it: `override` (a name or a template
    /// text) when given, else the model's `tokenizer.chat_template`, else chatml; throws when llama.cpp's
    /// built-in formatter does not recognise it.
    public func chatTemplate(override: String? = nil) throws(ChatTemplateError) -> ChatTemplate {
        let text = override ?? chatTemplateText ?? ""
        if text.isEmpty || text == "chatml" { return .chatml }
        return try ChatTemplate.resolve(text)
    }
}
