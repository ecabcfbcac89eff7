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
        let mixTensors = source.tensors.map { MixTensor(name: $0.info.name, ne: $0.info.ne, type: $0.info.type) }
        mix = try policy.plan(model: try source.mixModel(), tensors: mixTensors)
        if let bad = mix.requantizeViolation {
            throw ModelError.usage("\(source.path): tensor '\(bad.name)' is already quantized (\(bad.sourceType.name)); requantizing loses quality — pass --allow-requantize to do it anyway")
        }
        let byName = Dictionary(uniqueKeysWithValues: source.tensors.map { ($0.info.name, $0) })
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
        metadata = md
        header = GGUFWriter.header(metadata: md, tensors: tensors.map(\.out))
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
