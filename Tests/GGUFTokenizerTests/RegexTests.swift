import XCTest
@testable import GGUFTokenizer

/// The std::regex stand-in: ECMAScript leftmost-first semantics and regex_iterator's splitting.
final class RegexTests: XCTestCase {
    func pieces(_ pattern: String, _ text: String) throws -> [String] {
        let re = try Regex(pattern.unicodeScalars.map(\.value))
        let cps = text.unicodeScalars.map(\.value)
        var lens: [Int] = []
        cps.withUnsafeBufferPointer { re.split($0, 0, cps.count, into: &lens) }
        var out: [String] = []
        var i = 0
        for n in lens {
            out.append(String(String.UnicodeScalarView(cps[i ..< i + n].map { Unicode.Scalar($0)! })))
            i += n
        }
        return out
    }

    func testAlternativesInOrderNotLongest() throws {
        XCTAssertEqual(try pieces("a|ab", "ab"), ["a", "b"])
        XCTAssertEqual(try pieces("ab|a", "ab"), ["ab"])
    }

    func testGreedyBacktracksIntoLookahead() throws {
        // \s+(?!\S): a run of spaces before a word leaves its last space to the word
        XCTAssertEqual(try pieces("\\s+(?!\\S)|\\s+", "a   b"), ["a", "  ", " ", "b"])
        XCTAssertEqual(try pieces("\\s+(?!\\S)", "a   "), ["a", "   "])
    }

    func testClassesRangesAndNegation() throws {
        XCTAssertEqual(try pieces("[0-9]{1,3}", "12345"), ["123", "45"])
        // text between matches stays one piece
        XCTAssertEqual(try pieces("[^a-c\\s]+", "abxy zc"), ["ab", "xy", " ", "z", "c"])
        XCTAssertEqual(try pieces("\\d+", "a12b"), ["a", "12", "b"])
        XCTAssertEqual(try pieces("[\\[\\]]", "x[y]"), ["x", "[", "y", "]"])
    }

    func testAnchorsAndEmptyMatches() throws {
        XCTAssertEqual(try pieces("\\s+$", "a  b  "), ["a  b", "  "])
        // an empty match splits nothing off but is kept as a 0-length piece, as llama.cpp does
        XCTAssertEqual(try pieces("(?=(\\d{3})+(?!\\d))", "1234567"), ["1", "", "234", "", "567"])
        XCTAssertEqual(try pieces("\\bx", "x x"), ["x", " ", "x"])
    }

    func testLazyAndGroups() throws {
        XCTAssertEqual(try pieces("a+?", "aaa"), ["a", "a", "a"])
        XCTAssertEqual(try pieces("(?:ab)+", "ababa"), ["abab", "a"])
        XCTAssertEqual(try pieces("((?=[A-Z])([^a-z]))+", "ABcD"), ["AB", "c", "D"])
    }

    func testSyntaxErrors() {
        for bad in ["(", "[a", "a{", "(?<x>a)", "\\"] {
            XCTAssertThrowsError(try Regex(bad.unicodeScalars.map(\.value)), bad)
        }
    }
}

