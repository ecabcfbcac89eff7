import Foundation

/// A GGUF vocabulary: token texts, scores and token types, index = id.
public struct ModelVocabulary: Sendable, Equatable {
    public var tokens: [[UInt8]]
    public var scores: [Float]
    /// llama token types: 1 normal, 2 unknown, 3 control, 4 user-defined, 5 unused, 6 byte.
    public var types: [Int32]
    public var count: Int { tokens.count }
}

/// Special token ids and flags (`tokenizer.ggml.*_token_id`, `add_bos_token`, chat template).
public struct SpecialTokens: Sendable, Equatable {
    /// `(kind, id)` in the order they are written; kind is `bos`, `eos`, `unk`, `sep` or `pad`.
    public var ids: [(kind: String, id: Int)] = []
    public var addBOS: Bool?
    public var addEOS: Bool?
    public var chatTemplate: String?

    public static func == (a: SpecialTokens, b: SpecialTokens) -> Bool {
        a.ids.map { "\($0.kind)=\($0.id)" } == b.ids.map { "\($0.kind)=\($0.id)" } && a.addBOS == b.addBOS
            && a.addEOS == b.addEOS && a.chatTemplate == b.chatTemplate
    }
}

/// Hyper-parameters found in an original model's `config.json` (Hugging Face) or `params.json` (Meta).
public struct OriginalConfig: Sendable, Equatable {
    public var nEmbd: Int?
    public var nLayer: Int?
    public var nHead: Int?
    public var nHeadKV: Int?
    public var nFF: Int?
    public var contextLength: Int?
    public var rmsNormEps: Double?
    public var ropeTheta: Double?
    /// Linear RoPE scaling factor (`rope_scaling: {type: linear, factor: F}`).
    public var ropeScaleLinear: Double?
}

/// What a `--vocab-dir` folder holds: the tokenizer, special tokens and the model's configuration.
public struct VocabDirectory: Sendable {
    public var vocabulary: ModelVocabulary
    public var special: SpecialTokens
    public var config: OriginalConfig?
    /// The files that were read, for messages.
    public var files: [String]

