import Foundation
import GGUFFormat
import GGUFModel
import GGUFRunner
import GGUFTestSupport
import GGUFTokenizer
import XCTest
import GGUFKernels

/// A runnable synthetic phi3 (n_embd 64, 2 layers, fused QKV and gate-up, tied output, general.name "Phi3") carrying the
/// real Phi-3 SentencePiece vocabulary (32064 tokens, from `Fixtures/tokenizer/vocab/ggml-vocab-phi-3.gguf`), rebuilt in
/// a temp folder from `Fixtures/runner/spm/phi3-spm.spec`: text prompts tokenized as llama-completion does (special tokens parsed)
/// give llama.cpp's ids, and the greedy continuation equals `oracle-avx2 generate` (`expected.json`, written by
/// `make_refs.py`).
final class SPMModelTests: XCTestCase {
    private var savedLevel = KernelLevel.active
    override func setUp() { savedLevel = KernelLevel.active; KernelLevel.active = .avx2 }
    override func tearDown() { KernelLevel.active = savedLevel }
    typealias Expected = VocabModelFixture.Expected
    static let fixture = VocabModelFixture(folder: "spm", name: "phi3-spm", vocabulary: "ggml-vocab-phi-3.gguf")
    static var dir: String { fixture.dir }
    static var expected: Expected { fixture.expected }
    static func modelPath() throws -> String { try fixture.modelPath() }

    static let model: LlamaModel = try! LlamaModel(path: modelPath())

    func testTheModelHasAnSPMTokenizer() throws {
        let m = Self.model
        XCTAssertEqual(m.hparams.architecture, .phi3)
        XCTAssertEqual(m.hparams.vocabularySize, 32064)
        XCTAssertTrue(m.tokenizer.vocabulary.addBOS)
        // <|end|> (32007) and <|endoftext|> (32000) end generation
        let eog = m.tokenizer.vocabulary.endOfGenerationIDs
        XCTAssertTrue(eog.contains(32000) && eog.contains(32007), "\(eog.sorted())")
    }

    /// The prompt ids of llama-completion: common_tokenize(prompt, add_special: true, parse_special: true).
    func testPromptIdsEqualLlamaCpp() throws {
        for c in Self.expected.cases {
            XCTAssertEqual(Self.model.tokenizer.tokenize(c.prompt, addSpecial: true, parseSpecial: true), c.prompt_ids, c.prompt)
        }
    }

    /// Greedy continuation of each prompt: llama.cpp's ids (it generates past end-of-generation tokens; ours stop there
    /// unless told not to).
    func testGreedyEqualsLlamaCpp() throws {
        let e = Self.expected
        let eog = Self.model.tokenizer.vocabulary.endOfGenerationIDs
        for c in e.cases {
            let s = try Session(model: Self.model, contextSize: 512, threads: 2)
            let all = try s.greedy(prompt: c.prompt_ids, count: e.n, stopAtEOS: false)
            XCTAssertEqual(all, c.greedy, c.prompt)
            s.reset()
            let stopped = try s.greedy(prompt: c.prompt_ids, count: e.n)
            let cut = c.greedy.firstIndex { eog.contains($0) }.map { Array(c.greedy[...$0]) } ?? c.greedy
            XCTAssertEqual(stopped, cut, c.prompt)
            // Streaming detokenization gives the text of detokenize(all ids), piece by piece.
            var d = Detokenizer(tokenizer: Self.model.tokenizer)
            let streamed = (c.prompt_ids + all).map { d.append($0) }.joined() + d.finish()
            XCTAssertEqual(streamed, Self.model.tokenizer.detokenize(c.prompt_ids + all))
            print("\(c.prompt.prefix(24).debugDescription): \(c.prompt_ids.count) prompt ids, greedy \(all) -> \(Self.model.tokenizer.detokenize(all).debugDescription)")
        }
    }
}
