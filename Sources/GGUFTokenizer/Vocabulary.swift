/// A vocabulary: token texts, scores, types, attributes and the special ids.
///
/// Built from plain arrays (what a GGUF file's `tokenizer.ggml.*` keys hold); it knows nothing about files.
/// Token texts are bytes; an empty text becomes `[EMPTY_<id>]` as llama.cpp does on load. Token
/// attributes follow llama.cpp's load: the token type, then the special tokens it recognises by text
/// (end-of-generation and fill-in-the-middle tokens become control tokens, control tokens named
/// "unused" become unused, ...), then the lstrip/rstrip attributes it sets for a few named models.
public struct Vocabulary: Sendable {
    /// How a normal token's text becomes its piece.
    public enum PieceStyle: Sendable, Equatable {
        /// `▁` → space (SentencePiece, and BPE with escaped whitespace such as gemma4).
        case unescapeSpaces
        /// GPT-2's byte-to-unicode mapping undone (byte-level BPE).
        case byteDecode
    }
    /// Number of tokens.
    public let count: Int
    /// Token texts, indexed by id.
    public let tokens: [[UInt8]]
    /// Merge scores, indexed by id (higher merges first).
    public let scores: [Float]
    /// Token types, indexed by id.
    public let types: [TokenType]
    /// Token attributes (llama.cpp's `llama_token_attr`), indexed by id.
    public let attributes: [TokenAttributes]
    /// How normal tokens become pieces.
    public let pieceStyle: PieceStyle
    /// Whether detokenization applies llama.cpp's `clean_spaces` passes.
    public let cleanSpaces: Bool
    /// End-of-generation ids (EOS, EOT, EOM, FIM pad/repo/sep and tokens recognised by text).
    public let endOfGenerationIDs: Set<Int32>
    /// Beginning-of-sequence id, or nil when absent or out of range.
    public let bosID: Int32?
    /// End-of-sequence id, or nil when absent or out of range.
    public let eosID: Int32?
    /// Unknown-token id, or nil when absent or out of range (used only when a byte token is missing).
    public let unknownID: Int32?
    /// Whether `tokenize(..., addSpecial: true)` puts BOS first (`tokenizer.ggml.add_bos_token`, default true).
    public let addBOS: Bool
    /// Whether `tokenize(..., addSpecial: true)` puts EOS last (`tokenizer.ggml.add_eos_token`, default false).
    public let addEOS: Bool
    /// Whether a space is put before text that starts the input or follows a special token
    /// (`tokenizer.ggml.add_space_prefix`, default true); detokenizing then drops one leading space.
    public let addSpacePrefix: Bool

    let table: ByteTable
    /// Byte value → id of `<0xXX>` (or of the one-byte token), -1 when neither exists.
    let byteTokens: [Int32]
    /// Ids of control, user-defined and unknown tokens (by attribute), longest text first (ties: lower id first).
    let specialTokens: [Int32]
    /// `token_to_piece(id, special: true)` for every id, back to back; `pieceOffsets` as in ``ByteTable``.
    let pieceBytes: [UInt8]
    let pieceOffsets: [Int]

    /// Builds a vocabulary from token texts as strings.
    ///
    /// - Parameters:
    ///   - tokens: token texts (`tokenizer.ggml.tokens`), `▁` (U+2581) standing for a space.
    ///   - scores: `tokenizer.ggml.scores`; nil means all 0. Extra entries are ignored.
    ///   - tokenTypes: `tokenizer.ggml.token_type` raw values; nil means all normal. Extra entries are ignored.
    ///   - bosID, eosID, unknownID: special ids (llama defaults 1, 2, 0); out-of-range ids become nil.
    ///   - addBOS, addEOS, addSpacePrefix: the `tokenizer.ggml.add_*` flags with llama.cpp's SPM defaults.
    ///   - options: the rest (piece style, clean_spaces, names that select per-model attributes).
    public init(tokens: [String], scores: [Float]? = nil, tokenTypes: [Int32]? = nil,
                bosID: Int32? = 1, eosID: Int32? = 2, unknownID: Int32? = 0,
                addBOS: Bool = true, addEOS: Bool = false, addSpacePrefix: Bool = true,
                options: VocabularyOptions = VocabularyOptions()) throws(VocabularyError) {
        try self.init(tokens: tokens.map { Array($0.utf8) }, scores: scores, tokenTypes: tokenTypes,
                      bosID: bosID, eosID: eosID, unknownID: unknownID,
                      addBOS: addBOS, addEOS: addEOS, addSpacePrefix: addSpacePrefix, options: options)
    }

