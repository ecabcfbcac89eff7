import Foundation
import GGUFTestSupport
import XCTest
@testable import GGUFFormat
import GGUFIO

/// Builds GGUF bytes field by field, so that any field can be made wrong.
struct RawGGUF {
    var bytes: [UInt8] = []
    mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes += $0 } }
    mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes += $0 } }
    mutating func str(_ s: String) { u64(UInt64(s.utf8.count)); bytes += Array(s.utf8) }
    mutating func header(version: UInt32 = 3, tensors: UInt64, kvs: UInt64) {
        bytes += Array("GGUF".utf8); u32(version); u64(tensors); u64(kvs)
    }
    mutating func kvU32(_ k: String, _ v: UInt32) { str(k); u32(4); u32(v) }
    mutating func tensor(_ name: String, _ ne: [UInt64], type: UInt32 = 0, offset: UInt64) {
        str(name); u32(UInt32(ne.count)); for d in ne { u64(d) }; u32(type); u64(offset)
    }
    mutating func padData(_ dataBytes: Int) {
        while bytes.count % 32 != 0 { bytes.append(0) }
        bytes += [UInt8](repeating: 0, count: dataBytes)
    }
}

final class GGUFMalformedTests: XCTestCase {
    var dir = ""
    override func setUp() { dir = makeTempDir() }

    /// Reads bytes as a GGUF file and returns the error text (fails the test if it parses).
    func error(_ bytes: [UInt8], file: StaticString = #filePath, line: UInt = #line) -> String {
        let p = dir + "/bad.gguf"
        try! Data(bytes).write(to: URL(fileURLWithPath: p))
        do {
            _ = try GGUFReader.read(path: p)
            XCTFail("parsed a malformed file", file: file, line: line)
            return ""
        } catch {
            XCTAssertTrue(error.description.hasPrefix(p + ": "), "error names the file: \(error)", file: file, line: line)
            return error.description
        }
    }

    func valid() -> RawGGUF {
        var g = RawGGUF()
        g.header(tensors: 2, kvs: 1)
        g.kvU32("general.file_type", 1)
        g.tensor("a", [8, 2], offset: 0)
        g.tensor("b", [4], offset: 64)
        g.padData(64 + 16)
        return g
    }

    func testValidBaseline() throws {
        let p = dir + "/ok.gguf"
        try Data(valid().bytes).write(to: URL(fileURLWithPath: p))
        XCTAssertEqual(try GGUFReader.read(path: p).tensors.count, 2)
    }

    func testWrongMagicAndVersions() {
        var b = valid().bytes
        b[0] = UInt8(ascii: "X")
        XCTAssertTrue(error(b).contains("at offset 0: not a GGUF file"))
        for (v, what) in [(0, "unsupported GGUF version 0"), (4, "unsupported GGUF version 4"), (0x0300_0000, "big-endian")] {
            var g = valid().bytes
            withUnsafeBytes(of: UInt32(v).littleEndian) { g.replaceSubrange(4..<8, with: $0) }
            XCTAssertTrue(error(g).contains(what), "\(v)")
        }
    }

    func testAbsurdCounts() {
        for (t, k) in [(UInt64.max, UInt64(1)), (UInt64(1) << 40, 1), (1, UInt64(1) << 40), (1, UInt64.max)] {
            var g = RawGGUF()
            g.header(tensors: t, kvs: k)
            g.kvU32("x", 1)
            let e = error(g.bytes)
            XCTAssertTrue(e.contains("absurd") || e.contains("more than the"), e)
        }
    }

    func testHugeStringAndArrayLengths() {
        var g = RawGGUF()
        g.header(tensors: 0, kvs: 1)
        g.u64(1 << 62); g.bytes += Array("key".utf8)
        g.bytes += [UInt8](repeating: 0, count: 64)
        let e1 = error(g.bytes); XCTAssertTrue(e1.contains("claims 4611686018427387904 bytes, but only 67 remain"), e1)

        var a = RawGGUF()
        a.header(tensors: 0, kvs: 1)
        a.str("arr"); a.u32(9); a.u32(4); a.u64(1 << 29)
        XCTAssertTrue(error(a.bytes).contains("more than the"))

        var s = RawGGUF()
        s.header(tensors: 0, kvs: 1)
        s.str("arr"); s.u32(9); s.u32(8); s.u64(3); s.str("ok"); s.u64(UInt64.max)
        s.bytes += [UInt8](repeating: 0, count: 64)
        let e2 = error(s.bytes); XCTAssertTrue(e2.contains("claims 18446744073709551615 bytes"), e2)
    }

