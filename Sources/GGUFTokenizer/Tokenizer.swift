/// The `tokenizer.ggml.*` values of a model file, as plain values (the file reading is elsewhere).
/// `nil` means the key is absent.
public struct TokenizerConfig: Sendable {
    /// `tokenizer.ggml.model`: "llama" (SentencePiece), "gpt2" (byte-level BPE), "gemma4" (BPE on UTF-8),
    /// "whitespace" (BPE on the whitespace-separated pieces of the text).
    public var model: String
    /// `tokenizer.ggml.pre`.
    public var pre: String?
    public var tokens: [[UInt8]]
    public var scores: [Float]?
    public var tokenTypes: [Int32]?
    /// `tokenizer.ggml.merges` (BPE).
    public var merges: [[UInt8]]?
    public var bosID: Int64?
    public var eosID: Int64?
    public var unknownID: Int64?
    public var addBOS: Bool?
    public var addEOS: Bool?
    public var addSpacePrefix: Bool?
    /// `tokenizer.ggml.normalizer.lowercase` (the "whitespace" model lowercases unless this or its pre says not).
    public var normalizerLowercase: Bool?
    /// `tokenizer.ggml.{eot,eom,fim_pre,fim_suf,fim_mid,fim_pad,fim_rep,fim_sep}_token_id` by short name.
    public var specialIDs: [String: Int64] = [:]
    /// `general.name`, `general.architecture` (llama.cpp sets a few token attributes by these).
    public var modelName = ""
    public var architecture = ""

    public init(model: String, pre: String? = nil, tokens: [[UInt8]], scores: [Float]? = nil,
                tokenTypes: [Int32]? = nil, merges: [[UInt8]]? = nil) {
        self.model = model
        self.pre = pre
        self.tokens = tokens
        self.scores = scores
        self.tokenTypes = tokenTypes
        self.merges = merges
    }
}

/// Why a tokenizer could not be made from a vocabulary.
public enum TokenizerError: Error, Sendable, CustomStringConvertible {
    case unsupportedModel(String)
    case unsupportedPreTokenizer(String)
    case missingMerges
    case vocabulary(VocabularyError)

    /// Tokenizer models that work here.
    public static let supportedModels = ["llama", "gpt2", "gemma4", "whitespace"]

    public var description: String {
        switch self {
        case .unsupportedModel(let m):
            return "tokenizer model '\(m)' is not supported (supported: \(TokenizerError.supportedModels.joined(separator: ", ")))"
        case .unsupportedPreTokenizer(let p):
            return "pre-tokenizer '\(p)' is not supported (supported: \(PreTokenizer.supportedNames.joined(separator: ", ")))"
        case .missingMerges:
            return "tokenizer.ggml.merges is missing (a BPE vocabulary needs it)"
        case .vocabulary(let e):
            return "bad vocabulary: \(e)"
        }
    }
}

/// A tokenizer of either kind, chosen from the vocabulary's `tokenizer.ggml.model` by ``make(_:)``:
/// the one entry point from a model file's vocabulary to a tokenizer.
public enum Tokenizer: Sendable {
    case spm(SPMTokenizer)
    case bpe(BPETokenizer)

