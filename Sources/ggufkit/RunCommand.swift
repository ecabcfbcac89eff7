import ArgumentParser
import Foundation
import GGUFChat
import GGUFIO
import GGUFModel
import GGUFRunner
import GGUFTokenizer

/// Options shared by `run` and `perplexity`: the model, threads, context, and GGML-file hyper-parameters.
struct ModelOptions: ParsableArguments {
    @Argument(help: "The model: a GGUF file, or a GGML-era .bin (give --gqa/--eps as for convert).") var model: String
    @Option(name: [.customShort("t"), .customLong("threads")], help: "Threads. Default: all cores.")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount
    @Option(name: [.customShort("c"), .customLong("ctx-size")], help: "Context size in tokens. Default (0): the model's training context.")
    var contextSize: Int = 0
    @Option(name: .customLong("rope-freq-base"), help: "RoPE frequency base. Default: from the model.")
    var ropeFreqBase: Double?
    @Option(name: .customLong("rope-freq-scale"), help: "RoPE linear frequency scale. Default: from the model.")
    var ropeFreqScale: Double?
    @Option(help: "GGML files: grouped-query factor n_head/n_head_kv. Default: detected.") var gqa: Int?
    @Option(help: "GGML files: RMS-norm epsilon. Default: 5e-6.") var eps: Double?

