extension ChatTemplate {
    /// The conversation as one prompt text, byte for byte as llama.cpp's `llm_chat_apply_template` writes
    /// it for this template; `addAssistant` (llama.cpp's `add_ass`) ends it with the opening of the
    /// assistant's reply where the template has one.
    public func apply(_ messages: [ChatMessage], addAssistant: Bool) -> String {
        String(decoding: applyBytes(messages, addAssistant: addAssistant), as: UTF8.self)
    }

    /// ``apply(_:addAssistant:)`` as UTF-8 bytes.
    public func applyBytes(_ messages: [ChatMessage], addAssistant add: Bool) -> [UInt8] {
        let chat = messages.map(Msg.init)
        let o = Out()
        switch self {
        case .chatml:
            for m in chat { o.put("<|im_start|>", m.role, "\n", m.content, "<|im_end|>\n") }
            if add { o.put("<|im_start|>assistant\n") }
        case .mistralV7, .mistralV7Tekken:
            let sp = self == .mistralV7 ? " " : ""
            for m in chat {
                if m.is("system") { o.put("[SYSTEM_PROMPT]", sp, m.content, "[/SYSTEM_PROMPT]") }
                else if m.is("user") { o.put("[INST]", sp, m.content, "[/INST]") }
                else { o.put(sp, m.content, "</s>") }
            }
        case .mistralV1, .mistralV3, .mistralV3Tekken:
            let lead = self == .mistralV1 ? " " : ""
            let trail = self == .mistralV3Tekken ? "" : " "
            let trimAssistant = self == .mistralV3
            var inside = false
            for m in chat {
                if !inside { o.put(lead, "[INST]", trail); inside = true }
                if m.is("system") { o.put(m.content, "\n\n") }
                else if m.is("user") { o.put(m.content, lead, "[/INST]") }
                else { o.put(trail, (trimAssistant ? trim(m.content) : m.content), "</s>"); inside = false }
            }
        case .llama2, .llama2Sys, .llama2SysBOS, .llama2SysStrip:
            let system = self != .llama2, bosInside = self == .llama2SysBOS, strip = self == .llama2SysStrip
            var inside = true   // no BOS at the start
            o.put("[INST] ")
            for m in chat {
                let content = strip ? trim(m.content) : m.content
                if !inside { inside = true; o.put(bosInside ? "<s>[INST] " : "[INST] ") }
                if m.is("system") {
                    if system { o.put("<<SYS>>\n", content, "\n<</SYS>>\n\n") } else { o.put(content, "\n") }
                } else if m.is("user") {
                    o.put(content, " [/INST]")
                } else {
                    o.put(content, "</s>"); inside = false
                }
            }
        case .phi3:
            for m in chat { o.put("<|", m.role, "|>\n", m.content, "<|end|>\n") }
            if add { o.put("<|assistant|>\n") }
        case .phi4:
            for m in chat { o.put("<|im_start|>", m.role, "<|im_sep|>", m.content, "<|im_end|>") }
            if add { o.put("<|im_start|>assistant<|im_sep|>") }
        case .falcon3:
            for m in chat { o.put("<|", m.role, "|>\n", m.content, "\n") }
            if add { o.put("<|assistant|>\n") }
        case .zephyr:
            for m in chat { o.put("<|", m.role, "|>\n", m.content, "<|endoftext|>\n") }
            if add { o.put("<|assistant|>\n") }
        case .monarch:
            // <s> inside the history, not before the first message
            for (i, m) in chat.enumerated() { o.put((i == 0 ? "" : "<s>"), m.role, "\n", m.content, "</s>\n") }
            if add { o.put("<s>assistant\n") }
        case .gemma:
            // no system role: its text opens the next non-model turn
            var system: [UInt8] = []
            for m in chat {
                if m.is("system") { system += trim(m.content); continue }
                let role = m.is("assistant") ? Array("model".utf8) : m.role
                o.put("<start_of_turn>", role, "\n")
                if !system.isEmpty && role != Array("model".utf8) { o.put(system, "\n\n"); system = [] }
                o.put(trim(m.content), "<end_of_turn>\n")
            }
            if add { o.put("<start_of_turn>model\n") }
        case .orion:
            var system: [UInt8] = []
            for m in chat {
                if m.is("system") { system += m.content; continue }
                if m.is("user") {
                    o.put("Human: ")
                    if !system.isEmpty { o.put(system, "\n\n"); system = [] }
                    o.put(m.content, "\n\nAssistant: </s>")
                } else {
                    o.put(m.content, "</s>")
                }
            }
        case .openchat:
            for m in chat {
                if m.is("system") { o.put(m.content, "<|end_of_turn|>"); continue }
                var role = m.role
                if !role.isEmpty { role[0] = asciiUpper(role[0]) }
                o.put("GPT4 Correct ", role, ": ", m.content, "<|end_of_turn|>")
            }
            if add { o.put("GPT4 Correct Assistant:") }
        case .vicuna, .vicunaOrca:
            for m in chat {
                if m.is("system") {
                    if self == .vicunaOrca { o.put("SYSTEM: ", m.content, "\n") } else { o.put(m.content, "\n\n") }
                } else if m.is("user") {
                    o.put("USER: ", m.content, "\n")
                } else if m.is("assistant") {
                    o.put("ASSISTANT: ", m.content, "</s>\n")
                }
            }
            if add { o.put("ASSISTANT:") }
        case .deepseek:
            for m in chat {
                if m.is("system") { o.put(m.content) }
                else if m.is("user") { o.put("### Instruction:\n", m.content, "\n") }
                else if m.is("assistant") { o.put("### Response:\n", m.content, "\n<|EOT|>\n") }
            }
            if add { o.put("### Response:\n") }
        case .commandR:
            for m in chat {
                let tag = m.is("system") ? "<|SYSTEM_TOKEN|>" : m.is("user") ? "<|USER_TOKEN|>" : m.is("assistant") ? "<|CHATBOT_TOKEN|>" : nil
                if let tag { o.put("<|START_OF_TURN_TOKEN|>", tag, trim(m.content), "<|END_OF_TURN_TOKEN|>") }
            }
            if add { o.put("<|START_OF_TURN_TOKEN|><|CHATBOT_TOKEN|>") }
        case .llama3:
            for m in chat { o.put("<|start_header_id|>", m.role, "<|end_header_id|>\n\n", trim(m.content), "<|eot_id|>") }
            if add { o.put("<|start_header_id|>assistant<|end_header_id|>\n\n") }
        case .chatglm3:
            o.put("[gMASK]sop")
            for m in chat { o.put("<|", m.role, "|>\n ", m.content) }
            if add { o.put("<|assistant|>") }
        case .chatglm4:
            o.put("[gMASK]<sop>")
            for m in chat { o.put("<|", m.role, "|>\n", m.content) }
            if add { o.put("<|assistant|>\n") }
        case .glmEdge:
            for m in chat { o.put("<|", m.role, "|>\n", m.content) }
            if add { o.put("<|assistant|>") }
        case .minicpm:
            for m in chat {
                if m.is("user") { o.put("<用户>", trim(m.content), "<AI>") } else { o.put(trim(m.content)) }
            }
        case .deepseek2:
            for m in chat {
                if m.is("system") { o.put(m.content, "\n\n") }
                else if m.is("user") { o.put("User: ", m.content, "\n\n") }
                else if m.is("assistant") { o.put("Assistant: ", m.content, "<｜end▁of▁sentence｜>") }
            }
            if add { o.put("Assistant:") }
        case .deepseek3:
            for m in chat {
                if m.is("system") { o.put(m.content, "\n\n") }
                else if m.is("user") { o.put("<｜User｜>", m.content) }
                else if m.is("assistant") { o.put("<｜Assistant｜>", m.content, "<｜end▁of▁sentence｜>") }
            }
            if add { o.put("<｜Assistant｜>") }
        case .deepseekOCR:
            for m in chat { o.put(m.content) }
        case .exaone3, .exaone4:
            for m in chat {
                if m.is("system") { o.put("[|system|]", trim(m.content), "[|endofturn|]\n") }
                else if m.is("user") { o.put("[|user|]", trim(m.content), "\n") }
                else if m.is("assistant") { o.put("[|assistant|]", trim(m.content), "[|endofturn|]\n") }
                else if self == .exaone4 && m.is("tool") { o.put("[|tool|]", trim(m.content), "[|endofturn|]\n") }
            }
            if add { o.put("[|assistant|]") }
        case .exaoneMoE:
            for m in chat where ["system", "user", "assistant", "tool"].contains(where: m.is) {
                o.put("<|", m.role, "|>\n", trim(m.content), "<|endofturn|>\n")
            }
            if add { o.put("<|assistant|>\n") }
        case .rwkvWorld:
            // needs a model with "\n\n" as its EOT token
            for (i, m) in chat.enumerated() {
                if m.is("system") { o.put("System: ", trim(m.content), "\n\n") }
                else if m.is("user") {
                    o.put("User: ", trim(m.content), "\n\n")
                    if i == chat.count - 1 { o.put("Assistant:") }
                } else if m.is("assistant") { o.put("Assistant: ", trim(m.content), "\n\n") }
            }
        case .granite3:
            for m in chat {
                o.put("<|start_of_role|>", m.role, "<|end_of_role|>")
                if m.is("assistant_tool_call") { o.put("<|tool_call|>") }
                o.put(m.content, "<|end_of_text|>\n")
            }
            if add { o.put("<|start_of_role|>assistant<|end_of_role|>") }
        case .granite40, .granite41:
            for m in chat {
                if m.is("assistant_tool_call") { o.put("<|start_of_role|>assistant<|end_of_role|><|tool_call|>") }
                else { o.put("<|start_of_role|>", m.role, "<|end_of_role|>") }
                o.put(m.content, "<|end_of_text|>\n")
            }
            if add { o.put("<|start_of_role|>assistant<|end_of_role|>") }
        case .gigachat:
            let hasSystem = chat.first?.is("system") ?? false
            if hasSystem { o.put("<s>", chat[0].content, "<|message_sep|>") } else { o.put("<s>") }
            for m in chat.dropFirst(hasSystem ? 1 : 0) {
                if m.is("user") {
                    o.put("user<|role_sep|>", m.content, "<|message_sep|>", "available functions<|role_sep|>[]<|message_sep|>")
                } else if m.is("assistant") {
                    o.put("assistant<|role_sep|>", m.content, "<|message_sep|>")
                }
            }
            if add { o.put("assistant<|role_sep|>") }
        case .megrez:
            for m in chat { o.put("<|role_start|>", m.role, "<|role_end|>", m.content, "<|turn_end|>") }
            if add { o.put("<|role_start|>assistant<|role_end|>") }
        case .yandex:
            for m in chat {
                if m.is("user") { o.put(" Пользователь: ", m.content, "\n\n") }
                else if m.is("assistant") { o.put(" Ассистент: ", m.content, "\n\n") }
            }
            if add { o.put(" Ассистент:[SEP]") }
        case .bailing, .bailingThink:
            for m in chat { o.put("<role>", bailingRole(m), "</role>", m.content) }
            if add {
                o.put("<role>ASSISTANT</role>")
                if self == .bailingThink { o.put("<think>") }
            }
        case .bailing2:
            if !(chat.first?.is("system") ?? false) { o.put("<role>SYSTEM</role>detailed thinking off<|role_end|>") }
            for m in chat { o.put("<role>", bailingRole(m), "</role>", m.content, "<|role_end|>") }
            if add { o.put("<role>ASSISTANT</role>") }
        case .llama4:
            for m in chat { o.put("<|header_start|>", m.role, "<|header_end|>\n\n", trim(m.content), "<|eot|>") }
            if add { o.put("<|header_start|>assistant<|header_end|>\n\n") }
        case .smolvlm:
            o.put("<|im_start|>")
            for m in chat {
                if m.is("system") { o.put(m.content, "\n\n") }
                else if m.is("user") { o.put("User: ", m.content, "<end_of_utterance>\n") }
                else { o.put("Assistant: ", m.content, "<end_of_utterance>\n") }
            }
            if add { o.put("Assistant:") }
        case .dots1:
            for m in chat {
                if m.is("system") { o.put("<|system|>", m.content, "<|endofsystem|>") }
                else if m.is("user") { o.put("<|userprompt|>", m.content, "<|endofuserprompt|>") }
                else { o.put("<|response|>", m.content, "<|endofresponse|>") }
            }
            if add { o.put("<|response|>") }
        case .hunyuanMoE:
            for m in chat {
                if m.is("system") { o.put("<|startoftext|>", m.content, "<|extra_4|>") }
                else if m.is("assistant") { o.put(m.content, "<|eos|>") }
                else { o.put("<|startoftext|>", m.content, "<|extra_0|>") }
            }
        case .gptOSS:
            for m in chat {
                o.put("<|start|>", m.role, "<|message|>", m.content, (m.is("assistant") ? "<|return|>" : "<|end|>"))
            }
            if add { o.put("<|start|>assistant") }
        case .hunyuanDense:
            for (i, m) in chat.enumerated() {
                if i == 0 && m.is("system") { o.put(m.content, "<｜hy_place▁holder▁no▁3｜>") }
                if m.is("assistant") { o.put("<｜hy_Assistant｜>", m.content, "<｜hy_place▁holder▁no▁2｜>") }
                else if m.is("user") { o.put("<｜hy_User｜>", m.content, "<｜hy_Assistant｜>") }
            }
        case .hunyuanVL:
            o.put("<｜hy_begin▁of▁sentence｜>")
            for (i, m) in chat.enumerated() {
                if i == 0 && m.is("system") { o.put(m.content, "<｜hy_place▁holder▁no▁3｜>"); continue }
                if m.is("user") { o.put(m.content, "<｜hy_User｜>") }
                else if m.is("assistant") { o.put(m.content, "<｜hy_Assistant｜>") }
            }
        case .kimiK2:
            for m in chat {
                if m.is("system") { o.put("<|im_system|>system<|im_middle|>") }
                else if m.is("user") { o.put("<|im_user|>user<|im_middle|>") }
                else if m.is("assistant") { o.put("<|im_assistant|>assistant<|im_middle|>") }
                else if m.is("tool") { o.put("<|im_system|>tool<|im_middle|>") }
                o.put(m.content, "<|im_end|>")
            }
            if add { o.put("<|im_assistant|>assistant<|im_middle|>") }
        case .seedOSS:
            for m in chat { o.put("<seed:bos>", m.role, "\n", (m.is("assistant") ? trim(m.content) : m.content), "<seed:eos>") }
            if add { o.put("<seed:bos>assistant\n") }
        case .grok2:
            for m in chat {
                if m.is("system") { o.put("System: ", trim(m.content), "<|separator|>\n\n") }
                else if m.is("user") { o.put("Human: ", trim(m.content), "<|separator|>\n\n") }
                else if m.is("assistant") { o.put("Assistant: ", m.content, "<|separator|>\n\n") }
            }
            if add { o.put("Assistant:") }
        case .panguEmbedded:
            for (i, m) in chat.enumerated() {
                if i == 0 && !m.is("system") { o.put("[unused9]系统：[unused10]") }
                let label = m.is("system") ? "系统" : m.is("user") ? "用户" : m.is("assistant") ? "助手"
                    : m.is("tool") ? "工具" : m.is("function") ? "方法" : nil
                if let label { o.put("[unused9]", label, "：", m.content, "[unused10]") }
            }
            if add { o.put("[unused9]助手：") }
        case .solarOpen:
            for m in chat { o.put("<|begin|>", m.role, "<|content|>", m.content, "<|end|>") }
            if add { o.put("<|begin|>assistant") }
        }
        return o.bytes
    }

