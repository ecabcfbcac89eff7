import Foundation
import GGUFFormat
import GGUFModel
import GGUFKernels
import GGUFRunner
import GGUFTestSupport
import XCTest

/// llama with experts (Mixtral layout), qwen2, qwen3 and qwen3moe: runnable synthetic models rebuilt in a temp
/// folder from `Fixtures/runner/archs/*.spec` (F16, then quantized here to Q8_0, Q4_K_M, Q6_K), logits for 24 tokens
/// in one batch and one token at a time, equal bit for bit to llama.cpp's AVX2 build (`expected.json`, written by
/// `make_refs.py` with the oracle) where `CRunnerOps` runs; elsewhere within a tolerance on the first logits of the last row.
final class ArchitectureTests: XCTestCase {
    /// The references were made with llama.cpp built for AVX2: run at that level where the CPU has it.
    private var savedLevel = KernelLevel.active
    override func setUp() { savedLevel = KernelLevel.active; KernelLevel.active = .avx2 }
    override func tearDown() { KernelLevel.active = savedLevel }

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
    /// Llama 3: `rope_freqs.weight` (per-dimension frequency factors, n_rot/2) divides each pair's RoPE angle.
    func testLlama3RopeFreqsBitIdentical() throws { try check("llama3", [.f16, .q4_K_M]) }
    func testQwen3BitIdentical() throws { try check("qwen3") }
    func testQwen3MoEBitIdentical() throws { try check("qwen3moe") }
    /// `attention.key_length` 128 with n_embd 256 and 4 heads: Q rows of 512 (as Qwen3-0.6B's 16 × 128 over 1024).
    func testQwen3WideHeadsBitIdentical() throws { try check("qwen3-hd128", [.f16, .q4_K_M]) }

    /// MoE logits do not depend on the thread count (every output is one dot product in a fixed order). (Splitting a
    /// prompt into batches may change them, in llama.cpp too: the rows routed to an expert decide its K-quant path.)
    func testMoEThreadCountIndependent() throws {
        let model = try LlamaModel(path: try Self.quantized("qwen3moe", .q4_K_M))
        var runs: [[Float]] = []
        for threads in [1, 3] {
            let s = try Session(model: model, contextSize: 256, threads: threads)
            runs.append(try s.evaluate(Self.expected.tokens, allLogits: true))
        }
        XCTAssertEqual(runs[0], runs[1])
    }

    // MARK: - Errors

    /// The spec's model edited by `edit`, written to the temp folder.
    func edited(_ spec: String, _ name: String, _ edit: (inout ModelSpec) -> Void) throws -> String {
        let text = try String(contentsOfFile: fixturesDir + "/runner/archs/\(spec).spec", encoding: .utf8)
        var m = try ModelSpec(parsing: text, name: spec)
        edit(&m)
        let out = Self.dir + "/\(name).gguf"
        try m.write(to: out, seed: 1, scale: 0.08)
        return out
    }

    func expect(_ path: String, _ check: (RunnerError) -> Void) {
        XCTAssertThrowsError(try LlamaModel(path: path)) { e in
            guard let r = e as? RunnerError else { return XCTFail("not a RunnerError: \(e)") }
            print("error line: \(r)")
            check(r)
        }
    }

    func testUnsupportedArchitectureNamesTheSupportedOnes() throws {
        let p = try edited("qwen2", "arch-gpt2") { $0.metadata["general.architecture"] = .string("gpt2") }
        expect(p) { e in
            XCTAssertEqual(e, .unsupportedArchitecture("gpt2"))
            XCTAssertEqual("\(e)", "unsupported architecture 'gpt2': the runner runs 'llama', 'qwen2', 'qwen3', 'qwen3moe'")
        }
    }

    func testExpertCountContradictingTheTensors() throws {
        let p = try edited("llama-moe", "moe-count") { $0.metadata["llama.expert_count"] = .uint32(3) }
        expect(p) { e in
            XCTAssertEqual(e, .badHyperparameter("llama.expert_count is 3, but 'blk.0.ffn_gate_exps.weight' holds 4 experts (shape [256, 512, 4])"))
        }
        let q = try edited("qwen3moe", "moe-count-8") { $0.metadata["qwen3moe.expert_count"] = .uint32(4) }
        expect(q) { e in
            XCTAssertEqual(e, .badHyperparameter("qwen3moe.expert_count is 4, but 'blk.0.ffn_gate_exps.weight' holds 8 experts (shape [256, 256, 8])"))
        }
        // A router whose rows disagree with expert_count and the experts: its shape.
        let r = try edited("llama-moe", "moe-router") { s in
            s.tensors = s.tensors.map { $0.name == "blk.1.ffn_gate_inp.weight" ? GGUFTensorInfo(name: $0.name, ne: [256, 8], type: .f16) : $0 }
        }
        expect(r) { e in XCTAssertEqual(e, .wrongShape(name: "blk.1.ffn_gate_inp.weight", expected: [256, 4], found: [256, 8])) }
    }

