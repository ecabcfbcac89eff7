/// llama.cpp's `llama_token_attr` bits.
public struct TokenAttributes: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let unknown = TokenAttributes(rawValue: 1 << 0)
    public static let unused = TokenAttributes(rawValue: 1 << 1)
    public static let normal = TokenAttributes(rawValue: 1 << 2)
    public static let control = TokenAttributes(rawValue: 1 << 3)
    public static let userDefined = TokenAttributes(rawValue: 1 << 4)
    public static let byte = TokenAttributes(rawValue: 1 << 5)
    public static let normalized = TokenAttributes(rawValue: 1 << 6)
    public static let lstrip = TokenAttributes(rawValue: 1 << 7)
    public static let rstrip = TokenAttributes(rawValue: 1 << 8)
    public static let singleWord = TokenAttributes(rawValue: 1 << 9)

    /// The attribute llama.cpp gives a `token_type` on load.
    public init(type: TokenType) {
        switch type {
        case .undefined: self = []
        case .normal: self = .normal
        case .unknown: self = .unknown
        case .control: self = .control
        case .userDefined: self = .userDefined
        case .unused: self = .unused
        case .byte: self = .byte
        }
    }

    /// Control and unknown tokens: hidden in pieces unless special, matched in text only with parse_special.
    @inlinable public var isHiddenUnlessSpecial: Bool { !isDisjoint(with: [.control, .unknown]) }
    /// Control, user-defined and unknown tokens: the ones special-token partitioning looks for.
    @inlinable public var isSpecial: Bool { !isDisjoint(with: [.control, .userDefined, .unknown]) }
}

/// Vocabulary settings beyond the token arrays and the BOS/EOS/UNK keys.
public struct VocabularyOptions: Sendable {
    /// How normal tokens become pieces.
    public var pieceStyle: Vocabulary.PieceStyle = .unescapeSpaces
    /// llama.cpp's `clean_spaces` for detokenization (BPE vocabularies of some pre-tokenizers).
    public var cleanSpaces = false
    /// `general.name` (llama.cpp gives phi-3 models' special tokens the rstrip attribute).
    public var modelName = ""
    /// `tokenizer.ggml.pre` (jina-v2 models: `<mask>` gets lstrip).
    public var tokenizerPre = ""
    /// `general.architecture` (nomic-bert-moe, jina-bert-v3: `<mask>` gets lstrip).
    public var architecture = ""
    /// Ids given by `tokenizer.ggml.{eot,eom,fim_pre,fim_suf,fim_mid,fim_pad,fim_rep,fim_sep}_token_id`
    /// (keys without the prefix and `_token_id`); the kinds without one are found by text, as llama.cpp does.
    public var specialIDs: [String: Int32] = [:]

    public init(pieceStyle: Vocabulary.PieceStyle = .unescapeSpaces, cleanSpaces: Bool = false, modelName: String = "",
                tokenizerPre: String = "", architecture: String = "", specialIDs: [String: Int32] = [:]) {
        self.pieceStyle = pieceStyle
        self.cleanSpaces = cleanSpaces
        self.modelName = modelName
        self.tokenizerPre = tokenizerPre
        self.architecture = architecture
        self.specialIDs = specialIDs
    }
}

extension Vocabulary {
    static let textKinds: [(kind: String, texts: [String])] = [
        ("eot", ["<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<|end_of_text|>", "<EOT>",
                 "_<EOT>", "[EOT]", "<｜end▁of▁sentence｜>", "<end_of_utterance>"]),
        ("eom", ["<|eom_id|>"]),
        ("fim_pre", ["<|fim_prefix|>", "<fim-prefix>", "<fim_prefix>", "<｜fim▁begin｜>", "<PRE>", "▁<PRE>",
                     "<|code_prefix|>", "<|prefix|>"]),
        ("fim_suf", ["<|fim_suffix|>", "<fim-suffix>", "<fim_suffix>", "<｜fim▁hole｜>", "<SUF>", "▁<SUF>",
                     "<|code_suffix|>", "<|suffix|>"]),
        ("fim_mid", ["<|fim_middle|>", "<fim-middle>", "<fim_middle>", "<｜fim▁end｜>", "<MID>", "▁<MID>",
                     "<|code_middle|>", "<|middle|>"]),
        ("fim_pad", ["<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>", "[PAD]"]),
        ("fim_rep", ["<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>", "<reponame>"]),
        ("fim_sep", ["<|file_sep|>"]),
    ]

