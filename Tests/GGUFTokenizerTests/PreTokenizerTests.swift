import Foundation
import XCTest
import GGUFFormat
import GGUFRunner
import GGUFTokenizer

/// Every `tokenizer.ggml.pre` name llama.cpp knows, over the gpt-2
/// vocabulary with its pre name replaced (`pre-cases.json`, `make_pre_cases.py`): ids with and without
/// add_special, and the detokenized text (clean_spaces differs per name).
final class PreTokenizerTests: XCTestCase {
    func testEveryPreTokenizerName() throws {
        let data = try Data(contentsOf: TokenizerFixtures.directory.appendingPathComponent("pre-cases.json"))
        let o = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        let texts = (o["texts_hex"] as! [String]).map(TokenizerFixtures.bytes(hex:))
        let names = o["names"] as! [String: [String: Any]]
        let path = VocabFixtures.directory.appendingPathComponent("ggml-vocab-gpt-2.gguf").path
        let base = try TokenizerConfig(metadata: GGUFReader.read(path: path).metadata)
        // pre "whitespace" is in the cases only with the whitespace model (llama.cpp aborts with gpt2's on "  ")
        XCTAssertEqual(Set(names.keys.filter { !$0.hasPrefix("model:") }).union(["whitespace"]), Set(PreTokenizer.supportedNames))
        var failures = 0
        // names with the same settings share a tokenizer (the name itself matters only for jina-v2's <mask>)
        var built: [String: Tokenizer] = [:]
        for (name, r) in names.sorted(by: { $0.key < $1.key }) {
            var c = base
            c.pre = name
            if name.hasPrefix("model:") {  // "model:MODEL/PRE"
                let parts = name.dropFirst(6).split(separator: "/")
                c.model = String(parts[0])
                c.pre = String(parts[1])
            }
            let key = "\(try XCTUnwrap(BPESettings.forPre(c.pre!)))" + (name.contains("jina") || name.hasPrefix("model:") ? name : "")
            let tok = try built[key] ?? Tokenizer.make(c)
            built[key] = tok
            let want = r["ids"] as! [Any], wantSpecial = r["ids_special"] as! [Any], detok = r["detok_hex"] as! [String]
            for (k, t) in texts.enumerated() {
                let ids = tok.tokenize(bytes: t, addSpecial: false)
                let special = tok.tokenize(bytes: t, addSpecial: true)
                let shown = String(decoding: t, as: UTF8.self).debugDescription
                if ids != TokenizerFixtures.ints(want[k]) || special != TokenizerFixtures.ints(wantSpecial[k])
                    || tok.detokenizeBytes(ids).hexString != detok[k] {
                    failures += 1
                    if failures <= 10 {
                        XCTFail("\(name) \(shown): got \(ids), want \(TokenizerFixtures.ints(want[k])); detok \(tok.detokenize(ids).debugDescription)")
                    }
                }
            }
        }
        XCTAssertEqual(failures, 0)
    }

    func testUnsupportedNamesAreOneLine() throws {
        let path = VocabFixtures.directory.appendingPathComponent("ggml-vocab-gpt-2.gguf").path
        var c = try TokenizerConfig(metadata: GGUFReader.read(path: path).metadata)
        for name in ["no-such-pre", "Llama3"] {
            c.pre = name
            XCTAssertThrowsError(try Tokenizer.make(c)) { e in
                let s = "\(e)"
                XCTAssertTrue(s.hasPrefix("pre-tokenizer '\(name)' is not supported (supported: default, "), s)
                XCTAssertFalse(s.contains("\n"))
            }
        }
        // only kimi-k2 may lack merges
        c.merges = nil
        c.pre = "kimi-k2"
        XCTAssertNoThrow(try Tokenizer.make(c))
        c.pre = "gpt-2"
        XCTAssertThrowsError(try Tokenizer.make(c)) { e in
            XCTAssertEqual("\(e)", "tokenizer.ggml.merges is missing (a BPE vocabulary needs it)")
        }
        c.model = "bert"
        XCTAssertThrowsError(try Tokenizer.make(c)) { e in
            XCTAssertEqual("\(e)", "tokenizer model 'bert' is not supported (supported: llama, gpt2, gemma4, whitespace)")
        }
    }
}