    func load() throws -> (LlamaModel, Session) {
        var o = ConvertOptions()
        o.gqa = gqa
        o.eps = eps
        let model: LlamaModel
        do { model = try LlamaModel(path: self.model, ggml: o) } catch let e as RunnerError {
            // Name the file in the one-line error.
            throw ModelError(e.isUsage ? .usage : .badData, "\(self.model): \(e)")
        }
        if let b = ropeFreqBase { model.hparams.ropeFreqBase = Float(b) }
        if let s = ropeFreqScale { model.hparams.ropeFreqScale = Float(s) }
        let session = try Session(model: model, contextSize: contextSize > 0 ? contextSize : nil, threads: threads)
        return (model, session)
    }
}

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate text with a llama, qwen2, qwen3 or qwen3moe model (llama.cpp's flags).",
        discussion: """
        The prompt is tokenized as llama-completion does: BOS when the vocabulary's add_bos_token says so, \
        special tokens in the text (e.g. <|im_start|>) parsed; SPM and BPE vocabularies. Generation stops at \
        any end-of-generation token (EOS, EOT, ...). Output streams as it is generated; speeds go to stderr at the \
        end. --temp 0 is greedy (first argmax). --tokens and --logits-out give exact comparisons: \
        `run M --tokens 1,325,283 -n 0 --logits-out l.npy` writes float32 [tokens, vocab]. \
        -cnv is llama-completion's conversation mode (without --jinja): the model's tokenizer.chat_template (or \
        --chat-template NAME) as llama.cpp's built-in templates format it, -sys as the system message, one user \
        turn per line of standard input (escapes such as \\n processed), replies streamed, the KV cache kept \
        between turns; Ctrl-D ends.
        """
    )

    @OptionGroup var modelOptions: ModelOptions
    @Option(name: [.customShort("p"), .customLong("prompt")], help: "The prompt.") var prompt: String?
    @Option(name: [.customShort("f"), .customLong("file")], help: "Read the prompt from a file.") var file: String?
    @Option(name: .customLong("tokens"), help: "The prompt as token ids, comma-separated (no BOS added).") var tokens: String?
    @Option(name: [.customShort("n"), .customLong("n-predict")], help: "Tokens to generate (-1: until EOS or the context is full).")
    var nPredict: Int = -1
    @Option(name: .customLong("temp"), help: "Temperature (0: greedy).") var temp: Float = 0.8
    @Option(name: .customLong("top-k"), help: "Top-k (0: off).") var topK: Int = 40
    @Option(name: .customLong("top-p"), help: "Top-p (1: off).") var topP: Float = 0.95
    @Option(name: .customLong("min-p"), help: "Min-p (0: off).") var minP: Float = 0.05
    @Option(name: .customLong("repeat-penalty"), help: "Repeat penalty (1: off).") var repeatPenalty: Float = 1.0
    @Option(name: .customLong("repeat-last-n"), help: "Tokens the repeat penalty looks back over (-1: context).") var repeatLastN: Int = 64
    @Option(name: [.customShort("s"), .customLong("seed")], help: "Random seed (default: random).") var seed: UInt64?
    @Option(name: .customLong("template"), help: "Prompt template: none or alpaca.") var template: String = "none"
    @Flag(name: [.customShort("i"), .customLong("interactive")], help: "After each reply, read another prompt from stdin (same context).")
    var interactive = false
    @Flag(name: [.customLong("cnv", withSingleDash: true), .customLong("conversation")],
          help: "Conversation mode: chat with the model's chat template, one user turn per line of stdin.")
    var conversation = false
    @Option(name: [.customLong("sys", withSingleDash: true), .customLong("system-prompt")], help: ArgumentHelp("Conversation mode: the system message.", valueName: "text"))
    var systemPrompt: String?
    @Option(name: .customLong("chat-template"),
            help: ArgumentHelp("Conversation mode: a llama.cpp built-in template name (chatml, llama3, gemma, ...) or a template text. Default: the model's.",
                               valueName: "name"))
    var chatTemplate: String?
    @Flag(name: .customLong("color"), help: "Color the prompt and the input.") var color = false
    @Flag(name: .customLong("ignore-eos"), help: "Never generate end-of-generation tokens (llama.cpp: a -inf logit bias on them).") var ignoreEOS = false
    @Flag(name: .customLong("no-display-prompt"), help: "Do not echo the prompt.") var noDisplayPrompt = false
    @Flag(name: .customLong("verbose-prompt"), help: "Conversation mode: print the ids of each input (opening, user turns) and reply to stderr.")
    var verbosePrompt = false
    @Option(name: .customLong("logits-out"), help: "Write the logits of every evaluated token as float32 .npy [tokens, vocab].")
    var logitsOut: String?

    func run() throws {
        try runReportingErrors {
            guard let tpl = PromptTemplate(rawValue: template) else {
                throw RunnerError.usage("unknown template '\(template)' (none, alpaca)")
            }
            if conversation {
                guard tpl == .none, tokens == nil, logitsOut == nil else {
                    throw RunnerError.usage("-cnv formats turns with the chat template: not with --template, --tokens or --logits-out")
                }
            } else if systemPrompt != nil || chatTemplate != nil {
                throw RunnerError.usage("-sys and --chat-template are for conversation mode (-cnv)")
            }
            let (model, session) = try modelOptions.load()
            let tok = model.tokenizer
            writeStderr("\(model.path): \(model.summary)\n")
            var params = SamplingParameters()
            params.temperature = temp
            params.topK = topK
            params.topP = topP
            params.minP = minP
            params.repeatPenalty = repeatPenalty
            params.repeatLastN = repeatLastN == -1 ? session.contextSize : repeatLastN
            params.seed = seed ?? UInt64.random(in: 0 ... UInt64(UInt32.max))
            var sampler = Sampler(params)
            let eog = tok.vocabulary.endOfGenerationIDs
            // --ignore-eos as llama.cpp: a -inf logit bias on every end-of-generation token (unless there is no EOS)
            let banEOG = ignoreEOS && tok.vocabulary.eosID != nil
            if conversation {
                try converse(model: model, session: session, sampler: &sampler, banEOG: banEOG)
                return
            }

            var promptIDs: [Int32]
            if let tokens {
                promptIDs = try tokens.split(separator: ",").map { s throws in
                    guard let v = Int32(s.trimmingCharacters(in: .whitespaces)) else { throw RunnerError.usage("--tokens: '\(s)' is not a token id") }
                    return v
                }
            } else {
                var text = prompt ?? ""
                if let file {
                    guard let d = FileManager.default.contents(atPath: file) else { throw RunnerError.usage("\(file): cannot read") }
                    text = String(decoding: d, as: UTF8.self)
                }
                // llama-completion: common_tokenize(ctx, prompt, add_special: true, parse_special: true)
                promptIDs = tok.tokenize(tpl.wrap(text), addSpecial: true, parseSpecial: true)
            }
            if promptIDs.isEmpty, tok.vocabulary.addBOS { promptIDs = tok.vocabulary.bosID.map { [$0] } ?? [] }
            guard !promptIDs.isEmpty else { throw RunnerError.usage("empty prompt") }
            guard promptIDs.count <= session.contextSize else {
                throw RunnerError.contextFull(needed: promptIDs.count, context: session.contextSize)
            }

            let out = StreamOut(color: color)
            var allLogits: [Float] = []
            let keepLogits = logitsOut != nil
            var stats = Stats()
            var firstTurn = true
            var pending: Int32?   // sampled and shown but not yet evaluated (the -n limit hit)
            var ids = promptIDs
            var detok = Detokenizer(tokenizer: tok)   // streams text exactly as detokenize(all ids)
            while true {
                // Evaluate the new input.
                if !noDisplayPrompt || !firstTurn {
                    out.write(ids.map { detok.append($0) }.joined(), style: firstTurn ? .prompt : .input)
                } else {
                    for t in ids { _ = detok.append(t) }
                }
                let t0 = Date()
                var logits = try session.evaluate((pending.map { [$0] } ?? []) + ids, allLogits: keepLogits)
                stats.promptTokens += ids.count
                stats.promptSeconds += Date().timeIntervalSince(t0)
                for t in ids { sampler.accept(t) }
                if keepLogits {
                    allLogits += logits
                    logits = Array(logits.suffix(model.hparams.vocabularySize))
                }
                // Generate.
                var produced = 0
                pending = nil
                let t1 = Date()
                while nPredict < 0 || produced < nPredict {
                    if banEOG { for t in eog where Int(t) < logits.count { logits[Int(t)] = -.infinity } }
                    let next = sampler.sample(logits)
                    sampler.accept(next)
                    produced += 1
                    if eog.contains(next) && !banEOG { pending = interactive ? next : nil; break }
                    out.write(detok.append(next), style: .output)
                    if session.remaining == 0 { writeStderr("\n[context full: \(session.contextSize) tokens]\n"); break }
                    if nPredict >= 0 && produced == nPredict { pending = next; break }
                    logits = try session.evaluate([next])
                    if keepLogits { allLogits += logits }
                }
                stats.genTokens += produced
                stats.genSeconds += Date().timeIntervalSince(t1)
                out.flush()
                guard interactive else { break }
                out.write("\n> ", style: .plain)
                out.flush()
                guard let line = readLine(strippingNewline: true) else { break }
                firstTurn = false
                ids = tok.tokenize(tpl.wrap(line, first: false), addSpecial: false)
                if ids.isEmpty { continue }
                let needed = ids.count + (pending == nil ? 0 : 1)
                guard needed <= session.remaining else {
                    throw RunnerError.contextFull(needed: session.cache.count + needed, context: session.contextSize)
                }
            }
            out.write(detok.finish() + "\n", style: .plain)
            out.flush()
            if let logitsOut {
                let nv = model.hparams.vocabularySize
                try NPY.write(allLogits, shape: [allLogits.count / nv, nv], to: logitsOut)
            }
            writeStderr(stats.report())
        }
    }


    /// `-cnv`: llama-completion's conversation mode without --jinja (tools/completion): the opening (system
    /// message, and -p as a first user turn) tokenized with BOS, then per line of stdin the new part of the
    /// formatted conversation, evaluated after the previous reply's last token; replies stream until an
    /// end-of-generation token, -n tokens or a full context.
    private func converse(model: LlamaModel, session: Session, sampler: inout Sampler, banEOG: Bool) throws {
        let tok = model.tokenizer
        let template: ChatTemplate
        do { template = try model.chatTemplate(override: chatTemplate) } catch {
            throw RunnerError.usage(chatTemplate == nil ? "\(model.path): \(error)" : "--chat-template: \(error)")
        }
        writeStderr("chat template: \(template.name ?? "dots1")\n")
        var first = prompt ?? ""
        if let file {
            guard let d = FileManager.default.contents(atPath: file) else { throw RunnerError.usage("\(file): cannot read") }
            first = String(decoding: d, as: UTF8.self)
        }
        var chat = ChatPrompt(template: template, tokenizer: tok)
        var ids = chat.start(system: systemPrompt ?? "", prompt: String(decoding: Tokenize.processEscapes(Array(first.utf8)), as: UTF8.self))
        var answer = !first.isEmpty
        let eog = tok.vocabulary.endOfGenerationIDs
        let out = StreamOut(color: color)
        var detok = Detokenizer(tokenizer: tok)
        var stats = Stats()
        var pending: [Int32] = []   // the last reply's last token (or its end token): evaluated with the next turn
        var opening = true
        conversation: while true {
            guard pending.count + ids.count <= session.remaining else {
                throw RunnerError.contextFull(needed: session.cache.count + pending.count + ids.count, context: session.contextSize)
            }
            if verbosePrompt { writeStderr("input: \(ids)\n") }
            // llama-completion echoes the opening (special tokens as empty text), not the user's turns
            let shown = ids.map { detok.append($0) }.joined()
            if opening && !noDisplayPrompt { out.write(shown, style: .prompt) }
            opening = false
            let t0 = Date()
            var logits = try session.evaluate(pending + ids)
            stats.promptTokens += pending.count + ids.count
            stats.promptSeconds += Date().timeIntervalSince(t0)
            for t in ids { sampler.accept(t) }
            pending = []
            if answer {
                var reply: [Int32] = []
                let t1 = Date()
                while nPredict < 0 || reply.count < nPredict {
                    if banEOG { for t in eog where Int(t) < logits.count { logits[Int(t)] = -.infinity } }
                    let next = sampler.sample(logits)
                    sampler.accept(next)
                    stats.genTokens += 1
                    if eog.contains(next) && !banEOG {
                        // the reply joins the history; its end token is evaluated with the next turn
                        chat.assistant(reply)
                        pending = [next]
                        out.write("\n", style: .plain)
                        break
                    }
                    reply.append(next)
                    out.write(detok.append(next), style: .output)
                    if session.remaining == 0 {
                        writeStderr("\n[context full: \(session.contextSize) tokens]\n")
                        stats.genSeconds += Date().timeIntervalSince(t1)
                        break conversation
                    }
                    // -n reached: llama-completion gives the turn back without recording the reply
                    if nPredict >= 0 && reply.count == nPredict { pending = [next]; break }
                    logits = try session.evaluate([next])
                }
                stats.genSeconds += Date().timeIntervalSince(t1)
                if verbosePrompt { writeStderr("\nreply: \(reply + pending.filter { eog.contains($0) })\n") }
            }
            // Next user turn: one line (Ctrl-D ends); empty lines are skipped.
            var line = ""
            while line.isEmpty {
                out.write("\n> ", style: .plain)
                guard let l = readLine(strippingNewline: false) else { break conversation }
                var b = Array(l.utf8)
                if b.last == 0x0A { b.removeLast() }
                line = String(decoding: b, as: UTF8.self)
            }
            // a terminal shows what was typed; piped input is echoed, as llama-completion does
            if isatty(0) == 0 { out.write(line + "\n", style: .input) }
            sampler.reset()
            ids = chat.user(String(decoding: Tokenize.processEscapes(Array(line.utf8)), as: UTF8.self))
            answer = true
        }
        out.write(detok.finish() + "\n", style: .plain)
        writeStderr(stats.report())
    }
}

/// Timings for the end-of-run line.
struct Stats {
    var promptTokens = 0, genTokens = 0
    var promptSeconds = 0.0, genSeconds = 0.0
    func report() -> String {
        func rate(_ n: Int, _ s: Double) -> String { s > 0 ? String(format: "%.2f", Double(n) / s) : "-" }
        return String(format: "prompt: %d tokens in %.3f s (%@ tok/s); generation: %d tokens in %.3f s (%@ tok/s)\n",
                      promptTokens, promptSeconds, rate(promptTokens, promptSeconds) as NSString,
                      genTokens, genSeconds, rate(genTokens, genSeconds) as NSString)
    }
}

/// Writes text to stdout as it comes, optionally colored.
struct StreamOut {
    enum Style { case prompt, input, output, plain }
    let color: Bool
    func write(_ s: String, style: Style) {
        guard !s.isEmpty else { return }
        var text = s
        if color {
            switch style {
            case .prompt: text = "\u{1B}[33m" + s + "\u{1B}[0m"
            case .input: text = "\u{1B}[32m" + s + "\u{1B}[0m"
            case .output, .plain: break
            }
        }
        FileHandle.standardOutput.write(Data(text.utf8))
    }
    func flush() {}
}
