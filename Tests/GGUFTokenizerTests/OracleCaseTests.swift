import Foundation
import XCTest
import GGUFTokenizer

/// Our own cases (`Fixtures/tokenizer/bpe-cases.json`, made by `make_bpe_cases.py` with llama.cpp's library):
/// scripts, emoji, code, numbers, whitespace, apostrophes, special tokens, invalid UTF-8, for every
/// vocabulary; ids in four add_special/parse_special combinations, pieces, the four detokenize variants,
/// the vocabulary's attributes, pieces and EOG ids, and the whole eval.txt.
final class OracleCaseTests: XCTestCase {
    nonisolated(unsafe) static var fixture: [String: Any] = {
        let data = try! Data(contentsOf: TokenizerFixtures.directory.appendingPathComponent("bpe-cases.json"))
        return (try! JSONSerialization.jsonObject(with: data) as! [String: Any])["vocabs"] as! [String: Any]
    }()

    static func fnv(_ bytes: [UInt8]) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        let s = String(h, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }

    func check(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        guard let tok = try VocabFixtures.tokenizer(name) else { throw XCTSkip("ggml-vocab-\(name).gguf is not here") }
        let o = try XCTUnwrap(OracleCaseTests.fixture[name] as? [String: Any])
        let v = tok.vocabulary
        XCTAssertEqual(v.count, (o["n_tokens"] as! NSNumber).intValue, file: file, line: line)
        XCTAssertEqual(v.addBOS, o["add_bos"] as! Bool, "add_bos", file: file, line: line)
        XCTAssertEqual(v.addEOS, o["add_eos"] as! Bool, "add_eos", file: file, line: line)
        XCTAssertEqual(v.bosID ?? -1, Int32((o["bos"] as! NSNumber).intValue), "bos", file: file, line: line)
        XCTAssertEqual(v.eosID ?? -1, Int32((o["eos"] as! NSNumber).intValue), "eos", file: file, line: line)
        XCTAssertEqual(v.endOfGenerationIDs, Set(TokenizerFixtures.ints(o["eog"])), "eog", file: file, line: line)
        var attrs: [UInt8] = []
        var pieces: [UInt8] = []
        for id in 0 ..< Int32(v.count) {
            withUnsafeBytes(of: v.attributes[Int(id)].rawValue.littleEndian) { attrs.append(contentsOf: $0) }
            let p = v.piece(id, special: true)
            withUnsafeBytes(of: UInt32(p.count).littleEndian) { pieces.append(contentsOf: $0) }
            pieces.append(contentsOf: p)
        }
        XCTAssertEqual(OracleCaseTests.fnv(attrs), o["attrs_fnv1a64"] as! String, "attributes", file: file, line: line)
        XCTAssertEqual(OracleCaseTests.fnv(pieces), o["pieces_fnv1a64"] as! String, "pieces", file: file, line: line)

        let eval = [UInt8](try Data(contentsOf: TokenizerFixtures.directory.appendingPathComponent("eval.txt")))
        let ids = tok.tokenize(bytes: eval, addSpecial: true, parseSpecial: false)
        XCTAssertEqual(ids.count, (o["eval_count"] as! NSNumber).intValue, "eval.txt count", file: file, line: line)
        var idBytes: [UInt8] = []
        for t in ids { withUnsafeBytes(of: t.littleEndian) { idBytes.append(contentsOf: $0) } }
        XCTAssertEqual(OracleCaseTests.fnv(idBytes), o["eval_fnv1a64"] as! String, "eval.txt ids", file: file, line: line)

        var failed = 0
        let cases = o["cases"] as! [[String: Any]]
        XCTAssertGreaterThan(cases.count, 100, file: file, line: line)
        for c in cases {
            let text = TokenizerFixtures.bytes(hex: c["text_hex"] as! String)
            let shown = String(decoding: text, as: UTF8.self).debugDescription
            func expect<T: Equatable>(_ got: T, _ want: T, _ what: String) {
                if got != want {
                    failed += 1
                    if failed <= 8 { XCTFail("\(name) \(shown) \(what): got \(got), want \(want)", file: file, line: line) }
                }
            }
            let sp = tok.tokenize(bytes: text, addSpecial: true, parseSpecial: true)
            expect(tok.tokenize(bytes: text, addSpecial: true, parseSpecial: false), TokenizerFixtures.ints(c["ids"]), "ids")
            expect(tok.tokenize(bytes: text, addSpecial: false, parseSpecial: false), TokenizerFixtures.ints(c["ids_nospecial"]), "ids without special")
            expect(tok.tokenize(bytes: text, addSpecial: false, parseSpecial: true), TokenizerFixtures.ints(c["ids_parse"]), "ids parse_special")
            expect(sp, TokenizerFixtures.ints(c["ids_special_parse"]), "ids add_special + parse_special")
            expect(sp.map { tok.piece($0).hexString }, c["pieces_hex"] as! [String], "pieces")
            let variants = [(false, false), (true, false), (false, true), (true, true)]
            expect(variants.map { tok.detokenizeBytes(sp, removeSpecial: $0.0, unparseSpecial: $0.1).hexString },
                   c["detok_hex"] as! [String], "detokenize")
        }
        XCTAssertEqual(failed, 0, "\(name): \(failed) mismatches over \(cases.count) cases", file: file, line: line)
    }

    func testLlamaBPE() throws { try check("llama-bpe") }
    func testQwen2() throws { try check("qwen2") }
    func testQwen35() throws { try check("qwen35") }
    func testDeepseekLLM() throws { try check("deepseek-llm") }
    func testDeepseekCoder() throws { try check("deepseek-coder") }
    func testFalcon() throws { try check("falcon") }
    func testGPT2() throws { try check("gpt-2") }
    func testStarcoder() throws { try check("starcoder") }
    func testRefact() throws { try check("refact") }
    func testMPT() throws { try check("mpt") }
    func testCommandR() throws { try check("command-r") }
    func testGemma4() throws { try check("gemma-4") }
    func testLlamaSPM() throws { try check("llama-spm") }
    func testPhi3() throws { try check("phi-3") }
}

extension Array where Element == UInt8 {
    var hexString: String { map { String(format: "%02x", $0) }.joined() }
}
