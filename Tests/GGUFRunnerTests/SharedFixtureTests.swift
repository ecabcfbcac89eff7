import Foundation
import GGUFRunner
import GGUFTestSupport
import XCTest

/// Every fortune-llama and gqa-random GGUF in ../shared/fixtures against llama.cpp's plain-path
/// references (logits of the 24 tokens, greedy ids of the 3 prompts). Skipped without ../shared.
/// Greedy agreement is printed, not asserted: quantized files part from llama.cpp at near-ties (see docs/runner.md).
final class SharedFixtureTests: XCTestCase {
    struct Greedy: Decodable { let files: [String: [Entry]]; struct Entry: Decodable { let prompt_ids: [Int32]; let ids_plain: [Int32] } }

    func files(_ shared: String) -> [String] {
        let fm = FileManager.default
        var out: [String] = []
        for sub in ["trained/gguf", "trained/gguf-current", "gqa/gguf"] {
            for f in (try? fm.contentsOfDirectory(atPath: shared + "/" + sub)) ?? [] where f.hasSuffix(".gguf") { out.append(sub + "/" + f) }
        }
        return out.sorted()
    }

    func testAllFilesAgainstLlamaCpp() throws {
        guard let shared = sharedFixturesDir else { throw XCTSkip("../shared not present") }
        let tokens = Expected.shared.tokens
        let greedy = try JSONDecoder().decode(Greedy.self, from: Data(contentsOf: URL(fileURLWithPath: shared + "/refs/greedy_current.json")))
        var worstRel = 0.0
        var greedyFull = 0, greedyRuns = 0
        for f in files(shared) {
            let model = try LlamaModel(path: shared + "/" + f)
            let s = try Session(model: model, contextSize: 256, threads: 2)
            let ref = try NPY.read(shared + "/refs/logits/" + f.replacingOccurrences(of: ".gguf", with: ".plain.npy"))
            let a = Agreement(try s.evaluate(tokens, allLogits: true), ref.values, vocab: model.hparams.vocabularySize)
            var line = "\(f): \(a)"
            XCTAssertLessThan(a.relRMS, f.hasPrefix("gqa") ? 2e-2 : 5e-3, f)
            // F32/F16: the references come from another llama.cpp build (an AVX-512 machine per the oracle
            // README); the runner is bit-identical to the AVX2 build (BitExactTests), which differs from it
            // by 6.5e-4 (F32) and 2.3e-3 (F16).
            if let bound = ["trained/gguf/fortune-llama-f32.gguf": Float(1e-3), "trained/gguf/fortune-llama-f16.gguf": 3e-3][f] {
                XCTAssertLessThanOrEqual(a.maxAbs, bound, f)
            }
            XCTAssertGreaterThanOrEqual(a.argmaxSame, 23, f)
            worstRel = max(worstRel, a.relRMS)
            for g in greedy.files[f] ?? [] {
                s.reset()
                let ids = try s.greedy(prompt: g.prompt_ids, count: 64, stopAtEOS: false)
                let common = zip(ids, g.ids_plain).prefix { $0 == $1 }.count
                line += " \(common)"
                greedyRuns += 1
                if common == 64 { greedyFull += 1 }
            }
            print(line)
        }
        print("worst rel RMS \(worstRel); greedy identical in \(greedyFull)/\(greedyRuns) runs")
    }
}
