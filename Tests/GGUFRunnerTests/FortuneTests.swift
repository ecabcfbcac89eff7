import Foundation
import GGUFFormat
import GGUFModel
import GGUFRunner
import GGUFTestSupport
import XCTest

/// fortune-llama (bundled as GGMLv3, converted to GGUF here) against llama.cpp's plain-path references.
final class FortuneTests: XCTestCase {
    let expected = Expected.shared

    func session(_ type: String, threads: Int = 2) throws -> Session {
        let model = try LlamaModel(path: try FortuneModels.gguf(type))
        return try Session(model: model, contextSize: 256, threads: threads)
    }

    /// Logits of the 24 reference tokens in one batch vs the shared references (made by another llama.cpp
    /// build, per the oracle README an AVX-512 machine, which differs from this machine's AVX2 build by up to
    /// 2.3e-3 on F16; BitExactTests has the bit-exact AVX2 check): measured 2.27e-3 (F16), 5.7e-6 (Q4_0), 1.4e-2 (Q4_K_M); every argmax the same.
    func testLogitsMatchLlamaCpp() throws {
        for (type, maxAbs, rel) in [("f16", Float(3e-3), 1.5e-4), ("q4_0", 1e-4, 1e-6), ("q4_K_M", 3e-2, 3e-4)] {
            let s = try session(type)
            let logits = try s.evaluate(expected.tokens, allLogits: true)
            let ref = try NPY.read(fixturesDir + "/runner/" + expected.files[type]!.logits)
            XCTAssertEqual(ref.shape, [24, 512])
            let a = Agreement(logits, ref.values, vocab: 512)
            print("fortune-llama-\(type) logits vs llama.cpp: \(a)")
            XCTAssertLessThan(a.maxAbs, maxAbs, type)
            XCTAssertLessThan(a.relRMS, rel, type)
            XCTAssertEqual(a.argmaxSame, 24, type)
        }
    }

    /// The tokenizer hookup: BOS + tokenize(prompt) from the GGUF vocabulary gives llama.cpp's prompt ids.
    func testPromptTokens() throws {
        let model = try LlamaModel(path: try FortuneModels.gguf("f16"))
        for (i, p) in expected.prompts.enumerated() {
            XCTAssertEqual(model.tokenizer.tokenize(p), expected.files["f16"]!.greedy[i].prompt_ids)
        }
    }

    /// Greedy continuations of 64 tokens vs llama.cpp's `ids_plain`. F16: identical for the three prompts.
    /// Quantized: the batch logits agree to ~1e-7 (Q4_0) / ~1e-3 (Q4_K_M), but summation-order differences
    /// in attention (F16 rounding of q and of the softmax probabilities) make a continuation part at a
    /// near-tie; the common prefixes measured with the current kernels are asserted as lower bounds.
    func testGreedyMatchesLlamaCpp() throws {
        let minimum: [String: [Int]] = ["f16": [64, 64, 64], "q4_0": [64, 12, 58], "q4_K_M": [64, 61, 64]]
        for type in ["f16", "q4_0", "q4_K_M"] {
            let s = try session(type)
            for (i, g) in expected.files[type]!.greedy.enumerated() {
                s.reset()
                let ids = try s.greedy(prompt: g.prompt_ids, count: 64, stopAtEOS: false)
                let common = zip(ids, g.ids_plain).prefix { $0 == $1 }.count
                print("fortune-llama-\(type) prompt \(i): \(common)/64 greedy ids as llama.cpp")
                XCTAssertGreaterThanOrEqual(common, minimum[type]![i], "\(type) prompt \(i)")
            }
        }
    }

    /// Perplexity of the first 2 chunks of the evaluation text (-c 256): llama-perplexity's running values within 0.1 %.
    func testPerplexityFirstChunks() throws {
        let s = try session("f16")
        let text = try Data(contentsOf: URL(fileURLWithPath: fixturesDir + "/tokenizer/eval.txt"))
        let tokens = s.model.tokenizer.tokenize(bytes: [UInt8](text))
        XCTAssertEqual(tokens.count, 74_833)
        let r = try s.perplexity(tokens: tokens, maxChunks: 2)
        let ref = expected.files["f16"]!.running_ppl_first8
        for i in 0..<2 {
            XCTAssertEqual(r.chunks[i].runningPPL, ref[i], accuracy: ref[i] * 1e-3, "chunk \(i + 1)")
        }
        XCTAssertEqual(r.tokensScored, 2 * 127)
    }

