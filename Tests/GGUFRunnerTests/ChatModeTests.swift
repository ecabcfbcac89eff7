import Foundation
import GGUFChat
import GGUFKernels
import GGUFModel
import GGUFRunner
import GGUFTestSupport
import XCTest

/// `ggufkit run -cnv` on BPEModelTests' synthetic qwen2 (Qwen2 vocabulary, whose chat template is chatml):
/// the ids evaluated for the opening and each user turn are llama.cpp's tokenization of the texts
/// llama-completion -cnv formats, and the greedy replies are `oracle-avx2 generate`'s on the same ids
/// (`Fixtures/runner/chat/expected.json`, written by `make_refs.py`). Two cases: the model's chatml with replies
/// cut by `-n`; `--chat-template llama2-sys` on the same weights with `tokenizer.ggml.eot_token_id` set to an id
/// of the first reply, which then ends at that token, joins the history and changes the second turn's text.
final class ChatModeTests: XCTestCase {
    struct Expected: Decodable {
        struct Input: Decodable { let text: String; let ids: [Int32] }
        struct Case: Decodable { let name: String; let chat_template: String?; let eot: UInt32?; let inputs: [Input]; let replies: [[Int32]] }
        let n: Int
        let system: String
        let lines: [String]
        let template: String
        let cases: [Case]
    }

    // The references are llama.cpp's AVX2 build's: the ggufkit subprocesses (and this process) compute at that level.
    private var savedLevel = KernelLevel.active
    override func setUp() { savedLevel = KernelLevel.active; KernelLevel.active = .avx2; setenv("GGUFKIT_KERNELS", "avx2", 1) }
    override func tearDown() { KernelLevel.active = savedLevel; unsetenv("GGUFKIT_KERNELS") }

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

    /// BPEModelTests' model with `tokenizer.ggml.eot_token_id` added (same weights).
    static func eotModelPath(_ eot: UInt32) throws -> String {
        let out = BPEModelTests.dir + "/qwen2-bpe-eot\(eot).gguf"
        if FileManager.default.fileExists(atPath: out) { return out }
        let text = try String(contentsOfFile: fixturesDir + "/runner/bpe/qwen2-bpe.spec", encoding: .utf8)
        var spec = try ModelSpec(parsing: text, name: "qwen2-bpe")
        try spec.copyVocabulary(path: fixturesDir + "/tokenizer/vocab/ggml-vocab-qwen2.gguf")
        spec.metadata.setAppending("tokenizer.ggml.eot_token_id", .uint32(eot))
        try spec.write(to: out, seed: BPEModelTests.expected.seed, scale: BPEModelTests.expected.scale)
        return out
    }

    func testConversationEvaluatesLlamaCppsIdsAndReplies() throws {
        let e = Self.expected
        XCTAssertEqual(e.cases.count, 2)
        for c in e.cases {
            let model = try c.eot.map(Self.eotModelPath) ?? BPEModelTests.modelPath()
            let r = try runGGUFKit(["run", model, "-cnv", "-sys", e.system, "-n", "\(e.n)", "--temp", "0", "-t", "2", "-c", "256",
                                    "--verbose-prompt"] + (c.chat_template.map { ["--chat-template", $0] } ?? []),
                                   stdin: e.lines.joined(separator: "\n") + "\n", timeout: 120)
            XCTAssertEqual(r.status, 0, r.stderr)
            XCTAssertTrue(r.stderr.contains("chat template: \(c.chat_template ?? "chatml")"), r.stderr)
            XCTAssertEqual(try idLines(r.stderr, "input: "), c.inputs.map(\.ids), c.name)
            XCTAssertEqual(try idLines(r.stderr, "reply: "), c.replies, c.name)
            // replies are streamed to stdout (the end token as empty text)
            let tok = BPEModelTests.model.tokenizer
            for reply in c.replies {
                let shown = c.eot.map { eot in reply.filter { $0 != Int32(eot) } } ?? reply
                XCTAssertTrue(r.stdout.contains(tok.detokenize(shown)), r.stdout)
            }
        }
        // the opening is echoed with its special tokens as empty text
        let r = try runGGUFKit(["run", try BPEModelTests.modelPath(), "-cnv", "-sys", e.system, "-n", "1", "--temp", "0", "-c", "256"])
        XCTAssertTrue(r.stdout.hasPrefix("system\n\(e.system)\n"), r.stdout)
    }

    /// The same ids in process: the model's template, ChatPrompt's opening and turns (escapes already processed).
    func testChatPromptGivesTheSameIds() throws {
        let e = Self.expected
        let model = BPEModelTests.model
        XCTAssertEqual(model.chatTemplateText, e.template)
        XCTAssertEqual(try model.chatTemplate(), .chatml)
        let c = e.cases[0]
        var chat = ChatPrompt(template: try model.chatTemplate(), tokenizer: model.tokenizer)
        XCTAssertEqual(chat.start(system: e.system, prompt: ""), c.inputs[0].ids)
        for (i, line) in e.lines.enumerated() {
            XCTAssertEqual(chat.user(line.replacingOccurrences(of: "\\n", with: "\n")), c.inputs[i + 1].ids, line)
        }
        // llama2-sys: the first reply (before its end token) recorded, the second turn opens a new [INST]
        let l = e.cases[1]
        var chat2 = ChatPrompt(template: try model.chatTemplate(override: "llama2-sys"), tokenizer: model.tokenizer)
        XCTAssertEqual(chat2.start(system: e.system, prompt: ""), l.inputs[0].ids)
        XCTAssertEqual(chat2.user(e.lines[0]), l.inputs[1].ids)
        chat2.assistant(Array(l.replies[0].dropLast()))
        XCTAssertEqual(chat2.user(e.lines[1].replacingOccurrences(of: "\\n", with: "\n")), l.inputs[2].ids)
        XCTAssertEqual(String(decoding: l.inputs[2].text.utf8.prefix(8), as: UTF8.self), "[INST] T")
        // llama.cpp's texts, byte for byte
        XCTAssertEqual(ChatTemplate.chatml.apply([ChatMessage(role: "system", content: e.system)], addAssistant: false), c.inputs[0].text)
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