    /// Loads `tokenizer.model` (preferred) or `tokenizer.json`, plus `added_tokens.json`, `config.json` or
    /// `params.json`, `tokenizer_config.json` and `special_tokens_map.json` when present.
    public static func load(_ dir: String) throws(ModelError) -> VocabDirectory {
        var files: [String] = []
        func path(_ name: String) -> String { (dir as NSString).appendingPathComponent(name) }
        func exists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: path(name)) }
        func readJSON(_ name: String) throws(ModelError) -> [String: Any]? {
            guard exists(name) else { return nil }
            guard let data = FileManager.default.contents(atPath: path(name)) else {
                throw .usage("\(path(name)): cannot read")
            }
            do {
                guard let obj = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                    throw ModelError.badData("\(path(name)): expected a JSON object")
                }
                files.append(name)
                return obj
            } catch let e as ModelError {
                throw e
            } catch {
                throw .badData("\(path(name)): invalid JSON: \(error.localizedDescription)")
            }
        }

        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else {
            throw .usage("\(dir): not a directory (--vocab-dir expects the original model's folder)")
        }

        let tokenizerJSON = try readJSON("tokenizer.json")
        var vocab: ModelVocabulary
        if exists("tokenizer.model") {
            guard let data = FileManager.default.contents(atPath: path("tokenizer.model")) else {
                throw .usage("\(path("tokenizer.model")): cannot read")
            }
            let model: SentencePieceModel
            do { model = try SentencePieceModel(data: [UInt8](data)) } catch {
                throw .badData("\(path("tokenizer.model")): not a SentencePiece model: \(error)")
            }
            files.append("tokenizer.model")
            vocab = spmVocabulary(model)
            if let added = try readJSON("added_tokens.json") {
                try appendAdded(&vocab, added, file: path("added_tokens.json"))
            }
        } else if let tj = tokenizerJSON {
            vocab = try hfVocabulary(tj, file: path("tokenizer.json"))
        } else {
            throw .usage("\(dir): no tokenizer.model or tokenizer.json found")
        }

        var config: OriginalConfig?
        let cfg = try readJSON("config.json")
        if let c = cfg {
            config = hfConfig(c)
        } else if let p = try readJSON("params.json") {
            config = metaConfig(p)
        }
        let special = specialTokens(vocab: vocab, tokenizerConfig: try readJSON("tokenizer_config.json"),
                                    specialMap: try readJSON("special_tokens_map.json"), config: cfg,
                                    tokenizerJSON: tokenizerJSON)
        return VocabDirectory(vocabulary: vocab, special: special, config: config, files: files)
    }

    /// SentencePiece pieces as llama.cpp's converter writes them (user-defined pieces become normal).
    static func spmVocabulary(_ m: SentencePieceModel) -> ModelVocabulary {
        var v = ModelVocabulary(tokens: [], scores: [], types: [])
        for p in m.pieces {
            v.tokens.append(Array(p.text.utf8))
            v.scores.append(p.score)
            switch p.type {
            case .unknown: v.types.append(2)
            case .control: v.types.append(3)
            case .unused: v.types.append(5)
            case .byte: v.types.append(6)
            case .normal, .userDefined: v.types.append(1)
            }
        }
        return v
    }

    /// Tokens of `added_tokens.json` with ids past the base vocabulary: user-defined, score -1000.
    static func appendAdded(_ v: inout ModelVocabulary, _ added: [String: Any], file: String) throws(ModelError) {
        let extra = added.compactMap { (k, v) -> (String, Int)? in (v as? Int).map { (k, $0) } }
            .filter { $0.1 >= v.count }.sorted { $0.1 < $1.1 }
        let base = v.count
        for (i, (text, id)) in extra.enumerated() where id != base + i {
            throw .badData("\(file): added token '\(text)' has id \(id), expected \(base + i) (ids must follow the base vocabulary)")
        }
        for (text, _) in extra {
            v.tokens.append(Array(text.utf8))
            v.scores.append(-1000)
            v.types.append(4)
        }
    }

    /// A Hugging Face `tokenizer.json` of llama's kind (BPE with byte fallback).
    static func hfVocabulary(_ tj: [String: Any], file: String) throws(ModelError) -> ModelVocabulary {
        guard let model = tj["model"] as? [String: Any], let map = model["vocab"] as? [String: Any] else {
            throw .badData("\(file): no model.vocab found")
        }
        var byID: [Int: String] = [:]
        for (k, v) in map { if let id = v as? Int { byID[id] = k } }
        var special = Set<Int>()
        for case let a as [String: Any] in (tj["added_tokens"] as? [Any] ?? []) {
            guard let id = a["id"] as? Int, let content = a["content"] as? String else { continue }
            byID[id] = byID[id] ?? content
            if (a["special"] as? Bool) ?? false { special.insert(id) }
        }
        let n = (byID.keys.max() ?? -1) + 1
        guard n > 0, byID.count == n else {
            throw .badData("\(file): token ids are not contiguous (\(byID.count) tokens, highest id \(n - 1))")
        }
        var v = ModelVocabulary(tokens: [], scores: [], types: [])
        for id in 0..<n {
            let text = byID[id]!
            let bytes = Array(text.utf8)
            v.tokens.append(bytes)
            let isByte = bytes.count == 6 && text.hasPrefix("<0x") && text.hasSuffix(">")
                && UInt8(text.dropFirst(3).prefix(2), radix: 16) != nil
            if isByte {
                v.types.append(6); v.scores.append(0)
            } else if special.contains(id) {
                v.types.append(3); v.scores.append(0)
            } else {
                // BPE merge priority follows the id; SentencePiece BPE models score pieces the same way.
                v.types.append(1); v.scores.append(-Float(id))
            }
        }
        return v
    }

    static func hfConfig(_ c: [String: Any]) -> OriginalConfig {
        var o = OriginalConfig()
        o.nEmbd = c["hidden_size"] as? Int
        o.nLayer = c["num_hidden_layers"] as? Int
        o.nHead = c["num_attention_heads"] as? Int
        o.nHeadKV = c["num_key_value_heads"] as? Int
        o.nFF = c["intermediate_size"] as? Int
        o.contextLength = (c["max_sequence_length"] as? Int) ?? (c["max_position_embeddings"] as? Int)
        o.rmsNormEps = (c["rms_norm_eps"] as? NSNumber)?.doubleValue
        o.ropeTheta = (c["rope_theta"] as? NSNumber)?.doubleValue
        if let rs = c["rope_scaling"] as? [String: Any], (rs["type"] as? String ?? rs["rope_type"] as? String) == "linear" {
            o.ropeScaleLinear = (rs["factor"] as? NSNumber)?.doubleValue
        }
        return o
    }

    /// Meta's `params.json`; the context length is guessed as llama.cpp's converter guesses it.
    static func metaConfig(_ p: [String: Any]) -> OriginalConfig {
        var o = OriginalConfig()
        o.nEmbd = p["dim"] as? Int
        o.nLayer = p["n_layers"] as? Int
        o.nHead = p["n_heads"] as? Int
        o.nHeadKV = p["n_kv_heads"] as? Int
        o.rmsNormEps = (p["norm_eps"] as? NSNumber)?.doubleValue
        o.ropeTheta = (p["rope_theta"] as? NSNumber)?.doubleValue
        if o.ropeTheta == 1e6 { o.contextLength = 16384 }
        else if o.rmsNormEps == 1e-5 { o.contextLength = 4096 }
        else { o.contextLength = 2048 }
        return o
    }

    /// Special ids as gguf-py's `SpecialVocab` finds them: token names in `tokenizer_config.json` /
    /// `special_tokens_map.json` looked up in the vocabulary, then `*_token_id` in `config.json`.
    static func specialTokens(vocab: ModelVocabulary, tokenizerConfig: [String: Any]?, specialMap: [String: Any]?,
                              config: [String: Any]?, tokenizerJSON: [String: Any]?) -> SpecialTokens {
        var s = SpecialTokens()
        var lookup: [String: Int] = [:]
        for (i, t) in vocab.tokens.enumerated() where lookup[String(decoding: t, as: UTF8.self)] == nil {
            lookup[String(decoding: t, as: UTF8.self)] = i
        }
        for case let a as [String: Any] in (tokenizerJSON?["added_tokens"] as? [Any] ?? []) {
            if let id = a["id"] as? Int, let content = a["content"] as? String { lookup[content] = id }
        }
        func name(_ v: Any?) -> String? {
            if let s = v as? String { return s }
            if let d = v as? [String: Any] { return d["content"] as? String }
            return nil
        }
        for kind in ["bos", "eos", "unk", "sep", "pad"] {
            var id: Int?
            if let n = name(tokenizerConfig?["\(kind)_token"]) ?? name(specialMap?["\(kind)_token"]), let i = lookup[n] { id = i }
            if id == nil, let i = config?["\(kind)_token_id"] as? Int { id = i }
            if let id, id >= 0, id < vocab.count { s.ids.append((kind, id)) }
        }
        s.addBOS = tokenizerConfig?["add_bos_token"] as? Bool
        s.addEOS = tokenizerConfig?["add_eos_token"] as? Bool
        s.chatTemplate = tokenizerConfig?["chat_template"] as? String
        return s
    }
}