    /// Bailing's role: `user` becomes HUMAN, any other role upper-cased (ASCII, as `toupper` in the C locale).
    private func bailingRole(_ m: Msg) -> [UInt8] {
        m.is("user") ? Array("HUMAN".utf8) : m.role.map(asciiUpper)
    }
}

/// A message as llama.cpp sees it: C strings (cut at the first NUL), compared byte for byte.
struct Msg {
    let role: [UInt8]
    let content: [UInt8]
    init(_ m: ChatMessage) {
        role = Array(m.role.utf8.prefix { $0 != 0 })
        content = Array(m.content.utf8.prefix { $0 != 0 })
    }
    func `is`(_ r: String) -> Bool { role.elementsEqual(r.utf8) }
}

/// The output buffer (llama.cpp's `std::stringstream`).
final class Out {
    var bytes: [UInt8] = []
    /// Appends the pieces in order.
    func put(_ pieces: any Piece...) { for p in pieces { p.append(to: &bytes) } }
}

/// Text appended to the output: a Swift string (its UTF-8) or raw bytes.
protocol Piece { func append(to bytes: inout [UInt8]) }
extension String: Piece { func append(to bytes: inout [UInt8]) { bytes += utf8 } }
extension Array: Piece where Element == UInt8 { func append(to bytes: inout [UInt8]) { bytes += self } }

/// llama-chat.cpp's `trim`: drops `isspace` bytes (C locale: space, \t, \n, \v, \f, \r) at both ends.
func trim(_ s: [UInt8]) -> [UInt8] {
    func space(_ c: UInt8) -> Bool { c == 0x20 || (0x09 ... 0x0D).contains(c) }
    var a = 0, b = s.count
    while a < b && space(s[a]) { a += 1 }
    while b > a && space(s[b - 1]) { b -= 1 }
    return Array(s[a ..< b])
}

/// `toupper` in the C locale: ASCII letters only.
func asciiUpper(_ c: UInt8) -> UInt8 { (0x61 ... 0x7A).contains(c) ? c - 0x20 : c }
