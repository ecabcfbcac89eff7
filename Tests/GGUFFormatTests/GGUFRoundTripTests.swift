import Foundation
import GGUFTestSupport
import XCTest
@testable import GGUFFormat
import GGUFIO

/// Writes a GGUF file from metadata and tensors (data: each tensor filled with its index).
func writeGGUF(_ path: String, _ md: GGUFMetadata, _ tensors: [GGUFTensorInfo], alignment: Int = 32) throws {
    let laid = GGUFWriter.layout(tensors, alignment: alignment)
    var bytes = GGUFWriter.header(metadata: md, tensors: laid, alignment: alignment)
    for (i, t) in laid.enumerated() {
        bytes += [UInt8](repeating: UInt8(i & 0xFF), count: t.byteCount)
        while bytes.count % alignment != 0 { bytes.append(0) }
    }
    try Data(bytes).write(to: URL(fileURLWithPath: path))
}

final class GGUFRoundTripTests: XCTestCase {
    func testEveryValueTypeRoundTrips() throws {
        var md = GGUFMetadata()
        md["general.architecture"] = .string("llama")
        md["t.u8"] = .uint8(200); md["t.i8"] = .int8(-100)
        md["t.u16"] = .uint16(60000); md["t.i16"] = .int16(-30000)
        md["t.u32"] = .uint32(4_000_000_000); md["t.i32"] = .int32(-2_000_000_000)
        md["t.f32"] = .float32(1.5e-5); md["t.bool"] = .bool(true)
        md["t.str"] = .string("héllo ▁ wörld")
        md["t.bytes"] = .string([0xFF, 0xFE, 0x00, 0x41])  // not UTF-8: kept as bytes
        md["t.u64"] = .uint64(UInt64.max); md["t.i64"] = .int64(Int64.min); md["t.f64"] = .float64(-2.5e300)
        md["t.arr.i32"] = .array(elementType: .int32, values: [.int32(1), .int32(-2)])
        md["t.arr.str"] = .array(elementType: .string, values: [.string("a"), .string(""), .string("▁b")])
        md["t.arr.empty"] = .array(elementType: .float32, values: [])
        md["t.arr.nested"] = .array(elementType: .array, values: [
            .array(elementType: .uint8, values: [.uint8(1), .uint8(2)]),
            .array(elementType: .uint8, values: []),
        ])
        md["t.arr.deep"] = .array(elementType: .array, values: [
            .array(elementType: .array, values: [.array(elementType: .string, values: [.string("x")])]),
        ])
        let tensors = [
            GGUFTensorInfo(name: "a", ne: [64, 3], type: .f32),
            GGUFTensorInfo(name: "b", ne: [256, 2], type: .q4_K),
            GGUFTensorInfo(name: "c", ne: [32], type: .q8_0),
            GGUFTensorInfo(name: "d", ne: [32, 2, 3, 4], type: .f16),
            GGUFTensorInfo(name: "e", ne: [256, 1, 1], type: .iq2_XXS),
        ]
        let p = makeTempDir() + "/rt.gguf"
        try writeGGUF(p, md, tensors)
        let f = try GGUFReader.read(path: p)
        XCTAssertEqual(f.version, 3)
        XCTAssertEqual(f.metadata, md)
        XCTAssertEqual(f.metadata.keys, md.keys, "order kept")
        XCTAssertEqual(f.tensors.map(\.name), ["a", "b", "c", "d", "e"])
        XCTAssertEqual(f.tensors[3].ne, [32, 2, 3, 4])
        XCTAssertEqual(f.tensors[4].ne, [256], "trailing 1s are not written, as ggml does")
        XCTAssertEqual(f.tensors.map(\.type), [.f32, .q4_K, .q8_0, .f16, .iq2_XXS])
        XCTAssertEqual(f.dataOffset % 32, 0)
        XCTAssertEqual(f.tensors[1].offset, 64 * 3 * 4)
        XCTAssertEqual(f.tensors[1].byteCount, 2 * 144)
    }

    func testCustomAlignment() throws {
        var md = GGUFMetadata()
        md["general.alignment"] = .uint32(64)
        let p = makeTempDir() + "/al.gguf"
        try writeGGUF(p, md, [GGUFTensorInfo(name: "a", ne: [3], type: .f32), GGUFTensorInfo(name: "b", ne: [3], type: .f32)], alignment: 64)
        let f = try GGUFReader.read(path: p)
        XCTAssertEqual(f.alignment, 64)
        XCTAssertEqual(f.tensors[1].offset, 64)
        XCTAssertEqual(f.dataOffset % 64, 0)
    }

    func testTypeTableSizes() {
        XCTAssertEqual(GGMLType.allCases.count, 35)
        XCTAssertEqual(GGMLType.q4_K.tensorBytes([4096, 4096]), 4096 * 4096 / 256 * 144)
        XCTAssertEqual(GGMLType.q6_K.bitsPerWeight, 6.5625)
        XCTAssertNil(GGMLType.q4_0.rowBytes(172))
        XCTAssertNil(GGMLType(rawValue: 4), "Q4_2 was removed")
        XCTAssertEqual(GGMLType(name: "q5_k"), .q5_K)
        XCTAssertNil(GGMLType.f32.tensorBytes([Int.max / 2, 4]), "overflow detected")
        XCTAssertEqual(LlamaFileType.mostlyQ4_K_M.shortName, "Q4_K_M")
        XCTAssertEqual(LlamaFileType.allF32.shortName, "F32")
    }

    func testReadsSharedGGUFFixturesWhenPresent() throws {
        let dir = fixturesDir + "/../../shared/fixtures"
        guard FileManager.default.fileExists(atPath: dir + "/MANIFEST.tsv") else { throw XCTSkip("../shared not present") }
        let refs = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/refs/gguf_tensors.json"))) as! [String: Any]
        var checked = 0
        for (rel, v) in refs {
            let path = dir + "/" + rel
            guard FileManager.default.fileExists(atPath: path), let ref = v as? [String: Any] else { continue }
            let f = try GGUFReader.read(path: path)
            XCTAssertEqual(f.dataOffset, ref["data_offset"] as? Int, rel)
            let kv = ref["kv"] as! [String: Any]
            XCTAssertEqual(Set(f.metadata.keys), Set(kv.keys), rel)
            let tensors = ref["tensors"] as! [[Any]]
            XCTAssertEqual(f.tensors.map(\.name), tensors.map { $0[0] as! String }, rel)
            XCTAssertEqual(f.tensors.map(\.type.name), tensors.map { $0[1] as! String }, rel)
            XCTAssertEqual(f.tensors.map(\.ne), tensors.map { $0[2] as! [Int] }, rel)
            checked += 1
        }
        XCTAssertGreaterThan(checked, 10)
    }
}
