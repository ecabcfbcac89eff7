/// Templates that wrap a prompt.
public enum PromptTemplate: String, Sendable, CaseIterable {
    case none, alpaca

    /// The text of one user turn; `first` is the start of the conversation.
    public func wrap(_ prompt: String, first: Bool = true) -> String {
        switch self {
        case .none: return prompt
        case .alpaca:
            let head = first ? "Below is an instruction that describes a task. Write a response that appropriately completes the request.\n\n" : "\n\n"
            return head + "### Instruction:\n\(prompt)\n\n### Response:\n"
        }
    }
}

extension Session {
    /// Greedy continuation (first argmax) of `prompt` (token ids, BOS included if wanted): evaluates the
    /// prompt in one batch, then one token at a time, stopping after `count` tokens or at an
    /// end-of-generation token (the vocabulary's EOG set: EOS, EOT, EOM, ... as `llama_vocab_is_eog`).
    public func greedy(prompt: [Int32], count: Int, stopAtEOS: Bool = true) throws(RunnerError) -> [Int32] {
        var logits = try evaluate(prompt)
        var out: [Int32] = []
        let eog = model.tokenizer.vocabulary.endOfGenerationIDs
        while out.count < count {
            let t = Sampler.argmax(logits)
            out.append(t)
            if stopAtEOS && eog.contains(t) { break }
            if out.count == count { break }
            logits = try evaluate([t])
        }
        return out
    }
}
