import GGUFFormat

/// A complete plan of a quantization: output metadata and tensors, with sizes, before anything is written.
public struct QuantizePlan: Sendable {
    /// One output file: its metadata, its tensors (a range of ``QuantizePlan/tensors``) and its header.
    public struct Output: Sendable {
        public let metadata: GGUFMetadata
        public let range: Range<Int>
        /// The encoded GGUF header (metadata, tensor infos, padding), made once.
        public let header: [UInt8]
    }

    /// One tensor to write: its output entry (offset laid out within its file), its input entry, and
    /// where the input's bytes are (file index into the source's ``QuantizeSource/files``, absolute offset).
    public typealias Tensor = (out: GGUFTensorInfo, input: GGUFTensorInfo, inputOffset: Int, inputPart: Int)

    public var source: QuantizeSource
    public var target: QuantizeTarget
    public var mix: MixPlan
    /// The first (or only) output's metadata.
    public let metadata: GGUFMetadata
    /// Output tensors in write order (offsets laid out per output file), each with its input.
    public let tensors: [Tensor]
    /// The output files: one, or with `keepSplit` one per part of the input.
    public let outputs: [Output]
    /// Whether outputs are named as a split set (`--keep-split`).
    public let keepSplit: Bool
    /// The first output's encoded header.
    public var header: [UInt8] { outputs[0].header }
    /// Importance weights by output tensor name (`columns × experts` floats), for the converted tensors
    /// that have an imatrix entry of the right size.
    public let weights: [String: [Float]]
    /// What llama-quantize would refuse about the imatrix when writing (not in `--dry-run`): an entry of the
    /// wrong size, or a tensor that needs one and has none. See ``checkWritable()``.
    public let imatrixProblem: String?

