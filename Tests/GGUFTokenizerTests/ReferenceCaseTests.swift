import XCTest
@testable import GGUFTokenizer

/// llama.cpp's own ids, pieces and text for the fortune-llama vocabulary.
final class ReferenceCaseTests: XCTestCase {
    func check(_ file: String, minimum: Int) throws {
        let tok = SPMTokenizer(vocabulary: try TokenizerFixtures.fortuneVocabulary())
        let cases = try TokenizerFixtures.cases(file)
        XCTAssertGreaterThanOrEqual(cases.count, minimum)
        var passed = 0
        for c in cases {
            let name = c.text.debugDescription
            var ok = true
            func expect(_ got: [Int32], _ want: [Int32], _ what: String) {
                if got != want { ok = false; XCTFail("\(file) \(name) \(what): got \(got), want \(want)") }
            }
            expect(tok.tokenize(c.text), c.ids, "with BOS")
            expect(tok.tokenize(c.text, addSpecial: false), c.idsNoBOS, "without BOS")
            expect(tok.tokenize(c.text, addSpecial: false, parseSpecial: true), c.idsParseSpecial, "parse_special")
            if let pieces = c.piecesHex {
                let got = c.idsNoBOS.map { TokenizerFixtures.hex(tok.piece($0, special: true)) }
                if got != pieces { ok = false; XCTFail("\(file) \(name) pieces: got \(got), want \(pieces)") }
            }
            if let detok = c.detok {
                let got = tok.detokenize(c.idsNoBOS)
                if got != detok { ok = false; XCTFail("\(file) \(name) detok: got \(got.debugDescription)") }
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
        try check("extra-cases.json", minimum: 1)
    }
}
