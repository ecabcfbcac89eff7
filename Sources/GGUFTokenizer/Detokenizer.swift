extension SPMTokenizer {
    /// llama.cpp's `token_to_piece`: the bytes a token stands for.
    ///
    /// Normal tokens with `▁` turned into spaces, byte tokens as their one byte, control, unknown and
    /// user-defined tokens as their text, unused and undefined tokens as nothing. Control and unknown
    /// tokens are empty unless `special`. `lstrip` drops up to that many leading spaces. Ids outside
    /// the vocabulary give nothing (llama.cpp throws).
    public func piece(_ id: Int32, special: Bool = true, lstrip: Int = 0) -> [UInt8] {
        var out: [UInt8] = []
        appendPiece(id, special: special, lstrip: lstrip, to: &out)
        return out
    }

    /// ``piece(_:special:lstrip:)`` appended to `out`.
    public func appendPiece(_ id: Int32, special: Bool = true, lstrip: Int = 0, to out: inout [UInt8]) {
        let v = vocabulary
        guard v.contains(id) else { return }
        if !special && v.types[Int(id)].isHiddenUnlessSpecial { return }
        var lo = v.pieceOffsets[Int(id)]
        let hi = v.pieceOffsets[Int(id) + 1]
        var stripped = 0
        while stripped < lstrip && lo < hi && v.pieceBytes[lo] == 0x20 {
            lo += 1
            stripped += 1
        }
        out.append(contentsOf: v.pieceBytes[lo ..< hi])
    }

    /// llama.cpp's `llama_detokenize` as bytes: the pieces of `ids` back to back.
    ///
    /// With `addSpacePrefix` one leading space of the first piece is dropped (the first token's, even if
    /// its piece is empty); `removeSpecial` drops a leading BOS (then no space is dropped) and a trailing
    /// EOS when the vocabulary adds them; `unparseSpecial` renders control and unknown tokens as text.
    public func detokenizeBytes(_ ids: [Int32], removeSpecial: Bool = false, unparseSpecial: Bool = false) -> [UInt8] {
        var d = Detokenizer(tokenizer: self, removeSpecial: removeSpecial, unparseSpecial: unparseSpecial)
        var out: [UInt8] = []
        var body = ids[...]
        if removeSpecial && vocabulary.addEOS, let eos = vocabulary.eosID, body.last == eos {
            body = body.dropLast()
        }
        for id in body { d.appendBytes(id, to: &out) }
        return out
    }

    /// ``detokenizeBytes(_:removeSpecial:unparseSpecial:)`` as a string; invalid UTF-8 becomes U+FFFD.
    public func detokenize(_ ids: [Int32], removeSpecial: Bool = false, unparseSpecial: Bool = false) -> String {
        String(decoding: detokenizeBytes(ids, removeSpecial: removeSpecial, unparseSpecial: unparseSpecial),
               as: UTF8.self)
    }
}

/// Incremental detokenization for streaming: feed ids one at a time, get text as soon as it is complete.
///
/// Byte-fallback tokens can split a character over several ids; ``append(_:)`` holds back an
/// unfinished UTF-8 sequence at the end until the next ids complete it (invalid bytes become U+FFFD).
/// The concatenated outputs plus ``finish()`` equal ``SPMTokenizer/detokenize(_:removeSpecial:unparseSpecial:)``
/// of all ids, except that a trailing EOS is not removed (the stream cannot know it is the last id).
public struct Detokenizer: Sendable {
    /// The tokenizer whose pieces are used.
    public let tokenizer: SPMTokenizer
    /// Drop a leading BOS (and then keep the first piece's leading space).
    public let removeSpecial: Bool
    /// Render control and unknown tokens as their text.
    public let unparseSpecial: Bool
    private var seenFirst = false
    private var removeSpace: Bool
    private var pending: [UInt8] = []

    /// A fresh stream (the first id fed is the start of the text).
    public init(tokenizer: SPMTokenizer, removeSpecial: Bool = false, unparseSpecial: Bool = false) {
        self.tokenizer = tokenizer
        self.removeSpecial = removeSpecial
        self.unparseSpecial = unparseSpecial
        self.removeSpace = tokenizer.vocabulary.addSpacePrefix
    }

    /// Appends the bytes of `id` (with the first-token rules) to `out`.
    mutating func appendBytes(_ id: Int32, to out: inout [UInt8]) {
        let v = tokenizer.vocabulary
        if !seenFirst {
            seenFirst = true
            if removeSpecial && v.addBOS, let bos = v.bosID, id == bos {
                removeSpace = false
                return
            }
        }
        tokenizer.appendPiece(id, special: unparseSpecial, lstrip: removeSpace ? 1 : 0, to: &out)
        removeSpace = false
    }

    /// Feeds one id; returns the text that is now complete (possibly empty).
    public mutating func append(_ id: Int32) -> String {
        var bytes = pending
        pending = []
        appendBytes(id, to: &bytes)
        pending = bytes
        let keep = Detokenizer.incompleteSuffixLength(pending)
        if keep == pending.count { return "" }
        let text = String(decoding: pending[..<(pending.count - keep)], as: UTF8.self)
        pending.removeFirst(pending.count - keep)
        return text
    }

    /// Returns what is still held back (an unfinished UTF-8 sequence, as U+FFFD) and empties the stream.
    public mutating func finish() -> String {
        defer { pending.removeAll() }
        return String(decoding: pending, as: UTF8.self)
    }

    /// Length of a trailing UTF-8 sequence that has a valid start but is not finished yet (0 if none).
    static func incompleteSuffixLength(_ b: [UInt8]) -> Int {
        let n = b.count
        var k = 1
        while k <= min(3, n) {
            let c = b[n - k]
            if c & 0xC0 != 0x80 {  // a lead byte (or ASCII)
                let need: Int
                switch c {
                case 0xC2...0xDF: need = 2
                case 0xE0...0xEF: need = 3
                case 0xF0...0xF4: need = 4
                default: return 0
                }
                return need > k ? k : 0
            }
            k += 1
        }
        return 0
    }
}
