extension Vocabulary {
    /// llama.cpp's `token_to_piece`: the bytes a token stands for.
    ///
    /// Control, unknown and user-defined tokens as their text (control and unknown ones only when
    /// `special`), normal tokens with `▁` turned into spaces (or, for byte-level BPE, GPT-2's byte
    /// mapping undone), byte tokens as their one byte, unused and undefined tokens as nothing. `lstrip`
    /// drops up to that many leading spaces. Ids outside the vocabulary give nothing (llama.cpp throws).
    public func piece(_ id: Int32, special: Bool = true, lstrip: Int = 0) -> [UInt8] {
        var out: [UInt8] = []
        appendPiece(id, special: special, lstrip: lstrip, to: &out)
        return out
    }

    /// ``piece(_:special:lstrip:)`` appended to `out`.
    public func appendPiece(_ id: Int32, special: Bool = true, lstrip: Int = 0, to out: inout [UInt8]) {
        guard contains(id) else { return }
        if !special && attributes[Int(id)].isHiddenUnlessSpecial { return }
        var lo = pieceOffsets[Int(id)]
        let hi = pieceOffsets[Int(id) + 1]
        var stripped = 0
        while stripped < lstrip && lo < hi && pieceBytes[lo] == 0x20 {
            lo += 1
            stripped += 1
        }
        out.append(contentsOf: pieceBytes[lo ..< hi])
    }

    /// llama.cpp's `llama_detokenize` as bytes: the pieces of `ids` back to back.
    ///
    /// With `addSpacePrefix` one leading space of the first piece is dropped (the first token's, even if
    /// its piece is empty); `removeSpecial` drops a leading BOS (then no space is dropped) and a trailing
    /// EOS when the vocabulary adds them; `unparseSpecial` renders control and unknown tokens as text.
    /// With ``cleanSpaces`` llama.cpp's three clean-up passes follow.
    public func detokenizeBytes(_ ids: [Int32], removeSpecial: Bool = false, unparseSpecial: Bool = false) -> [UInt8] {
        var d = Detokenizer(vocabulary: self, removeSpecial: removeSpecial, unparseSpecial: unparseSpecial)
        var out: [UInt8] = []
        var body = ids[...]
        if removeSpecial && addEOS, let eos = eosID, body.last == eos {
            body = body.dropLast()
        }
        for id in body { d.appendBytes(id, to: &out) }
        return cleanSpaces ? Vocabulary.cleanUpSpaces(out) : out
    }

    /// ``detokenizeBytes(_:removeSpecial:unparseSpecial:)`` as a string; invalid UTF-8 becomes U+FFFD.
    public func detokenize(_ ids: [Int32], removeSpecial: Bool = false, unparseSpecial: Bool = false) -> String {
        String(decoding: detokenizeBytes(ids, removeSpecial: removeSpecial, unparseSpecial: unparseSpecial),
               as: UTF8.self)
    }

    /// llama.cpp's `clean_spaces` passes: drop the space before `? ! . ,`; turn `" ' "` into `'`; drop the
    /// space before `'s`, `'m`, `'re`, `'ve`.
    static func cleanUpSpaces(_ input: [UInt8]) -> [UInt8] {
        let sp: UInt8 = 0x20, ap: UInt8 = 0x27
        func pass(_ a: [UInt8], _ body: (inout [UInt8], inout [UInt8], inout Int) -> Void) -> [UInt8] {
            guard !a.isEmpty else { return a }
            var a = a
            var out: [UInt8] = [a[0]]
            out.reserveCapacity(a.count)
            var i = 1
            while i < a.count { body(&a, &out, &i); i += 1 }
            return out
        }
        var t = pass(input) { a, out, i in
            let x = a[i]
            if a[i - 1] == sp && (x == 0x3F || x == 0x21 || x == 0x2E || x == 0x2C) { out.removeLast() }
            out.append(x)
        }
        t = pass(t) { a, out, i in
            let x = a[i]
            if x == ap && i + 1 < a.count && a[i - 1] == sp && a[i + 1] == sp {
                out.removeLast()
                i += 1
                a[i] = 0
            }
            out.append(x)
        }
        t = pass(t) { a, out, i in
            let x = a[i]
            if a[i - 1] == sp && x == ap && i + 1 < a.count {
                let x1 = a[i + 1]
                if x1 == 0x73 || x1 == 0x6D {  // 's 'm
                    out.removeLast()
                } else if x1 != 0x74 && x1 != 0x64 && i + 2 < a.count {
                    let x2 = a[i + 2]
                    if (x1 == 0x72 && x2 == 0x65) || (x1 == 0x76 && x2 == 0x65) { out.removeLast() }  // 're 've
                }
            }
            out.append(x)
        }
        return t
    }
}

