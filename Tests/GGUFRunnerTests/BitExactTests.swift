import Foundation
import GGUFRunner
import GGUFTestSupport
import XCTest

/// fortune-llama F16, q4_0, q4_K_M (bundled) and F32, Q8_0, q2_K, q3_K_M, q5_K_M, q6_K (../shared) against llama.cpp's plain path built for x86 AVX2+FMA+F16C
/// (`Fixtures/runner/fortune-llama-*.avx2-*.npy`, made by `make_avx2_refs.py`): the 24 reference tokens in
/// one batch (tinyBLAS matmuls) and one at a time (ggml_vec_dot). Where the runner's C primitives run
/// (`runnerOpsAvailable`) the logits must be bit-identical; elsewhere (another summation order) close.
final class BitExactTests: XCTestCase {
    func check(_ model: LlamaModel, _ type: String, singleTokens: Bool = true) throws {
        let tokens = Expected.shared.tokens
        let limit: Float = runnerOpsAvailable ? 0 : 1e-2
        let batch = try Session(model: model, contextSize: 256, threads: 2)
        let b = Agreement(try batch.evaluate(tokens, allLogits: true),
                          try NPY.read(fixturesDir + "/runner/fortune-llama-\(type).avx2-batch.npy").values, vocab: 512)
        print("fortune-llama-\(type) vs llama.cpp (AVX2): batch \(b)")
        XCTAssertLessThanOrEqual(b.maxAbs, limit, "\(type) batch")
        XCTAssertEqual(b.argmaxSame, 24)
        guard singleTokens else { return }
        let single = try Session(model: model, contextSize: 256, threads: 3)
        var rows: [Float] = []
        for t in tokens { rows += try single.evaluate([t], allLogits: true) }
        let s = Agreement(rows, try NPY.read(fixturesDir + "/runner/fortune-llama-\(type).avx2-single.npy").values, vocab: 512)
        print("fortune-llama-\(type) vs llama.cpp (AVX2): token by token \(s)")
        XCTAssertLessThanOrEqual(s.maxAbs, limit, "\(type) token by token")
        XCTAssertEqual(s.argmaxSame, 24)
    }

    func testF16BitIdentical() throws {
        try check(try LlamaModel(path: try FortuneModels.gguf("f16")), "f16")
    }

    func testF32BitIdentical() throws {
        guard let shared = sharedFixturesDir else { throw XCTSkip("../shared not present") }
        try check(try LlamaModel(path: shared + "/trained/gguf/fortune-llama-f32.gguf"), "f32")
    }

    /// Q8_0 (the current quantizer's file, every matrix Q8_0): batches in tinyBLAS_Q0 order.
    func testQ8_0BitIdentical() throws {
        guard let shared = sharedFixturesDir else { throw XCTSkip("../shared not present") }
        try check(try LlamaModel(path: shared + "/trained/gguf-current/fortune-llama-Q8_0.gguf"), "Q8_0", singleTokens: false)
    }

    /// The bundled 2023 q4_0 (Q4_0 matrices: tinyBLAS_Q0 in batches; Q6_K output) and q4_K_M (Q4_K/Q6_K:
    /// the tiled K-quant order in batches of 8+, vec_dot one token at a time).
    func testQ4_0BitIdentical() throws {
        try check(try LlamaModel(path: try FortuneModels.gguf("q4_0")), "q4_0")
    }

    func testQ4_K_MBitIdentical() throws {
        try check(try LlamaModel(path: try FortuneModels.gguf("q4_K_M")), "q4_K_M")
    }

    /// The other K-quant files of ../shared (2023 tools): Q2_K, Q3_K (codes kept biased in the tiled matmul,
    /// the bias taken off the integer sums), Q5_K, Q6_K in batches and one token at a time.
    func testOtherKQuantsBitIdentical() throws {
        guard let shared = sharedFixturesDir else { throw XCTSkip("../shared not present") }
        for type in ["q2_K", "q3_K_M", "q5_K_M", "q6_K"] {
            try check(try LlamaModel(path: shared + "/trained/gguf/fortune-llama-\(type).gguf"), type)
        }
    }
}
