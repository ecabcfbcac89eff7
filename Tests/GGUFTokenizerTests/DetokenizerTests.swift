import XCTest
import GGUFTokenizer

/// Pieces, the leading-space rules and streaming.
final class DetokenizerTests: XCTestCase {
    var tok: SPMTokenizer!

    override func setUpWithError() throws {
        tok = SPMTokenizer(vocabulary: try TokenizerFixtures.fortuneVocabulary())
    }

    func testPieces() {
        let v = tok.vocabulary
        XCTAssertEqual(tok.piece(1), Array("<s>".utf8))
        XCTAssertEqual(tok.piece(1, special: false), [])
        XCTAssertEqual(tok.piece(0, special: false), [])
        XCTAssertEqual(tok.piece(v.byteToken(0x0A)!), [0x0A])
        XCTAssertEqual(tok.piece(v.id(of: "\u{2581}the")!), Array(" the".utf8))
        XCTAssertEqual(tok.piece(v.id(of: "\u{2581}the")!, lstrip: 1), Array("the".utf8))
        XCTAssertEqual(tok.piece(v.id(of: "\u{2581}\u{2581}")!, lstrip: 1), [0x20])
    }

    /// The first piece loses one leading space; a continuation detokenized alone does too (as in llama.cpp).
    func testLeadingSpace() {
        let ids = tok.tokenize("A fool and his money", addSpecial: false)
        XCTAssertEqual(tok.detokenize(ids), "A fool and his money")
        let withBOS = tok.tokenize("A fool and his money")
        XCTAssertEqual(tok.detokenize(withBOS), " A fool and his money")  // BOS (empty) took the strip
        XCTAssertEqual(tok.detokenize(withBOS, removeSpecial: true), " A fool and his money")
        XCTAssertEqual(tok.detokenize(withBOS, unparseSpecial: true), "<s> A fool and his money")
        // a continuation detokenized alone loses its leading space: detokenize prompt + continuation together
        let full = tok.detokenize(ids)
        let firstLength = tok.piece(ids[0], lstrip: 1).count
        XCTAssertEqual(" " + tok.detokenize(Array(ids.dropFirst())), String(full.dropFirst(firstLength)))
    }

    /// Streaming gives the same text as detokenizing at once, holding back split characters.
    func testStreamingMatchesDetokenize() throws {
        let texts = try TokenizerFixtures.cases("cases.json").map(\.text)
            + ["😀 split over four byte tokens 🦙", "naïve — “quotes”", "\u{1F468}\u{200D}\u{1F469}"]
        for text in texts {
            for removeSpecial in [false, true] {
                let ids = tok.tokenize(text)
                var stream = Detokenizer(tokenizer: tok, removeSpecial: removeSpecial)
                var out = ""
                for id in ids { out += stream.append(id) }
                out += stream.finish()
                XCTAssertEqual(out, tok.detokenize(ids, removeSpecial: removeSpecial), text.debugDescription)
            }
        }
    }

    func testStreamingHoldsBackPartialCharacters() {
        let v = tok.vocabulary
        var stream = Detokenizer(tokenizer: tok)
        XCTAssertEqual(stream.append(v.byteToken(0xF0)!), "")
        XCTAssertEqual(stream.append(v.byteToken(0x9F)!), "")
        XCTAssertEqual(stream.append(v.byteToken(0x98)!), "")
        XCTAssertEqual(stream.append(v.byteToken(0x80)!), "😀")
        XCTAssertEqual(stream.append(v.byteToken(0xC3)!), "")
        XCTAssertEqual(stream.finish(), "\u{FFFD}")  // an unfinished character at the end
        XCTAssertEqual(stream.append(v.byteToken(0xFF)!), "\u{FFFD}")  // never a valid start: out at once
    }
}
