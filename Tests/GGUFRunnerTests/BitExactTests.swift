import Foundation
import GGUFKernels
import GGUFRunner
import GGUFTestSupport
import XCTest

/// fortune-llama F16, q4_0, q4_K_M (bundled) and F32, Q8_0, q2_K, q3_K_M, q5_K_M, q6_K (../shared) against llama.cpp's plain path
/// built for each CPU level this machine has: x86 AVX2+FMA+F16C (`Fixtures/runner/fortune-llama-*.avx2-*.npy`, made by
/// `make_avx2_refs.py`; also the references of the AVX-VNNI level, whose float order is AVX2's) and AVX-512
/// (`*.avx512-*.npy`, `make_avx512_refs.py`): the 24 reference tokens in one batch (tinyBLAS matmuls) and one at a time
/// (ggml_vec_dot). At each level the runner's C kernels run, the logits must be bit-identical; where none runs
/// (another summation order) close. Levels this CPU lacks are skipped and named.
final class BitExactTests: XCTestCase {
    /// The C levels and the references each must equal.
    static let levels: [(level: KernelLevel, refs: String)] = [(.avx2, "avx2"), (.avxvnni, "avx2"), (.avx512, "avx512")]

    func check(_ model: LlamaModel, _ type: String, singleTokens: Bool = true) throws {
        let saved = KernelLevel.active
        defer { KernelLevel.active = saved }
        var ran: [String] = [], skipped: [String] = []
        for (level, refs) in Self.levels {
            guard level.isSupported else { skipped.append(level.rawValue); continue }
            KernelLevel.active = level
            try check(model, type, refs: refs, label: level.rawValue, singleTokens: singleTokens)
            ran.append(level.rawValue)
        }
        if ran.isEmpty {   // no C level on this CPU: the Swift loops, against the AVX2 references
            KernelLevel.active = .swift
            try check(model, type, refs: "avx2", label: "swift", singleTokens: singleTokens)
        }
        print("fortune-llama-\(type): levels run \(ran), skipped (CPU lacks them) \(skipped)")
    }

    func check(_ model: LlamaModel, _ type: String, refs: String, label: String, singleTokens: Bool) throws {
        let tokens = Expected.shared.tokens
        let limit: Float = runnerOpsAvailable ? 0 : 1e-2
        let batch = try Session(model: model, contextSize: 256, threads: 2)
        let b = Agreement(try batch.evaluate(tokens, allLogits: true),
                          try NPY.read(fixturesDir + "/runner/fortune-llama-\(type).\(refs)-batch.npy").values, vocab: 512)
        print("fortune-llama-\(type) [\(label)] vs llama.cpp (\(refs)): batch \(b)")
        XCTAssertLessThanOrEqual(b.maxAbs, limit, "\(type) [\(label)] batch")
        XCTAssertEqual(b.argmaxSame, 24)
        guard singleTokens else { return }
        let single = try Session(model: model, contextSize: 256, threads: 3)
        var rows: [Float] = []
        for t in tokens { rows += try single.evaluate([t], allLogits: true) }
        let s = Agreement(rows, try NPY.read(fixturesDir + "/runner/fortune-llama-\(type).\(refs)-single.npy").values, vocab: 512)
        print("fortune-llama-\(type) [\(label)] vs llama.cpp (\(refs)): token by token \(s)")
        XCTAssertLessThanOrEqual(s.maxAbs, limit, "\(type) [\(label)] token by token")
        XCTAssertEqual(s.argmaxSame, 24)
    }

    func testF16BitIdentical() throws {
        try check(try LlamaModel(path: try FortuneModels.gguf("f16")), "f16")
    }

    func testF32BitIdentical() throws {
        guard let shared = sharedFixturesDir else { throw XCTSkip("../shared not present") }
        try check(try LlamaModel(path: shared + "/trained/gguf/fortune-llama-f32.gguf"), "f32")
    }

    /// Q8_0 (the current quantizer's file, every matrix Q8_0): batches in tinyBLAS_Q0 order, and one token at a time.
    func testQ8_0BitIdentical() throws {
        guard let shared = sharedFixturesDir else { throw XCTSkip("../shared not present") }
        try check(try LlamaModel(path: shared + "/trained/gguf-current/fortune-llama-Q8_0.gguf"), "Q8_0")
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
