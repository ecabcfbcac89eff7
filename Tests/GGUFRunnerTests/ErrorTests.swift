import Foundation
import GGUFFormat
import GGUFRunner
import GGUFTestSupport
import XCTest

/// Bad input gives a clear `RunnerError`, never a crash: synthetic one-layer llama files.
final class ErrorTests: XCTestCase {
    let dir = makeTempDir()

    /// Writes a tiny llama GGUF (n_embd 32, 2 heads, 1 layer, n_ff 64, 260 tokens, F32 weights), edited by `edit`.
    func write(_ name: String, edit: (inout GGUFMetadata, inout [GGUFTensorInfo]) -> Void = { _, _ in }) -> String {
        var m = GGUFMetadata()
        m["general.architecture"] = .string("llama")
        m["llama.embedding_length"] = .uint32(32)
        m["llama.block_count"] = .uint32(1)
        m["llama.feed_forward_length"] = .uint32(64)
        m["llama.attention.head_count"] = .uint32(2)
        m["llama.attention.layer_norm_rms_epsilon"] = .float32(1e-5)
        m["llama.context_length"] = .uint32(64)
        m["tokenizer.ggml.model"] = .string("llama")
        let toks = ["<unk>", "<s>", "</s>"] + (0..<256).map { String(format: "<0x%02X>", $0) } + ["▁"]
        m["tokenizer.ggml.tokens"] = .array(elementType: .string, values: toks.map { .string($0) })
        m["tokenizer.ggml.scores"] = .array(elementType: .float32, values: toks.map { _ in .float32(0) })
        m["tokenizer.ggml.token_type"] = .array(elementType: .int32, values: toks.indices.map { $0 < 3 ? .int32($0 == 0 ? 2 : 3) : ($0 < 259 ? .int32(6) : .int32(1)) })
        var t: [GGUFTensorInfo] = [
            .init(name: "token_embd.weight", ne: [32, 260], type: .f32),
            .init(name: "output_norm.weight", ne: [32], type: .f32),
            .init(name: "output.weight", ne: [32, 260], type: .f32),
            .init(name: "blk.0.attn_norm.weight", ne: [32], type: .f32),
            .init(name: "blk.0.attn_q.weight", ne: [32, 32], type: .f32),
            .init(name: "blk.0.attn_k.weight", ne: [32, 32], type: .f32),
            .init(name: "blk.0.attn_v.weight", ne: [32, 32], type: .f32),
            .init(name: "blk.0.attn_output.weight", ne: [32, 32], type: .f32),
            .init(name: "blk.0.ffn_norm.weight", ne: [32], type: .f32),
            .init(name: "blk.0.ffn_gate.weight", ne: [32, 64], type: .f32),
            .init(name: "blk.0.ffn_up.weight", ne: [32, 64], type: .f32),
            .init(name: "blk.0.ffn_down.weight", ne: [64, 32], type: .f32),
        ]
        edit(&m, &t)
        t = GGUFWriter.layout(t)
        var bytes = GGUFWriter.header(metadata: m, tensors: t)
        var seed: UInt64 = 7
        for info in t {
            let n = info.byteCount / 4
            for _ in 0..<n {
                seed = seed &* 6364136223846793005 &+ 1442695040888963407
                let f = info.ne.count == 1 ? 1 : (Float(seed >> 40) / Float(1 << 24) - 0.5) * 0.2
                withUnsafeBytes(of: f) { bytes += $0 }
            }
            bytes += [UInt8](repeating: 0, count: (32 - info.byteCount % 32) % 32)
        }
        let p = dir + "/" + name + ".gguf"
        try! Data(bytes).write(to: URL(fileURLWithPath: p))
        return p
    }

    func expectError(_ path: String, _ expected: RunnerError) {
        XCTAssertThrowsError(try LlamaModel(path: path)) { e in
            XCTAssertEqual(e as? RunnerError, expected)
            print("error line: \(e)")
        }
    }

    func testValidModelRuns() throws {
        let m = try LlamaModel(path: write("ok"))
        let s = try Session(model: m, threads: 2)
        XCTAssertEqual(s.contextSize, 64)
        let ids = m.tokenizer.tokenize("ab")
        XCTAssertEqual(ids.first, 1)
        let l = try s.evaluate(ids, allLogits: true)
        XCTAssertEqual(l.count, ids.count * 260)
        XCTAssertTrue(l.allSatisfy { $0.isFinite })
    }

