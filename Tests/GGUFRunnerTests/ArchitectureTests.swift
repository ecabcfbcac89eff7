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
    /// IQ4_XS (tiled matmul for 8+ tokens, also per expert) and MXFP4_MOE (MXFP4 experts: vec_dot) with experts.
    func testLlamaMoEIQBitIdentical() throws { try check("llama-moe", [.iq4_XS, .mxfp4_MOE]) }
    func testQwen2BitIdentical() throws { try check("qwen2") }
    /// Llama 3: `rope_freqs.weight` (per-dimension frequency factors, n_rot/2) divides each pair's RoPE angle.
    func testLlama3RopeFreqsBitIdentical() throws { try check("llama3", [.f16, .q4_K_M]) }
    func testQwen3BitIdentical() throws { try check("qwen3") }
    func testQwen3MoEBitIdentical() throws { try check("qwen3moe") }
    /// `attention.key_length` 128 with n_embd 256 and 4 heads: Q rows of 512 (as Qwen3-0.6B's 16 × 128 over 1024).
    func testQwen3WideHeadsBitIdentical() throws { try check("qwen3-hd128", [.f16, .q4_K_M]) }

    /// qwen2moe: experts without renormalized weights, plus the shared expert and its sigmoid gate.
    func testQwen2MoEBitIdentical() throws { try check("qwen2moe") }
    /// gemma: embeddings × sqrt(n_embd), ggml's F16-table GELU, Q scaled before attention, tied output.
    func testGemmaBitIdentical() throws { try check("gemma") }
    /// gemma2: post-norms, attention and final soft-capping, sliding window 8 on layer 0 with its own RoPE base.
    func testGemma2BitIdentical() throws { try check("gemma2") }
    /// gemma3: Q/K norms, sliding layer 0 (base 10000, scale 1), global layer 1 (base 1e6, linear scale 1/8).
    func testGemma3BitIdentical() throws { try check("gemma3") }
    /// phi3: fused QKV and gate-up, LongRoPE long factors (n_ctx 256 > original 128) and attn_factor.
    func testPhi3BitIdentical() throws { try check("phi3") }
    /// 32 experts, 4 used: more than the 16 that std::sort orders by insertion alone (the router's argsort is
    /// libstdc++'s introsort, `stdSortDescending`).
    func testQwen3MoE32ExpertsBitIdentical() throws { try check("qwen3moe-32", [.f16, .q4_K_M]) }
    /// phi3 with original context 4096 ≥ n_ctx: the short factors, attn_factor 1.
    func testPhi3ShortFactorsBitIdentical() throws { try check("phi3-short", [.f16, .q8_0]) }

    /// Mistral-style llama files carry `llama.attention.sliding_window`; llama.cpp's llama graph ignores it (no SWA for
    /// llama at 0c1e570), and so does the runner: the logits equal those of the same file without the key (checked
    /// against the oracle by hand: its logits of the edited file have the same SHA-256).
    func testMistralSlidingWindowKeyIgnored() throws {
        let p = try edited("llama3", "mistral-swa") { $0.metadata["llama.attention.sliding_window"] = .uint32(8) }
        let s = try Session(model: try LlamaModel(path: p), contextSize: 256, threads: 2)
        let logits = try s.evaluate(Self.expected.tokens, allLogits: true)
        if runnerOpsAvailable {
            XCTAssertEqual(sha256Hex(logits.withUnsafeBytes { [UInt8]($0) }), Self.expected.models["llama3-F16"]!.batch.sha256)
        }
    }

    /// Sliding-window layers and soft-caps as read from the keys.
    func testGemmaFamilyHyperparameters() throws {
        let g2 = try LlamaModel(path: try Self.model("gemma2")).hparams
        XCTAssertEqual(g2.slidingLayers, [true, false])
        XCTAssertEqual(g2.slidingWindow, 8)
        XCTAssertEqual(g2.attentionSoftcap, 5)
        XCTAssertEqual(g2.finalSoftcap, 2.5)
        XCTAssertEqual(g2.ropeFreqBaseSWA, 5000)
        XCTAssertEqual(g2.queryScale, 0.125)
        let g3 = try LlamaModel(path: try Self.model("gemma3")).hparams
        XCTAssertEqual(g3.slidingLayers, [true, false])
        XCTAssertEqual(g3.attentionSoftcap, 0)
        XCTAssertEqual(g3.finalSoftcap, 0)
        XCTAssertEqual(g3.ropeFreqBaseSWA, 10000)
        XCTAssertEqual(g3.ropeFreqScaleSWA, 1)
        XCTAssertEqual(g3.ropeFreqScale, 0.125)
        // gemma3 without sliding_window: no sliding layers; gemma2's defaults (window 4096, pattern 2, caps 50 and 30).
        let p = try edited("gemma3", "gemma3-noswa") { $0.metadata["gemma3.attention.sliding_window"] = nil }
        XCTAssertFalse(try LlamaModel(path: p).hparams.isSliding(0))
        let q = try edited("gemma2", "gemma2-defaults") { s in
            for k in ["attn_logit_softcapping", "final_logit_softcapping", "attention.sliding_window"] { s.metadata["gemma2." + k] = nil }
        }
        let d = try LlamaModel(path: q).hparams
        XCTAssertEqual([d.slidingWindow, Int(d.attentionSoftcap), Int(d.finalSoftcap)], [4096, 50, 30])
    }

    /// Only the last token's logits requested (as `ggufkit run` evaluates a prompt): llama.cpp runs the last layer's FFN
    /// on that row alone (`inp_out_ids`), so its matmuls take the one-token paths; the logits differ from the batch's last
    /// row by up to 4e-7, and the runner's equal llama.cpp's bit for bit (`expected-last.json`, `make_last_refs.py`).
    func testLastRowOnlyAsLlamaCpp() throws {
        struct Last: Decodable { struct M: Decodable { let sha256: String }; let tokens: [Int32]; let models: [String: M] }
        let d = try XCTUnwrap(FileManager.default.contents(atPath: fixturesDir + "/runner/archs/expected-last.json"))
        let e = try JSONDecoder().decode(Last.self, from: d)
        XCTAssertEqual(e.models.count, 6)
        for (key, ref) in e.models.sorted(by: { $0.key < $1.key }) {
            let cut = key.lastIndex(of: "-")!
            let spec = String(key[..<cut]), type = try XCTUnwrap(QuantizeTarget(rawValue: String(key[key.index(after: cut)...])))
            let s = try Session(model: try LlamaModel(path: try Self.quantized(spec, type)), contextSize: 256, threads: 2)
            let last = try s.evaluate(e.tokens, allLogits: false)
            XCTAssertEqual(last.count, s.model.hparams.vocabularySize)
            if runnerOpsAvailable {
                XCTAssertEqual(sha256Hex(last.withUnsafeBytes { [UInt8]($0) }), ref.sha256, key)
            }
        }
    }

    /// Sliding-window and soft-capped logits do not depend on the thread count or on how the prompt is split into batches
    /// (each split keeps every matmul on the same path: batches of 10 and 14 tokens, K-quant tiled for both).
    func testGemmaSplitsAndThreadsTheSame() throws {
        for spec in ["gemma2", "gemma3"] {
            let model = try LlamaModel(path: try Self.quantized(spec, .q4_K_M))
            let toks = Self.expected.tokens
            let one = try Session(model: model, contextSize: 256, threads: 1)
            let whole = try one.evaluate(toks, allLogits: true)
            let three = try Session(model: model, contextSize: 256, threads: 3)
            let split = try three.evaluate(Array(toks[..<10]), allLogits: true) + three.evaluate(Array(toks[10...]), allLogits: true)
            XCTAssertEqual(whole, split, spec)
        }
    }

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
            XCTAssertEqual("\(e)", "unsupported architecture 'gpt2': the runner runs 'llama', 'qwen2', 'qwen3', 'qwen3moe', 'qwen2moe', 'gemma', 'gemma2', 'gemma3', 'phi3'")
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

    func testNewArchitecturesContradictions() throws {
        // gemma's output is always token_embd: llama.cpp refuses a file with an extra output.weight.
        let a = try edited("gemma", "gemma-output") { $0.tensors.append(GGUFTensorInfo(name: "output.weight", ne: [256, 320], type: .f16)) }
        expect(a) { e in
            XCTAssertEqual(e, .unexpectedTensor("output.weight", architecture: "gemma"))
            XCTAssertEqual("\(e)", "tensor 'output.weight' is not part of a gemma model (llama.cpp refuses the file too)")
        }
        // phi3's fused gate-up is 2·n_ff rows.
        let b = try edited("phi3", "phi3-up") { s in
            s.tensors = s.tensors.map { $0.name == "blk.0.ffn_up.weight" ? GGUFTensorInfo(name: $0.name, ne: [256, 512], type: .f16) : $0 }
        }
        expect(b) { e in XCTAssertEqual(e, .wrongShape(name: "blk.0.ffn_up.weight", expected: [256, 1024], found: [256, 512])) }
        // The fused QKV: n_embd + 2·n_embd_kv rows.
        let c = try edited("phi3", "phi3-qkv") { s in
            s.tensors = s.tensors.map { $0.name == "blk.1.attn_qkv.weight" ? GGUFTensorInfo(name: $0.name, ne: [256, 768], type: .f16) : $0 }
        }
        expect(c) { e in XCTAssertEqual(e, .wrongShape(name: "blk.1.attn_qkv.weight", expected: [256, 512], found: [256, 768])) }
        let d = try edited("phi3", "phi3-factors") { s in
            s.tensors = s.tensors.map { $0.name == "rope_factors_long.weight" ? GGUFTensorInfo(name: $0.name, ne: [64], type: .f32) : $0 }
        }
        expect(d) { e in XCTAssertEqual(e, .wrongShape(name: "rope_factors_long.weight", expected: [32], found: [64])) }
        let f = try edited("qwen2", "qwen2-longfactors") { $0.tensors.append(GGUFTensorInfo(name: "rope_factors_long.weight", ne: [32], type: .f32)) }
        expect(f) { e in XCTAssertEqual(e, .unsupportedTensor("rope_factors_long.weight")) }
        // qwen2moe needs its shared expert; other architectures refuse one.
        let g = try edited("qwen2moe", "qwen2moe-noshexp") { $0.tensors.removeAll { $0.name == "blk.0.ffn_gate_inp_shexp.weight" } }
        expect(g) { e in XCTAssertEqual(e, .missingTensor("blk.0.ffn_gate_inp_shexp.weight")) }
        let h = try edited("qwen3moe", "qwen3moe-shexp") { $0.tensors.append(GGUFTensorInfo(name: "blk.0.ffn_up_shexp.weight", ne: [256, 256], type: .f16)) }
        expect(h) { e in XCTAssertEqual(e, .unsupportedTensor("blk.0.ffn_up_shexp.weight")) }
        let i = try edited("qwen2moe", "qwen2moe-shff") { $0.metadata["qwen2moe.expert_shared_feed_forward_length"] = .uint32(256) }
        expect(i) { e in XCTAssertEqual(e, .wrongShape(name: "blk.0.ffn_gate_shexp.weight", expected: [256, 256], found: [256, 384])) }
        // gemma2/gemma3 post-norms are required; a pattern array must cover every layer.
        let j = try edited("gemma2", "gemma2-nopost") { $0.tensors.removeAll { $0.name == "blk.1.post_ffw_norm.weight" } }
        expect(j) { e in XCTAssertEqual(e, .missingTensor("blk.1.post_ffw_norm.weight")) }
        let k = try edited("gemma3", "gemma3-pattern") {
            $0.metadata["gemma3.attention.sliding_window_pattern"] = .array(elementType: .bool, values: [.bool(true)])
        }
        expect(k) { e in XCTAssertEqual(e, .badHyperparameter("gemma3.attention.sliding_window_pattern must hold 2 booleans")) }
        // qwen2moe asserts n_rot = head size in llama.cpp.
        let l = try edited("qwen2moe", "qwen2moe-nrot") { $0.metadata["qwen2moe.rope.dimension_count"] = .uint32(32) }
        expect(l) { e in XCTAssertEqual(e, .badHyperparameter("qwen2moe: rope.dimension_count 32 must equal the head size 64")) }
    }

    func testSummaryNamesTheArchitecture() throws {
        let m = try LlamaModel(path: try Self.model("qwen3moe"))
        XCTAssertEqual(m.hparams.architecture, .qwen3moe)
        XCTAssertTrue(m.summary.hasPrefix("qwen3moe: 2 layers, n_embd 256, 4 heads (2 kv), n_ff 512, vocab 320, 8 experts (2 used, n_ff 256)"), m.summary)
    }
}
