import Foundation
import GGUFTestSupport
import XCTest
@testable import GGUFIO

final class SourceTests: XCTestCase {
    let expected = String(repeating: "hello, gguf\n", count: 1000)

    func readAll(_ path: String) throws -> [UInt8] {
        let r = Reader(try openSource(path: path), capacity: 100)
        var out: [UInt8] = []
        while try !r.isAtEnd() { out += try r.readBytes(1, "a byte") }
        return out
    }

    func testGzipAndZstdStreamsDecompress() throws {
        XCTAssertEqual(String(decoding: try readAll(fixturesDir + "/io/hello.txt.gz"), as: UTF8.self), expected)
        XCTAssertEqual(String(decoding: try readAll(fixturesDir + "/io/hello.txt.zst"), as: UTF8.self), expected)
        let z = try openSource(path: fixturesDir + "/io/hello.txt.zst")
        XCTAssertEqual(z.size, expected.utf8.count, "zstd frame header carries the content size")
        XCTAssertFalse(z.isSeekable)
    }

    func testTruncatedCompressedInputIsAnError() throws {
        let dir = makeTempDir()
        for ext in ["gz", "zst"] {
            let data = try Data(contentsOf: URL(fileURLWithPath: fixturesDir + "/io/hello.txt.\(ext)"))
            let cut = dir + "/cut.\(ext)"
            try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: cut))
            XCTAssertThrowsError(try readAll(cut)) { e in
                XCTAssertTrue("\(e)".contains("cut.\(ext)"), "\(e)")
                XCTAssertTrue("\(e)".contains("truncated"), "\(e)")
            }
        }
    }

    func testReaderChecksLengthsAndNamesOffsets() throws {
        let dir = makeTempDir()
        let p = dir + "/x.bin"
        try Data([1, 0, 0, 0, 2, 0]).write(to: URL(fileURLWithPath: p))
        let r = Reader(try openSource(path: p))
        XCTAssertEqual(try r.readU32("a"), 1)
        XCTAssertThrowsError(try r.readU32("the thing")) { e in
            XCTAssertEqual("\(e)", "\(p): at offset 4: unexpected end of file: expected 4 bytes of the thing")
        }
        let r2 = Reader(try openSource(path: p))
        XCTAssertThrowsError(try r2.readBytes(1 << 40, "a huge string")) { e in
            XCTAssertTrue("\(e)".contains("needs 1099511627776 bytes but only 6 remain"), "\(e)")
        }
    }

    func testSkipOnStreamsAndFiles() throws {
        for path in [fixturesDir + "/io/hello.txt.zst", fixturesDir + "/io/hello.txt.gz"] {
            let r = Reader(try openSource(path: path), capacity: 64)
            try r.skip(12 * 500 + 7, "skip")
            XCTAssertEqual(String(decoding: try r.readBytes(5, "x"), as: UTF8.self), "gguf\n")
            XCTAssertThrowsError(try r.skip(1 << 20, "far"))
        }
    }

    func testMissingFileAndDirectory() {
        XCTAssertThrowsError(try openSource(path: "/nonexistent/model.bin")) { e in
            XCTAssertTrue("\(e)".hasPrefix("/nonexistent/model.bin: cannot open"), "\(e)")
        }
        XCTAssertThrowsError(try openSource(path: "/tmp")) { e in XCTAssertTrue("\(e)".contains("directory")) }
    }

    func testCRC32MatchesZlib() {
        let s = Array("123456789".utf8)
        XCTAssertEqual(s.withUnsafeBytes { CRC32.of($0) }, 0xCBF4_3926)
    }
}
