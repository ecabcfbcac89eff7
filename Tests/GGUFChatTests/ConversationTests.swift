import GGUFChat
import XCTest

/// `Conversation.add`: llama.cpp's `common_chat_format_single` (the text each new message adds).
final class ConversationTests: XCTestCase {
    func text(_ b: [UInt8]) -> String { String(decoding: b, as: UTF8.self) }

    func testChatMLTurns() {
        var c = Conversation(template: .chatml)
        XCTAssertEqual(text(c.add(ChatMessage(role: "system", content: "S"), addAssistant: false)), "<|im_start|>system\nS<|im_end|>\n")
        // the history ends with "\n": it is kept before the new text
        XCTAssertEqual(text(c.add(ChatMessage(role: "user", content: "U"), addAssistant: true)),
                       "\n<|im_start|>user\nU<|im_end|>\n<|im_start|>assistant\n")
        // the assistant's message: the part after the history formatted without the generation prompt
        XCTAssertEqual(text(c.add(ChatMessage(role: "assistant", content: "A"), addAssistant: false)),
                       "<|im_start|>assistant\nA<|im_end|>\n")
        XCTAssertEqual(c.formatted(addAssistant: false),
                       "<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nU<|im_end|>\n<|im_start|>assistant\nA<|im_end|>\n")
    }

    func testLlama2TurnsDependOnTheHistory() {
        var c = Conversation(template: .llama2Sys)
        XCTAssertEqual(text(c.add(ChatMessage(role: "user", content: "U1"), addAssistant: true)), "[INST] U1 [/INST]")
        _ = c.add(ChatMessage(role: "assistant", content: "A1"), addAssistant: false)
        XCTAssertEqual(text(c.add(ChatMessage(role: "user", content: "U2"), addAssistant: true)), "[INST] U2 [/INST]")
        // without the assistant's message recorded, the next user text follows the first directly
        var d = Conversation(template: .llama2Sys)
        _ = d.add(ChatMessage(role: "user", content: "U1"), addAssistant: true)
        XCTAssertEqual(text(d.add(ChatMessage(role: "user", content: "U2"), addAssistant: true)), "U2 [/INST]")
    }

    func testFirstMessageIsTheWholeText() {
        var c = Conversation(template: .llama3)
        XCTAssertEqual(text(c.add(ChatMessage(role: "user", content: " hi "), addAssistant: true)),
                       "<|start_header_id|>user<|end_header_id|>\n\nhi<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n")
    }
}
