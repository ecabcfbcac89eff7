import ArgumentParser
import Foundation
import GGUFIO
import GGUFModel
import GGUFRunner

struct Imatrix: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compute an importance matrix, as llama-imatrix does.",
        discussion: """
        The text (-f) is tokenized with BOS and cut into chunks of -c tokens (default 512; --chunk N skips the \
        first N); each chunk is evaluated from an empty context with its first token replaced by BOS, and the \
        squared inputs of every matrix multiplication are summed per column: weights named blk.* in batches of \
        16+ tokens, each expert of an MoE tensor separately, output.weight with --process-output. The running \
        perplexity of each chunk's second half is printed as llama-imatrix prints it. The file (-o, default \
        imatrix.gguf) is written in llama-imatrix's GGUF or legacy .dat format every --output-frequency chunks \
        and at the end; --save-frequency N also keeps a copy OUT.at_N every N chunks. --in-file adds existing \
        imatrix files (a legacy .dat's values and count scaled by the chunk size, as llama-imatrix does); \
        without -f they are only combined. --show-statistics prints the statistics of one --in-file.
        """
    )

    @Argument(help: "The model (GGUF). Not needed to combine or inspect files.") var model: String?
    @Option(name: [.customShort("f"), .customLong("file")], help: "The calibration text.") var file: String?
    @Option(name: [.customShort("o"), .customLong("output")], help: "The imatrix file to write.") var output = "imatrix.gguf"
    @Option(name: .customLong("output-format"), help: "gguf or dat (legacy). Default: gguf.") var outputFormat = "gguf"
    @Option(name: [.customShort("c"), .customLong("ctx-size")], help: "Tokens per chunk.") var contextSize = 512
    @Option(name: .customLong("chunks"), help: "Stop after this many chunks (default: all).") var chunks: Int?
    @Option(name: .customLong("chunk"), help: "Start at this chunk (skip the text's first N chunks).") var firstChunk = 0
    @Flag(name: .customLong("process-output"), help: "Collect output.weight too.") var processOutput = false
    @Flag(name: .customLong("no-ppl"), help: "Do not compute the perplexity.") var noPPL = false
    @Option(name: .customLong("in-file"), help: "An imatrix file (GGUF or .dat) to add (repeatable).") var inFiles: [String] = []
    @Option(name: [.customLong("output-frequency"), .customLong("ofreq", withSingleDash: true)],
            help: "Write the file every N chunks.") var outputFrequency = 10
    @Option(name: .customLong("save-frequency"), help: "Keep a copy OUT.at_N every N chunks (0: never).") var saveFrequency = 0
    @Flag(name: .customLong("parse-special"), help: "Parse special tokens in the text.") var parseSpecial = false
    @Flag(name: .customLong("show-statistics"), help: "Print the statistics of the one --in-file and exit.") var showStatistics = false
    @Option(name: [.customShort("t"), .customLong("threads")], help: "Threads. Default: all cores.")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount
    @Flag(help: "Overwrite the output file.") var force = false

    func run() throws {
        try runReportingErrors {
            guard let format = ImatrixFile.Format(rawValue: outputFormat) else {
                throw RunnerError.usage("--output-format: expected gguf or dat, not \(outputFormat)")
            }
            guard contextSize > 0 else { throw RunnerError.usage("-c: the context size must be positive, not \(contextSize)") }
            guard outputFrequency > 0 else { throw RunnerError.usage("--output-frequency must be positive, not \(outputFrequency)") }
            guard saveFrequency >= 0, firstChunk >= 0 else { throw RunnerError.usage("--save-frequency and --chunk must not be negative") }
            let collector = ImatrixCollector(chunkSize: contextSize, processOutput: processOutput)
            if showStatistics {
                guard inFiles.count == 1 else { throw RunnerError.usage("--show-statistics needs exactly one --in-file") }
                try collector.load(try ImatrixFile.read(path: inFiles[0]))
                let lines = ImatrixStatistics(collector.stats).report(file: inFiles[0])
                guard !lines.isEmpty else { throw RunnerError.usage("\(inFiles[0]): no statistics to compute") }
                writeStdout(lines)
                return
            }
            try AtomicOutput.checkDestination(output, force: force, inputs: inFiles + [model, file].compactMap { $0 })
            for f in inFiles {
                writeStderr("loading imatrix from '\(f)'\n")
                try collector.load(try ImatrixFile.read(path: f))
            }
            func save(_ suffix: String = "") throws {
                try ImatrixFile.write(collector.matrix(dataset: file), format: format, to: output + suffix, force: true)
            }
            guard let file else {
                guard !inFiles.isEmpty else { throw RunnerError.usage("give a text (-f) or imatrix files to combine (--in-file)") }
                try save()
                writeStderr("combined \(inFiles.count) file(s) into '\(output)'\n")
                return
            }
            guard let model else { throw RunnerError.usage("give the model to compute an imatrix with -f") }
            var mo = try ModelOptions.parse([model, "-c", String(contextSize), "-t", String(threads)])
            mo.contextSize = contextSize
            guard var bytes = FileManager.default.contents(atPath: file).map({ [UInt8]($0) }) else {
                throw RunnerError.usage("\(file): cannot read")
            }
            if bytes.last == 0x0A { bytes.removeLast() }   // as llama.cpp's -f
            let (lm, session) = try mo.load()
            writeStderr("\(lm.path): \(lm.summary)\n")
            var tokens = lm.tokenizer.tokenize(bytes: bytes, addSpecial: true, parseSpecial: parseSpecial)
            if firstChunk > 0 {
                guard (firstChunk + 2) * contextSize < tokens.count else {
                    throw RunnerError.usage("\(file): \(tokens.count) tokens; not enough left after skipping \(firstChunk) chunks of \(contextSize)")
                }
                tokens.removeFirst(firstChunk * contextSize)
            }
            guard tokens.count >= 2 * contextSize else {
                throw RunnerError.usage("\(file): \(tokens.count) tokens; a context of \(contextSize) needs at least \(2 * contextSize) (use a longer text or a smaller -c)")
            }
            var nChunk = tokens.count / contextSize
            if let chunks, chunks >= 0 { nChunk = min(nChunk, chunks) }
            writeStderr("computing over \(nChunk) chunks, n_ctx=\(contextSize)\n")
            session.collector = collector
            var run = ImatrixRun()
            let start = Date()
            // llama-imatrix's n_seq: chunks evaluated in one llama_decode (its n_batch, 2048, over n_ctx). When they fit
            // one ubatch (512 tokens) its expert sums run slot-major over all of them: a collector group. Larger decodes
            // are split into ubatches by llama.cpp's equal split (not modelled): chunk by chunk, expert sums may then
            // differ from llama-imatrix's in the last bits.
            let nSeq = max(1, 2048 / contextSize)
            var grouped = false
            for i in 0..<nChunk {
                let before = collector.lastChunk
                if i % nSeq == 0 {
                    grouped = min(nSeq, nChunk - i) * contextSize <= 512
                    if grouped { collector.beginGroup() }
                }
                try session.imatrixChunk(tokens[i * contextSize ..< (i + 1) * contextSize], run: &run, scorePPL: !noPPL)
                if grouped && (i % nSeq == nSeq - 1 || i == nChunk - 1) { collector.endGroup() }
                if let e = collector.error { throw RunnerError.usage("\(model): \(e)") }
                if !noPPL { writeStdout(String(format: "[%d]%.4f,", i + 1, run.runningPPL.last!)) }
                let now = collector.lastChunk
                if now > before {
                    if now / outputFrequency > before / outputFrequency { try save() }
                    if saveFrequency > 0, now / saveFrequency > before / saveFrequency { try save(".at_\(now / saveFrequency * saveFrequency)") }
                }
                let secs = Date().timeIntervalSince(start), done = i + 1
                let rate = Double(done * contextSize) / max(secs, 1e-9)
                let eta = Double(nChunk - done) * secs / Double(done)
                writeStderr(String(format: "\rchunk %d/%d, %.1f tokens/s, ETA %.0f s   ", done, nChunk, rate, eta))
            }
            writeStderr("\n")
            if !noPPL {
                writeStdout("\n")
                if let err = run.pplError {
                    writeStdout(String(format: "Final estimate: PPL = %.4f +/- %.5f\n", run.ppl, err))
                } else {
                    writeStdout("Unexpected negative standard deviation of log(prob)\n")
                }
            }
            try save()
            let secs = Date().timeIntervalSince(start)
            writeStderr(String(format: "%d chunks, %d tokens in %.2f s (%.1f tokens/s); wrote %@\n", nChunk, nChunk * contextSize,
                               secs, Double(nChunk * contextSize) / max(secs, 1e-9), output))
        }
    }
}