    /// The tokenizer llama.cpp would build from these values (its defaults and overrides of special ids
    /// and `add_*` flags per model and pre-tokenizer included).
    public static func make(_ c: TokenizerConfig) throws(TokenizerError) -> Tokenizer {
        let n = c.tokens.count
        var bos: Int32?, eos: Int32?, unk: Int32?
        var addBOS = false, addEOS = false, addSpacePrefix = false
        var bpe: BPESettings? = nil
        switch c.model {
        case "llama":
            (bos, eos, unk) = (1, 2, 0)
            (addBOS, addEOS, addSpacePrefix) = (true, false, true)
        case "gpt2", "gemma4", "whitespace":
            (bos, eos, unk) = c.model == "gemma4" ? (nil, nil, nil) : (11, 11, nil)
            let pre = c.model == "gemma4" ? "gemma4" : (c.pre ?? "")
            guard let s = BPESettings.forPre(pre), !PreTokenizer.unportedTypes.contains(s.type) else {
                throw .unsupportedPreTokenizer(pre)
            }
            if s.noDefaultBOS { bos = nil }
            addBOS = s.addBOS
            bpe = s
        default:
            throw .unsupportedModel(c.model)
        }
        if let v = c.addSpacePrefix { addSpacePrefix = v }
        // defaults outside the vocabulary are dropped; a key outside it keeps the default
        func special(_ def: Int32?, _ key: Int64?) -> Int32? {
            var id = def.flatMap { Int($0) < n ? $0 : nil }
            if let k = key, k >= 0, k < n { id = Int32(k) }
            return id
        }
        bos = special(bos, c.bosID)
        eos = special(eos, c.eosID)
        unk = special(unk, c.unknownID)
        if let v = c.addBOS { addBOS = v }
        if let v = c.addEOS { addEOS = v }
        if bpe?.type == "gemma4" && !addBOS { addBOS = true }
        var options = VocabularyOptions()
        options.modelName = c.modelName
        options.architecture = c.architecture
        options.tokenizerPre = c.pre ?? ""
        for (k, v) in c.specialIDs where v >= 0 && v < n { options.specialIDs[k] = Int32(v) }
        if let s = bpe {
            options.pieceStyle = s.escapeWhitespaces ? .unescapeSpaces : .byteDecode
            options.cleanSpaces = s.cleanSpaces
        }
        let vocab: Vocabulary
        do {
            vocab = try Vocabulary(tokens: c.tokens, scores: c.scores, tokenTypes: c.tokenTypes,
                                   bosID: bos, eosID: eos, unknownID: unk,
                                   addBOS: addBOS, addEOS: addEOS, addSpacePrefix: addSpacePrefix, options: options)
        } catch {
            throw .vocabulary(error)
        }
        guard let s = bpe else { return .spm(SPMTokenizer(vocabulary: vocab)) }
        // Kimi-K2 vocabularies have no merges (llama.cpp accepts that for them only)
        guard let merges = c.merges ?? (s.type == "kimi_k2" ? [] : nil) else { throw .missingMerges }
        do {
            var t = try BPETokenizer(vocabulary: vocab, merges: merges, settings: s)
            if c.model == "whitespace" {
                // llm_tokenizer_whitespace_session; the normalizer lowercases by default, not for pre "whitespace"
                t.whitespaceSession = true
                t.lowercase = c.normalizerLowercase ?? (c.pre != "whitespace")
            }
            return .bpe(t)
        } catch {
            throw .unsupportedPreTokenizer(c.pre ?? "")
        }
    }

    /// The vocabulary.
    public var vocabulary: Vocabulary {
        switch self {
        case .spm(let t): return t.vocabulary
        case .bpe(let t): return t.vocabulary
        }
    }

    /// "SPM" or "BPE (pre-tokenizer type)".
    public var kindDescription: String {
        switch self {
        case .spm: return "SPM"
        case .bpe(let t): return "BPE (\(t.preTokenizer.type))"
        }
    }

    /// Token ids of raw bytes (see ``SPMTokenizer/tokenize(bytes:addSpecial:parseSpecial:)`` and
    /// ``BPETokenizer/tokenize(bytes:addSpecial:parseSpecial:)``).
    public func tokenize(bytes: [UInt8], addSpecial: Bool = true, parseSpecial: Bool = false) -> [Int32] {
        switch self {
        case .spm(let t): return t.tokenize(bytes: bytes, addSpecial: addSpecial, parseSpecial: parseSpecial)
        case .bpe(let t): return t.tokenize(bytes: bytes, addSpecial: addSpecial, parseSpecial: parseSpecial)
        }
    }

    /// Token ids of a string.
    public func tokenize(_ text: String, addSpecial: Bool = true, parseSpecial: Bool = false) -> [Int32] {
        tokenize(bytes: Array(text.utf8), addSpecial: addSpecial, parseSpecial: parseSpecial)
    }

    /// `token_to_piece`.
    public func piece(_ id: Int32, special: Bool = true, lstrip: Int = 0) -> [UInt8] {
        vocabulary.piece(id, special: special, lstrip: lstrip)
    }

    /// `llama_detokenize` as bytes.
    public func detokenizeBytes(_ ids: [Int32], removeSpecial: Bool = false, unparseSpecial: Bool = false) -> [UInt8] {
        vocabulary.detokenizeBytes(ids, removeSpecial: removeSpecial, unparseSpecial: unparseSpecial)
    }

    /// `llama_detokenize` as a string (invalid UTF-8 becomes U+FFFD).
    public func detokenize(_ ids: [Int32], removeSpecial: Bool = false, unparseSpecial: Bool = false) -> String {
        vocabulary.detokenize(ids, removeSpecial: removeSpecial, unparseSpecial: unparseSpecial)
    }
}
