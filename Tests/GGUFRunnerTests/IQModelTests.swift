import Foundation
import GGUFFormat
import GGUFRunner
import GGUFTestSupport
import XCTest
import GGUFKernels

/// Models whose matrices use the IQ, TQ and MXFP4 types (`Fixtures/runner/iq`, quantized by llama-quantize: iq-grid.gguf
/// with IQ2_XXS, IQ2_XS, IQ2_S, IQ3_XXS, IQ1_S, IQ1_M, IQ3_S, IQ4_XS; iq-lut.gguf with IQ4_NL, TQ1_0, TQ2_0, MXFP4):
/// logits one token at a time (vec_dot), for a batch of 7 tokens (vec_dot; tinyBLAS_Q0 for IQ4_NL) and for a batch of 24
/// (from 8 tokens on llama.cpp's tiled matmul for IQ4_XS and the grid types) equal bit for bit to llama.cpp's AVX2 build
/// where `CRunnerOps` runs (elsewhere within a tolerance on the first logits of the last row), and llama-perplexity's values.
final class IQModelTests: XCTestCase {
    private var savedLevel = KernelLevel.active
    override func setUp() { savedLevel = KernelLevel.active; KernelLevel.active = .avx2 }
    override func tearDown() { KernelLevel.active = savedLevel }
    struct Expected: Decodable {
        struct Run: Decodable { let sha256: String; let last_row_head: [Float] }
        struct Model: Decodable {
            let sha256_file: String
            let batch: Run
            let single: Run
            let batch_full: Run
            let ppl_running: [Double]
            let ppl_final: Double
        }
        let tokens: [Int32]
        let batch_tokens: Int
        let models: [String: Model]
    }

    static let dir = fixturesDir + "/runner/iq"
    static let expected: Expected = {
        let d = FileManager.default.contents(atPath: dir + "/expected.json")!
        return try! JSONDecoder().decode(Expected.self, from: d)
    }()

    func check(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let e = Self.expected
        let ref = try XCTUnwrap(e.models[name])
        let path = Self.dir + "/\(name).gguf"
        XCTAssertEqual(sha256Hex([UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))), ref.sha256_file, "\(name).gguf")
        let model = try LlamaModel(path: path)
        let nv = model.hparams.vocabularySize
        let s = try Session(model: model, contextSize: 256, threads: 2)
        let batchTokens = Array(e.tokens.prefix(e.batch_tokens))
        let batch = try s.evaluate(batchTokens, allLogits: true)
        s.reset()
        let full = try s.evaluate(e.tokens, allLogits: true)
        s.reset()
        var single: [Float] = []
        for t in e.tokens { single += try s.evaluate([t], allLogits: true) }
        for (mode, ours, r, n) in [("batch", batch, ref.batch, batchTokens.count), ("single", single, ref.single, e.tokens.count),
                                   ("batch_full", full, ref.batch_full, e.tokens.count)] {
            let head = r.last_row_head.count, at = (n - 1) * nv
            let a = Agreement(Array(ours[at ..< at + head]), r.last_row_head, vocab: head)
            print("\(name) \(mode): last row vs llama.cpp \(a)")
            if runnerOpsAvailable {
                let bytes = ours.withUnsafeBytes { [UInt8]($0) }
                XCTAssertEqual(sha256Hex(bytes), r.sha256, "\(name) \(mode): logits differ from llama.cpp's (last row \(a))",
                               file: file, line: line)
            } else {
                XCTAssertLessThan(a.maxAbs, 2e-2, "\(name) \(mode)", file: file, line: line)
            }
        }
    }

    func testGridTypesBitIdentical() throws { try check("iq-grid") }
    func testLookupAndTernaryTypesBitIdentical() throws { try check("iq-lut") }

    /// llama-perplexity -c 64 --chunks 4 on calib.txt: the running values as it prints them (4 decimals) and the final
    /// estimate where `CRunnerOps` runs (batches of 64: tinyBLAS_Q0 for IQ4_NL, the tiled matmul for IQ4_XS and the grid
    /// types, vec_dot for the others), else within 0.1 %.
    func testPerplexity() throws {
        for name in ["iq-lut", "iq-grid"] {
            let ref = try XCTUnwrap(Self.expected.models[name])
            let model = try LlamaModel(path: Self.dir + "/\(name).gguf")
            let s = try Session(model: model, contextSize: 64, threads: 2)
            let text = try Data(contentsOf: URL(fileURLWithPath: Self.dir + "/calib.txt"))
            let r = try s.perplexity(tokens: model.tokenizer.tokenize(bytes: [UInt8](text)), maxChunks: 4)
            let got = r.chunks.map(\.runningPPL)
            print("\(name) perplexity: \(got) (llama-perplexity \(ref.ppl_running))")
            XCTAssertEqual(got.count, ref.ppl_running.count, name)
            for (i, (g, w)) in zip(got, ref.ppl_running).enumerated() {
                if runnerOpsAvailable {
                    XCTAssertEqual((g * 10_000).rounded() / 10_000, w, "\(name) chunk \(i + 1): \(g)")
                } else {
                    XCTAssertEqual(g, w, accuracy: w * 1e-3, "\(name) chunk \(i + 1)")
                }
            }
            XCTAssertEqual(r.ppl, ref.ppl_final, accuracy: ref.ppl_final * (runnerOpsAvailable ? 1e-6 : 1e-3), name)
        }
    }
}
