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

    public init(source: QuantizeSource, target: QuantizeTarget, options: QuantizeOptions) throws {
        self.source = source
        self.target = target
        keepSplit = options.keepSplit
        let policy = try MixPolicy(target: target, era: options.era, options: options.mix)
        let mixTensors = source.tensors.map { MixTensor(name: $0.info.name, ne: $0.info.ne, type: $0.info.type) }
        mix = try policy.plan(model: try source.mixModel(), tensors: mixTensors)
        if let bad = mix.requantizeViolation {
            throw ModelError.usage("\(source.path): tensor '\(bad.name)' is already quantized (\(bad.sourceType.name)); requantizing loses quality — pass --allow-requantize to do it anyway")
        }
        let byName = Dictionary(uniqueKeysWithValues: source.tensors.map { ($0.info.name, $0) })
        // Write order: the mix's; with keep-split, llama-quantize sorts by (input part, offset) instead.
        var planned = mix.tensors
        if options.keepSplit {
            let key = Dictionary(uniqueKeysWithValues: source.tensors.map { ($0.info.name, ($0.part, $0.fileOffset)) })
            planned.sort { key[$0.name]! < key[$1.name]! }
        }
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
