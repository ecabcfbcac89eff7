import GGUFFormat

/// A complete plan of a quantization: output metadata and tensors, with sizes, before anything is written.
public struct QuantizePlan: Sendable {
    public var source: QuantizeSource
    public var target: QuantizeTarget
    public var mix: MixPlan
    public let metadata: GGUFMetadata
    /// Output tensors in write order (offsets laid out), each with its input.
    public let tensors: [(out: GGUFTensorInfo, input: GGUFTensorInfo, inputOffset: Int)]
    /// The encoded GGUF header of the output (metadata, tensor infos, padding), made once.
    public let header: [UInt8]

    public init(source: QuantizeSource, target: QuantizeTarget, options: QuantizeOptions) throws {
        self.source = source
        self.target = target
        let policy = try MixPolicy(target: target, era: options.era, options: options.mix)
        let model = try source.mixModel()
        let pruning = LayerPruning(options.pruneLayers, names: source.tensors.map(\.info.name))
        var byName: [String: (info: GGUFTensorInfo, fileOffset: Int)] = [:]
        var mixTensors: [MixTensor] = []
        for t in source.tensors {
            guard let name = pruning.newName(t.info.name) else { continue }
            byName[name] = t
            mixTensors.append(MixTensor(name: name, ne: t.info.ne, type: t.info.type))
        }
        try Self.checkExperts(mixTensors, model: model, path: source.path)
        mix = try policy.plan(model: model, tensors: mixTensors)
        if let bad = mix.requantizeViolation {
            throw ModelError.usage("\(source.path): tensor '\(bad.name)' is already quantized (\(bad.sourceType.name)); requantizing loses quality — pass --allow-requantize to do it anyway")
        }
        var infos: [GGUFTensorInfo] = []
        var inputs: [(GGUFTensorInfo, Int)] = []
        for t in mix.tensors {
            guard let s = byName[t.name] else { throw ModelError.badData("internal: planned tensor '\(t.name)' not in the input") }
            guard t.targetType.tensorBytes(t.ne) != nil else {
                throw ModelError.usage("tensor '\(t.name)' with rows of \(t.ne[0]) cannot be stored as \(t.targetType.name) (not a multiple of its block size \(t.targetType.blockSize))")
            }
            infos.append(GGUFTensorInfo(name: t.name, ne: t.ne, type: t.targetType))
            inputs.append((s.info, s.fileOffset))
        }
        let laid = GGUFWriter.layout(infos, alignment: 32)
        tensors = zip(laid, inputs).map { ($0, $1.0, $1.1) }

        // Metadata: the input's pairs; quantization version and file type set (removed and appended);
        // split keys removed; overrides set last — as llama-quantize does.
        var md = source.metadata
        md.setAppending("general.quantization_version", .uint32(2))
        md.setAppending("general.file_type", .uint32(target.fileType.rawValue))
        for k in ["split.no", "split.count", "split.tensors.count"] { md.remove(k) }
        md.remove("general.alignment")
        for o in options.overrides { md.setAppending(o.key, o.value) }
        if !options.pruneLayers.isEmpty {
            md.setAppending("\(model.architecture).block_count", .uint32(UInt32(pruning.newLayerCount)))
        }
        metadata = md
        header = GGUFWriter.header(metadata: md, tensors: tensors.map(\.out))
    }

    /// Refuses a plan GGUFKit cannot write: a tensor that needs an importance matrix (llama-quantize's
    /// refusal), or a type without a quantizer here yet.
    public func checkWritable() throws(ModelError) {
        if let t = mix.imatrixViolation {
            throw .usage("\(source.path): this quantization requires an importance matrix (tensor '\(t.name)' would be \(t.targetType.name)), as llama-quantize says; ggufkit quantize has no --imatrix yet")
        }
        if let t = tensors.first(where: { $0.out.type != $0.input.type && !QuantizeTarget.producibleTypes.contains($0.out.type) }) {
            throw .usage("\(source.path): ggufkit cannot write \(t.out.type.name) yet (tensor '\(t.out.name)'): it quantizes to \(QuantizeTarget.producible.map(\.name).joined(separator: ", ")); --dry-run shows the plan")
        }
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
    /// Bytes of the whole output file.
    public var outputFileBytes: Int {
        header.count + tensors.reduce(0) { $0 + ($1.out.byteCount + 31) / 32 * 32 }
    }
    public var inputDataBytes: Int { tensors.reduce(0) { $0 + $1.input.byteCount } }
    public var parameterCount: Int { tensors.reduce(0) { $0 + $1.out.elementCount } }
    /// Bits per weight of the output's tensor data.
    public var bitsPerWeight: Double { 8 * Double(outputDataBytes) / Double(max(parameterCount, 1)) }
    /// The largest tensor's size as F32, the unit of the memory bound.
    public var largestTensorF32Bytes: Int { tensors.map { $0.out.elementCount * 4 }.max() ?? 0 }
}
