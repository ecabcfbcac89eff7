import Foundation
import GGUFFormat

/// The vocabulary keys llama.cpp's converter writes, built as it builds them.
struct HFVocab {
    /// `TextModel.does_token_look_special`.
    static func looksSpecial(_ t: String) -> Bool {
        if ["<pad>", "<mask>", "<2mass>", "[@BOS@]"].contains(t) { return true }
        if t.hasPrefix("<|") && t.hasSuffix("|>") && t.count >= 2 { return true }
        if t.hasPrefix("<｜") && t.hasSuffix("｜>") && t.count >= 2 { return true }
        if t.hasPrefix("<unused") && t.hasSuffix(">") { return true }
        return false
    }

    /// `_create_vocab_sentencepiece` + `_set_vocab_sentencepiece`: tokens, scores and types from
    /// `tokenizer.model`, `added_tokens.json` and `tokenizer_config.json`'s `added_tokens_decoder`, then the
    /// special tokens.
    static func sentencePiece(_ folder: HFFolder, vocabSize: Int?, into md: inout GGUFMetadata) throws(ModelError) {
        let path = folder.file("tokenizer.model")
        guard let data = FileManager.default.contents(atPath: path) else { throw .usage("\(path): cannot read") }
        let model: SentencePieceModel
        do { model = try SentencePieceModel(data: [UInt8](data)) } catch {
            throw .badData("\(path): not a SentencePiece model: \(error)")
        }
        let n = vocabSize ?? model.pieces.count
        var tokens: [[UInt8]] = (0..<n).map { Array("[PAD\($0)]".utf8) }
        var scores = [Float](repeating: -10000, count: n)
        var types = [Int32](repeating: 5, count: n)
        for (id, p) in model.pieces.enumerated() {
            if id >= n { break }
            tokens[id] = Array(p.text.utf8)
            scores[id] = p.score
            switch p.type {
            case .unknown: types[id] = 2
            case .control: types[id] = 3
            case .unused: types[id] = 5
            case .byte: types[id] = 6
            case .normal, .userDefined: types[id] = 1
            }
        }
        if let added = try folder.json("added_tokens.json") {
            for (key, v) in added.members ?? [] {
                guard let id = v.int else { throw .badData("\(folder.file("added_tokens.json")): id of '\(key)' is not an integer") }
                guard id >= 0, id < n else { continue }
                tokens[id] = Array(key.utf8)
                scores[id] = -1000
                types[id] = 4
            }
        }
        if let tc = try folder.json("tokenizer_config.json"), let decoder = tc["added_tokens_decoder"]?.members {
            for (key, entry) in decoder {
                guard let id = Int(key) else { throw .badData("\(folder.file("tokenizer_config.json")): added_tokens_decoder key '\(key)' is not an id") }
                guard var content = entry["content"]?.string else {
                    throw .badData("\(folder.file("tokenizer_config.json")): added_tokens_decoder['\(key)'] has no content")
                }
                guard id >= 0, id < n else { continue }
                if (entry["special"]?.truthy ?? false) || looksSpecial(content) {
                    types[id] = 3
                } else {
                    content = content.replacingOccurrences(of: "\u{2581}", with: " ")
                    types[id] = 4
                }
                scores[id] = -1000
                tokens[id] = Array(content.utf8)
            }
        }
        md["tokenizer.ggml.model"] = .string("llama")
        md["tokenizer.ggml.pre"] = .string("default")
        md["tokenizer.ggml.tokens"] = .array(elementType: .string, values: tokens.map { .string($0) })
        md["tokenizer.ggml.scores"] = .array(elementType: .float32, values: scores.map { .float32($0) })
        md["tokenizer.ggml.token_type"] = .array(elementType: .int32, values: types.map { .int32($0) })
        try special(folder, nVocab: n, loadMerges: false, into: &md)
    }

