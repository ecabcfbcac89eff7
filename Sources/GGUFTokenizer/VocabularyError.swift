/// Why a ``Vocabulary`` could not be built.
public enum VocabularyError: Error, Sendable, Hashable {
    /// The vocabulary has no tokens.
    case empty
    /// `scores` or `tokenTypes` has fewer entries than `tokens` (llama.cpp refuses this too).
    case arrayTooShort(name: String, count: Int, tokens: Int)
    /// Two tokens have the same text (llama.cpp aborts on this: its text→id map must be one to one).
    case duplicateToken(id: Int32, firstID: Int32)
    /// More tokens than an `Int32` id can address.
    case tooManyTokens(Int)
}
