import XCTest
@testable import GGUFTokenizer

/// llama.cpp's Unicode flags (generated from its unicode-data.cpp) and UTF-8 reading.
final class UnicodeFlagsTests: XCTestCase {
    func testFlags() {
        let t = UnicodeTables.shared
        XCTAssertEqual(t.flags(0x41) & (CodepointFlags.letter | CodepointFlags.uppercase), CodepointFlags.letter | CodepointFlags.uppercase)
        XCTAssertNotEqual(t.flags(0x30) & CodepointFlags.number, 0)
        XCTAssertNotEqual(t.flags(0x20) & CodepointFlags.whitespace, 0)
        XCTAssertNotEqual(t.flags(0xA0) & CodepointFlags.whitespace, 0)
        XCTAssertNotEqual(t.flags(0x3000) & CodepointFlags.whitespace, 0)
        XCTAssertNotEqual(t.flags(0x4E00) & CodepointFlags.letter, 0)
        XCTAssertNotEqual(t.flags(0x0301) & CodepointFlags.accentMark, 0)
        XCTAssertNotEqual(t.flags(0x0021) & CodepointFlags.punctuation, 0)
        XCTAssertNotEqual(t.flags(0x002B) & CodepointFlags.symbol, 0)
        XCTAssertEqual(t.flags(0x110000), CodepointFlags.undefined)
        XCTAssertEqual(t.lower(0x41), 0x61)
        XCTAssertEqual(t.lower(0x212A), 0x6B)  // KELVIN SIGN
        XCTAssertEqual(t.lower(0x61), 0x61)
    }

    func testInvalidUTF8BecomesReplacementPerByte() {
        XCTAssertEqual(LlamaUTF8.codepoints([0x61, 0xFF, 0xC3]), [0x61, 0xFFFD, 0xFFFD])
        XCTAssertEqual(LlamaUTF8.codepoints([0xE2, 0x96, 0x41]), [0xFFFD, 0xFFFD, 0x41])
        XCTAssertEqual(LlamaUTF8.codepoints([0xED, 0xA0, 0x80]), [0xD800])  // surrogates pass, as in llama.cpp
        XCTAssertEqual(LlamaUTF8.codepoints([0xC0, 0xAF]), [0x2F])          // so do overlong forms
    }

    func testByteEncodingIsABijection() {
        XCTAssertEqual(Set(ByteEncoding.toCodepoint).count, 256)
        XCTAssertEqual(ByteEncoding.toCodepoint[0x20], 0x120)  // Ġ
        XCTAssertEqual(ByteEncoding.toCodepoint[0x0A], 0x10A)  // Ċ
        for b in 0..<256 { XCTAssertEqual(ByteEncoding.toByte[Int(ByteEncoding.toCodepoint[b])], Int16(b)) }
    }
}

