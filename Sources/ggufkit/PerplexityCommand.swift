import ArgumentParser
import Foundation
import GGUFIO
import GGUFRunner

struct Perplexity: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Perplexity of a text, as llama-perplexity computes it.",
        discussion: """
        The text is tokenized with BOS and cut into chunks of -c tokens; each chunk starts from an empty \
        context with its first token replaced by BOS, and its second half is scored. --save-logits writes \
        the scored logits (float32 .npy); --kl-base reads such a file (of a base model, e.g. F16) and \
        reports the KL divergence and top-token agreement against it.
        """
    )

    @OptionGroup var modelOptions: ModelOptions
    @Option(name: [.customShort("f"), .customLong("file")], help: "The text.") var file: String
    @Option(name: .customLong("chunks"), help: "Stop after this many chunks (default: all).") var chunks: Int?
    @Option(name: .customLong("save-logits"), help: "Write the scored logits as float32 .npy [rows, vocab].") var saveLogits: String?
    @Option(name: .customLong("kl-base"), help: "Base logits (.npy from --save-logits) for KL divergence.") var klBase: String?

    func run() throws {
        try runReportingErrors {
            var mo = modelOptions
            if mo.contextSize == 0 { mo.contextSize = 512 }   // llama-perplexity's default -c
            let (model, session) = try mo.load()
            guard let d = FileManager.default.contents(atPath: file) else { throw RunnerError.usage("\(file): cannot read") }
            let tokens = model.tokenizer.tokenize(bytes: [UInt8](d), addSpecial: true)
            guard tokens.count >= 2 * session.contextSize else {
                throw RunnerError.usage("\(file): \(tokens.count) tokens; perplexity with a context of \(session.contextSize) needs at least \(2 * session.contextSize) (use a longer text or a smaller -c)")
            }
            writeStderr("\(model.path): \(model.summary)\n")
            var base: [Float]?
            if let klBase {
                let (v, shape) = try NPY.read(klBase)
                guard shape.count == 2, shape[1] == model.hparams.vocabularySize else {
                    throw RunnerError.usage("\(klBase): shape \(shape) is not [rows, \(model.hparams.vocabularySize)]")
                }
                base = v
            }
            let start = Date()
            writeStderr("\(tokens.count) tokens, \(tokens.count / session.contextSize) chunks of \(session.contextSize)\n")
            let r = try session.perplexity(tokens: tokens, maxChunks: chunks, keepLogits: saveLogits != nil, base: base) { i, _, run in
                var s = String(format: "[%d]%.4f,", i + 1, run.chunks.last!.runningPPL)
                if let kl = run.chunks.last!.runningKL { s += String(format: " KL %.6f", kl) }
                writeStdout(s + (i % 8 == 7 ? "\n" : " "))
            }
            writeStdout("\n")
            writeStdout(String(format: "Final estimate: PPL = %.4f +/- %.5f\n", r.ppl, r.pplError))
            if base != nil {
                writeStdout(String(format: "Mean KLD: %.6f   Same top token: %.2f %%\n", r.meanKL, 100 * Double(r.sameTop) / Double(max(r.klCount, 1))))
            }
            if let saveLogits {
                let nv = model.hparams.vocabularySize
                try NPY.write(r.savedLogits, shape: [r.savedLogits.count / nv, nv], to: saveLogits)
            }
            let secs = Date().timeIntervalSince(start)
            writeStderr(String(format: "%d chunks, %d tokens evaluated in %.2f s (%.1f tok/s)\n",
                               r.chunks.count, r.chunks.count * session.contextSize, secs,
                               Double(r.chunks.count * session.contextSize) / max(secs, 1e-9)))
        }
    }
}

/// Writes to stdout unbuffered (progress lines appear at once).
func writeStdout(_ s: String) { FileHandle.standardOutput.write(Data(s.utf8)) }
