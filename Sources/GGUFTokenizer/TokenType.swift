/// The kind of a vocabulary entry, as stored in `tokenizer.ggml.token_type`.
///
/// Raw values are llama.cpp's `llama_token_type`; anything outside 1...6 reads as ``undefined``
/// (llama.cpp maps it to `LLAMA_TOKEN_ATTR_UNDEFINED` too).
public enum TokenType: Int32, Sendable, Hashable, CaseIterable {
    case undefined = 0
    case normal = 1
    case unknown = 2
    case control = 3
    case userDefined = 4
    case unused = 5
    case byte = 6

    /// The type for a raw `token_type` value; unknown values become ``undefined``.
    public init(rawType: Int32) {
        self = TokenType(rawValue: rawType) ?? .undefined
    }

    /// Whether `token_to_piece` hides the token unless special tokens are rendered (unknown, control).
    @inlinable public var isHiddenUnlessSpecial: Bool { self == .unknown || self == .control }

    /// Whether the token takes part in special-token partitioning (control, user-defined, unknown).
    @inlinable public var isSpecial: Bool { self == .control || self == .userDefined || self == .unknown }
}