    func testExpertUsedCountOutOfRange() throws {
        let p = try edited("llama-moe", "moe-used") { $0.metadata["llama.expert_used_count"] = .uint32(5) }
        expect(p) { e in
            XCTAssertEqual(e, .badHyperparameter("llama.expert_used_count 5 with expert_count 4 (need 1...expert_count)"))
        }
        let q = try edited("llama-moe", "moe-used-0") { $0.metadata["llama.expert_used_count"] = nil }
        expect(q) { e in
            XCTAssertEqual(e, .badHyperparameter("llama.expert_used_count 0 with expert_count 4 (need 1...expert_count)"))
        }
    }

    func testExpertTensorsWithoutExpertCount() throws {
        let p = try edited("llama-moe", "moe-nocount") { $0.metadata["llama.expert_count"] = nil }
        expect(p) { e in
            XCTAssertEqual(e, .badHyperparameter("llama.expert_count is missing or 0, but block 0 has expert tensors"))
        }
        let q = try edited("qwen3moe", "qwen3moe-nocount") { $0.metadata["qwen3moe.expert_count"] = nil }
        expect(q) { e in XCTAssertEqual(e, .badHyperparameter("qwen3moe.expert_count is missing")) }
        let r = try edited("qwen2", "qwen2-experts") { $0.metadata["qwen2.expert_count"] = .uint32(4) }
        expect(r) { e in XCTAssertEqual(e, .badHyperparameter("qwen2 has no experts, but qwen2.expert_count = 4")) }
    }

    func testMissingArchitectureTensors() throws {
        let p = try edited("qwen3", "qwen3-noqnorm") { $0.tensors.removeAll { $0.name == "blk.1.attn_q_norm.weight" } }
        expect(p) { e in XCTAssertEqual(e, .missingTensor("blk.1.attn_q_norm.weight")) }
        let q = try edited("qwen2", "qwen2-badbias") { s in
            s.tensors = s.tensors.map { $0.name == "blk.0.attn_k.bias" ? GGUFTensorInfo(name: $0.name, ne: [256], type: .f32) : $0 }
        }
        expect(q) { e in XCTAssertEqual(e, .wrongShape(name: "blk.0.attn_k.bias", expected: [128], found: [256])) }
    }

    func testTensorsTheRunnerWouldIgnoreAreRefused() throws {
        let p = try edited("qwen2", "qwen2-outbias") { $0.tensors.append(GGUFTensorInfo(name: "output.bias", ne: [320], type: .f32)) }
        expect(p) { e in XCTAssertEqual(e, .unsupportedTensor("output.bias")) }
        // rope_freqs is llama's only (llama.cpp's other graphs do not load it)
        let q = try edited("qwen2", "qwen2-ropefreqs") { $0.tensors.append(GGUFTensorInfo(name: "rope_freqs.weight", ne: [32], type: .f32)) }
        expect(q) { e in XCTAssertEqual(e, .unsupportedTensor("rope_freqs.weight")) }
        let r = try edited("llama3", "llama3-blk-ropefreqs") { $0.tensors.append(GGUFTensorInfo(name: "blk.1.rope_freqs.weight", ne: [32], type: .f32)) }
        expect(r) { e in XCTAssertEqual(e, .unsupportedTensor("blk.1.rope_freqs.weight")) }
        let w = try edited("llama3", "llama3-ropefreqs-shape") { s in
            s.tensors = s.tensors.map { $0.name == "rope_freqs.weight" ? GGUFTensorInfo(name: $0.name, ne: [64], type: .f32) : $0 }
        }
        expect(w) { e in XCTAssertEqual(e, .wrongShape(name: "rope_freqs.weight", expected: [32], found: [64])) }
    }

    func testSummaryNamesTheArchitecture() throws {
        let m = try LlamaModel(path: try Self.model("qwen3moe"))
        XCTAssertEqual(m.hparams.architecture, .qwen3moe)
        XCTAssertTrue(m.summary.hasPrefix("qwen3moe: 2 layers, n_embd 256, 4 heads (2 kv), n_ff 512, vocab 320, 8 experts (2 used, n_ff 256)"), m.summary)
    }
}
