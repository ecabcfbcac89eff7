import Foundation
import GGUFChat
import GGUFTestSupport
import XCTest

/// Chat templates against llama.cpp's own `llama_chat_apply_template` (0c1e570): every built-in name,
/// every template of llama.cpp's models/templates/ that it recognises, and marker texts for each detection
/// rule, on the conversations of `Fixtures/chat/expected.json` (written by `make_expected.py`).
final class ChatTemplateTests: XCTestCase {
    struct Expected: Decodable {
        struct File: Decodable { let file: String; let sha256: String; let recognised: Bool; let same_as: [String]?; let outputs: [String: String]? }
        struct Marker: Decodable { let text: String; let recognised: Bool; let same_as: [String]; let outputs: [String: String]? }
        let conversations: [String: [[String]]]
        let builtin_names: [String]
        let names: [String: [String: String]]
        let files: [File]
        let markers: [Marker]
    }

    static let dir = fixturesDir + "/chat"
    static let expected: Expected = {
        let d = FileManager.default.contents(atPath: dir + "/expected.json")!
        return try! JSONDecoder().decode(Expected.self, from: d)
    }()

    /// Every conversation × add_ass formatted with `t`, keyed as expected.json's outputs ("name|1").
    func outputs(_ t: ChatTemplate) -> [String: String] {
        var out: [String: String] = [:]
        for (name, conv) in Self.expected.conversations {
            let messages = conv.map { ChatMessage(role: $0[0], content: $0[1]) }
            for add in [true, false] { out["\(name)|\(add ? 1 : 0)"] = t.apply(messages, addAssistant: add) }
        }
        return out
    }

    func assertOutputs(_ t: ChatTemplate, _ expected: [String: String], _ what: String) {
        let got = outputs(t)
        XCTAssertEqual(Set(got.keys), Set(expected.keys), what)
        for (k, v) in expected.sorted(by: { $0.key < $1.key }) {
            XCTAssertEqual(got[k], v, "\(what): \(k)")
        }
    }

    func testBuiltinNamesAreLlamaCpps() {
        XCTAssertEqual(ChatTemplate.builtinNames, Self.expected.builtin_names)
        XCTAssertEqual(ChatTemplate.builtinNames.count, 54)
        XCTAssertNil(ChatTemplate.dots1.name)
    }

    func testEveryNameFormatsAsLlamaCpp() throws {
        for name in Self.expected.builtin_names {
            let t = try XCTUnwrap(ChatTemplate(name: name), name)
            XCTAssertEqual(t.name, name)
            XCTAssertEqual(ChatTemplate.detect(name), t, "a name is looked up before the markers")
            assertOutputs(t, Self.expected.names[name]!, name)
        }
    }

    /// The templates of llama.cpp's models/templates/ it recognises (copied to Fixtures/chat/templates/).
    func testTemplateFilesDetectAndFormatAsLlamaCpp() throws {
        var checked = 0
        for f in Self.expected.files where f.recognised {
            let text = try String(contentsOfFile: Self.dir + "/templates/" + f.file, encoding: .utf8)
            let t = try XCTUnwrap(ChatTemplate.detect(text), f.file)
            let same = f.same_as ?? []
            if let name = t.name, !same.isEmpty {
                XCTAssertTrue(same.contains(name), "\(f.file): detected \(name), llama.cpp's output is that of \(same)")
                assertOutputs(t, Self.expected.names[same[0]]!, f.file)
            } else {
                assertOutputs(t, try XCTUnwrap(f.outputs, f.file), f.file)
            }
            checked += 1
        }
        XCTAssertEqual(checked, 52)
        XCTAssertEqual(Self.expected.files.count - checked, 18, "llama.cpp's unrecognised templates")
    }

    /// The templates llama.cpp does not recognise are not committed; where its source is on this machine
    /// (the oracle's copy, or GGUFKIT_LLAMA_CPP), they are read from there (files whose SHA-256 differs are skipped).
    func testUnrecognisedTemplateFilesAreNotDetected() throws {
        let env = ProcessInfo.processInfo.environment
        let root = env["GGUFKIT_LLAMA_CPP"]
            ?? NSHomeDirectory() + "/.cache/ggufkit-oracle/src/llama_cpp_python-0.3.36/vendor/llama.cpp"
        let dir = root + "/models/templates/"
        guard FileManager.default.fileExists(atPath: dir) else { throw XCTSkip("llama.cpp's models/templates not found") }
        var checked = 0
        for f in Self.expected.files where !f.recognised {
            guard let d = FileManager.default.contents(atPath: dir + f.file), sha256Hex(Array(d)) == f.sha256 else { continue }
            XCTAssertNil(ChatTemplate.detect(String(decoding: d, as: UTF8.self)), f.file)
            checked += 1
        }
        XCTAssertGreaterThan(checked, 0)
    }

    /// One short text per detection rule, in llama.cpp's order, and texts that reach none (-1).
    func testMarkerTextsDetectAsLlamaCpp() throws {
        for m in Self.expected.markers {
            let t = ChatTemplate.detect(m.text)
            if !m.recognised {
                XCTAssertNil(t, "\(m.text.debugDescription): llama.cpp returns -1")
                XCTAssertThrowsError(try ChatTemplate.resolve(m.text))
                continue
            }
            let found = try XCTUnwrap(t, m.text)
            if let outs = m.outputs {
                assertOutputs(found, outs, m.text)
            } else {
                XCTAssertTrue(m.same_as.contains(found.name ?? "-"), "\(m.text.debugDescription): \(found) not in \(m.same_as)")
            }
        }
        XCTAssertEqual(ChatTemplate.detect("<|endofuserprompt|>"), .dots1)
    }

    func testUnknownTemplateErrorListsTheNames() {
        XCTAssertThrowsError(try ChatTemplate.resolve("{{ messages }}\nmore")) { e in
            let s = "\(e)"
            XCTAssertTrue(s.hasPrefix("chat template '{{ messages }}' is not one llama.cpp recognises"), s)
            XCTAssertTrue(s.contains("bailing-think, bailing2, chatglm3"), s)
            XCTAssertFalse(s.contains("\n"), s)
        }
    }

    /// Text after a NUL is not seen (llama.cpp's messages are C strings).
    func testContentIsCutAtNUL() {
        let m = [ChatMessage(role: "user", content: "ab\u{0}cd")]
        XCTAssertEqual(ChatTemplate.chatml.apply(m, addAssistant: false), "<|im_start|>user\nab<|im_end|>\n")
    }
}