    /// Without output.weight the output is tied to token_embd, as llama.cpp does.
    func testTiedOutput() throws {
        let tied = try LlamaModel(path: write("tied") { _, t in t.removeAll { $0.name == "output.weight" } })
        let ids: [Int32] = [1, 70, 80]
        let a = try Session(model: tied).evaluate(ids, allLogits: true)
        XCTAssertEqual(a.count, 3 * 260)
        XCTAssertTrue(a.allSatisfy { $0.isFinite })
    }

    func testMissingTensor() {
        expectError(write("missing") { _, t in t.removeAll { $0.name == "blk.0.ffn_up.weight" } }, .missingTensor("blk.0.ffn_up.weight"))
    }

    func testWrongShape() {
        expectError(write("shape") { _, t in t[5] = .init(name: "blk.0.attn_k.weight", ne: [32, 16], type: .f32) },
                    .wrongShape(name: "blk.0.attn_k.weight", expected: [32, 32], found: [32, 16]))
    }

    func testUnsupportedType() {
        // Q8_K (an activation type) has no dot product of its own (a row of 256 = 292 bytes).
        expectError(write("q8k") { m, t in
            m["llama.embedding_length"] = .uint32(256)
            m["llama.attention.head_count"] = .uint32(2)
            t = t.map { var i = $0; i.ne = i.ne.map { $0 == 32 ? 256 : $0 }; return i }
            t[4].type = .q8_K
        }, .unsupportedType(name: "blk.0.attn_q.weight", type: "Q8_K"))
    }

    func testUnsupportedArchitecture() {
        expectError(write("arch") { m, _ in m["general.architecture"] = .string("gpt2") }, .unsupportedArchitecture("gpt2"))
    }

    func testBadHyperparameters() {
        expectError(write("heads") { m, _ in m["llama.attention.head_count_kv"] = .uint32(3) },
                    .badHyperparameter("head_count 2 is not a multiple of head_count_kv 3"))
        expectError(write("eps") { m, _ in m.remove("llama.attention.layer_norm_rms_epsilon") },
                    .badHyperparameter("llama.attention.layer_norm_rms_epsilon is missing"))
        expectError(write("yarn") { m, _ in m["llama.rope.scaling.type"] = .string("yarn") },
                    .badHyperparameter("RoPE scaling type 'yarn' is not supported (only none and linear)"))
    }

    func testNotAModel() throws {
        let p = dir + "/junk.gguf"
        try Data("hello, this is not a model".utf8).write(to: URL(fileURLWithPath: p))
        XCTAssertThrowsError(try LlamaModel(path: p))
        XCTAssertThrowsError(try LlamaModel(path: dir + "/absent.gguf"))
    }

    func testPromptLongerThanContext() throws {
        let s = try Session(model: try LlamaModel(path: write("ctx")), contextSize: 4)
        XCTAssertThrowsError(try s.evaluate([1, 70, 71, 72, 73])) { e in
            XCTAssertEqual(e as? RunnerError, .contextFull(needed: 5, context: 4))
        }
    }

    func testSampler() {
        var p = SamplingParameters()
        p.temperature = 0
        var s = Sampler(p)
        XCTAssertEqual(s.sample([1, 3, 3, 2]), 1)   // first max
        p.repeatPenalty = 2
        s = Sampler(p)
        s.accept(1)
        XCTAssertEqual(s.sample([1, 3, 2.5, 2]), 2)  // 3 / 2 = 1.5 < 2.5
        p = SamplingParameters()
        p.seed = 42
        var a = Sampler(p), b = Sampler(p)
        let logits: [Float] = (0..<50).map { Float($0 % 7) }
        for _ in 0..<20 { XCTAssertEqual(a.sample(logits), b.sample(logits)) }
        p.topK = 1
        var k1 = Sampler(p)
        for _ in 0..<5 { XCTAssertEqual(k1.sample(logits), 6) }
    }

    func testNPYRoundTrip() throws {
        let p = dir + "/x.npy"
        try NPY.write([1, 2, 3, 4, 5, 6], shape: [2, 3], to: p)
        let r = try NPY.read(p)
        XCTAssertEqual(r.shape, [2, 3])
        XCTAssertEqual(r.values, [1, 2, 3, 4, 5, 6])
    }

    func testAlpacaTemplate() {
        XCTAssertEqual(PromptTemplate.alpaca.wrap("Say hi"),
                       "Below is an instruction that describes a task. Write a response that appropriately completes the request.\n\n### Instruction:\nSay hi\n\n### Response:\n")
    }
}
