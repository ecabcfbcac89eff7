import Foundation
import XCTest
import GGUFFormat
@testable import GGUFModel

/// The policy against recorded llama.cpp outputs: every case must match type for type and in order.
final class MixOracleTests: XCTestCase {
    func runCases(_ file: String, minimum: Int) throws {
        let cases = try MixFixtures.load(file)
        XCTAssertGreaterThanOrEqual(cases.count, minimum, file)
        var failed = 0
        for c in cases {
            let diffs = MixFixtures.check(c)
            if !diffs.isEmpty {
                failed += 1
                XCTFail("\(file): \(c.source) \(c.model.name) \(c.era) \(c.target) \(c.args): \(diffs.prefix(6))")
            }
        }
        print("\(file): \(cases.count - failed)/\(cases.count) cases match exactly")
    }

    /// The 2023 GGML files and the current-quantizer GGUFs of the shared fixtures (refs/mixes.json).
    func testSharedReferenceFiles() throws {
        try runCases("refs-cases.json", minimum: 30)
    }

    /// Synthetic models of several shapes quantized by llama-quantize@0c1e570 (make_mixes.sh).
    func testOracleRuns() throws {
        let url = MixFixtures.directory.appendingPathComponent("oracle-cases.json")
        try XCTSkipUnless(FileManager.default.fileExists(atPath: url.path), "oracle-cases.json not generated")
        try runCases("oracle-cases.json", minimum: 100)
    }

    /// refs-cases.json is a faithful re-encoding of the copied mixes.json (same types by name).
    func testRefsCasesAgreeWithMixesJSON() throws {
        let mixes = try MixFixtures.json("mixes.json")
        let cases = try MixFixtures.load("refs-cases.json")
        var checked = 0
        for c in cases {
            guard let era = mixes[c.era.rawValue] as? [String: Any],
                  let entry = era[c.source] as? [String: Any] else { continue }
            let types = entry["tensors"] as! [String: String]
            XCTAssertEqual(types, Dictionary(c.expect, uniquingKeysWith: { a, _ in a }), c.source)
            checked += 1
        }
        XCTAssertGreaterThanOrEqual(checked, 30)
    }

    /// The 2023 quantizer refused every k-quant for the GQA fixture ("Tensor sizes 512 x 128 are not divisible
    /// by 256", exit 1 — fixtures README §2.2) and accepted the legacy types.
    func testGQAModelRefusedBy2023KQuants() throws {
        let gqa = try MixFixtures.load("refs-cases.json").first { $0.model.name == "gqa-ggml-f16" }!.model
        for target in QuantizeTarget.producible where target.existedIn2023 {
            let policy = try MixPolicy(target: target, era: .v2023)
            if target.defaultType.blockSize == 256 {
                XCTAssertThrowsError(try policy.plan(model: gqa.model, tensors: gqa.tensors), "\(target)") {
                    XCTAssertEqual($0 as? QuantizeMixError, .unsupportedTensorSize(
                        name: "layers.0.attention.wk.weight", ne: [512, 128], type: target.defaultType))
                }
            } else {
                XCTAssertNoThrow(try policy.plan(model: gqa.model, tensors: gqa.tensors), "\(target)")
            }
        }
    }

    /// The KV order of the current quantizer's outputs follows from the input's keys.
    func testKVOrderOfCurrentOutputs() throws {
        var cases = try MixFixtures.load("refs-cases.json").filter { $0.kvKeys != nil }
        if FileManager.default.fileExists(atPath: MixFixtures.directory.appendingPathComponent("oracle-cases.json").path) {
            cases += try MixFixtures.load("oracle-cases.json").filter { $0.kvKeys != nil }
        }
        XCTAssertGreaterThanOrEqual(cases.count, 4)
        for c in cases {
            XCTAssertEqual(TensorOrder.quantizedKeyOrder(c.model.kvKeys!), c.kvKeys, c.source)
        }
    }
}
