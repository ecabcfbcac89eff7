import ArgumentParser
import GGUFFormat
import GGUFIO
import GGUFModel

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show a model file's format, hyper-parameters, metadata, tensors, file type and RAM needs.",
        discussion: """
        Reads GGUF (v1-v3) and GGML-era llama files (GGML, GGMF, GGJT v1-v3), plain or .zst/.gz. Only the \
        header is read, so it takes the same time whatever the model size (--checksum reads the data). \
        The RAM estimate has two columns: GGUFKit's runner and llama.cpp's CPU backend; \
        docs/inspect.md explains each term and the --json schema.
        """
    )

    @Argument(help: "The model file.") var file: String
    @Flag(help: "Print every metadata array element (text and JSON).") var full = false
    @Flag(help: "Print the tensor table: name, type, shape, offset, bytes.") var tensors = false
    @Flag(help: "Print JSON (schema in docs/inspect.md).") var json = false
    @Flag(help: "CRC32 (zlib) of every tensor's data and of the whole data section.") var checksum = false
    @Option(help: "Context length for the RAM estimate. Default: the model's context length (2048 for GGML files).")
    var ctx: Int?
    @Option(help: "Tokens per batch for the RAM estimate (llama.cpp's n_ubatch).") var batch: Int = 512
    @Option(help: "Threads for the RAM estimate.") var threads: Int = 4
    @Option(name: .customLong("kv-type"), help: "KV cache type for the RAM estimate: f16 or q8_0.") var kvType: String = "f16"

    func validate() throws {
        if let c = ctx, c < 1 { throw ValidationError("--ctx must be at least 1") }
        if batch < 1 { throw ValidationError("--batch must be at least 1") }
        if threads < 1 { throw ValidationError("--threads must be at least 1") }
        if !["f16", "q8_0"].contains(kvType.lowercased()) { throw ValidationError("--kv-type must be f16 or q8_0") }
    }

    func run() throws {
        try runReportingErrors {
            let header = try ModelHeader.read(path: file)
            let settings = MemorySettings(ctx: ctx ?? InspectReport.defaultContext(header), batch: batch, threads: threads,
                                          kvType: kvType.lowercased() == "q8_0" ? .q8_0 : .f16)
            let sums = checksum ? try Checksums.compute(header) : nil
            let report = InspectReport(header: header, settings: settings, checksums: sums)
            if json {
                print(report.json(full: full).rendered())
            } else {
                print(report.text(full: full, tensors: tensors), terminator: "")
            }
        }
    }
}
