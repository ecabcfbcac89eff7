import Foundation
import GGUFFormat
import GGUFIO
import GGUFTokenizer

extension HFVocab {
    /// Whether LlamaModel.set_vocab would take `_set_vocab_llama_hf` (a SentencePiece-style BPE tokenizer.json
    /// with byte fallback and a `Sequence` decoder, which is not converted here) rather than `_set_vocab_gpt2`.
    static func isLlamaHFVocab(_ folder: HFFolder) throws(ModelError) -> Bool {
        guard let tj = try folder.json("tokenizer.json"), let model = tj["model"] else { return false }
        let byteFallback = model["byte_fallback"]?.truthy
        let isLlama3 = model["type"]?.string == "BPE" && (model["ignore_merges"]?.truthy ?? false) && !(byteFallback ?? true)
        if isLlama3 { return false }
        return model["type"]?.string == "BPE" && (byteFallback ?? false) && tj["decoder"]?["type"]?.string == "Sequence"
    }

    /// `get_vocab_base` + `_set_vocab_gpt2`: tokens and types from tokenizer.json (its BPE model's vocab and
    /// its added tokens), the pre-tokenizer named as `get_vocab_base_pre` names it, then the special tokens
    /// and merges.
    static func gpt2(_ folder: HFFolder, vocabSize: Int?, into md: inout GGUFMetadata) throws(ModelError) {
        let path = folder.file("tokenizer.json")
        guard let tj = try folder.json("tokenizer.json") else {
            throw .usage("\(folder.path): no tokenizer.model or tokenizer.json")
        }
        guard let model = tj["model"], model["type"]?.string == "BPE", let vocab = model["vocab"]?.members else {
            throw .usage("\(path): model.type is not BPE; only BPE tokenizer.json vocabularies are converted")
        }
        var byID: [Int: String] = [:]
        for (tok, v) in vocab {
            guard let id = v.int, id >= 0 else { throw .badData("\(path): model.vocab['\(tok)'] is not a token id") }
            byID[id] = tok
        }
        // content -> (special, normalized), as tokenizer.get_added_vocab() / added_tokens_decoder
        var added: [String: (special: Bool, normalized: Bool)] = [:]
        for a in tj["added_tokens"]?.array ?? [] {
            guard let id = a["id"]?.int, id >= 0, let content = a["content"]?.string else {
                throw .badData("\(path): an added token has no id or content")
            }
            byID[id] = content
            added[content] = (a["special"]?.truthy ?? false, a["normalized"]?.truthy ?? false)
        }
        let maxID = byID.keys.max() ?? -1
        let n = vocabSize ?? byID.count
        guard maxID < n else { throw .badData("\(path): token id \(maxID) is not below vocab_size \(n)") }

        var tokens: [String] = []
        var types: [Int32] = []
        tokens.reserveCapacity(n)
        types.reserveCapacity(n)
        for i in 0..<n {
            guard var tok = byID[i] else {
                tokens.append("[PAD\(i)]")
                types.append(5)
                continue
            }
            if let a = added[tok] {
                if a.special || looksSpecial(tok) {
                    types.append(3)
                } else {
                    tok = tok.replacingOccurrences(of: "\u{2581}", with: " ")
                    types.append(4)
                }
            } else {
                types.append(1)
            }
            tokens.append(tok)
        }
        let pre = try detectPre(tj, path: path, tokens: tokens, types: types)
        md["tokenizer.ggml.model"] = .string("gpt2")
        md["tokenizer.ggml.pre"] = .string(pre)
        md["tokenizer.ggml.tokens"] = .array(elementType: .string, values: tokens.map { .string(Array($0.utf8)) })
        md["tokenizer.ggml.token_type"] = .array(elementType: .int32, values: types.map { .int32($0) })
        try special(folder, nVocab: nil, loadMerges: true, into: &md)
    }

    /// `get_vocab_base_pre` without Python: the converter hashes the ids the transformers tokenizer gives
    /// for `chktxt`; here `chktxt` is tokenized by llama.cpp's BPE tokenizer (GGUFTokenizer) under each
    /// pre-tokenizer llama.cpp knows, with the special tokens tokenizer.json's post-processor adds, and
    /// the first hash that is in the converter's table names the pre-tokenizer. A hash in that table is
    /// the tokenization of a known model whose pre-tokenizer llama.cpp reproduces, so a match gives the
    /// name the converter gives; no match is refused as the converter refuses an unknown hash.
    static func detectPre(_ tj: JSONNode, path: String, tokens: [String], types: [Int32]) throws(ModelError) -> String {
        var merges: [[UInt8]] = []
        for m in tj["model"]?["merges"]?.array ?? [] {
            if let s = m.string { merges.append(Array(s.utf8)) }
            else if let pair = m.array, pair.count == 2, let a = pair[0].string, let b = pair[1].string {
                // as SpecialVocab joins a pair: a space inside a part becomes U+0120
                let fix = { (x: String) in x.replacingOccurrences(of: " ", with: "\u{120}") }
                merges.append(Array("\(fix(a)) \(fix(b))".utf8))
            } else { throw .badData("\(path): Unknown tokenizer merges format") }
        }
        let (prefix, suffix) = postProcessorIDs(tj)
        var table: [String: String] = [:]
        for (h, name) in preTokenizerHashes { table[h] = name }   // the last `if` that matches wins
        var candidates = ["llama-bpe", "qwen2", "qwen35", "gpt-2"]
        for (_, name) in preTokenizerHashes where !candidates.contains(name) { candidates.append(name) }
        let tokenBytes = tokens.map { Array($0.utf8) }
        var tried: [BPESettings] = []
        let text = Array(preTokenizerCheckText.utf8)
        for name in candidates {
            guard let s = BPESettings.forPre(name), !tried.contains(s) else { continue }
            tried.append(s)
            var config = TokenizerConfig(model: "gpt2", pre: name, tokens: tokenBytes, tokenTypes: types, merges: merges)
            config.addBOS = false
            config.addEOS = false
            guard let tokenizer = try? Tokenizer.make(config) else { continue }
            let ids = prefix + tokenizer.tokenize(bytes: text, addSpecial: false, parseSpecial: false).map(Int.init) + suffix
            let hash = SHA256.hex(Array(("[" + ids.map(String.init).joined(separator: ", ") + "]").utf8))
            if let found = table[hash] { return found }
        }
        throw .usage("\(path): BPE pre-tokenizer was not recognized (no known chktxt hash; convert_hf_to_gguf.py refuses it too)")
    }

    /// The ids a `TemplateProcessing` post-processor (alone or in a `Sequence`) puts before and after a
    /// single sequence.
    static func postProcessorIDs(_ tj: JSONNode) -> (prefix: [Int], suffix: [Int]) {
        guard let pp = tj["post_processor"], pp.truthy else { return ([], []) }
        let processors = pp["processors"]?.array ?? [pp]
        var prefix: [Int] = [], suffix: [Int] = []
        for proc in processors where proc["type"]?.string == "TemplateProcessing" {
            var seenSequence = false
            for item in proc["single"]?.array ?? [] {
                if item["Sequence"] != nil { seenSequence = true; continue }
                guard let id = item["SpecialToken"]?["id"]?.string,
                      let ids = proc["special_tokens"]?[id]?["ids"]?.array else { continue }
                let values = ids.compactMap(\.int)
                if seenSequence { suffix += values } else { prefix += values }
            }
        }
        return (prefix, suffix)
    }
}
