/// What both tokenizers (SentencePiece and BPE) offer: token ids of raw bytes, and from that the same
/// for a `String` and a byte array.
public protocol TokenizesText {
    /// Token ids of raw bytes in a buffer (need not be valid UTF-8).
    ///
    /// - Parameters:
    ///   - addSpecial: BOS first when the vocabulary's `addBOS`, EOS last when `addEOS`.
    ///   - parseSpecial: match control and unknown token texts (`<s>`, `</s>`, `<unk>`, ...) in the text;
    ///     otherwise they are plain text. User-defined tokens are matched either way.
    func tokenize(bytes: UnsafeBufferPointer<UInt8>, addSpecial: Bool, parseSpecial: Bool) -> [Int32]
}

extension TokenizesText {
    /// Token ids of `text` (see ``tokenize(bytes:addSpecial:parseSpecial:)``).
    public func tokenize(_ text: String, addSpecial: Bool = true, parseSpecial: Bool = false) -> [Int32] {
        var text = text
        return text.withUTF8 { tokenize(bytes: $0, addSpecial: addSpecial, parseSpecial: parseSpecial) }
    }

    /// Token ids of raw bytes (SentencePiece: a stray byte is one character; BPE: invalid UTF-8 is read as
    /// U+FFFD, as llama.cpp does).
    public func tokenize(bytes: [UInt8], addSpecial: Bool = true, parseSpecial: Bool = false) -> [Int32] {
        bytes.withUnsafeBufferPointer { tokenize(bytes: $0, addSpecial: addSpecial, parseSpecial: parseSpecial) }
    }
}
