import Foundation
import GGUFTestSupport
import XCTest
@testable import GGUFFormat
import GGUFIO

/// Inputs found by the fuzzers (`.ci/fuzz`) that once crashed a reader; each must now be an error.
///
/// Also replays the committed fuzz corpus of the readers (`Fixtures/fuzz/{gguf,ggml,compressed}`) and
/// `Fixtures/malformed/` through both readers, so that CI covers them even where libFuzzer is not available.
final class FuzzRegressionTests: XCTestCase {
    func gguf(_ bytes: [UInt8]) throws -> GGUFFile { try GGUFReader.read(Reader(MemorySource(bytes, path: "x.gguf"), capacity: 64)) }
    func ggml(_ bytes: [UInt8]) throws -> GGMLFile { try GGMLReader.scan(Reader(MemorySource(bytes, path: "x.bin"), capacity: 64)) }

    /// A zero dimension made the element count 0, so [0, 2^56, 2^8] passed the overflow check and
    /// `rowCount` trapped (fuzz-gguf crash 691bb590).
    func testZeroDimensionDoesNotHideOverflow() {
        var g = RawGGUF()
        g.header(version: 3, tensors: 1, kvs: 0)
        g.tensor("t", [0, 1 << 56, 1 << 8], offset: 0)
        g.padData(0)
        XCTAssertThrowsError(try gguf(g.bytes)) { e in XCTAssertTrue("\(e)".contains("overflows"), "\(e)") }
        // The input as libFuzzer found it (GGUF v1).
        let found = Data(base64Encoded: "R0dVRgEAAAABAAAAAAAAAAAAAAAEAAAAAAAAAAD///8PAAAAAAAA/QAAAAAAAAAAAAAAAAEAAAAAAABAAAAAAA==")!
        XCTAssertThrowsError(try gguf(Array(found)))
        // A legitimate empty tensor still reads.
        var ok = RawGGUF()
        ok.header(version: 3, tensors: 1, kvs: 0)
        ok.tensor("t", [0, 4], offset: 0)
        ok.padData(0)
        XCTAssertEqual(try gguf(ok.bytes).tensors.first?.rowCount, 4)
    }

    /// 2^62 bytes of data at an offset near 2^62: `dataOffset + offset + byteCount` trapped.
    func testHugeTensorAtHugeOffsetIsAnError() {
        var g = RawGGUF()
        g.header(version: 3, tensors: 1, kvs: 0)
        g.tensor("t", [1 << 30, 1 << 30], type: 0, offset: UInt64(Int.max / 2) / 32 * 32)
        g.padData(0)
        XCTAssertThrowsError(try gguf(g.bytes)) { e in XCTAssertTrue("\(e)".contains("past the end") || "\(e)".contains("truncated"), "\(e)") }
    }

    /// GGML records: a zero dimension hiding an overflowing product, and a data size that overflows
    /// only when multiplied by the type size (2^31 × 2^31 F32 elements).
    func testGGMLSizeOverflows() {
        for ne: [UInt32] in [[0, 1 << 31, 1 << 31, 1 << 31], [1 << 31, 1 << 31]] {
            var b = GGMLBuilder(container: .ggjt(3), nVocab: 4)
            b.tensors = [(name: "tok_embeddings.weight", ne: ne, type: 0, data: [])]
            XCTAssertThrowsError(try ggml(b.bytes()), "\(ne)") { e in XCTAssertTrue("\(e)".contains("overflows"), "\(e)") }
        }
    }

    /// Every committed fuzz input and malformed file gives a value or an error, never a crash.
    func testCommittedCorpusReplays() throws {
        var n = 0
        for sub in ["fuzz/gguf", "fuzz/ggml", "fuzz/compressed", "malformed"] {
            let dir = fixturesDir + "/" + sub
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else { continue }
            for name in names.sorted() {
                // Through openSource, so that compressed inputs are decompressed as in the tool.
                _ = try? GGUFReader.read(path: dir + "/" + name)
                _ = try? GGMLReader.scan(path: dir + "/" + name)
                n += 1
            }
        }
        if n == 0 { throw XCTSkip("no committed corpus") }
        // Files in malformed/ must be errors for both readers.
        let m = fixturesDir + "/malformed"
        for name in (try? FileManager.default.contentsOfDirectory(atPath: m)) ?? [] {
            let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: m + "/" + name)))
            XCTAssertThrowsError(try gguf(bytes), name)
            XCTAssertThrowsError(try ggml(bytes), name)
        }
    }
}
