import XCTest
import GGUFTokenizer

/// Any input, any ids: no crash, and bytes survive a round trip.
final class RobustnessTests: XCTestCase {
    var tok: SPMTokenizer!

    override func setUpWithError() throws {
        tok = SPMTokenizer(vocabulary: try TokenizerFixtures.fortuneVocabulary())
    }

    /// A deterministic generator (SplitMix64) so failures reproduce.
    struct Rand {
        var s: UInt64
        mutating func next() -> UInt64 {
            s &+= 0x9E37_79B9_7F4A_7C15
            var z = s
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    }

    func testEmptyInput() {
        XCTAssertEqual(tok.tokenize(""), [1])
        XCTAssertEqual(tok.tokenize("", addSpecial: false), [])
        XCTAssertEqual(tok.tokenize(bytes: [], addSpecial: false, parseSpecial: true), [])
        XCTAssertEqual(tok.detokenize([]), "")
        XCTAssertEqual(tok.detokenizeBytes([], removeSpecial: true, unparseSpecial: true), [])
    }

    /// Random bytes (mostly invalid UTF-8) tokenize to valid ids and, without spaces, come back exactly.
    ///
    /// With spaces they need not: the escaped `▁` of a space right after a truncated lead byte is cut into
    /// that byte's "character" and comes back as raw E2 96 81 (llama.cpp does the same; extra-cases.json
    /// checks such inputs against it).
    func testRandomBytesRoundTrip() {
        var r = Rand(s: 42)
        for round in 0 ..< 300 {
            let n = r.below(64)
            var bytes = (0 ..< n).map { _ in UInt8(truncatingIfNeeded: r.next()) }
            // mix in ASCII and lead bytes so partial sequences meet real text
            for i in bytes.indices where r.below(3) == 0 { bytes[i] = [0x21, 0x61, 0x74, 0xE2, 0xC3, 0xF0][r.below(6)] }
            // no spaces, and no literal U+2581 (it would come back as a space)
            var clean: [UInt8] = []
            for b in bytes {
                let completesMarker = b == 0x81 && clean.count >= 2 && clean.suffix(2).elementsEqual([0xE2, 0x96])
                clean.append(completesMarker || b == 0x20 ? 0x41 : b)
            }
            for parse in [false, true] {
                let ids = tok.tokenize(bytes: clean, addSpecial: false, parseSpecial: parse)
                XCTAssert(ids.allSatisfy(tok.vocabulary.contains), "round \(round)")
                XCTAssertEqual(tok.detokenizeBytes(ids, unparseSpecial: true), clean, "round \(round) \(clean)")
            }
            // with spaces: valid ids, no trap
            let withSpaces = bytes.map { $0 == 0x21 ? 0x20 : $0 }
            XCTAssert(tok.tokenize(bytes: withSpaces).allSatisfy(tok.vocabulary.contains))
            _ = tok.detokenize(tok.tokenize(bytes: withSpaces))  // invalid UTF-8 as a String: U+FFFD
        }
    }

    /// Random valid text (from the reference strings' characters) round-trips through String too.
    func testRandomTextRoundTrip() throws {
        let chars = Array(try TokenizerFixtures.cases("cases.json").map(\.text).joined().filter { $0 != "\u{2581}" })
        var r = Rand(s: 7)
        for _ in 0 ..< 200 {
            let s = String((0 ..< r.below(40)).map { _ in chars[r.below(chars.count)] })
            let bos = r.below(2) == 0
            let ids = tok.tokenize(s, addSpecial: bos)
            // removing BOS keeps the dummy-prefix space (llama.cpp); without BOS it is stripped
            XCTAssertEqual(tok.detokenize(ids, removeSpecial: true), bos && !s.isEmpty ? " " + s : s)
        }
    }

    /// Ids outside the vocabulary render as nothing (the first one still takes the leading-space strip).
    func testInvalidIds() {
        XCTAssertEqual(tok.piece(-1), [])
        XCTAssertEqual(tok.piece(512), [])
        XCTAssertEqual(tok.piece(Int32.max), [])
        XCTAssertEqual(tok.detokenize([Int32.min, 300, -5, 100_000, 301]), tok.detokenize([1, 300, 301]))
    }

    /// A large input: several MB of mixed text, one fragment (no timing assertion).
    func testLargeInput() throws {
        let text = try String(contentsOf: TokenizerFixtures.directory.appendingPathComponent("eval.txt"), encoding: .utf8)
        let big = String(repeating: text, count: 3) + String(repeating: " ", count: 100_000)
            + String(repeating: "\u{1F999}", count: 10_000)
        let start = Date()
        let ids = tok.tokenize(big)
        print("tokenized \(big.utf8.count) bytes into \(ids.count) ids in \(Date().timeIntervalSince(start)) s")
        XCTAssertEqual(ids.first, 1)
        XCTAssertEqual(tok.detokenize(ids, removeSpecial: true), " " + big)  // BOS removed: space kept
    }

    /// Ids typed by hand, repeated specials and bytes that never form a character.
    func testOddIdSequences() {
        let v = tok.vocabulary
        let lone = [v.byteToken(0xE2)!, v.byteToken(0x96)!]  // half of ▁ as bytes
        XCTAssertEqual(tok.detokenizeBytes(lone), [0xE2, 0x96])
        XCTAssertEqual(tok.detokenize(lone), "\u{FFFD}")
        XCTAssertEqual(tok.detokenize([1, 1, 2, 0]), "")
        XCTAssertEqual(tok.detokenize([1, 1, 2, 0], unparseSpecial: true), "<s><s></s><unk>")
    }
}
