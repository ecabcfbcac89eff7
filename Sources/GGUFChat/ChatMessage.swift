/// One message of a conversation: a role (`system`, `user`, `assistant`, `tool`, ...) and its text.
///
/// llama.cpp passes both as C strings, so text after a NUL byte is not seen by any template; the
/// formatter cuts there too.
public struct ChatMessage: Sendable, Hashable {
    /// The speaker: `system`, `user`, `assistant`, or a template-specific role such as `tool`.
    public var role: String
    /// The message text.
    public var content: String

    public init(role: String, content: String) {
        self.role = role
        self.content = content
    }
}
