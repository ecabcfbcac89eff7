import Foundation
import GGUFFormat
import GGUFTestSupport
import XCTest
@testable import GGUFModel

/// `quantize HF_DIR OUT TYPE` compared with convert_hf_to_gguf.py followed by llama-quantize
/// (expected-quantize.txt, made by make_expected_quantize.sh).
final class HFQuantizeTests: XCTestCase {
    func testOneStepQuantizeMatchesConvertThenLlamaQuantize() throws {
        let dir = makeTempDir()
        let text = try String(contentsOfFile: fixturesDir + "/convert-hf/expected-quantize.txt", encoding: .utf8)
        var checked = 0
        var sources: [String: QuantizeSource] = [:]
        for line in text.split(separator: "\n") {
            let f = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            let (hash, name, type, outtype) = (f[0], f[1], f[2], f[4])
            let key = name + " " + outtype
            let source = try sources[key] ?? QuantizeSource.openHF(HFConverterTests.checkpoints + "/" + name, outType: HFOutType(rawValue: outtype)!)
            sources[key] = source
            var o = QuantizeOptions()
            o.progress = false
            o.threads = 2
            let plan = try QuantizePlan(source: source, target: try QuantizeTarget(parsing: type), options: o)
            let out = dir + "/\(checked).gguf"
            _ = try Quantizer.run(plan: plan, output: out, options: o)
            XCTAssertEqual(try sha256File(out), hash, "\(name) \(type) --outtype \(outtype)")
            checked += 1
        }
        XCTAssertEqual(checked, 24)
    }

    func testRefusesQ8Intermediate() {
        XCTAssertThrowsError(try QuantizeSource.openHF(HFConverterTests.checkpoints + "/tiny-mistral", outType: .q8_0))
    }
}