    static let eogTexts: Set<[UInt8]> = Set([
        "<|eot_id|>", "<|im_end|>", "<|end|>", "<|return|>", "<|call|>", "<|flush|>", "<|calls|>", "<end_of_turn>",
        "<|endoftext|>", "</s>", "<|eom_id|>", "<EOT>", "_<EOT>", "[EOT]", "[EOS]", "<|end_of_text|>",
        "<end_of_utterance>", "<eos>", "<turn|>", "<|tool_response>", "<｜end▁of▁sentence｜>", "[e~[",
    ].map { Array($0.utf8) })

    /// llama.cpp's load-time recognition of special tokens by their text; returns the end-of-generation ids.
    static func recognizeSpecialTokens(texts: [[UInt8]], table: ByteTable, attributes a: inout [TokenAttributes],
                                       options: VocabularyOptions, eosID: Int32?) -> Set<Int32> {
        let n = texts.count
        func id(_ s: String) -> Int32? { Array(s.utf8).withUnsafeBufferPointer { table.lookup($0) } }
        var ids: [String: Int32] = [:]
        for (kind, _) in textKinds {
            if let given = options.specialIDs[kind], given >= 0, Int(given) < n { ids[kind] = given }
        }
        // The kinds without a key: the first token (lowest id here; llama.cpp: hash-map order) with a known text.
        for (kind, names) in textKinds where ids[kind] == nil {
            let candidates = names.compactMap(id).sorted()
            if let first = candidates.first {
                ids[kind] = first
                a[Int(first)].insert(.control)
            }
        }
        for i in 0..<n where a[i].contains(.control) && !a[i].contains(.unused) {
            if contains(texts[i], Array("unused".utf8)) { a[i].insert(.unused) }
        }
        var eog = Set<Int32>()
        for k in ["fim_pad", "fim_rep", "fim_sep"] { if let v = ids[k] { eog.insert(v) } }
        for i in 0..<n where eogTexts.contains(texts[i]) {
            eog.insert(Int32(i))
            a[i].insert(.control)
        }
        for s in ["<|channel|>", "<|message|>", "<|start|>", "<|constrain|>"] {
            if let t = id(s) { a[Int(t)] = .userDefined }
        }
        if let e = eosID { eog.insert(e) }
        if let e = ids["eot"] { eog.insert(e) }
        if let e = ids["eom"] { eog.insert(e) }
        func textOf(_ t: Int32) -> String { String(decoding: texts[Int(t)], as: UTF8.self) }
        let eogTextsNow = Dictionary(eog.filter { $0 >= 0 && Int($0) < n }.map { (textOf($0), $0) }, uniquingKeysWith: min)
        let hasCall = eogTextsNow["<|call|>"] != nil || eogTextsNow["<|calls|>"] != nil
        if let end = eogTextsNow["<|end|>"],
           (eogTextsNow["<|return|>"] != nil && hasCall) || (hasCall && eogTextsNow["<|flush|>"] != nil) {
            eog.remove(end)
            a[Int(end)] = .userDefined
        }
        if let s = eogTextsNow["</s>"], eogTextsNow["<|tool_response>"] != nil || eogTextsNow["<|plamo:eos|>"] != nil {
            eog.remove(s)
            a[Int(s)] = .normal
        }
        return eog
    }

    /// The per-model lstrip/rstrip attributes llama.cpp sets by name at the end of loading.
    static func applyModelAttributes(texts: [[UInt8]], table: ByteTable, specialTokens: [Int32],
                                     attributes a: inout [TokenAttributes], options: VocabularyOptions) {
        func id(_ s: String) -> Int32? { Array(s.utf8).withUnsafeBufferPointer { table.lookup($0) } }
        let name = String(options.modelName.unicodeScalars.map { $0.value < 128 ? Character(String($0).lowercased()) : Character($0) })
        let pre = options.tokenizerPre, arch = options.architecture
        if ["jina-v2-de", "jina-v2-es", "jina-v2-code"].contains(where: { pre.contains($0) })
            || ["nomic-bert-moe", "jina-bert-v3"].contains(where: { arch.contains($0) }) {
            if let m = id("<mask>") { a[Int(m)].insert(.lstrip) }
        } else if name.contains("phi-3") || name.contains("phi3") {
            for t in specialTokens { a[Int(t)].insert(.rstrip) }
            if let t = id("</s>") { a[Int(t)].insert(.rstrip) }
            for s in ["<unk>", "<s>", "<|endoftext|>"] { if let t = id(s) { a[Int(t)].remove(.rstrip) } }
        } else if name.contains("modern-bert") {
            if let m = id("[MASK]") { a[Int(m)].insert(.lstrip) }
        }
    }

    static func contains(_ hay: [UInt8], _ needle: [UInt8]) -> Bool {
        guard needle.count <= hay.count else { return false }
        for i in 0...(hay.count - needle.count) where hay[i ..< i + needle.count].elementsEqual(needle) { return true }
        return false
    }
}