    /// Builds a vocabulary from token texts as raw bytes (GGUF strings need not be valid UTF-8).
    public init(tokens: [[UInt8]], scores: [Float]? = nil, tokenTypes: [Int32]? = nil,
                bosID: Int32? = 1, eosID: Int32? = 2, unknownID: Int32? = 0,
                addBOS: Bool = true, addEOS: Bool = false, addSpacePrefix: Bool = true,
                options: VocabularyOptions = VocabularyOptions()) throws(VocabularyError) {
        let n = tokens.count
        guard n > 0 else { throw .empty }
        guard n <= Int(Int32.max) else { throw .tooManyTokens(n) }
        if let scores, scores.count < n { throw .arrayTooShort(name: "scores", count: scores.count, tokens: n) }
        if let tokenTypes, tokenTypes.count < n {
            throw .arrayTooShort(name: "tokenTypes", count: tokenTypes.count, tokens: n)
        }
        var texts = tokens
        for i in 0..<n where texts[i].isEmpty { texts[i] = Array("[EMPTY_\(i)]".utf8) }
        let table: ByteTable
        switch ByteTable.build(texts) {
        case .success(let t): table = t
        case .failure(let e): throw e
        }
        self.count = n
        self.tokens = texts
        self.scores = scores.map { Array($0.prefix(n)) } ?? [Float](repeating: 0, count: n)
        self.types = tokenTypes.map { $0.prefix(n).map(TokenType.init(rawType:)) }
            ?? [TokenType](repeating: .normal, count: n)
        func valid(_ id: Int32?) -> Int32? { id.flatMap { $0 >= 0 && Int($0) < n ? $0 : nil } }
        self.bosID = valid(bosID)
        self.eosID = valid(eosID)
        self.unknownID = valid(unknownID)
        self.addBOS = addBOS
        self.addEOS = addEOS
        self.addSpacePrefix = addSpacePrefix
        self.table = table

        let hex = Array("0123456789ABCDEF".utf8)
        var byteTokens = [Int32](repeating: -1, count: 256)
        for b in 0..<256 {
            let name: [UInt8] = [0x3C, 0x30, 0x78, hex[b >> 4], hex[b & 15], 0x3E]  // "<0xXX>"
            if let id = name.withUnsafeBufferPointer({ table.lookup($0) }) {
                byteTokens[b] = id
            } else if let id = [UInt8(b)].withUnsafeBufferPointer({ table.lookup($0) }) {
                byteTokens[b] = id
            }
        }
        self.byteTokens = byteTokens

        self.pieceStyle = options.pieceStyle
        self.cleanSpaces = options.cleanSpaces

        var attrs = self.types.map(TokenAttributes.init(type:))
        let eog = Vocabulary.recognizeSpecialTokens(texts: texts, table: table, attributes: &attrs,
                                                    options: options, eosID: self.eosID)
        self.endOfGenerationIDs = eog
        let special: TokenAttributes = [.control, .userDefined, .unknown]
        let specialTokens = (0..<Int32(n)).filter { !attrs[Int($0)].isDisjoint(with: special) }
            .sorted { a, b in
                let la = texts[Int(a)].count, lb = texts[Int(b)].count
                return la != lb ? la > lb : a < b
            }
        self.specialTokens = specialTokens

        var pieceBytes: [UInt8] = []
        var pieceOffsets: [Int] = [0]
        pieceOffsets.reserveCapacity(n + 1)
        for i in 0..<n {
            Vocabulary.appendPiece(text: texts[i], attributes: attrs[i], style: options.pieceStyle, to: &pieceBytes)
            pieceOffsets.append(pieceBytes.count)
        }
        self.pieceBytes = pieceBytes
        self.pieceOffsets = pieceOffsets
        Vocabulary.applyModelAttributes(texts: texts, table: table, specialTokens: specialTokens,
                                        attributes: &attrs, options: options)
        self.attributes = attrs
    }

