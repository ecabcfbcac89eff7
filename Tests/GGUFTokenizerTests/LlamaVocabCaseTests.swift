import XCTest
import GGUFTokenizer

/// llama.cpp's tests/test-tokenizer-0 over its own vocabularies (models/ggml-vocab-*.gguf + .inp/.out):
/// every input tokenized with add_special = false, parse_special = false must give the expected ids.
/// WPM/UGM/RWKV vocabularies (bert-bge, nomic-bert-moe, ...) are not tokenized here; aquila, baichuan and
/// gpt-neox have no cases in llama.cpp.
final class LlamaVocabCaseTests: XCTestCase {
    func check(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        guard let tok = try VocabFixtures.tokenizer(name), let cases = try VocabFixtures.cases(name) else {
            throw XCTSkip("ggml-vocab-\(name).gguf is not here")
        }
        XCTAssertGreaterThan(cases.count, 10, file: file, line: line)
        var failed = 0
        for c in cases {
            let ids = tok.tokenize(bytes: c.text, addSpecial: false, parseSpecial: false)
            if ids != c.ids {
                failed += 1
                if failed <= 5 {
                    XCTFail("\(name): \(String(decoding: c.text, as: UTF8.self).debugDescription): got \(ids), want \(c.ids)",
                            file: file, line: line)
                }
            }
        }
        XCTAssertEqual(failed, 0, "\(name): \(failed) of \(cases.count) cases differ", file: file, line: line)
    }

    func testLlamaBPE() throws { try check("llama-bpe") }
    func testQwen2() throws { try check("qwen2") }
    func testQwen35() throws { try check("qwen35") }
    func testDeepseekLLM() throws { try check("deepseek-llm") }
    func testDeepseekCoder() throws { try check("deepseek-coder") }
    func testFalcon() throws { try check("falcon") }
    func testGPT2() throws { try check("gpt-2") }
    func testStarcoder() throws { try check("starcoder") }
    func testRefact() throws { try check("refact") }
    func testMPT() throws { try check("mpt") }
    func testLlamaSPM() throws { try check("llama-spm") }
    func testPhi3() throws { try check("phi-3") }
    func testCommandR() throws { try check("command-r") }
    func testGemma4() throws { try check("gemma-4") }
}
