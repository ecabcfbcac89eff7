import Foundation
import GGUFIO
import GGUFTestSupport
import XCTest
@testable import GGUFFormat

/// Builds safetensors bytes: 8-byte header length, JSON header, data.
func safetensorsBytes(header: String, data: [UInt8], claimedLength: UInt64? = nil) -> [UInt8] {
    let h = Array(header.utf8)
    var out: [UInt8] = []
    withUnsafeBytes(of: (claimedLength ?? UInt64(h.count)).littleEndian) { out.append(contentsOf: $0) }
    return out + h + data
}

final class SafetensorsFileTests: XCTestCase {
    var dir = ""
    override func setUp() { dir = makeTempDir() }

    func write(_ bytes: [UInt8], _ name: String = "model.safetensors") -> String {
        let p = dir + "/" + name
        _ = FileManager.default.createFile(atPath: p, contents: Data(bytes))
        return p
    }

    func expectError(_ bytes: [UInt8], _ fragment: String, file: StaticString = #filePath, line: UInt = #line) {
        let p = write(bytes)
        XCTAssertThrowsError(try SafetensorsFile(path: p), file: file, line: line) { e in
            let s = "\(e)"
            XCTAssertTrue(s.hasPrefix(p + ":"), "names the file: \(s)", file: file, line: line)
            XCTAssertTrue(s.contains(fragment), "\(s) lacks '\(fragment)'", file: file, line: line)
        }
    }

    func testReadsTensorsSortedByName() throws {
        let header = #"{"b":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"__metadata__":{"format":"pt"},"a":{"dtype":"BF16","shape":[1,2],"data_offsets":[8,12]}}"#
        let p = write(safetensorsBytes(header: header, data: Array(0..<12)))
        let f = try SafetensorsFile(path: p)
        XCTAssertEqual(f.tensors.map(\.name), ["a", "b"])
        XCTAssertEqual(f.tensors[0].dtype, .bf16)
        XCTAssertEqual(f.tensors[0].shape, [1, 2])
        XCTAssertEqual(f.tensors[0].offset, 8 + header.utf8.count + 8)
        XCTAssertEqual(f.metadata["format"], "pt")
        XCTAssertEqual(Array(try f.data(f.tensors[1])), Array(0..<8))
    }

    func testRefusesHeaderLongerThanTheFile() {
        expectError(safetensorsBytes(header: "{}", data: [], claimedLength: 1 << 40), "runs past the end of the file")
    }

    func testRefusesTruncatedLength() {
        expectError([1, 2, 3], "expected a safetensors header length")
    }

    func testRefusesHugeHeader() throws {
        // A sparse file larger than the limit, whose header claims more than the limit.
        let n = SafetensorsFile.maxHeaderBytes + 1
        let p = write(safetensorsBytes(header: "", data: [], claimedLength: UInt64(n)))
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: p))
        try h.truncate(atOffset: UInt64(n + 8))
        try h.close()
        XCTAssertThrowsError(try SafetensorsFile(path: p)) { e in XCTAssertTrue("\(e)".contains("exceeds"), "\(e)") }
    }

    func testRefusesDataPastTheEnd() {
        let header = #"{"a":{"dtype":"F16","shape":[4],"data_offsets":[0,8]}}"#
        expectError(safetensorsBytes(header: header, data: [0, 0, 0, 0]), "runs past the end of the data")
    }

    func testRefusesSizeThatContradictsShape() {
        let header = #"{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#
        expectError(safetensorsBytes(header: header, data: Array(repeating: 0, count: 8)), "needs 12 bytes")
    }

    func testRefusesBadJSONAndBadFields() {
        expectError(safetensorsBytes(header: "{\"a\":", data: []), "not valid JSON")
        expectError(safetensorsBytes(header: "[1]", data: []), "not a JSON object")
        expectError(safetensorsBytes(header: #"{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,0]}}"#, data: []), "non-negative")
        expectError(safetensorsBytes(header: #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}}"#, data: Array(repeating: 0, count: 8)), "data_offsets")
        expectError(safetensorsBytes(header: #"{"a":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,0]}}"#, data: []), "more elements")
    }

    func testKeepsUnknownDTypesForTheCallerToRefuse() throws {
        let header = #"{"a":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}"#
        let f = try SafetensorsFile(path: write(safetensorsBytes(header: header, data: Array(repeating: 0, count: 8))))
        XCTAssertNil(f.tensors[0].dtype)
        XCTAssertEqual(f.tensors[0].dtypeName, "I64")
    }

    func testCheckpointRefusesPickles() {
        _ = FileManager.default.createFile(atPath: dir + "/pytorch_model.bin", contents: Data([0x80, 0x02]))
        XCTAssertThrowsError(try SafetensorsCheckpoint(directory: dir)) { e in
            XCTAssertTrue("\(e)".contains("pickle"), "\(e)")
            XCTAssertTrue("\(e)".contains("pytorch_model.bin"), "\(e)")
        }
    }

    func testCheckpointChecksTheIndex() throws {
        let header = #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#
        _ = write(safetensorsBytes(header: header, data: [0, 0, 0, 0]), "model-00001-of-00002.safetensors")
        let index = #"{"weight_map":{"a":"model-00001-of-00002.safetensors","b":"model-00002-of-00002.safetensors"}}"#
        _ = FileManager.default.createFile(atPath: dir + "/model.safetensors.index.json", contents: Data(index.utf8))
        XCTAssertThrowsError(try SafetensorsCheckpoint(directory: dir)) { e in
            XCTAssertTrue("\(e)".contains("model-00002-of-00002.safetensors"), "\(e)")
        }
        let index2 = #"{"weight_map":{"a":"model-00001-of-00002.safetensors"}}"#
        _ = FileManager.default.createFile(atPath: dir + "/model.safetensors.index.json", contents: Data(index2.utf8))
        let c = try SafetensorsCheckpoint(directory: dir)
        XCTAssertEqual(c.tensors.map(\.name), ["a"])
        let index3 = #"{"weight_map":{"a":"../elsewhere.safetensors"}}"#
        _ = FileManager.default.createFile(atPath: dir + "/model.safetensors.index.json", contents: Data(index3.utf8))
        XCTAssertThrowsError(try SafetensorsCheckpoint(directory: dir))
    }
}

final class JSONNodeTests: XCTestCase {
    func testPythonLikeValues() throws {
        let v = try JSONNode.parse(Array(#"{"a": 1, "b": 1.0, "c": true, "d": null, "e": "\u00e9\ud83d\ude00", "a": 2}"#.utf8))
        XCTAssertEqual(v.members?.map(\.0), ["a", "b", "c", "d", "e"])
        XCTAssertEqual(v["a"], .int(2))
        XCTAssertEqual(v["b"], .double(1))
        XCTAssertNil(v["c"]?.int)
        XCTAssertEqual(v["c"], .bool(true))
        XCTAssertEqual(v["d"], .null)
        XCTAssertEqual(v["e"]?.string, "é😀")
        XCTAssertThrowsError(try JSONNode.parse(Array("[1,]".utf8)))
        XCTAssertThrowsError(try JSONNode.parse(Array(String(repeating: "[", count: 1000).utf8)))
    }
}
