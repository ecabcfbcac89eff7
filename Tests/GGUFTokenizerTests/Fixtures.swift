import Foundation
import GGUFTokenizer

/// The committed fixtures under `Fixtures/tokenizer` (found from this file's path, not from /work/shared).
enum TokenizerFixtures {
    static let directory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // GGUFTokenizerTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // package root
        .appendingPathComponent("Fixtures/tokenizer")

    struct Case {
        var text: String
        var ids: [Int32]
        var idsNoBOS: [Int32]
        var idsParseSpecial: [Int32]
        var piecesHex: [String]?
        var detok: String?
        /// The input as bytes when it is not valid UTF-8 (extra cases only).
        var textBytes: [UInt8]?
        /// Exact detokenized bytes (extra cases only).
        var detokBytes: [UInt8]?
        /// BOS + parse_special ids, and llama_detokenize of them with (remove_special, unparse_special)
        /// = (false, false), (true, false), (false, true), (true, true) (extra cases only).
        var idsBOSParseSpecial: [Int32]?
        var detokSpecial: [[UInt8]]?
    }

    static func json(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: directory.appendingPathComponent(name))
        return try JSONSerialization.jsonObject(with: data) as! [String: Any]
    }

    static func ints(_ any: Any?) -> [Int32] {
        (any as? [Any] ?? []).map { Int32(($0 as! NSNumber).int64Value) }
    }

    /// The fortune-llama vocabulary (extracted from fortune-llama-f16.gguf by make_vocab.py).
    static func fortuneVocabulary() throws -> Vocabulary {
        try vocabulary("fortune-vocab.json")
    }

    /// A vocabulary JSON fixture (fortune-vocab.json, synthetic-vocab.json).
    static func vocabulary(_ name: String) throws -> Vocabulary {
        let o = try json(name)
        let tokens = (o["tokens_hex"] as! [String]).map(bytes(hex:))
        let scores = (o["scores"] as! [Any]).map { Float(($0 as! NSNumber).doubleValue) }
        let types = ints(o["token_types"])
        func id(_ k: String) -> Int32? { (o[k] as? NSNumber).map { Int32($0.int64Value) } }
        return try Vocabulary(tokens: tokens, scores: scores, tokenTypes: types,
                              bosID: id("bos_token_id") ?? 1, eosID: id("eos_token_id") ?? 2,
                              unknownID: id("unknown_token_id") ?? 0,
                              addBOS: (o["add_bos_token"] as? Bool) ?? true,
                              addSpacePrefix: (o["add_space_prefix"] as? Bool) ?? true)
    }

    /// Cases of a cases file (`cases.json`: llama.cpp's 68 reference strings; `extra-cases.json`: ours).
    static func cases(_ name: String) throws -> [Case] {
        let o = try json(name)
        return (o["cases"] as! [[String: Any]]).map { c in
            Case(text: c["text"] as! String, ids: ints(c["ids"]), idsNoBOS: ints(c["ids_nobos"]),
                 idsParseSpecial: ints(c["ids_nobos_parse_special"]),
                 piecesHex: c["pieces_hex"] as? [String], detok: c["detok"] as? String,
                 textBytes: (c["text_hex"] as? String).map(bytes(hex:)),
                 detokBytes: (c["detok_hex"] as? String).map(bytes(hex:)),
                 idsBOSParseSpecial: c["ids_parse_special"] == nil ? nil : ints(c["ids_parse_special"]),
                 detokSpecial: c["detok_special_hex"] == nil ? nil
                    : ["detok_special_hex", "detok_special_remove_hex", "detok_special_unparse_hex",
                       "detok_special_remove_unparse_hex"].map { bytes(hex: c[$0] as! String) })
        }
    }

    static func bytes(hex: String) -> [UInt8] {
        var out: [UInt8] = []
        var it = hex.utf8.makeIterator()
        func nibble(_ c: UInt8) -> UInt8 { c <= 0x39 ? c - 0x30 : (c | 0x20) - 0x61 + 10 }
        while let a = it.next(), let b = it.next() { out.append(nibble(a) << 4 | nibble(b)) }
        return out
    }

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }
}

extension TokenizerFixtures {
    /// FNV-1a 64 of ids as int32 little-endian (as make_extra_cases.py hashes them).
    static func fnv1a64<C: Collection>(_ ids: C) -> UInt64 where C.Element == Int32 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for t in ids {
            let u = UInt32(bitPattern: t)
            for s in stride(from: 0, to: 32, by: 8) {
                h = (h ^ UInt64((u >> UInt32(s)) & 0xFF)) &* 0x100_0000_01b3
            }
        }
        return h
    }
}
