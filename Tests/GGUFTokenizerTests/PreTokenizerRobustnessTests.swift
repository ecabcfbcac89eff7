import XCTest
@testable import GGUFTokenizer

/// Every pre-tokenizer on random and very long inputs: no crash (llama.cpp's recursive std::regex overflows
/// its stack on long words; ours must not), and the words always partition the input.
final class PreTokenizerRobustnessTests: XCTestCase {
    static let types: [String] = Array(Set(PreTokenizer.supportedNames.compactMap { BPESettings.forPre($0)?.type })).sorted()

    /// The input as split() sees it: llama.cpp's code points back to UTF-8, then byte-encoded or not.
    func expected(_ bytes: [UInt8], byteEncode: Bool) -> [UInt8] {
        var raw: [UInt8] = []
        for c in LlamaUTF8.codepoints(bytes) { LlamaUTF8.append(c, to: &raw) }
        return byteEncode ? raw.flatMap { ByteEncoding.utf8[Int($0)] } : raw
    }

    func testRandomInputsArePartitioned() throws {
        var rng = SystemRandomNumberGenerator()
        let pieces: [[UInt8]] = ["a", "Z", "é", "1", "٣", "中", "ア", "한", " ", "  ", "\n", "\r\n", "\t", "'s", "'LL", "!", "?!",
                                 "\u{00A0}", "\u{3000}", "🦙", "\u{0301}", "-", "_", "$", "<", "\u{200D}"].map { Array($0.utf8) }
            + [[0xFF], [0xC3], [0xE2, 0x96], [0xED, 0xA0, 0x80]]
        for type in Self.types {
            let pre = try PreTokenizer(type: type)
            for _ in 0..<60 {
                var b: [UInt8] = []
                for _ in 0..<Int.random(in: 0...40, using: &rng) { b += pieces.randomElement(using: &rng)! }
                let words = b.withUnsafeBufferPointer { pre.split($0) }
                XCTAssertEqual(words.flatMap { $0 }, expected(b, byteEncode: pre.byteEncode), "\(type) \(b)")
            }
        }
    }

    /// 12,000-character words through every pre-tokenizer that uses `Regex` (the fast paths loop) — more
    /// than the default 8 MB stack holds at one recursion per character. superbpe's
    /// `(?=(\d{3})+(?!\d))` is quadratic in a digit run (here and in llama.cpp's std::regex alike): its
    /// digit input is shorter.
    func testLongWordsDoNotExhaustTheStack() throws {
        let n = 12_000
        let inputs: [[UInt8]] = [
            Array(String(repeating: "a", count: n).utf8), Array(String(repeating: "Ab", count: n / 2).utf8),
            Array(String(repeating: " ", count: n).utf8), Array(String(repeating: "1", count: n).utf8),
            Array(String(repeating: "中", count: n).utf8), Array(String(repeating: "é\u{0301}", count: n / 2).utf8),
            Array(String(repeating: "!", count: n).utf8), Array(String(repeating: "a b ", count: n / 4).utf8),
            Array(String(repeating: "\u{0BA4}\u{0BBF}", count: n / 2).utf8),
        ]
        for type in Self.types {
            let pre = try PreTokenizer(type: type)
            guard pre.steps.contains(where: { if case .regex = $0 { return true } else { return false } }) else { continue }
            for var b in inputs {
                if type == "superbpe" && b.first == UInt8(ascii: "1") { b = Array(b.prefix(2_000)) }
                let words = b.withUnsafeBufferPointer { pre.split($0) }
                XCTAssertEqual(words.reduce(0) { $0 + $1.count }, expected(b, byteEncode: pre.byteEncode).count, type)
            }
        }
    }
}
