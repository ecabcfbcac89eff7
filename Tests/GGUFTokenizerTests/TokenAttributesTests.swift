import XCTest
@testable import GGUFTokenizer

/// Detokenization's clean_spaces and the lstrip/rstrip attributes in special-token partitioning.
final class TokenAttributesTests: XCTestCase {
    func testCleanSpaces() {
        func clean(_ s: String) -> String { String(decoding: Vocabulary.cleanUpSpaces(Array(s.utf8)), as: UTF8.self) }
        XCTAssertEqual(clean("Hello , world !"), "Hello, world!")
        XCTAssertEqual(clean("a ' b"), "a'b")
        XCTAssertEqual(clean("it 's I 'm we 're they 've"), "it's I'm we're they've")
        XCTAssertEqual(clean("don 't he 'd we 'll"), "don 't he 'd we 'll")
        XCTAssertEqual(clean(" ?"), "?")  // (the first character is copied, then removed as the space before "?")
        XCTAssertEqual(clean(""), "")
    }

    func testRstripForPhi3AndLstrip() throws {
        let tokens = ["<unk>", "<s>", "</s>", "<|end|>", "a", "b", "▁", "\n"]
        let types: [Int32] = [2, 3, 3, 3, 1, 1, 1, 1]
        let phi = try Vocabulary(tokens: tokens, tokenTypes: types, addSpacePrefix: false,
                                 options: VocabularyOptions(modelName: "Phi-3 mini"))
        XCTAssertTrue(phi.attributes[3].contains(.rstrip))
        XCTAssertTrue(phi.attributes[2].contains(.rstrip))
        XCTAssertFalse(phi.attributes[1].contains(.rstrip))
        let t = SPMTokenizer(vocabulary: phi)
        // the spaces and newline after <|end|> are taken by it
        XCTAssertEqual(t.tokenize("a<|end|> \nb", addSpecial: false, parseSpecial: true), [4, 3, 5])
        let plain = try Vocabulary(tokens: tokens, tokenTypes: types, addSpacePrefix: false)
        XCTAssertEqual(SPMTokenizer(vocabulary: plain).tokenize("a<|end|> \nb", addSpecial: false, parseSpecial: true),
                       [4, 3, 6, 7, 5])
    }

    func testAutoDetectedSpecialTokens() throws {
        // a normal-typed <|endoftext|> becomes control (EOG); a control token named "unused" becomes unused
        let v = try Vocabulary(tokens: ["x", "<|endoftext|>", "<unused0>", "<|fim_prefix|>"], tokenTypes: [1, 1, 3, 1],
                               bosID: nil, eosID: nil, unknownID: nil)
        XCTAssertEqual(v.attributes[1], [.normal, .control])
        XCTAssertEqual(v.attributes[2], [.control, .unused])
        XCTAssertEqual(v.attributes[3], [.normal, .control])
        XCTAssertEqual(v.endOfGenerationIDs, [1])
    }

    func testSPMHonoursAddSpacePrefix() throws {
        var c = TokenizerConfig(model: "llama", tokens: ["<unk>", "<s>", "</s>", "▁a", "a"].map { Array($0.utf8) }, scores: [0, 0, 0, -1, -2],
                                tokenTypes: [2, 3, 3, 1, 1])
        XCTAssertEqual(try Tokenizer.make(c).tokenize("a"), [1, 3])
        c.addSpacePrefix = false
        XCTAssertEqual(try Tokenizer.make(c).tokenize("a"), [1, 4])
        XCTAssertEqual(try Tokenizer.make(c).detokenize([1, 4]), "a")
    }
}
