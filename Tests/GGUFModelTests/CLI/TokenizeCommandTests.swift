import Foundation
import GGUFTestSupport
import XCTest

/// `ggufkit tokenize` on the built binary, in llama-tokenize's output formats, over llama.cpp's
/// vocabulary-only files (ids as llama.cpp 0c1e570 gives them).
final class TokenizeCommandTests: XCTestCase {
    var dir = ""
    override func setUp() { dir = makeTempDir() }
    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    let llama3 = fixturesDir + "/tokenizer/vocab/ggml-vocab-llama-bpe.gguf"

    func run(_ args: [String]) throws -> ProcessResult {
        guard ggufkitBinary != nil else { throw CLIError.noBinary }
        return try runGGUFKit(["tokenize"] + args, cwd: dir)
    }

    func testIDsAndPieces() throws {
        let r = try run([llama3, "-p", "Hello world"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout, "128000 -> '<|begin_of_text|>'\n  9906 -> 'Hello'\n  1917 -> ' world'\n")
        XCTAssertEqual(try run([llama3, "-p", "Hello world", "--ids"]).stdout, "[128000, 9906, 1917]\n")
        XCTAssertEqual(try run([llama3, "-p", "Hello world", "--ids", "--no-bos"]).stdout, "[9906, 1917]\n")
        XCTAssertEqual(try run([llama3, "-p", "Hello world", "--ids", "--show-count"]).stdout,
                       "[128000, 9906, 1917]\nTotal number of tokens: 3\n")
    }

    func testParseSpecialAndEscapes() throws {
        // special tokens are parsed by default, as llama-tokenize does; --no-parse-special reads them as text
        XCTAssertEqual(try run([llama3, "-p", "<|begin_of_text|>", "--ids", "--no-bos"]).stdout, "[128000]\n")
        XCTAssertEqual(try run([llama3, "-p", "<|begin_of_text|>", "--ids", "--no-bos", "--parse-special"]).stdout, "[128000]\n")
        XCTAssertEqual(try run([llama3, "-p", "<|begin_of_text|>", "--ids", "--no-bos", "--no-parse-special"]).stdout,
                       "[27, 91, 7413, 3659, 4424, 91, 29]\n")
        // -p processes escapes as llama.cpp does (\n), unless --no-escape
        XCTAssertEqual(try run([llama3, "-p", "a\\nb", "--ids", "--no-bos"]).stdout, "[64, 198, 65]\n")
        XCTAssertEqual(try run([llama3, "-p", "a\\nb", "--ids", "--no-bos", "--no-escape"]).stdout, "[64, 1734, 65]\n")
    }

    func testFileKeepsItsBytes() throws {
        let f = dir + "/t.txt"
        try Data("Hello world\n".utf8).write(to: URL(fileURLWithPath: f))
        XCTAssertEqual(try run([llama3, "-f", f, "--ids"]).stdout, "[128000, 9906, 1917, 198]\n")
    }

    func testSPMVocabulary() throws {
        let r = try run([fixturesDir + "/tokenizer/vocab/ggml-vocab-llama-spm.gguf", "-p", "Hello world", "--ids"])
        XCTAssertEqual(r.stdout, "[1, 15043, 3186]\n", r.stderr)
    }

    func testErrorsAreOneLine() throws {
        let r = try run([llama3])
        XCTAssertEqual(r.status, 64)
        XCTAssertEqual(r.stderr, "error: \(llama3): give the text to tokenize with -p, -f or --stdin\n")
        let bert = fixturesDir + "/tokenizer/vocab/ggml-vocab-llama-bpe.gguf.inp"
        let r2 = try run([bert, "-p", "x"])
        XCTAssertEqual(r2.status, 65)
        XCTAssertEqual(r2.errorLines.count, 1, r2.stderr)
    }
}