    public init(source: QuantizeSource, target: QuantizeTarget, options: QuantizeOptions) throws {
        self.source = source
        self.target = target
        keepSplit = options.keepSplit
        let imatrix = options.imatrix.flatMap { $0.entries.isEmpty ? nil : $0 }
        var mixOptions = options.mix
        mixOptions.hasImatrix = imatrix != nil
        let policy = try MixPolicy(target: target, era: options.era, options: mixOptions)
        let model = try source.mixModel()
        let pruning = LayerPruning(options.pruneLayers, names: source.tensors.map(\.info.name))
        var byName: [String: (info: GGUFTensorInfo, fileOffset: Int, part: Int)] = [:]
        var mixTensors: [MixTensor] = []
        for t in source.tensors {
            guard let name = pruning.newName(t.info.name) else { continue }
            byName[name] = t
            mixTensors.append(MixTensor(name: name, ne: t.info.ne, type: t.info.type))
        }
        try Self.checkExperts(mixTensors, model: model, path: source.path)
        // Write order, and the order in which the rules' counters run: the quantizer's sorted order; with
        // keep-split, llama-quantize sorts by (input part, offset) first and decides the types in that order.
        if options.keepSplit {
            mixTensors.sort { (byName[$0.name]!.part, byName[$0.name]!.fileOffset) < (byName[$1.name]!.part, byName[$1.name]!.fileOffset) }
        }
        mix = try policy.plan(model: model, tensors: mixTensors, order: options.keepSplit ? .asGiven : .quantizer)
        if let bad = mix.requantizeViolation {
            throw ModelError.usage("\(source.path): tensor '\(bad.name)' is already quantized (\(bad.sourceType.name)); requantizing loses quality — pass --allow-requantize to do it anyway")
        }
        let planned = mix.tensors
        var infos: [GGUFTensorInfo] = []
        var inputs: [(info: GGUFTensorInfo, fileOffset: Int, part: Int)] = []
        for t in planned {
            guard let s = byName[t.name] else { throw ModelError.badData("internal: planned tensor '\(t.name)' not in the input") }
            guard t.targetType.tensorBytes(t.ne) != nil else {
                throw ModelError.usage("tensor '\(t.name)' with rows of \(t.ne[0]) cannot be stored as \(t.targetType.name) (not a multiple of its block size \(t.targetType.blockSize))")
            }
            infos.append(GGUFTensorInfo(name: t.name, ne: t.ne, type: t.targetType))
            inputs.append(s)
        }

        // Metadata: the input's pairs; quantization version and file type set (removed and appended);
        // split keys removed; overrides set last — as llama-quantize does.
        var md = source.metadata
        md.setAppending("general.quantization_version", .uint32(2))
        md.setAppending("general.file_type", .uint32(target.fileType.rawValue))
        for k in SplitKeys.all { md.remove(k) }
        md.remove("general.alignment")
        for o in options.overrides { md.setAppending(o.key, o.value) }
        var weights: [String: [Float]] = [:]
        var problem: String? = nil
        if let imatrix {
            // llama-quantize's kv overrides after the user's: file and first dataset (strncpy to 127 bytes),
            // entry count, chunk count (when > 0), as UINT32 (int overrides)
            md.setAppending("quantize.imatrix.file", .string(Array(options.imatrixFile.utf8.prefix(127))))
            if let d = imatrix.datasets.first { md.setAppending("quantize.imatrix.dataset", .string(Array(d.utf8.prefix(127)))) }
            md.setAppending("quantize.imatrix.entries_count", .uint32(UInt32(imatrix.entries.count)))
            if imatrix.chunkCount > 0 { md.setAppending("quantize.imatrix.chunks_count", .uint32(UInt32(truncatingIfNeeded: imatrix.chunkCount))) }
            (weights, problem) = try Self.imatrixWeights(imatrix, planned: planned, inputs: inputs.map(\.info))
        } else if let t = mix.imatrixViolation {
            problem = "this quantization requires an importance matrix (tensor '\(t.name)' would be \(t.targetType.name)), as llama-quantize says: pass one with --imatrix FILE"
        }
        self.weights = weights
        imatrixProblem = problem
        if !options.pruneLayers.isEmpty {
            md.setAppending("\(model.architecture).block_count", .uint32(UInt32(pruning.newLayerCount)))
        }
        metadata = md

        // Output files: one; with keep-split one per input part (the count is the highest part holding a
        // tensor, plus one), each with split.no, split.count, split.tensors.count appended when more than one.
        let count = options.keepSplit ? (inputs.map(\.part).max() ?? 0) + 1 : 1
        var laid: [GGUFTensorInfo] = []
        var outs: [Output] = []
        for k in 0..<count {
            let lo = laid.count
            let idx = options.keepSplit ? inputs.indices.filter { inputs[$0].part == k } : Array(inputs.indices)
            laid += GGUFWriter.layout(idx.map { infos[$0] }, alignment: 32)
            var m = k == 0 ? md : GGUFMetadata()
            if count > 1 {
                m.setAppending(SplitKeys.number, .uint16(UInt16(k)))
                m.setAppending(SplitKeys.count, .uint16(UInt16(count)))
                m.setAppending(SplitKeys.tensorCount, .int32(Int32(clamping: inputs.count)))
            }
            outs.append(Output(metadata: m, range: lo..<laid.count,
                               header: GGUFWriter.header(metadata: m, tensors: Array(laid[lo...]))))
        }
        outputs = outs
        tensors = zip(laid, inputs).map { ($0, $1.info, $1.fileOffset, $1.part) }
    }

    /// The files to write for the output name `output`: `output` itself; with keep-split
    /// `PREFIX-00001-of-0000N.gguf`, ... where PREFIX is `output` less a final `.gguf` (as llama-quantize
    /// names them, even for a single part).
    public func outputPaths(_ output: String) -> [String] {
        guard keepSplit else { return [output] }
        let prefix = output.hasSuffix(".gguf") ? String(output.dropLast(5)) : output
        return outputs.indices.map { SplitNaming.path(prefix: prefix, index: $0, count: outputs.count) }
    }