extension SPMTokenizer {
    /// ``Vocabulary/piece(_:special:lstrip:)``.
    public func piece(_ id: Int32, special: Bool = true, lstrip: Int = 0) -> [UInt8] {
        vocabulary.piece(id, special: special, lstrip: lstrip)
    }

    /// ``Vocabulary/appendPiece(_:special:lstrip:to:)``.
    public func appendPiece(_ id: Int32, special: Bool = true, lstrip: Int = 0, to out: inout [UInt8]) {
        vocabulary.appendPiece(id, special: special, lstrip: lstrip, to: &out)
    }

    /// ``Vocabulary/detokenizeBytes(_:removeSpecial:unparseSpecial:)``.
    public func detokenizeBytes(_ ids: [Int32], removeSpecial: Bool = false, unparseSpecial: Bool = false) -> [UInt8] {
        vocabulary.detokenizeBytes(ids, removeSpecial: removeSpecial, unparseSpecial: unparseSpecial)
    }

    /// ``Vocabulary/detokenize(_:removeSpecial:unparseSpecial:)``.
    public func detokenize(_ ids: [Int32], removeSpecial: Bool = false, unparseSpecial: Bool = false) -> String {
        vocabulary.detokenize(ids, removeSpecial: removeSpecial, unparseSpecial: unparseSpecial)
    }
}

/// Incremental detokenization for streaming: feed ids one at a time, get text as soon as it is complete.
///
/// Byte-fallback tokens can split a character over several ids; ``append(_:)`` holds back an
/// unfinished UTF-8 sequence at the end until the next ids complete it (invalid bytes become U+FFFD).
/// The concatenated outputs plus ``finish()`` equal ``Vocabulary/detokenize(_:removeSpecial:unparseSpecial:)``
/// of all ids, except that a trailing EOS is not removed (the stream cannot know it is the last id) and
/// that `clean_spaces` (some BPE vocabularies) is not applied.
public struct Detokenizer: Sendable {
    /// The vocabulary whose pieces are used.
    public let vocabulary: Vocabulary
    /// Drop a leading BOS (and then keep the first piece's leading space).
    public let removeSpecial: Bool
    /// Render control and unknown tokens as their text.
    public let unparseSpecial: Bool
    private var seenFirst = false
    private var removeSpace: Bool
    private var pending: [UInt8] = []

    /// A fresh stream (the first id fed is the start of the text).
    public init(vocabulary: Vocabulary, removeSpecial: Bool = false, unparseSpecial: Bool = false) {
        self.vocabulary = vocabulary
        self.removeSpecial = removeSpecial
        self.unparseSpecial = unparseSpecial
        self.removeSpace = vocabulary.addSpacePrefix
    }

    /// A fresh stream over an SPM tokenizer's vocabulary.
    public init(tokenizer: SPMTokenizer, removeSpecial: Bool = false, unparseSpecial: Bool = false) {
        self.init(vocabulary: tokenizer.vocabulary, removeSpecial: removeSpecial, unparseSpecial: unparseSpecial)
    }

    /// A fresh stream over any tokenizer's vocabulary.
    public init(tokenizer: Tokenizer, removeSpecial: Bool = false, unparseSpecial: Bool = false) {
        self.init(vocabulary: tokenizer.vocabulary, removeSpecial: removeSpecial, unparseSpecial: unparseSpecial)
    }

    /// Appends the bytes of `id` (with the first-token rules) to `out`.
    mutating func appendBytes(_ id: Int32, to out: inout [UInt8]) {
        let v = vocabulary
        if !seenFirst {
            seenFirst = true
            if removeSpecial && v.addBOS, let bos = v.bosID, id == bos {
                removeSpace = false
                return
            }
        }
        v.appendPiece(id, special: unparseSpecial, lstrip: removeSpace ? 1 : 0, to: &out)
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
