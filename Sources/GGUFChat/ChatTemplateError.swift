/// A chat template that llama.cpp's built-in formatter does not recognise (`llama_chat_apply_template`
/// returns -1 for it).
public struct ChatTemplateError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The template text or name that was not recognised (its first line, shortened).
    public let template: String

    public init(template: String) {
        let firstLine = template.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        self.template = firstLine.count > 60 ? String(firstLine.prefix(60)) + "…" : firstLine
    }

    public var description: String {
        "chat template '\(template)' is not one llama.cpp recognises (without --jinja); "
            + "give --chat-template with one of: \(ChatTemplate.builtinNames.joined(separator: ", "))"
    }
}