    /// gguf-py's `SpecialVocab(path, load_merges, n_vocab).add_to_gguf(...)`.
    static func special(_ folder: HFFolder, nVocab: Int?, loadMerges: Bool, into md: inout GGUFMetadata,
                        types typesGiven: [String]? = nil, forced: [(String, Int)] = [], noChatTemplate: Bool = false) throws(ModelError) {
        var types = typesGiven ?? ["bos", "eos", "unk", "sep", "pad", "cls", "mask"]
        var ids: [(String, Int)] = []
        var addSpecial: [(String, Bool)] = []
        var merges: [String] = []
        var chatTemplate: JSONNode?
        var lowercase: Bool?
        var stripAccents: Bool?

        func setAdd(_ typ: String, _ v: Bool, overwrite: Bool) {
            if let i = addSpecial.firstIndex(where: { $0.0 == typ }) { if overwrite { addSpecial[i].1 = v } }
            else { addSpecial.append((typ, v)) }
        }
        func setID(_ typ: String, _ tid: JSONNode?) throws(ModelError) {
            guard let tid else { return }
            let v: Int
            switch tid {
            case .int(let x): v = x
            case .bool(let b): v = b ? 1 : 0
            default: return
            }
            if v < 0 { throw .badData("invalid value for special token type \(typ): \(v)") }
            if nVocab == nil || v < nVocab! {
                if ids.contains(where: { $0.0 == typ }) { return }
                ids.append((typ, v))
            }
        }
        func parseNormalizer(_ n: JSONNode) {
            switch n["type"]?.string {
            case "Lowercase": lowercase = true
            case "StripAccents": stripAccents = true
            case "BertNormalizer":
                if let v = n["lowercase"] { lowercase = v.bool ?? v.truthy }
                if let v = n["strip_accents"] { stripAccents = v.isNull ? nil : (v.bool ?? v.truthy) }
            case "Sequence": for x in n["normalizers"]?.array ?? [] { parseNormalizer(x) }
            default: break
            }
        }

        let tokenizer = try folder.json("tokenizer.json")
        var tokenizerConfig = try folder.json("tokenizer_config.json")
        var addedTokens: [JSONNode] = []
        func tcGet(_ k: String) -> JSONNode? { tokenizerConfig?[k] }
        func tcSet(_ k: String, _ v: JSONNode?) {
            guard case .object(var m) = tokenizerConfig else { return }
            if let i = m.firstIndex(where: { $0.0 == k }) { m[i].1 = v ?? .null } else { m.append((k, v ?? .null)) }
            tokenizerConfig = .object(m)
        }
        if let tok = tokenizer {
            if loadMerges, let ms = tok["model"]?["merges"]?.array, let first = ms.first {
                if first.string != nil {
                    merges = ms.compactMap(\.string)
                } else if let pair = first.array, pair.count == 2, pair[0].string != nil {
                    merges = ms.map { m in
                        (m.array ?? []).map { part in
                            String((part.string ?? "").map { $0 == " " ? Character(Unicode.Scalar(0x20 + 256)!) : $0 })
                        }.joined(separator: " ")
                    }
                } else {
                    throw .badData("\(folder.file("tokenizer.json")): Unknown tokenizer merges format")
                }
            }
            if let n = tok["normalizer"], n.truthy { parseNormalizer(n) }
            addedTokens = tok["added_tokens"]?.array ?? []

            let tcTruthy = tokenizerConfig?.truthy ?? false
            var specialBOS = tcGet("bos_token"), specialCLS = tcGet("cls_token")
            var specialEOS = tcGet("eos_token"), specialSEP = tcGet("sep_token")
            if !(specialBOS?.truthy ?? false), specialCLS?.truthy ?? false, tcTruthy { specialBOS = specialCLS; tcSet("bos_token", specialCLS) }
            if !(specialEOS?.truthy ?? false), specialSEP?.truthy ?? false, tcTruthy { specialEOS = specialSEP; tcSet("eos_token", specialSEP) }
            if let pp = tok["post_processor"], pp.truthy {
                let processors = pp["processors"]?.array ?? [pp]
                for proc in processors {
                    switch proc["type"]?.string {
                    case "ByteLevel":
                        setAdd("bos", false, overwrite: false)
                        setAdd("eos", false, overwrite: false)
                    case "RobertaProcessing":
                        setAdd("bos", true, overwrite: true); setAdd("eos", true, overwrite: true); setAdd("sep", true, overwrite: true)
                        if !(specialCLS?.truthy ?? false), tcTruthy {
                            specialCLS = proc["cls"]?.array?.first ?? specialBOS
                            tcSet("cls_token", specialCLS)
                        }
                        if !(specialSEP?.truthy ?? false), tcTruthy {
                            specialSEP = proc["sep"]?.array?.first ?? specialEOS
                            tcSet("sep_token", specialSEP)
                        }
                    case "TemplateProcessing":
                        let single = proc["single"]?.array ?? []
                        var specialFirst: JSONNode?
                        var specialLast: JSONNode?
                        if single.count > 1 {
                            if let f = single[0]["SpecialToken"]?["id"], f.truthy {
                                specialFirst = f
                                if !((tokenizerConfig?.truthy) ?? false) { specialBOS = f }
                                else if f != specialBOS && f != specialCLS {
                                    if !(specialBOS?.truthy ?? false) { specialBOS = f; tcSet("bos_token", f) }
                                    if !(specialCLS?.truthy ?? false) { specialCLS = f; tcSet("cls_token", f) }
                                }
                                setAdd("bos", f == specialBOS || f == specialCLS, overwrite: true)
                            }
                            if let l = single[single.count - 1]["SpecialToken"]?["id"], l.truthy {
                                specialLast = l
                                if !((tokenizerConfig?.truthy) ?? false) { specialEOS = l }
                                else if l != specialEOS {
                                    if !types.contains("eot") { types.append("eot"); tcSet("eot_token", specialEOS) }
                                    else if !types.contains("eom") { types.append("eom"); tcSet("eom_token", specialEOS) }
                                    specialEOS = l
                                    tcSet("eos_token", l)
                                }
                                setAdd("eos", l == specialEOS, overwrite: true)
                            }
                        }
                        var pair = proc["pair"]?.array ?? []
                        if !pair.isEmpty {
                            let seqStart = (specialFirst?.truthy ?? false) && pair[0]["SpecialToken"]?["id"] == specialFirst ? 1 : 0
                            let dropLast = (specialLast?.truthy ?? false) && pair[pair.count - 1]["SpecialToken"]?["id"] == specialLast
                            let end = dropLast ? pair.count - 1 : pair.count
                            pair = seqStart < end ? Array(pair[seqStart..<end]) : []
                            if !pair.isEmpty {
                                let a = pair[0]["Sequence"]?["id"]?.string
                                let b = pair[pair.count - 1]["Sequence"]?["id"]?.string
                                if a == "A" && b == "B" && pair.count > 2 {
                                    let mid = Array(pair[1..<(pair.count - 1)])
                                    var addSep = false
                                    if let e = mid[0]["SpecialToken"]?["id"], e.truthy {
                                        if (e == specialSEP || e == specialEOS) && !(specialLast?.truthy ?? false) { addSep = true }
                                    }
                                    if mid.count == 2, let e = mid[1]["SpecialToken"]?["id"], e.truthy {
                                        if e == specialSEP || e == specialEOS { addSep = true }
                                    }
                                    setAdd("sep", addSep, overwrite: true)
                                    if addSep && !(specialSEP?.truthy ?? false) && tcTruthy { tcSet("sep_token", specialEOS) }
                                }
                            }
                        }
                    default: break
                    }
                }
            }
        }
        if let tc = tokenizerConfig, tc.truthy {
            var alt: JSONNode?
            if folder.exists("chat_template.jinja") {
                alt = .string(try folder.text("chat_template.jinja") ?? "")
                let extraDir = folder.file("additional_chat_templates")
                let extras = ((try? FileManager.default.contentsOfDirectory(atPath: extraDir)) ?? []).filter { $0.hasSuffix(".jinja") }
                if !extras.isEmpty {
                    throw .usage("\(extraDir): additional chat templates are not supported")
                }
            } else if let j = try folder.json("chat_template.json") {
                alt = j["chat_template"]
            }
            let ct = tc["chat_template"] ?? alt
            switch ct {
            case .string?: chatTemplate = ct
            case .array?: throw .usage("\(folder.file("tokenizer_config.json")): a list of chat templates is not supported")
            default: chatTemplate = nil
            }
            for typ in types {
                if let add = tc["add_\(typ)_token"]?.bool { setAdd(typ, add, overwrite: false) }
                let entry = tc["\(typ)_token"]
                let content: String
                if let s = entry?.string { content = s }
                else if let c = entry?["content"]?.string { content = c }
                else { continue }
                let id = addedTokens.first { $0["content"]?.string == content }?["id"]
                try setID(typ, id)
            }
        }
        if let c = try folder.json("config.json") {
            for typ in types {
                var v = c["\(typ)_token_id"]
                if v == nil || v!.isNull, let tcfg = c["text_config"] { v = tcfg["\(typ)_token_id"] }
                try setID(typ, v)
            }
        }

        for (typ, id) in forced { try setID(typ, .int(id)) }
        if noChatTemplate { chatTemplate = nil }
        if !merges.isEmpty {
            md["tokenizer.ggml.merges"] = .array(elementType: .string, values: merges.map { .string($0) })
        }
        let idKeys = ["bos": "bos_token_id", "eos": "eos_token_id", "unk": "unknown_token_id", "sep": "seperator_token_id",
                      "pad": "padding_token_id", "mask": "mask_token_id", "eot": "eot_token_id", "eom": "eom_token_id"]
        for (typ, id) in ids {
            guard let k = idKeys[typ] else { continue }
            md["tokenizer.ggml.\(k)"] = .uint32(UInt32(truncatingIfNeeded: id))
        }
        for (typ, v) in addSpecial where ["bos", "eos", "sep"].contains(typ) {
            md["tokenizer.ggml.add_\(typ)_token"] = .bool(v)
        }
        if case .string(let s)? = chatTemplate {
            if !s.isEmpty { md["tokenizer.chat_template"] = .string(s) }
        }
        if let l = lowercase { md["tokenizer.ggml.normalizer.lowercase"] = .bool(l) }
        if let s = stripAccents { md["tokenizer.ggml.normalizer.strip_accents"] = .bool(s) }
    }
}
