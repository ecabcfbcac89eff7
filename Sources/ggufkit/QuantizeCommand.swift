import ArgumentParser
import Foundation
import GGUFFormat
import GGUFIO
import GGUFModel

struct Quantize: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Quantize a model to a k-quant or legacy type, with llama.cpp's per-tensor mixes.",
        discussion: """
        TYPE is one of Q2_K, Q3_K_S, Q3_K_M, Q3_K_L, Q4_K_S, Q4_K_M, Q5_K_S, Q5_K_M, Q6_K, Q4_0, Q4_1, \
        Q5_0, Q5_1, Q8_0, F16, BF16, F32 (any case; Q3_K, Q4_K, Q5_K mean the _M mixes), or a llama.cpp \
        ftype number; Q2_K_S with --imatrix. The other llama-quantize types (IQ*, TQ*, MXFP4_MOE, Q1_0, Q2_0) work with \
        --dry-run only. The output equals llama-quantize's byte for byte, for every \
        architecture llama.cpp knows, with or without --imatrix. INPUT is a GGUF file or a GGML-era .bin (then the GGML options \
        apply, as in `convert`); it must not be compressed. INPUT may be the first part of a split set \
        (NAME-00001-of-0000N.gguf): every part is read and the output is one whole file, or with \
        --keep-split one file per input part. INPUT may also be a Hugging Face model folder (see \
        `convert`): it is quantized straight from the checkpoint, with the output llama-quantize gives on \
        the file `ggufkit convert --outtype OUTTYPE` would write, and no such file written.
        """
    )

    @Argument(help: "The model to quantize (GGUF, a GGML .bin, or a Hugging Face folder).") var input: String
    @Argument(help: "The GGUF file to write.") var output: String
    @Argument(help: "The target type, e.g. Q4_K_M.") var type: String

    @Option(name: [.customShort("t"), .long], help: "Worker threads. Default: all cores.") var threads: Int?
    @Flag(help: "No mixes: every eligible tensor gets the type's default (fallbacks still apply).") var pure = false
    @Flag(name: .customLong("leave-output-tensor"), help: "Copy output.weight unchanged.") var leaveOutputTensor = false
    @Option(name: .customLong("output-tensor-type"), help: "Type of output.weight.") var outputTensorType: String?
    @Option(name: .customLong("token-embedding-type"), help: "Type of token_embd.weight.") var tokenEmbeddingType: String?
    @Option(name: .customLong("tensor-type"), help: "PATTERN=TYPE: tensors whose name matches the regular expression get TYPE (repeatable; first match wins).")
    var tensorType: [String] = []
    @Option(name: .customLong("tensor-type-file"), help: "A file of PATTERN=TYPE entries separated by spaces or newlines (as --tensor-type; repeatable).")
    var tensorTypeFile: [String] = []
    @Option(name: .customLong("prune-layers"), help: "L0,L1,...: leave these layers out (the others are renumbered).")
    var pruneLayers: String?
    @Flag(name: .customLong("allow-requantize"), help: "Accept already-quantized inputs (quality suffers).") var allowRequantize = false
    @Option(name: .customLong("override-kv"), help: "KEY=TYPE:VALUE metadata to set (TYPE int, float, bool, str; repeatable).")
    var overrideKV: [String] = []
    @Option(help: "An importance matrix made by llama-imatrix (GGUF or legacy .dat): the quantizers weigh each column by it.")
    var imatrix: String?
    @Option(name: .customLong("include-weights"), help: "Use the imatrix only for tensors whose name contains this (repeatable).")
    var includeWeights: [String] = []
    @Option(name: .customLong("exclude-weights"), help: "Do not use the imatrix for tensors whose name contains this (repeatable).")
    var excludeWeights: [String] = []
    @Option(help: "Per-tensor rules: 'current' (today's llama.cpp) or '2023' (the GGML-era quantizer).") var mix: String = "current"
    @Flag(name: .customLong("dry-run"), help: "Print the plan (each tensor's new type, file size, bits per weight) and write nothing.")
    var dryRun = false
    @Flag(name: .customLong("keep-split"), help: "Split input: write one output per input part, OUTPUT less .gguf + -00001-of-0000N.gguf, ... (llama-quantize --keep-split).")
    var keepSplit = false
    @Flag(help: "Overwrite OUTPUT (every part with --keep-split) if it exists.") var force = false
    @Flag(name: .customLong("no-progress"), help: "No progress bar; one line per tensor instead.") var noProgress = false
    @OptionGroup var ggml: GGMLOptions
    @Option(help: "Hugging Face input: the converted type quantized from (f32, f16, bf16, auto), as `convert --outtype`.")
    var outtype: String = "auto"

    func parseType(_ s: String, _ flag: String) throws(ModelError) -> GGMLType {
        guard let t = GGMLType(name: s) else { throw .usage("\(flag): unknown type '\(s)'") }
        return t
    }

    func run() throws {
        try runReportingErrors {
            let target: QuantizeTarget
            do { target = try QuantizeTarget(parsing: type) } catch {
                throw ModelError.usage("unknown quantization type '\(type)': expected one of \(QuantizeTarget.producible.map(\.name).joined(separator: ", ")) or a llama.cpp ftype number")
            }
            var o = QuantizeOptions()
            guard let era = MixEra(rawValue: mix) else { throw ModelError.usage("--mix must be 'current' or '2023'") }
            o.era = era
            o.mix.pure = pure
            o.mix.leaveOutputTensor = leaveOutputTensor
            o.mix.allowRequantize = allowRequantize
            o.mix.outputTensorType = try outputTensorType.map { (s) throws(ModelError) in try parseType(s, "--output-tensor-type") }
            o.mix.tokenEmbeddingType = try tokenEmbeddingType.map { (s) throws(ModelError) in try parseType(s, "--token-embedding-type") }
            o.mix.tensorTypeOverrides = try TensorTypeArguments.overrides(tensorType: tensorType, files: tensorTypeFile,
                                                                        arguments: CommandLine.arguments)
            if let p = pruneLayers { o.pruneLayers = try TensorTypeArguments.pruneList(p) }
            o.overrides = try overrideKV.map { (s) throws(ModelError) in try KVOverride(parsing: s) }
            o.threads = threads ?? 0
            o.force = force
            o.keepSplit = keepSplit
            o.progress = noProgress ? false : nil
            o.log = { line in writeStderr(line + "\n") }
            o.convert = ggml.convertOptions
            if let path = imatrix {
                guard includeWeights.isEmpty || excludeWeights.isEmpty else {
                    throw ModelError.usage("--include-weights and --exclude-weights cannot be used together (as llama-quantize)")
                }
                o.imatrix = try ImatrixFile.read(path: path).filtered(include: includeWeights, exclude: excludeWeights)
                o.imatrixFile = path
            } else if !includeWeights.isEmpty || !excludeWeights.isEmpty {
                throw ModelError.usage("--include-weights and --exclude-weights need --imatrix")
            }

            var isDir: ObjCBool = false
            let source: QuantizeSource
            if FileManager.default.fileExists(atPath: input, isDirectory: &isDir), isDir.boolValue {
                guard let t = HFOutType(rawValue: outtype.lowercased()) else {
                    throw ModelError.usage("--outtype \(outtype): expected f32, f16, bf16 or auto")
                }
                source = try QuantizeSource.openHF(input, outType: t)
                for n in source.hf?.plan.notes ?? [] { writeStderr("note: \(n)\n") }
            } else {
                source = try QuantizeSource.open(input, convertOptions: o.convert)
            }
            let plan: QuantizePlan
            do { plan = try QuantizePlan(source: source, target: target, options: o) } catch let e as QuantizeMixError {
                throw ModelError.usage("\(input): \(e)")
            }
            if !plan.mix.knownArchitecture {
                writeStderr("warning: \(input): llama.cpp does not know architecture '\(plan.mix.architecture)' (llama-quantize refuses such a file); quantizing with the generic rules, which nothing checks against llama.cpp\n")
            }
            if dryRun {
                printPlan(plan)
                if keepSplit {
                    for (path, file) in zip(plan.outputPaths(output), plan.outputs) {
                        print("\(path): \(file.range.count) tensors")
                    }
                }
                if o.imatrix?.entries.isEmpty ?? true, let t = plan.mix.imatrixViolation {
                    print("note: making this file requires an importance matrix (tensor \(t.name) -> \(t.targetType.name)), as llama-quantize says")
                }
                if let m = o.imatrix {
                    print("imatrix: \(m.entries.count) entries, \(plan.weights.count) of the converted tensors weighted")
                }
                return
            }
            try plan.checkWritable()
            let s = try Quantizer.run(plan: plan, output: output, options: o)
            let rate = Double(s.inputBytes) / max(s.seconds, 1e-9) / 1e6
            let paths = plan.outputPaths(output)
            let inputs = source.isSplit ? "\(input) (\(source.files.count) parts)" : input
            let outputs = paths.count > 1 ? "\(paths[0]) ... \(paths[paths.count - 1]) (\(paths.count) parts)" : paths[0]
            print("quantized \(inputs) -> \(outputs) (\(target.name), \(plan.tensors.count) tensors, \(String(format: "%.2f", plan.bitsPerWeight)) bpw): \(formatBytes(s.inputBytes)) -> \(formatBytes(s.outputBytes)) in \(String(format: "%.2f", s.seconds)) s (\(Int(rate)) MB/s, \(s.threads) threads)")
        }
    }

    func printPlan(_ plan: QuantizePlan) {
        let w = plan.tensors.map(\.out.name.count).max() ?? 10
        for t in plan.tensors {
            let shape = t.out.ne.map(String.init).joined(separator: " x ")
            let name = t.out.name.padding(toLength: w, withPad: " ", startingAt: 0)
            let change = t.input.type == t.out.type ? "\(t.out.type.name) (copy)" : "\(t.input.type.name) -> \(t.out.type.name)"
            print("\(name)  \(change.padding(toLength: 16, withPad: " ", startingAt: 0))  [\(shape)]  \(formatBytes(t.out.byteCount))")
        }
        var byType: [String: (Int, Int)] = [:]
        for t in plan.tensors { byType[t.out.type.name, default: (0, 0)].0 += 1; byType[t.out.type.name, default: (0, 0)].1 += t.out.byteCount }
        print("types: " + byType.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value.0) (\(formatBytes($0.value.1)))" }.joined(separator: ", "))
        print("input data \(formatBytes(plan.inputDataBytes)) -> output file \(formatBytes(plan.outputFileBytes)) (\(plan.outputFileBytes) bytes), \(String(format: "%.4f", plan.bitsPerWeight)) bits per weight, \(plan.parameterCount) parameters")
        print("memory while quantizing: about \(formatBytes(3 * min(plan.largestTensorF32Bytes, Quantizer.slabFloats * 4) + 16 << 20)) (a few slabs of rows)")
    }
}