    /// The id of the token whose text is exactly `text` (`▁` for spaces), or nil.
    public func id(of text: String) -> Int32? {
        Array(text.utf8).withUnsafeBufferPointer { table.lookup($0) }
    }

    /// The id of the token whose text is exactly these bytes, or nil.
    public func id(ofBytes text: [UInt8]) -> Int32? {
        text.withUnsafeBufferPointer { table.lookup($0) }
    }

    /// Whether `id` is a valid token id.
    @inlinable public func contains(_ id: Int32) -> Bool { id >= 0 && Int(id) < count }

    /// The token used for byte `b` in byte fallback (`<0xXX>`), or nil when the vocabulary has none.
    public func byteToken(_ b: UInt8) -> Int32? {
        let id = byteTokens[Int(b)]
        return id >= 0 ? id : nil
    }

    /// llama.cpp's `token_to_piece(special: true)` for one token text, appended to `out`.
    static func appendPiece(text: [UInt8], attributes a: TokenAttributes, style: PieceStyle, to out: inout [UInt8]) {
        if !a.isDisjoint(with: [.unknown, .control, .userDefined]) {
            out.append(contentsOf: text)
        } else if a.contains(.normal) {
            switch style {
            case .unescapeSpaces:
                // ▁ (E2 96 81) → space
                var i = 0
                while i < text.count {
                    if i + 2 < text.count, text[i] == 0xE2, text[i + 1] == 0x96, text[i + 2] == 0x81 {
                        out.append(0x20)
                        i += 3
                    } else {
                        out.append(text[i])
                        i += 1
                    }
                }
            case .byteDecode:
                appendByteDecoded(text, to: &out)
            }
        } else if a.contains(.byte) {
            out.append(byteValue(text))
        }
    }

    /// llama.cpp's `llama_decode_text`: each code point of a byte-level BPE token back to its byte; a code
    /// point that stands for no byte becomes `[UNK_BYTE_0x<its utf-8 in hex><the token text>]`.
    static func appendByteDecoded(_ text: [UInt8], to out: inout [UInt8]) {
        for c in LlamaUTF8.codepoints(text) {
            if c < 0x144, ByteEncoding.toByte[Int(c)] >= 0 {
                out.append(UInt8(ByteEncoding.toByte[Int(c)]))
            } else {
                var u: [UInt8] = []
                LlamaUTF8.append(c, to: &u)
                out.append(contentsOf: Array("[UNK_BYTE_0x".utf8))
                let hex = Array("0123456789abcdef".utf8)
                for b in u { out.append(hex[Int(b >> 4)]); out.append(hex[Int(b & 15)]) }
                out.append(contentsOf: text)
                out.append(UInt8(ascii: "]"))
            }
        }
    }

    /// The byte of a byte token: `strtol(text.substr(3, 2), 16)` as llama.cpp computes it.
    static func byteValue(_ text: [UInt8]) -> UInt8 {
        var v: UInt32 = 0
        for c in text.dropFirst(3).prefix(2) {
            let d: UInt32
            switch c {
            case 0x30...0x39: d = UInt32(c - 0x30)
            case 0x41...0x46: d = UInt32(c - 0x41 + 10)
            case 0x61...0x66: d = UInt32(c - 0x61 + 10)
            default: return UInt8(truncatingIfNeeded: v)
            }
            v = v * 16 + d
        }
        return UInt8(truncatingIfNeeded: v)
    }
}
