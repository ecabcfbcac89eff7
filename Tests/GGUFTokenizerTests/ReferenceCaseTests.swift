import XCTest
import GGUFTokenizer

/// llama.cpp's own ids, pieces and text for the fortune-llama vocabulary.
final class ReferenceCaseTests: XCTestCase {
    /// Checks every case of a cases file; returns how many matched in every respect.
    func check(_ file: String, vocabulary: String = "fortune-vocab.json", minimum: Int) throws {
        let tok = SPMTokenizer(vocabulary: try TokenizerFixtures.vocabulary(vocabulary))
        let cases = try TokenizerFixtures.cases(file)
        XCTAssertGreaterThanOrEqual(cases.count, minimum)
        var passed = 0
        for c in cases {
            let name = c.text.debugDescription
            var ok = true
            func expect<T: Equatable>(_ got: T, _ want: T, _ what: String) {
                if got != want { ok = false; XCTFail("\(file) \(name) \(what): got \(got), want \(want)") }
            }
            func ids(_ addSpecial: Bool, _ parseSpecial: Bool) -> [Int32] {
                if let b = c.textBytes { return tok.tokenize(bytes: b, addSpecial: addSpecial, parseSpecial: parseSpecial) }
                return tok.tokenize(c.text, addSpecial: addSpecial, parseSpecial: parseSpecial)
            }
            expect(ids(true, false), c.ids, "with BOS")
            expect(ids(false, false), c.idsNoBOS, "without BOS")
            expect(ids(false, true), c.idsParseSpecial, "parse_special")
            if let want = c.idsBOSParseSpecial { expect(ids(true, true), want, "BOS + parse_special") }
            if let pieces = c.piecesHex {
                expect(c.idsNoBOS.map { TokenizerFixtures.hex(tok.piece($0, special: true)) }, pieces, "pieces")
            }
            if let want = c.detokBytes {
                // exact bytes (the JSON string of such cases may have lost a U+FEFF in the reader)
                expect(tok.detokenizeBytes(c.idsNoBOS), want, "detok bytes")
                expect(tok.detokenize(c.idsNoBOS), String(decoding: want, as: UTF8.self), "detok")
            } else if let detok = c.detok {
                expect(tok.detokenize(c.idsNoBOS), detok, "detok")
            }
            if let variants = c.detokSpecial, let sp = c.idsBOSParseSpecial {
                for (k, want) in variants.enumerated() {
                    let got = tok.detokenizeBytes(sp, removeSpecial: k & 1 != 0, unparseSpecial: k & 2 != 0)
                    expect(got, want, "detok variant remove=\(k & 1 != 0) unparse=\(k & 2 != 0)")
                }
            }
            if ok { passed += 1 }
        }
        print("\(file): \(passed)/\(cases.count) strings match llama.cpp")
        XCTAssertEqual(passed, cases.count)
    }

    func testLlamaCppReferenceCases() throws {
        try check("cases.json", minimum: 68)
    }

    func testExtraOracleCases() throws {
        try check("extra-cases.json", minimum: 50)
    }

    /// 325 strings (25 chosen, 300 random) over a synthetic vocabulary with score ties, user-defined,
    /// overlapping control, unused and undefined tokens, one-byte fallback tokens and an empty token.
    func testSyntheticVocabularyCases() throws {
        try check("synthetic-cases.json", vocabulary: "synthetic-vocab.json", minimum: 300)
    }

    /// Every token's piece (token_to_piece with special = true) in the synthetic vocabulary.
    func testSyntheticPieces() throws {
        let tok = SPMTokenizer(vocabulary: try TokenizerFixtures.vocabulary("synthetic-vocab.json"))
        let want = try TokenizerFixtures.json("synthetic-vocab.json")["pieces_hex"] as! [String]
        XCTAssertEqual(want.count, tok.vocabulary.count)
        for (i, w) in want.enumerated() {
            XCTAssertEqual(TokenizerFixtures.hex(tok.piece(Int32(i))), w, "piece of \(i)")
        }
    }

    /// The whole 129 KB perplexity text, tokenized with BOS as llama-perplexity does.
    func testPerplexityTextMatchesLlamaCpp() throws {
        let tok = SPMTokenizer(vocabulary: try TokenizerFixtures.fortuneVocabulary())
        let ref = try TokenizerFixtures.json("eval-ids.json")
        let text = try Data(contentsOf: TokenizerFixtures.directory.appendingPathComponent("eval.txt"))
        XCTAssertEqual(text.count, (ref["bytes"] as! NSNumber).intValue)
        let start = Date()
        let ids = tok.tokenize(bytes: [UInt8](text))
        print("tokenized \(text.count) bytes into \(ids.count) ids in \(Date().timeIntervalSince(start)) s")
        XCTAssertEqual(ids.count, (ref["count"] as! NSNumber).intValue)
        let chunk = (ref["chunk"] as! NSNumber).intValue
        let first = TokenizerFixtures.ints(ref["first_ids"])
        XCTAssertEqual(Array(ids.prefix(first.count)), first)
        let hashes = ref["chunk_fnv1a64"] as! [String]
        var bad: [Int] = []
        for (k, want) in hashes.enumerated() {
            let part = ids[min(k * chunk, ids.count) ..< min((k + 1) * chunk, ids.count)]
            if String(format: "%016llx", TokenizerFixtures.fnv1a64(part)) != want { bad.append(k) }
        }
        XCTAssertEqual(bad, [], "chunks of \(chunk) ids that differ from llama.cpp")
        // and back: the ids give the text again (no literal U+2581 in it)
        XCTAssertEqual(tok.detokenizeBytes(Array(ids.dropFirst())), [UInt8](text))
    }
}
