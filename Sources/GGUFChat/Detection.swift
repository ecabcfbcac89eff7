extension ChatTemplate {
    /// llama.cpp's `llm_chat_detect_template`: `text` as a name first, then the first rule below whose
    /// marker strings the text contains (byte-exact search, in llama.cpp's order); nil when none matches.
    public static func detect(_ text: String) -> ChatTemplate? {
        if let named = ChatTemplate(name: text) { return named }
        let t = Array(text.utf8)
        func has(_ s: String) -> Bool { t.containsBytes(Array(s.utf8)) }

        if has("<|im_start|>") {
            // SmolVLM uses <|im_start|> as BOS, but it is not chatml
            return has("<|im_sep|>") ? .phi4 : has("<end_of_utterance>") ? .smolvlm : .chatml
        } else if t.starts(with: Array("mistral".utf8)) || has("[INST]") {
            if has("[SYSTEM_PROMPT]") {
                return .mistralV7
            } else if has("' [INST] ' + system_message") || has("[AVAILABLE_TOOLS]") {
                // Mistral's official v1, v3 and v3-tekken templates
                if has(" [INST]") { return .mistralV1 }
                if has("\"[INST]\"") { return .mistralV3Tekken }
                return .mistralV3
            } else {
                // llama2 and its variants
                if has("content.strip()") { return .llama2SysStrip }
                if has("bos_token + '[INST]") { return .llama2SysBOS }
                if has("<<SYS>>") { return .llama2Sys }
                return .llama2
            }
        } else if has("<|assistant|>") && has("<|end|>") {
            return .phi3
        } else if has("[gMASK]<sop>") {
            return .chatglm4
        } else if has("<|assistant|>") && has("<|user|>") {
            if has("<|tool_declare|>") { return .exaoneMoE }
            return has("</s>") ? .falcon3 : .glmEdge
        } else if has("<|{{ item['role'] }}|>") && has("<|begin_of_image|>") {
            return .glmEdge
        } else if has("<|user|>") && has("<|endoftext|>") {
            return .zephyr
        } else if has("bos_token + message['role']") {
            return .monarch
        } else if has("<start_of_turn>") {
            return .gemma
        } else if has(#"'\n\nAssistant: ' + eos_token"#) {
            return .orion
        } else if has("GPT4 Correct ") {
            return .openchat
        } else if has("USER: ") && has("ASSISTANT: ") {
            return has("SYSTEM: ") ? .vicunaOrca : .vicuna
        } else if has("### Instruction:") && has("<|EOT|>") {
            return .deepseek
        } else if has("<|START_OF_TURN_TOKEN|>") && has("<|USER_TOKEN|>") {
            return .commandR
        } else if has("<|start_header_id|>") && has("<|end_header_id|>") {
            return .llama3
        } else if has("[gMASK]sop") {
            return .chatglm3
        } else if has("<用户>") {
            return .minicpm
        } else if has("'Assistant: ' + message['content'] + eos_token") {
            return .deepseek2
        } else if has("<｜Assistant｜>") && has("<｜User｜>") && has("<｜end▁of▁sentence｜>") {
            return .deepseek3
        } else if has("[|system|]") && has("[|assistant|]") && has("[|endofturn|]") {
            return has("[|tool|]") ? .exaone4 : .exaone3
        } else if has("rwkv-world") || has(#"{{- 'User: ' + message['content']|trim + '\n\n' -}}"#) {
            return .rwkvWorld
        } else if has("<|start_of_role|>") {
            if has("<tool_call>") || has("<tools>") {
                return has("g4_default_system_message") ? .granite40 : .granite41
            }
            return .granite3
        } else if has("message['role'] + additional_special_tokens[0] + message['content'] + additional_special_tokens[1]") {
            return .gigachat
        } else if has("<|role_start|>") {
            return .megrez
        } else if has(" Ассистент:") {
            return .yandex
        } else if has("<role>ASSISTANT</role>") && has("'HUMAN'") {
            return .bailing
        } else if has("<role>ASSISTANT</role>") && has("\"HUMAN\"") && has("<think>") {
            return .bailingThink
        } else if has("<role>ASSISTANT</role>") && has("<role>HUMAN</role>") && has("<|role_end|>") {
            return .bailing2
        } else if has("<|header_start|>") && has("<|header_end|>") {
            return .llama4
        } else if has("<|endofuserprompt|>") {
            return .dots1
        } else if has("<|extra_0|>") && has("<|extra_4|>") {
            return .hunyuanMoE
        } else if has("<|start|>") && has("<|channel|>") {
            return .gptOSS
        } else if has("<｜hy_Assistant｜>") && has("<｜hy_begin▁of▁sentence｜>") {
            return .hunyuanVL
        } else if has("<｜hy_Assistant｜>") && has("<｜hy_place▁holder▁no▁3｜>") {
            return .hunyuanDense
        } else if has("<|im_assistant|>assistant<|im_middle|>") {
            return .kimiK2
        } else if has("<seed:bos>") {
            return .seedOSS
        } else if has("'Assistant: '  + message['content'] + '<|separator|>") {
            return .grok2
        } else if has("[unused9]系统：[unused10]") {
            return .panguEmbedded
        } else if has("<|begin|>") && has("<|end|>") && has("<|content|>") {
            return .solarOpen
        }
        return nil
    }
}

extension Array where Element == UInt8 {
    /// Whether `needle` occurs in these bytes (`std::string::find != npos`; an empty needle always does).
    func containsBytes(_ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty else { return true }
        guard needle.count <= count else { return false }
        let first = needle[0]
        var i = 0
        let last = count - needle.count
        return withUnsafeBufferPointer { h in
            needle.withUnsafeBufferPointer { n in
                while i <= last {
                    if h[i] == first && memcmpEqual(h.baseAddress! + i, n.baseAddress!, n.count) { return true }
                    i += 1
                }
                return false
            }
        }
    }
}

@inline(__always)
private func memcmpEqual(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ n: Int) -> Bool {
    for k in 0..<n where a[k] != b[k] { return false }
    return true
}
