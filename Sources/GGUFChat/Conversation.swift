/// A conversation being formatted turn by turn, as llama.cpp's `common_chat_format_single` does for
/// llama-completion's conversation mode (`-cnv`, without `--jinja`): each new message yields only the text
/// that the formatted history grows by, so the tokens already evaluated stay valid.
public struct Conversation: Sendable {
    /// The template the messages are formatted with.
    public let template: ChatTemplate
    /// The messages so far.
    public private(set) var messages: [ChatMessage] = []

    public init(template: ChatTemplate) { self.template = template }

    /// The whole conversation formatted (`common_chat_templates_apply`).
    public func formatted(addAssistant: Bool) -> String { template.apply(messages, addAssistant: addAssistant) }

    /// Adds a message and returns the text (UTF-8 bytes) to evaluate for it: the history formatted with the message
    /// (`addAssistant`: with the assistant's opening) minus the history formatted without it, preceded by
    /// "\n" when `addAssistant` and the history's text ends with one (llama.cpp keeps that newline,
    /// since the reply before it ended at an end-of-generation token).
    /// The bytes are llama.cpp's `substr` of the new text at the old text's length, so when a template
    /// rewrites its history (rwkv-world's trailing "Assistant:") they may not start on a character boundary.
    public mutating func add(_ message: ChatMessage, addAssistant: Bool) -> [UInt8] {
        var past: [UInt8] = []
        if !messages.isEmpty { past = template.applyBytes(messages, addAssistant: false) }
        messages.append(message)
        let now = template.applyBytes(messages, addAssistant: addAssistant)
        var diff: [UInt8] = addAssistant && past.last == 0x0A ? [0x0A] : []
        // llama.cpp: fmt_new_msg.substr(fmt_past_msg.size()): empty when the new text is not longer
        if now.count > past.count { diff += now[past.count...] }
        return diff
    }
}
