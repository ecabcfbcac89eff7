import Foundation
import GGUFFormat
import GGUFModel
import GGUFRunner
import GGUFTestSupport
import XCTest

/// llama with experts (Mixtral layout), qwen2, qwen3 and qwen3moe: runnable synthetic models rebuilt in a temp
/// folder from `Fixtures/runner/archs/*.spec` (F16, then quantized here to Q8_0, Q4_K_M, Q6_K), logits for 24 tokens
/// in one batch and one token at a time, equal bit for bit to llama.cpp's AVX2 build (`expected.json`, written by
/// `make_refs.py` with the oracle) where `CRunnerOps` runs; elsewhere within a tolerance on the first logits of the last row.
final class ArchitectureTests: XCTestCase {
    struct Expected: Decodable {
        struct Run: Decodable { let sha256: String; let last_row_head: [Float] }
        struct Model: Decodable { let batch: Run; let single: Run }
        let tokens: [Int32]
        let seed: UInt64
        let scale: Float
        let models: [String: Model]
    }

    static let dir = makeTempDir()
    static let expected: Expected = {
        let d = FileManager.default.contents(atPath: fixturesDir + "/runner/archs/expected.json")!
        return try! JSONDecoder().decode(Expected.self, from: d)
    }()

    /// The spec's F16 model, written once per test run.
    static func model(_ spec: String) throws -> String {
        let out = dir + "/\(spec)-F16.gguf"
        if FileManager.default.fileExists(atPath: out) { return out }
        let text = try String(contentsOfFile: fixturesDir + "/runner/archs/\(spec).spec", encoding: .utf8)
        try ModelSpec(parsing: text, name: spec).write(to: out, seed: expected.seed, scale: expected.scale)
        return out
    }

    static func quantized(_ spec: String, _ type: QuantizeTarget) throws -> String {
        let f16 = try model(spec)
        if type == .f16 { return f16 }
        let out = dir + "/\(spec)-\(type.rawValue).gguf"
        if FileManager.default.fileExists(atPath: out) { return out }
        var o = QuantizeOptions()
        o.progress = false
        o.threads = 2
        let plan = try QuantizePlan(source: try QuantizeSource.open(f16), target: type, options: o)
        _ = try Quantizer.run(plan: plan, output: out, options: o)
        return out
    }

    func check(_ spec: String, _ types: [QuantizeTarget] = [.f16, .q8_0, .q4_K_M, .q6_K],
               file: StaticString = #filePath, line: UInt = #line) throws {
        let e = Self.expected
        for type in types {
            let key = "\(spec)-\(type.rawValue)"
            let ref = try XCTUnwrap(e.models[key], "no reference for \(key)")
            let model = try LlamaModel(path: try Self.quantized(spec, type))
            let nv = model.hparams.vocabularySize
            let s = try Session(model: model, contextSize: 256, threads: 2)
            let batch = try s.evaluate(e.tokens, allLogits: true)
            s.reset()
            var single: [Float] = []
            for t in e.tokens { single += try s.evaluate([t], allLogits: true) }
            for (mode, ours, r) in [("batch", batch, ref.batch), ("single", single, ref.single)] {
                let head = r.last_row_head.count, at = (e.tokens.count - 1) * nv
                let a = Agreement(Array(ours[at ..< at + head]), r.last_row_head, vocab: head)
                print("\(key) \(mode): last row vs llama.cpp \(a)")
                if runnerOpsAvailable {
                    let bytes = ours.withUnsafeBytes { [UInt8]($0) }
                    XCTAssertEqual(sha256Hex(bytes), r.sha256, "\(key) \(mode): logits differ from llama.cpp's (last row \(a))",
                                   file: file, line: line)
                } else {
                    XCTAssertLessThan(a.maxAbs, 2e-2, "\(key) \(mode)", file: file, line: line)
                }
            }
        }
    }

    func testLlamaMoEBitIdentical() throws { try check("llama-moe") }
    func testQwen2BitIdentical() throws { try check("qwen2") }
    func testQwen3BitIdentical() throws { try check("qwen3") }
    func testQwen3MoEBitIdentical() throws { try check("qwen3moe") }
}