    func testUnknownTypesAndBadKeys() {
        var g = RawGGUF()
        g.header(tensors: 0, kvs: 1)
        g.str("k"); g.u32(13); g.u32(0)
        XCTAssertTrue(error(g.bytes).contains("unknown value type 13"))

        var a = RawGGUF()
        a.header(tensors: 0, kvs: 1)
        a.str("k"); a.u32(9); a.u32(99); a.u64(0)
        XCTAssertTrue(error(a.bytes).contains("unknown array element type 99"))

        var e = RawGGUF()
        e.header(tensors: 0, kvs: 1)
        e.str(""); e.u32(4); e.u32(0)
        XCTAssertTrue(error(e.bytes).contains("empty key"))

        var d = RawGGUF()
        d.header(tensors: 0, kvs: 2)
        d.kvU32("k", 1); d.kvU32("k", 2)
        XCTAssertTrue(error(d.bytes).contains("duplicate metadata key 'k'"))

        var al = RawGGUF()
        al.header(tensors: 0, kvs: 1)
        al.kvU32("general.alignment", 48)
        XCTAssertTrue(error(al.bytes).contains("power of two"))

        var n = RawGGUF()
        n.header(tensors: 0, kvs: 1)
        n.str("deep")
        n.u32(9)
        for _ in 0..<20 { n.u32(9); n.u64(1) }
        let e3 = error(n.bytes); XCTAssertTrue(e3.contains("nests arrays"), e3)
    }

    func testBadTensorInfos() {
        func one(_ build: (inout RawGGUF) -> Void, data: Int = 64) -> String {
            var g = RawGGUF()
            g.header(tensors: 1, kvs: 0)
            build(&g)
            g.padData(data)
            return error(g.bytes)
        }
        XCTAssertTrue(one { $0.tensor("a", [4], type: 77, offset: 0) }.contains("unknown ggml type id 77"))
        XCTAssertTrue(one { $0.tensor("a", [4], type: 4, offset: 0) }.contains("unknown ggml type id 4"))
        XCTAssertTrue(one { $0.tensor("a", [1, 1, 1, 1, 1], offset: 0) }.contains("5 dimensions"))
        XCTAssertTrue(one { $0.tensor("a", [1 << 40, 1 << 40], offset: 0) }.contains("overflows"))
        XCTAssertTrue(one { $0.tensor("a", [UInt64.max], offset: 0) }.contains("too large"))
        XCTAssertTrue(one { $0.tensor("a", [172], type: 2, offset: 0) }.contains("not a multiple of the Q4_0 block size 32"))
        XCTAssertTrue(one { $0.tensor("a", [4], offset: 4096) }.contains("truncated"))
        XCTAssertTrue(one { $0.tensor("a", [4], offset: 8) }.contains("not a multiple of the alignment"))
        XCTAssertTrue(one { $0.tensor("a", [4], offset: UInt64.max) }.contains("past any file"))
        XCTAssertTrue(one { $0.tensor(String(repeating: "n", count: 64), [4], offset: 0) }.contains("at most 63"))

        var dup = RawGGUF()
        dup.header(tensors: 2, kvs: 0)
        dup.tensor("a", [4], offset: 0); dup.tensor("a", [4], offset: 32)
        dup.padData(64)
        XCTAssertTrue(error(dup.bytes).contains("duplicate tensor name 'a'"))

        var over = RawGGUF()
        over.header(tensors: 2, kvs: 0)
        over.tensor("a", [64], offset: 0); over.tensor("b", [4], offset: 128)
        over.padData(512)
        XCTAssertTrue(error(over.bytes).contains("overlaps"))
    }

    func testTruncationAnywhereIsAnErrorNotACrash() {
        let full = valid().bytes
        let needed = full.count  // data of 'b' ends exactly at the end
        var errors = 0
        for n in 0..<needed {
            _ = error(Array(full.prefix(n)))
            errors += 1
        }
        XCTAssertEqual(errors, needed)
    }
}
