import Foundation
import GGUFTestSupport
import XCTest
@testable import GGUFFormat
import GGUFIO

/// Opening split GGUF sets: llama.cpp's naming rule, every part found and checked, and one-line errors
/// naming the file for a missing, reordered, foreign, truncated or middle part.
final class GGUFSplitSetTests: XCTestCase {
    var dir = ""
    override func setUp() { dir = makeTempDir() }

    /// Three parts of a 6-tensor model under `prefix` (2 tensors each), as llama-gguf-split lays them out.
    func writeSet(_ prefix: String, count: Int = 3, total: Int = 6, tensorsPerPart: Int = 2, name: String = "t") throws {
        for i in 0..<count {
            var md = GGUFMetadata()
            if i == 0 { md["general.architecture"] = .string("llama"); md["general.name"] = .string(name) }
            md.setAppending(SplitKeys.number, .uint16(UInt16(i)))
            md.setAppending(SplitKeys.tensorCount, .int32(Int32(total)))
            md.setAppending(SplitKeys.count, .uint16(UInt16(count)))
            let ts = (0..<tensorsPerPart).map { GGUFTensorInfo(name: "\(name).\(i).\($0)", ne: [32, 2], type: .f32) }
            try writeGGUF(SplitNaming.path(prefix: prefix, index: i, count: count), md, ts)
        }
    }

    func error(_ body: () throws -> Void) -> IOError? {
        do { try body() } catch let e as IOError { return e } catch { XCTFail("not an IOError: \(error)") }
        return nil
    }

    func testNaming() {
        XCTAssertEqual(SplitNaming.path(prefix: "/m/x", index: 0, count: 3), "/m/x-00001-of-00003.gguf")
        XCTAssertEqual(SplitNaming.path(prefix: "x", index: 99999, count: 100000), "x-100000-of-100000.gguf")
        XCTAssertEqual(SplitNaming.prefix(of: "/m/x-00002-of-00003.gguf", index: 1, count: 3), "/m/x")
        XCTAssertNil(SplitNaming.prefix(of: "/m/x-00002-of-00003.gguf", index: 0, count: 3))
        XCTAssertNil(SplitNaming.prefix(of: "-00001-of-00003.gguf", index: 0, count: 3), "llama.cpp wants a non-empty prefix")
    }

    func testOpensEveryPartWithOffsets() throws {
        try writeSet(dir + "/m")
        let set = try GGUFSplitSet.open(path: dir + "/m-00001-of-00003.gguf")
        XCTAssertTrue(set.isSplit)
        XCTAssertEqual(set.parts.map(\.path), (0..<3).map { SplitNaming.path(prefix: dir + "/m", index: $0, count: 3) })
        XCTAssertEqual(set.tensors.map(\.info.name), ["t.0.0", "t.0.1", "t.1.0", "t.1.1", "t.2.0", "t.2.1"])
        XCTAssertEqual(set.tensors.map(\.part), [0, 0, 1, 1, 2, 2])
        XCTAssertEqual(set.metadata.string("general.name"), "t")
        // Each tensor's bytes are where the set says (writeGGUF fills tensor i of a file with byte i).
        for t in set.tensors {
            let f = try FileSource(path: set.parts[t.part].path)
            var b = [UInt8](repeating: 9, count: t.info.byteCount)
            try b.withMutableBytesIO { (p) throws(IOError) in try f.read(into: p, at: t.fileOffset, "data") }
            XCTAssertEqual(Set(b), [UInt8(t.info.name.last!.wholeNumberValue!)])
        }
    }

    func testUnsplitFileIsOnePart() throws {
        var md = GGUFMetadata()
        md["general.architecture"] = .string("llama")
        md["split.count"] = .uint16(0)  // what llama-gguf-split --merge leaves
        try writeGGUF(dir + "/one.gguf", md, [GGUFTensorInfo(name: "a", ne: [32], type: .f32)])
        let set = try GGUFSplitSet.open(path: dir + "/one.gguf")
        XCTAssertFalse(set.isSplit)
        XCTAssertEqual(set.tensors.count, 1)
    }

