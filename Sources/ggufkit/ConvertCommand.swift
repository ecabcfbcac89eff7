import ArgumentParser
import Foundation
import GGUFIO
import GGUFModel

struct Convert: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Convert a Hugging Face model folder, or a GGML-era llama file (.bin, also .zst/.gz), to GGUF.",
        discussion: """
        A folder with config.json is a Hugging Face checkpoint: its safetensors weights (one file or the \
        shards of model.safetensors.index.json) and its tokenizer are converted as llama.cpp's \
        convert_hf_to_gguf.py converts them, byte for byte (--outtype, --outfile, --vocab-only, \
        --model-name as there). Supported: \(HFArchitecture.supportedNames.joined(separator: ", ")). \
        PyTorch pickle checkpoints (*.bin, *.pt) are refused, never unpickled. OUTPUT may be omitted or a \
        folder: the file is then named as convert_hf_to_gguf.py names it; {ftype} in a name is replaced by \
        the output type.

        A GGML file: reads GGJT v3 ("GGMLv3") files of every type, and F32/F16 files of the older GGML, GGMF and \
        GGJT v1/v2 containers (plus Q5_0/Q5_1 in GGJT v2). Tensor data is copied byte for byte. \
        GGML files do not store the GQA factor, the RMS-norm epsilon, the context length or the RoPE \
        settings: give them with the options below (the GQA factor is detected from the tensor shapes \
        when not given).
        """
    )

    @Argument(help: "The Hugging Face model folder, or the GGML model file.") var input: String
    @Argument(help: "The GGUF file to write (for a Hugging Face folder: optional, or a folder).") var output: String?

    @Option(help: "Hugging Face input: f32, f16, bf16, q8_0, or auto (bf16 or f16 after the checkpoint's first matrix).")
    var outtype: String = "auto"
    @Option(help: "Hugging Face input: the output path (as OUTPUT).") var outfile: String?
    @Flag(name: .customLong("vocab-only"), help: "Hugging Face input: write only the vocabulary and metadata.")
    var vocabOnly = false
    @Option(name: .customLong("model-name"), help: "Hugging Face input: general.name.") var modelName: String?
    @Option(help: "Threads for the conversion. Default: every core.") var threads: Int?
    @Option(name: .customLong("split-max-tensors"), help: "Hugging Face input: at most N tensors per output part.")
    var splitMaxTensors: Int = 0
    @Option(name: .customLong("split-max-size"), help: "Hugging Face input: at most N bytes of tensors per part (N, NK, NM, NG: powers of 1000).")
    var splitMaxSize: String = "0"

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
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: input, isDirectory: &isDir), isDir.boolValue {
            try runReportingErrors { try convertHF() }
            return
        }
        try runReportingErrors {
            guard let output = output ?? outfile else { throw ModelError.usage("give the GGUF file to write") }
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

    /// A Hugging Face folder.
    func convertHF() throws {
        guard let type = HFOutType(rawValue: outtype.lowercased()) else {
            throw ModelError.usage("--outtype \(outtype): expected one of \(HFOutType.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if output != nil && outfile != nil { throw ModelError.usage("give OUTPUT or --outfile, not both") }
        var o = HFConvertOptions()
        o.outType = type
        o.vocabOnly = vocabOnly
        o.modelName = modelName
        guard let size = HFConvertOptions.parseSize(splitMaxSize) else {
            throw ModelError.usage("--split-max-size \(splitMaxSize): expected a number, optionally followed by K, M or G")
        }
        guard splitMaxTensors >= 0 else { throw ModelError.usage("--split-max-tensors must not be negative") }
        o.splitMaxSize = size
        o.splitMaxTensors = splitMaxTensors
        let plan = try HFConverter.plan(folder: input, options: o)
        for n in plan.notes { writeStderr("note: \(n)\n") }
        var path = output ?? outfile ?? input
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue {
            path = (path as NSString).appendingPathComponent(plan.defaultFileName)
        } else {
            let name = (path as NSString).lastPathComponent
            let filled = HFConverter.fillTemplate(name, outputType: plan.outputTypeName)
            if filled != name { path = ((path as NSString).deletingLastPathComponent as NSString).appendingPathComponent(filled) }
        }
        let s = try HFConverter.write(plan: plan, output: path, force: force, progress: noProgress ? false : nil, threads: threads)
        let rate = Double(s.inputBytes) / max(s.seconds, 1e-9) / 1e6
        let shown = plan.parts.count > 1 ? "\(plan.parts.count) parts \(plan.partPaths(path).first!) ..." : path
        print("converted \(input) (\(plan.architecture.hfName), \(plan.tensors.count) tensors, \(plan.outputTypeName)) -> \(shown): \(formatBytes(s.outputBytes)) in \(String(format: "%.2f", s.seconds)) s (\(Int(rate)) MB/s)")
    }
}
