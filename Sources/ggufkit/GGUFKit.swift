import ArgumentParser
import GGUFIO
import GGUFModel
import GGUFRunner

#if canImport(Glibc)
import Glibc
#endif

@main
struct GGUFKit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ggufkit",
        abstract: "Convert, quantize, inspect and run llama-family model files.",
        discussion: """
        Exit codes: 0 success, 64 usage error, 65 bad input data, 74 I/O error, 130 interrupted.
        """,
        version: "0.1.0",
        subcommands: [Convert.self, Quantize.self, Inspect.self, Diff.self, Run.self, Perplexity.self, Imatrix.self, Tokenize.self, Split.self, Merge.self]
    )
}

/// Runs a command body, turning errors into one clear line on stderr and the documented exit code.
func runReportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let e as IOError {
        writeStderr("error: \(e)\n")
        switch e.kind {
        case .badData: throw ExitCode(65)
        case .system: throw ExitCode(74)
        case .usage: throw ExitCode(64)
        }
    } catch let e as RunnerError {
        writeStderr("error: \(e)\n")
        throw ExitCode(e.isUsage ? 64 : 65)
    } catch let e as ModelError {
        writeStderr("error: \(e)\n")
        throw ExitCode(e.kind == .usage ? 64 : 65)
    }
}