    /// KL mode: a model against its own saved logits gives 0 and 100 % same top token; Q4_0 against F16 a small positive KL.
    func testKLDivergence() throws {
        let text = try Data(contentsOf: URL(fileURLWithPath: fixturesDir + "/tokenizer/eval.txt"))
        let f16 = try session("f16")
        let tokens = f16.model.tokenizer.tokenize(bytes: [UInt8](text))
        let base = try f16.perplexity(tokens: tokens, maxChunks: 1, keepLogits: true)
        XCTAssertEqual(base.savedLogits.count, 127 * 512)
        let same = try f16.perplexity(tokens: tokens, maxChunks: 1, base: base.savedLogits)
        XCTAssertEqual(same.meanKL, 0, accuracy: 1e-9)
        XCTAssertEqual(same.sameTop, 127)
        let q = try session("q4_0").perplexity(tokens: tokens, maxChunks: 1, base: base.savedLogits)
        XCTAssertGreaterThan(q.meanKL, 0)
        XCTAssertLessThan(q.meanKL, 0.05)
    }

    /// A GGML .bin runs directly (through the converter's plan) and computes exactly what its GGUF conversion does.
    func testGGMLFileDirectly() throws {
        let ggml = try LlamaModel(path: try FortuneModels.ggml("q4_0"), ggml: FortuneModels.ggmlOptions)
        let a = try Session(model: ggml, contextSize: 64).evaluate(expected.tokens, allLogits: true)
        let b = try session("q4_0").evaluate(expected.tokens, allLogits: true)
        XCTAssertEqual(a, b)
        XCTAssertEqual(ggml.hparams.rmsEpsilon, 1e-5)
    }

    /// Token by token through the KV cache equals one batch (up to rounding); thread count changes nothing.
    func testIncrementalAndThreads() throws {
        let batch = try session("q4_0", threads: 1).evaluate(expected.tokens, allLogits: true)
        let s3 = try session("q4_0", threads: 3)
        XCTAssertEqual(try s3.evaluate(expected.tokens, allLogits: true), batch)
        let s = try session("q4_0", threads: 2)
        var inc: [Float] = []
        for t in expected.tokens { inc += try s.evaluate([t]) }
        let a = Agreement(inc, batch, vocab: 512)
        XCTAssertLessThan(a.maxAbs, 1e-4)
        XCTAssertEqual(s.cache.count, 24)
    }

    /// Long batches (more than the 64 tokens a tiled K-quant pass holds, token counts not multiples of
    /// 8): splitting a batch into batches of 8+ tokens gives the same logits bit for bit (every output is
    /// summed in the same order whatever the batch), on 1 and 2 threads.
    func testLongBatchesSplitTheSame() throws {
        let tokens = (0..<150).map { Int32(3 + ($0 * 37) % 500) }
        let whole = try session("q4_K_M", threads: 1).evaluate(tokens, allLogits: true)
        let s = try session("q4_K_M", threads: 2)
        var parts = try s.evaluate(Array(tokens[0..<67]), allLogits: true)
        parts += try s.evaluate(Array(tokens[67..<150]), allLogits: true)
        XCTAssertEqual(parts.count, whole.count)
        XCTAssertTrue(parts == whole, "split batches differ: max |Δ| \(Agreement(parts, whole, vocab: 512).maxAbs)")
    }

    /// The context limit: a prompt longer than the context is refused, and so is a step past the end.
    func testContextFull() throws {
        let s = try Session(model: try LlamaModel(path: try FortuneModels.gguf("q4_0")), contextSize: 16)
        XCTAssertThrowsError(try s.evaluate(expected.tokens)) { e in
            XCTAssertEqual(e as? RunnerError, .contextFull(needed: 24, context: 16))
        }
        _ = try s.evaluate(Array(expected.tokens.prefix(16)))
        XCTAssertEqual(s.remaining, 0)
        XCTAssertThrowsError(try s.evaluate([5]))
        XCTAssertThrowsError(try s.evaluate([]) == [] ? { throw RunnerError.usage("x") }() : ())
        s.reset()
        XCTAssertThrowsError(try s.evaluate([512])) { e in XCTAssertEqual(e as? RunnerError, .badToken(512, vocabularySize: 512)) }
        XCTAssertThrowsError(try s.evaluate([-1]))
    }
}
