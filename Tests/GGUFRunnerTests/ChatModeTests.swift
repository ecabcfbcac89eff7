import Foundation
import GGUFChat
import GGUFRunner
import GGUFTestSupport
import XCTest

/// `ggufkit run -cnv` on BPEModelTests' synthetic qwen2 (Qwen2 vocabulary, whose chat template is chatml):
/// the ids evaluated for the opening and each user turn are llama.cpp's tokenization of the texts
/// llama-completion -cnv formats, and the greedy replies are `oracle-avx2 generate`'s on the same ids
/// (`Fixtures/runner/chat/expected.json`, written by `make_refs.py`).
final class ChatModeTests: XCTestCase {
    struct Expected: Decodable {
        struct Input: Decodable { let text: String; let ids: [Int32] }
        let n: Int
        let system: String
        let lines: [String]
        let template: String
        let inputs: [Input]
        let replies: [[Int32]]
    }

    static let expected: Expected = {
        let d = FileManager.default.contents(atPath: fixturesDir + "/runner/chat/expected.json")!
        return try! JSONDecoder().decode(Expected.self, from: d)
    }()

    /// The `input: [..]` and `reply: [..]` lines of --verbose-prompt.
    func idLines(_ stderr: String, _ prefix: String) throws -> [[Int32]] {
        try stderr.split(separator: "\n").filter { $0.hasPrefix(prefix) }.map {
            try JSONDecoder().decode([Int32].self, from: Data($0.dropFirst(prefix.count).utf8))
        }
    }

    func testConversationEvaluatesLlamaCppsIdsAndReplies() throws {
        let e = Self.expected
        let model = try BPEModelTests.modelPath()
        let r = try runGGUFKit(["run", model, "-cnv", "-sys", e.system, "-n", "\(e.n)", "--temp", "0", "-t", "2", "-c", "256",
                                "--verbose-prompt"], stdin: e.lines.joined(separator: "\n") + "\n", timeout: 120)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("chat template: chatml"), r.stderr)
        XCTAssertEqual(try idLines(r.stderr, "input: "), e.inputs.map(\.ids))
        XCTAssertEqual(try idLines(r.stderr, "reply: "), e.replies)
        // replies are streamed to stdout; the opening is echoed with its special tokens as empty text
        let tok = BPEModelTests.model.tokenizer
        for reply in e.replies { XCTAssertTrue(r.stdout.contains(tok.detokenize(reply)), r.stdout) }
        XCTAssertTrue(r.stdout.hasPrefix("system\n\(e.system)\n"), r.stdout)
    }

    /// The same ids in process: the model's template, ChatPrompt's opening and turns (escapes already processed).
    func testChatPromptGivesTheSameIds() throws {
        let e = Self.expected
        let model = BPEModelTests.model
        XCTAssertEqual(model.chatTemplateText, e.template)
        XCTAssertEqual(try model.chatTemplate(), .chatml)
        var chat = ChatPrompt(template: try model.chatTemplate(), tokenizer: model.tokenizer)
        XCTAssertEqual(chat.start(system: e.system, prompt: ""), e.inputs[0].ids)
        for (i, line) in e.lines.enumerated() {
            XCTAssertEqual(chat.user(line.replacingOccurrences(of: "\\n", with: "\n")), e.inputs[i + 1].ids, line)
        }
        // llama.cpp's texts, byte for byte
        XCTAssertEqual(ChatTemplate.chatml.apply([ChatMessage(role: "system", content: e.system)], addAssistant: false), e.inputs[0].text)
    }

    /// --chat-template NAME replaces the model's template; -p opens with a first user turn answered at once.
    func testForcedTemplateAndFirstPrompt() throws {
        let e = Self.expected
        let model = try BPEModelTests.modelPath()
        let r = try runGGUFKit(["run", model, "-cnv", "--chat-template", "llama3", "-sys", e.system, "-p", "Hi", "-n", "3",
                                "--temp", "0", "-t", "2", "-c", "256", "--verbose-prompt"], timeout: 120)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("chat template: llama3"), r.stderr)
        let text = ChatTemplate.llama3.apply([ChatMessage(role: "system", content: e.system), ChatMessage(role: "user", content: "Hi")],
                                             addAssistant: true)
        XCTAssertEqual(try idLines(r.stderr, "input: "), [BPEModelTests.model.tokenizer.tokenize(text, addSpecial: true, parseSpecial: true)])
        XCTAssertEqual(try idLines(r.stderr, "reply: ").map(\.count), [3])
    }

    func testBadChatOptionsAreOneLine() throws {
        let model = try BPEModelTests.modelPath()
        let r = try runGGUFKit(["run", model, "-cnv", "--chat-template", "{{ nothing known }}", "-n", "1"], stdin: "hi\n")
        XCTAssertEqual(r.status, 64, r.stderr)
        XCTAssertEqual(r.stderr.split(separator: "\n").filter { $0.hasPrefix("error: ") }.count, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("not one llama.cpp recognises") && r.stderr.contains("chatml, command-r"), r.stderr)
        let s = try runGGUFKit(["run", model, "-sys", "x", "-p", "hi", "-n", "1"])
        XCTAssertEqual(s.status, 64, s.stderr)
        XCTAssertTrue(s.stderr.contains("conversation mode (-cnv)"), s.stderr)
    }
}