    /// Refuses a plan GGUFKit cannot write: a tensor that needs an importance matrix (llama-quantize's
    /// refusal), or a type without a quantizer here yet.
    public func checkWritable() throws(ModelError) {
        if let p = imatrixProblem { throw .usage("\(source.path): \(p)") }
        if let t = tensors.first(where: { $0.out.type != $0.input.type && !QuantizeTarget.producibleTypes.contains($0.out.type) }) {
            throw .usage("\(source.path): ggufkit cannot write \(t.out.type.name) yet (tensor '\(t.out.name)'): it quantizes to \(QuantizeTarget.producible.map(\.name).joined(separator: ", ")); --dry-run shows the plan")
        }
    }

    /// The weights of each converted tensor from its imatrix entry (looked up by the input tensor's name, as
    /// llama-quantize's `remap_imatrix` maps pruned layers back), and the first problem llama-quantize would
    /// stop at when writing: an entry whose size is not `columns × experts` (except for `token_embd`, which
    /// is then quantized without), or a tensor that needs an imatrix and has no entry. Non-finite weights
    /// are refused at once, as llama-quantize refuses them before planning.
    static func imatrixWeights(_ m: ImportanceMatrix, planned: [TensorPlan], inputs: [GGUFTensorInfo]) throws(ModelError) -> ([String: [Float]], String?) {
        var out: [String: [Float]] = [:]
        var problem: String? = nil
        for (t, input) in zip(planned, inputs) where !t.isCopy {
            guard let e = m.entries[input.name] else {
                if t.requiresImatrix && problem == nil {
                    problem = "Missing importance matrix for tensor \(t.name) in a very low-bit quantization (the imatrix has no entry '\(input.name)'), as llama-quantize says"
                }
                continue
            }
            let want = t.ne[0] * (t.ne.count > 2 ? t.ne[2] : 1)
            guard e.sums.count == want else {
                if t.name != "token_embd.weight" && t.name != "per_layer_token_embd.weight" && problem == nil {
                    problem = "imatrix size \(e.sums.count) is different from tensor size \(want) for \(t.name), as llama-quantize says: an imatrix of another model?"
                }
                if t.requiresImatrix && problem == nil {
                    problem = "Missing importance matrix for tensor \(t.name) in a very low-bit quantization (its imatrix entry has the wrong size), as llama-quantize says"
                }
                continue
            }
            let w = m.weights(e)
            if let bad = w.first(where: { !$0.isFinite }) {
                throw .badData("imatrix contains non-finite value \(bad) (entry '\(input.name)')")
            }
            out[t.name] = w
        }
        return (out, problem)
    }

    /// With experts, every 3-D expert tensor must hold `expert_count` matrices.
    static func checkExperts(_ tensors: [MixTensor], model: MixModel, path: String) throws(ModelError) {
        for t in tensors where t.ne.count >= 3 && t.name.contains("_exps") {
            guard t.ne[2] == model.nExpert else {
                throw .badData("\(path): tensor '\(t.name)' holds \(t.ne[2]) experts (shape \(t.ne)), but \(model.architecture).expert_count is \(model.nExpert)")
            }
        }
    }

    /// Tensor data bytes of the output.
    public var outputDataBytes: Int { tensors.reduce(0) { $0 + $1.out.byteCount } }
    /// Bytes of the whole output (every file).
    public var outputFileBytes: Int {
        outputs.reduce(0) { $0 + $1.header.count } + tensors.reduce(0) { $0 + ($1.out.byteCount + 31) / 32 * 32 }
    }
    public var inputDataBytes: Int { tensors.reduce(0) { $0 + $1.input.byteCount } }
    public var parameterCount: Int { tensors.reduce(0) { $0 + $1.out.elementCount } }
    /// Bits per weight of the output's tensor data.
    public var bitsPerWeight: Double { 8 * Double(outputDataBytes) / Double(max(parameterCount, 1)) }
    /// The largest tensor's size as F32, the unit of the memory bound.
    public var largestTensorF32Bytes: Int { tensors.map { $0.out.elementCount * 4 }.max() ?? 0 }
}
