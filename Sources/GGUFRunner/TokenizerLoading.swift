import GGUFFormat
import GGUFIO
import GGUFTokenizer

extension TokenizerConfig {
    /// The `tokenizer.ggml.*` (and `general.name` / `general.architecture`) values of a GGUF file's metadata.
    public init(metadata m: GGUFMetadata) throws(RunnerError) {
        guard let model = m.string("tokenizer.ggml.model") else {
            throw RunnerError.badVocabulary("tokenizer.ggml.model is missing")
        }
        func strings(_ key: String) throws(RunnerError) -> [[UInt8]]? {
            guard let v = m[key] else { return nil }
            guard let a = v.arrayValue else { throw RunnerError.badVocabulary("\(key) is not an array") }
            var out: [[UInt8]] = []
            out.reserveCapacity(a.count)
            for e in a {
                guard case .string(let b) = e else { throw RunnerError.badVocabulary("\(key) is not an array of strings") }
                out.append(b)
            }
            return out
        }
        guard let tokens = try strings("tokenizer.ggml.tokens") else {
            throw RunnerError.badVocabulary("tokenizer.ggml.tokens is missing")
        }
        var scores: [Float]? = nil
        if let a = m["tokenizer.ggml.scores"] {
            guard let arr = a.arrayValue else { throw RunnerError.badVocabulary("tokenizer.ggml.scores is not an array") }
            var s: [Float] = []
            s.reserveCapacity(arr.count)
            for v in arr {
                guard let d = v.doubleValue else { throw RunnerError.badVocabulary("tokenizer.ggml.scores is not numeric") }
                s.append(Float(d))
            }
            scores = s
        }
        var types: [Int32]? = nil
        if let a = m["tokenizer.ggml.token_type"] {
            guard let arr = a.arrayValue else { throw RunnerError.badVocabulary("tokenizer.ggml.token_type is not an array") }
            var t: [Int32] = []
            t.reserveCapacity(arr.count)
            for v in arr {
                guard let i = v.intValue else { throw RunnerError.badVocabulary("tokenizer.ggml.token_type is not integer") }
                t.append(Int32(truncatingIfNeeded: i))
            }
            types = t
        }
        self.init(model: model, pre: m.string("tokenizer.ggml.pre"), tokens: tokens, scores: scores,
                  tokenTypes: types, merges: try strings("tokenizer.ggml.merges"))
        func id(_ k: String) -> Int64? { m.int("tokenizer.ggml.\(k)_token_id").map(Int64.init) }
        bosID = id("bos")
        eosID = id("eos")
        unknownID = id("unknown")
        for k in ["eot", "eom", "fim_pre", "fim_suf", "fim_mid", "fim_pad", "fim_rep", "fim_sep"] {
            if let v = id(k) { specialIDs[k] = v }
        }
        // deprecated names of the FIM keys
        for (old, new) in [("prefix", "fim_pre"), ("suffix", "fim_suf"), ("middle", "fim_mid")] where specialIDs[new] == nil {
            if let v = id(old) { specialIDs[new] = v }
        }
        func flag(_ k: String) -> Bool? { m.int("tokenizer.ggml.\(k)").map { $0 != 0 } }
        addBOS = flag("add_bos_token")
        addEOS = flag("add_eos_token")
        addSpacePrefix = flag("add_space_prefix")
        normalizerLowercase = flag("normalizer.lowercase")
        modelName = m.string("general.name") ?? ""
        architecture = m.string("general.architecture") ?? ""
    }
}

extension Tokenizer {
    /// The tokenizer of a GGUF file's vocabulary: SPM or BPE as `tokenizer.ggml.model` says.
    public static func load(metadata: GGUFMetadata) throws(RunnerError) -> Tokenizer {
        let config = try TokenizerConfig(metadata: metadata)
        do {
            return try Tokenizer.make(config)
        } catch {
            throw RunnerError.badVocabulary(error.description)
        }
    }

    /// The tokenizer of a GGUF file (a vocabulary-only file is enough: tensors are not read).
    public static func load(path: String) throws -> Tokenizer {
        try load(metadata: GGUFReader.read(path: path).metadata)
    }
}
