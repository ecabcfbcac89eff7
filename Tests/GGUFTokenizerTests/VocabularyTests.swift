import XCTest
import GGUFTokenizer

/// Building vocabularies, typed errors and small hand-made cases.
final class VocabularyTests: XCTestCase {
    func testErrors() {
        XCTAssertThrowsError(try Vocabulary(tokens: [String]())) { XCTAssertEqual($0 as? VocabularyError, .empty) }
        XCTAssertThrowsError(try Vocabulary(tokens: ["a", "b"], scores: [0])) {
            XCTAssertEqual($0 as? VocabularyError, .arrayTooShort(name: "scores", count: 1, tokens: 2))
        }
        XCTAssertThrowsError(try Vocabulary(tokens: ["a", "b"], tokenTypes: [1])) {
            XCTAssertEqual($0 as? VocabularyError, .arrayTooShort(name: "tokenTypes", count: 1, tokens: 2))
        }
        XCTAssertThrowsError(try Vocabulary(tokens: ["a", "b", "a"])) {
            XCTAssertEqual($0 as? VocabularyError, .duplicateToken(id: 2, firstID: 0))
        }
    }

    func testDefaultsAndOutOfRangeSpecialIds() throws {
        let v = try Vocabulary(tokens: ["x", "", "\u{2581}x"], bosID: 7, eosID: -1, unknownID: 0)
        XCTAssertNil(v.bosID)
        XCTAssertNil(v.eosID)
        XCTAssertEqual(v.unknownID, 0)
        XCTAssertEqual(v.tokens[1], Array("[EMPTY_1]".utf8))
        XCTAssertEqual(v.types, [.normal, .normal, .normal])
        XCTAssertEqual(v.scores, [0, 0, 0])
        let tok = SPMTokenizer(vocabulary: v)
        XCTAssertEqual(tok.tokenize("x"), [2])  // no BOS id: none added
        // no byte tokens at all: bytes fall back to the unknown id
        XCTAssertEqual(tok.tokenize("y", addSpecial: false), [0, 0, 0, 0])  // ▁ is 3 bytes, y 1
    }

    func testEOSAndNoSpacePrefix() throws {
        let v = try Vocabulary(tokens: ["<unk>", "<s>", "</s>", "a", "\u{2581}", "\u{2581}a"],
                               scores: [0, 0, 0, -1, -1, 0], tokenTypes: [2, 3, 3, 1, 1, 1],
                               addEOS: true, addSpacePrefix: false)
        let tok = SPMTokenizer(vocabulary: v)
        XCTAssertEqual(tok.tokenize("a a"), [1, 3, 5, 2])
        XCTAssertEqual(tok.detokenize([1, 3, 5, 2], removeSpecial: true), "a a")
        XCTAssertEqual(tok.detokenize([3, 5]), "a a")
        XCTAssertEqual(TokenType(rawType: 99), .undefined)
    }

    func testUserDefinedTokensSplitWithoutParseSpecial() throws {
        let v = try Vocabulary(tokens: ["<unk>", "<s>", "</s>", "<|u|>", "a", "\u{2581}", "\u{2581}a"],
                               scores: [0, 0, 0, 0, -1, -1, 0], tokenTypes: [2, 3, 3, 4, 1, 1, 1])
        let tok = SPMTokenizer(vocabulary: v)
        XCTAssertEqual(tok.tokenize("a<|u|>a<s>", addSpecial: false), [6, 3, 6, 0, 0, 0])
    }
}