    func testMiddlePartSaysOpenTheFirst() throws {
        try writeSet(dir + "/m")
        let e = error { _ = try GGUFSplitSet.open(path: dir + "/m-00002-of-00003.gguf") }
        XCTAssertEqual(e?.kind, .usage)
        XCTAssertEqual(e?.description, "\(dir)/m-00002-of-00003.gguf: this is part 2 of a 3-part split model (split.no = 1); open its first part, \(dir)/m-00001-of-00003.gguf (llama.cpp loads split models from the first part only)")
    }

    func testMissingPart() throws {
        try writeSet(dir + "/m")
        try FileManager.default.removeItem(atPath: dir + "/m-00003-of-00003.gguf")
        let e = error { _ = try GGUFSplitSet.open(path: dir + "/m-00001-of-00003.gguf") }
        XCTAssertEqual(e?.kind, .system(errno: ENOENT))
        XCTAssertEqual(e?.description, "\(dir)/m-00003-of-00003.gguf: part 3 of 3 of the split model \(dir)/m-00001-of-00003.gguf: cannot open: No such file or directory")
    }

    func testReorderedPart() throws {
        try writeSet(dir + "/m")
        let p2 = dir + "/m-00002-of-00003.gguf", p3 = dir + "/m-00003-of-00003.gguf"
        try FileManager.default.moveItem(atPath: p2, toPath: dir + "/tmp")
        try FileManager.default.moveItem(atPath: p3, toPath: p2)
        try FileManager.default.moveItem(atPath: dir + "/tmp", toPath: p3)
        let e = error { _ = try GGUFSplitSet.open(path: dir + "/m-00001-of-00003.gguf") }
        XCTAssertEqual(e?.kind, .badData)
        XCTAssertEqual(e?.description, "\(p2): split.no is 2, expected 1: this file is part 3 of a set, not part 2 of \(dir)/m-00001-of-00003.gguf (renamed or reordered?)")
    }

    func testForeignPartOtherCount() throws {
        try writeSet(dir + "/m")
        try writeSet(dir + "/other", count: 4, total: 8)
        try FileManager.default.removeItem(atPath: dir + "/m-00002-of-00003.gguf")
        // Part 2 of a 4-part set, renamed into the 3-part one.
        try FileManager.default.copyItem(atPath: dir + "/other-00002-of-00004.gguf", toPath: dir + "/m-00002-of-00003.gguf")
        let e = error { _ = try GGUFSplitSet.open(path: dir + "/m-00001-of-00003.gguf") }
        XCTAssertEqual(e?.kind, .badData)
        XCTAssertEqual(e?.description, "\(dir)/m-00002-of-00003.gguf: split.count is 4, but \(dir)/m-00001-of-00003.gguf says 3: a part of another split set")
    }

    func testForeignPartOtherTensorCount() throws {
        try writeSet(dir + "/m")
        try writeSet(dir + "/other", count: 3, total: 9, tensorsPerPart: 3)
        try FileManager.default.removeItem(atPath: dir + "/m-00003-of-00003.gguf")
        try FileManager.default.copyItem(atPath: dir + "/other-00003-of-00003.gguf", toPath: dir + "/m-00003-of-00003.gguf")
        let e = error { _ = try GGUFSplitSet.open(path: dir + "/m-00001-of-00003.gguf") }
        XCTAssertEqual(e?.description, "\(dir)/m-00003-of-00003.gguf: split.tensors.count is 9, but \(dir)/m-00001-of-00003.gguf says 6: a part of another split set")
    }

    func testForeignPartSameCountsDuplicateTensors() throws {
        // A part of a set with the same counts and the same tensor names: caught by the duplicate check.
        try writeSet(dir + "/m", name: "t")
        for i in 0..<3 {
            var md = GGUFMetadata()
            md.setAppending(SplitKeys.number, .uint16(UInt16(i)))
            md.setAppending(SplitKeys.tensorCount, .int32(6))
            md.setAppending(SplitKeys.count, .uint16(3))
            try writeGGUF(dir + "/o-0000\(i + 1)-of-00003.gguf", md, [GGUFTensorInfo(name: "t.0.0", ne: [32], type: .f32),
                                                                    GGUFTensorInfo(name: "u.\(i)", ne: [32], type: .f32)])
        }
        try FileManager.default.removeItem(atPath: dir + "/m-00002-of-00003.gguf")
        try FileManager.default.copyItem(atPath: dir + "/o-00002-of-00003.gguf", toPath: dir + "/m-00002-of-00003.gguf")
        let e = error { _ = try GGUFSplitSet.open(path: dir + "/m-00001-of-00003.gguf") }
        XCTAssertEqual(e?.description, "\(dir)/m-00002-of-00003.gguf: tensor 't.0.0' is also in \(dir)/m-00001-of-00003.gguf: duplicated across the set (llama.cpp: invalid model)")
    }

