import Foundation
import GGUFFormat
import GGUFIO
import GGUFModel
import GGUFTestSupport
import XCTest

final class DiffTests: XCTestCase {
    var dir = ""
    override func setUp() { dir = makeTempDir() }
    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    func testSelfDiffIsEmptyAndGGMLMatchesItsConversion() throws {
        let gguf = try InspectFixtures.convertedGGUF("fortune-llama-q4_0.ggmlv3.bin.zst", into: dir)
        let h = try ModelHeader.read(path: gguf)
        let same = try ModelDiff.compare(h, h, values: true)
        XCTAssertTrue(same.isEmpty)
        XCTAssertEqual(same.sameData, 39)
        XCTAssertEqual(same.total.sumSquaredError, 0, "Q4_0 dequantized against itself")
        XCTAssertTrue(same.skipped.isEmpty, "\(same.skipped)")
        // The GGML original: names mapped, same tensors and data; metadata all different keys.
        let g = try ModelHeader.read(path: fixturesDir + "/ggml/fortune-llama-q4_0.ggmlv3.bin.zst")
        let d = try ModelDiff.compare(g, h)
        XCTAssertTrue(d.tensorsAdded.isEmpty && d.tensorsRemoved.isEmpty && d.retyped.isEmpty && d.reshaped.isEmpty)
        XCTAssertTrue(d.dataChanged.isEmpty)
        XCTAssertEqual(d.sameData, 39)
        XCTAssertEqual(d.keysRemoved.count, 9)
        XCTAssertEqual(d.keysAdded.count, h.metadata.count)
    }

    func testDetectsEveryKindOfChange() throws {
        func header(_ md: GGUFMetadata, _ t: [GGUFTensorInfo], fill: UInt8, name: String) throws -> ModelHeader {
            let t = GGUFWriter.layout(t)
            let bytes = GGUFWriter.header(metadata: md, tensors: t) + [UInt8](repeating: fill, count: t.reduce(0) { $0 + ($1.byteCount + 31) / 32 * 32 })
            let p = dir + "/" + name
            FileManager.default.createFile(atPath: p, contents: Data(bytes))
            return try ModelHeader.read(path: p)
        }
        let a = try header(GGUFMetadata([("k.same", .uint32(1)), ("k.changed", .string("x")), ("k.gone", .bool(true))]),
                           [GGUFTensorInfo(name: "same", ne: [32, 2], type: .f32), GGUFTensorInfo(name: "retyped", ne: [32, 2], type: .f32),
                            GGUFTensorInfo(name: "reshaped", ne: [32, 2], type: .f16), GGUFTensorInfo(name: "removed", ne: [32], type: .f32)],
                           fill: 0, name: "a.gguf")
        let b = try header(GGUFMetadata([("k.same", .uint32(1)), ("k.changed", .string("y")), ("k.new", .float32(2))]),
                           [GGUFTensorInfo(name: "same", ne: [32, 2], type: .f32), GGUFTensorInfo(name: "retyped", ne: [32, 2], type: .f16),
                            GGUFTensorInfo(name: "reshaped", ne: [64], type: .f16), GGUFTensorInfo(name: "added", ne: [32], type: .f32)],
                           fill: 0x3C, name: "b.gguf")
        let d = try ModelDiff.compare(a, b, values: true)
        XCTAssertEqual(d.keysAdded.map(\.key), ["k.new"])
        XCTAssertEqual(d.keysRemoved.map(\.key), ["k.gone"])
        XCTAssertEqual(d.keysChanged.map(\.key), ["k.changed"])
        XCTAssertEqual(d.tensorsAdded.map(\.name), ["added"])
        XCTAssertEqual(d.tensorsRemoved.map(\.name), ["removed"])
        XCTAssertEqual(d.reshaped.map(\.name), ["reshaped"])
        XCTAssertEqual(d.retyped.map(\.name), ["retyped"])
        XCTAssertEqual(d.dataChanged, ["same"])
        // F32 zeros against F16 0x3C3C (= 1.0586) in every element: across types.
        let retyped = try XCTUnwrap(d.values.first { $0.name == "retyped" })
        XCTAssertEqual(retyped.rmse, Double(Float(Float16(bitPattern: 0x3C3C))), accuracy: 1e-12)
        XCTAssertEqual(d.skipped.map(\.name), ["reshaped"])
        let j = try InspectFixtures.json(d.json())
        XCTAssertEqual(((j["tensors"] as! [String: Any])["retyped"] as! [[String: Any]])[0]["b"] as? String, "F16")
    }

    /// RMSE and max |a-b| of fortune-llama F16 against its Q8_0 and Q4_K_M quantizations agree with numpy
    /// over gguf-py's dequantization (Fixtures/inspect/values.json) within 1e-6 relative.
    func testValuesAgreeWithNumpy() throws {
        guard let shared = sharedFixturesDir else { throw XCTSkip("../shared not present") }
        let expected = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: fixturesDir + "/inspect/values.json"))) as! [String: Any]
        var checked = 0
        for pair in expected["pairs"] as! [[String: Any]] {
            let b = pair["b"] as! String
            var pathB = shared + "/" + b
            if b.hasPrefix("oracle quantize") {
                // The oracle's Q4_K_M: GGUFKit's quantizer writes the same bytes (checked by sha256).
                pathB = dir + "/Q4_K_M.gguf"
                let o = QuantizeOptions()
                let plan = try QuantizePlan(source: try QuantizeSource.open(shared + "/trained/gguf/fortune-llama-f16.gguf"),
                                            target: .q4_K_M, options: o)
                _ = try Quantizer.run(plan: plan, output: pathB, options: o)
                let sha = sha256Hex([UInt8](FileManager.default.contents(atPath: pathB)!))
                XCTAssertTrue(b.contains(sha), "GGUFKit's Q4_K_M is the oracle's file (\(sha))")
            }
            let d = try ModelDiff.compare(try ModelHeader.read(path: shared + "/" + (pair["a"] as! String)),
                                          try ModelHeader.read(path: pathB), checksums: false, values: true)
            XCTAssertTrue(d.skipped.isEmpty, "\(d.skipped)")
            let ours = Dictionary(uniqueKeysWithValues: d.values.map { ($0.name, $0) })
            for t in pair["tensors"] as! [[String: Any]] {
                let name = t["name"] as! String
                let s = try XCTUnwrap(ours[name], name)
                XCTAssertEqual(s.elements, t["elements"] as? Int)
                close(s.rmse, t["rmse"] as! Double, "\(b) \(name) rmse")
                close(s.maxAbs, t["max_abs"] as! Double, "\(b) \(name) max")
            }
            let total = pair["total"] as! [String: Any]
            close(d.total.rmse, total["rmse"] as! Double, "\(b) total rmse")
            close(d.total.maxAbs, total["max_abs"] as! Double, "\(b) total max")
            checked += 1
        }
        XCTAssertEqual(checked, 3)
    }

    func close(_ a: Double, _ b: Double, _ what: String) {
        XCTAssertLessThanOrEqual(abs(a - b), 1e-6 * max(abs(b), 1e-30), "\(what): \(a) vs \(b)")
    }
}
