import Foundation
import GGUFKernels
import GGUFRunner
import GGUFTestSupport
import XCTest

/// Greedy continuations (64 tokens, 3 prompts) of 20 fortune-llama files in ../shared against llama.cpp's
/// plain path built for x86 AVX2+FMA+F16C (`Fixtures/runner/greedy-avx2.json`, made by
/// `make_avx2_greedy.py`). Where the C kernels run (`runnerOpsAvailable`) every run must be token for token
/// identical; elsewhere the agreement is printed. Skipped without ../shared.
final class GreedyAVX2Tests: XCTestCase {
    /// The references were made with llama.cpp built for AVX2: run at that level where the CPU has it.
    private var savedLevel = KernelLevel.active
    override func setUp() { savedLevel = KernelLevel.active; KernelLevel.active = .avx2 }
    override func tearDown() { KernelLevel.active = savedLevel }

    struct Refs: Decodable { let prompts: [[Int32]]; let files: [String: [[Int32]]] }

    func testGreedyIdenticalToLlamaCpp() throws {
        guard let shared = sharedFixturesDir else { throw XCTSkip("../shared not present") }
        let refs = try JSONDecoder().decode(Refs.self, from: Data(contentsOf: URL(fileURLWithPath: fixturesDir + "/runner/greedy-avx2.json")))
        var identical = 0, runs = 0
        for (f, expected) in refs.files.sorted(by: { $0.key < $1.key }) {
            let s = try Session(model: try LlamaModel(path: shared + "/" + f), contextSize: 256, threads: 2)
            var line = f + ":"
            for (prompt, want) in zip(refs.prompts, expected) {
                s.reset()
                let ids = try s.greedy(prompt: prompt, count: 64, stopAtEOS: false)
                let common = zip(ids, want).prefix { $0 == $1 }.count
                line += " \(common)/64"
                runs += 1
                if common == 64 { identical += 1 }
                if runnerOpsAvailable { XCTAssertEqual(ids, want, "\(f), prompt \(prompt.count) tokens") }
            }
            print(line)
        }
        print("greedy identical to llama.cpp (AVX2) in \(identical)/\(runs) runs")
        XCTAssertEqual(runs, 60)
    }
}
