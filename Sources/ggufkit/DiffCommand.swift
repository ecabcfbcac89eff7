import ArgumentParser
import GGUFIO
import GGUFModel

struct Diff: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compare two model files: metadata, tensor table, tensor data and, with --values, values.",
        discussion: """
        Metadata keys added, removed or changed; tensors added, removed, reshaped, retyped, or with \
        different data (CRC32 of each tensor). With --values, tensors of the same shape are converted to \
        floats and compared (RMSE, largest absolute difference, relative RMSE), also across types, with \
        the total over the model. Exit status 0 (with --exit-code: 1 when the files differ).
        """
    )

    @Argument(help: "The first model file.") var a: String
    @Argument(help: "The second model file.") var b: String
    @Flag(help: "Compare the dequantized values of tensors with the same shape (uncompressed files).") var values = false
    @Flag(help: "Print JSON (schema in docs/inspect.md).") var json = false
    @Flag(name: .customLong("exit-code"), help: "Exit with status 1 when the files differ.") var exitCode = false

    func run() throws {
        var different = false
        try runReportingErrors {
            let ha = try ModelHeader.read(path: a), hb = try ModelHeader.read(path: b)
            let d = try ModelDiff.compare(ha, hb, checksums: true, values: values)
            if json { print(d.json().rendered()) } else { print(d.text(), terminator: "") }
            different = !d.isEmpty
        }
        if exitCode && different { throw ExitCode(1) }
    }
}