    func testTensorTotalMismatch() throws {
        try writeSet(dir + "/m", total: 7)
        let e = error { _ = try GGUFSplitSet.open(path: dir + "/m-00001-of-00003.gguf") }
        XCTAssertEqual(e?.description, "\(dir)/m-00001-of-00003.gguf: split.tensors.count is 7, but the 3 parts hold 6 tensors (corrupted model: a part from another set?)")
    }

    func testTruncatedPart() throws {
        try writeSet(dir + "/m")
        let p = dir + "/m-00002-of-00003.gguf"
        let size = try FileSource(path: p).size!
        XCTAssertEqual(truncate(p, off_t(size - 100)), 0)
        let e = error { _ = try GGUFSplitSet.open(path: dir + "/m-00001-of-00003.gguf") }
        XCTAssertEqual(e?.kind, .badData)
        XCTAssertTrue(e?.description.hasPrefix("\(p): at offset ") ?? false, "\(String(describing: e))")
        XCTAssertTrue(e?.description.contains("truncated") ?? false, "\(String(describing: e))")
    }

    func testFirstPartWrongName() throws {
        try writeSet(dir + "/m")
        try FileManager.default.moveItem(atPath: dir + "/m-00001-of-00003.gguf", toPath: dir + "/renamed.gguf")
        let e = error { _ = try GGUFSplitSet.open(path: dir + "/renamed.gguf") }
        XCTAssertEqual(e?.description, "\(dir)/renamed.gguf: the first part of a 3-part split model must be named PREFIX-00001-of-00003.gguf so that the other parts can be found (llama.cpp: invalid split file name)")
    }

    func testMissingSplitNoInPart() throws {
        try writeSet(dir + "/m")
        var md = GGUFMetadata()
        md["split.count"] = .uint16(3)
        md["split.tensors.count"] = .int32(6)
        try writeGGUF(dir + "/m-00002-of-00003.gguf", md, [GGUFTensorInfo(name: "x", ne: [32], type: .f32), GGUFTensorInfo(name: "y", ne: [32], type: .f32)])
        let e = error { _ = try GGUFSplitSet.open(path: dir + "/m-00001-of-00003.gguf") }
        XCTAssertEqual(e?.description, "\(dir)/m-00002-of-00003.gguf: has no split.no key: not part 2 of the split model \(dir)/m-00001-of-00003.gguf")
    }

    func testBadSplitKeyValues() throws {
        func first(_ md: GGUFMetadata) throws -> IOError? {
            let p = dir + "/x-00001-of-00003.gguf"
            try writeGGUF(p, md, [GGUFTensorInfo(name: "a", ne: [32], type: .f32)])
            return error { _ = try GGUFSplitSet.open(path: p) }
        }
        var md = GGUFMetadata()
        md["split.count"] = .string("3")
        XCTAssertEqual(try first(md)?.message, "split.count is a STRING, expected a UINT16 part count")
        md["split.count"] = .uint32(70000)
        XCTAssertEqual(try first(md)?.message, "split.count is 70000, expected a UINT16 part count")
        md["split.count"] = .uint16(3)
        XCTAssertEqual(try first(md)?.message, "has split.count but no split.no: not a valid part of a split model")
        md["split.no"] = .uint16(0)
        XCTAssertEqual(try first(md)?.message, "has split.count but no split.tensors.count: not a valid part of a split model")
        md["split.tensors.count"] = .int32(-1)
        XCTAssertEqual(try first(md)?.message, "split.tensors.count is -1, expected an INT32 tensor count")
        md["split.no"] = .uint16(7)
        XCTAssertEqual(try first(md)?.kind, .usage, "a later part (even one past the count) says to open the first")
    }
}
