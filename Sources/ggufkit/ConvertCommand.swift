import ArgumentParser
import Foundation
import GGUFIO
import GGUFModel

struct Convert: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Convert a GGML-era llama file (.bin, also .zst/.gz) to GGUF.",
        discussion: """
        Reads GGJT v3 ("GGMLv3") files of every type, and F32/F16 files of the older GGML, GGMF and \
        GGJT v1/v2 containers (plus Q5_0/Q5_1 in GGJT v2). Tensor data is copied byte for byte. \
        GGML files do not store the GQA factor, the RMS-norm epsilon, the context length or the RoPE \
        settings: give them with the options below (the GQA factor is detected from the tensor shapes \
        when not given).
        """
    )

    @Argument(help: "The GGML model file.") var input: String
    @Argument(help: "The GGUF file to write.") var output: String

    @OptionGroup var ggml: GGMLOptions
    @Option(name: .customShort("c"), help: .hidden) var contextLengthShort: Int?
    @Option(help: "general.name. Default: the input file name.")
    var name: String?
    @Option(help: "general.description. Default: 'converted from legacy <format> <ftype> format'.")
    var desc: String?
    @Flag(help: "Overwrite OUTPUT if it exists.") var force = false
    @Flag(name: .customLong("no-quantization-version"), help: "Do not add general.quantization_version (match llama.cpp's converter byte for byte).")
    var noQuantizationVersion = false
    @Flag(name: .customLong("no-progress"), help: "No progress bar.") var noProgress = false

    func run() throws {
        try runReportingErrors {
            var o = ggml.convertOptions
            if let c = contextLengthShort { o.contextLength = c }
            o.name = name
            o.description = desc
            o.writeQuantizationVersion = !noQuantizationVersion
            let plan = try Converter.plan(input: input, options: o)
            for n in plan.notes { writeStderr("note: \(n)\n") }
            let s = try Converter.write(plan: plan, input: input, output: output, force: force,
                                        progress: noProgress ? false : nil)
            let rate = Double(s.dataBytes) / max(s.seconds, 1e-9) / 1e6
            print("converted \(input) (\(plan.source.formatName) \(plan.source.hparams.ftype.shortName ?? "?"), \(s.tensorCount) tensors) -> \(output): \(formatBytes(s.outputBytes)) in \(String(format: "%.2f", s.seconds)) s (\(Int(rate)) MB/s)")
        }
    }
}
