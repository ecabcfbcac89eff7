import GGUFFormat
import GGUFIO
import GGUFModel
import GGUFTokenizer

/// A model ready to run (llama, qwen2, qwen3, qwen3moe, qwen2moe, gemma, gemma2, gemma3, phi3: ``Architecture``): hyper-parameters, weights (mapped, in their stored types) and tokenizer.
public final class LlamaModel: @unchecked Sendable {
    public let path: String
    /// Mutable for RoPE overrides (`--rope-freq-base`, `--rope-freq-scale`) before a session starts.
    public var hparams: Hyperparameters
    /// SPM or BPE, as `tokenizer.ggml.model` says (``Tokenizer/load(metadata:)``).
    public let tokenizer: Tokenizer
    public let metadata: GGUFMetadata
    /// The type of most matrices (for the summary line), e.g. "Q4_K".
    public let weightTypes: [String: Int]
    /// The mapped files: one, or every part of a split set.
    let files: [MappedFile]
    let tokenEmbedding: Weight
    let layers: [LayerWeights]
    let outputNorm: NormWeight
    let output: Weight
    /// `rope_freqs.weight` (llama: Llama 3's per-dimension RoPE frequency factors, n_rot/2 values), shared by every layer.
    let ropeFreqs: NormWeight?
    /// phi3's LongRoPE factors (`rope_factors_long`/`_short`, n_rot/2 values each): the long ones when the
    /// session's context (padded to 256) exceeds `rope.scaling.original_context_length`.
    let ropeFactorsLong: NormWeight?
    let ropeFactorsShort: NormWeight?

    /// Loads a GGUF llama file (or the first part of a split set: every part is mapped), or a GGML-era
    /// `.bin` through the converter's plan (`ggml` options give what GGML files never stored: `--gqa`,
    /// `--eps`, context length, RoPE settings).
    public convenience init(path: String, ggml: ConvertOptions = ConvertOptions()) throws {
        let file = try MappedFile(path: path)
        let isGGUF = try file.size >= 4 && file.bytes(at: 0, count: 4).loadUnaligned(as: UInt32.self) == GGUFReader.magic
        if isGGUF {
            let set = try GGUFSplitSet.open(path: path)
            var files = [file]
            for p in set.parts.dropFirst() { files.append(try MappedFile(path: p.path)) }
            try self.init(path: path, files: files, metadata: set.metadata,
                          tensors: set.tensors.map { ($0.info, $0.fileOffset, $0.part) })
        } else {
            if path.hasSuffix(".zst") || path.hasSuffix(".gz") {
                throw RunnerError.usage("\(path): a compressed model cannot be mapped; decompress it or convert it to GGUF first")
            }
            let plan = try Converter.plan(input: path, options: ggml)
            try self.init(path: path, files: [file], metadata: plan.metadata,
                          tensors: plan.tensors.map { ($0.info, $0.record.dataOffset, 0) })
        }
    }

    init(path: String, files: [MappedFile], metadata m: GGUFMetadata, tensors: [(GGUFTensorInfo, Int, Int)]) throws {
        self.path = path
        self.files = files
        self.metadata = m
        let arch = m.string("general.architecture") ?? "(none)"
        guard Architecture(rawValue: arch) != nil else { throw RunnerError.unsupportedArchitecture(arch) }
        tokenizer = try Tokenizer.load(metadata: m)
        let nVocab = tokenizer.vocabulary.count
        let hp = try Hyperparameters(metadata: m, vocabularySize: nVocab)
        hparams = hp

        var byName: [String: (GGUFTensorInfo, Int, Int)] = [:]
        for t in tensors { byName[t.0.name] = t }
        var types: [String: Int] = [:]
        /// The kernel, row stride and mapped data of `rows` rows of `cols` values (shape already checked).
        func map(_ name: String, _ info: GGUFTensorInfo, _ offset: Int, _ part: Int, cols: Int, rows: Int,
                 expected: [Int]) throws -> (any WeightKernel, Int, UnsafeRawPointer) {
            guard let k = KernelTable.kernel(for: info.type) else {
                throw RunnerError.unsupportedType(name: name, type: info.type.name)
            }
            guard cols % info.type.blockSize == 0, let rb = info.type.rowBytes(cols) else {
                throw RunnerError.wrongShape(name: name, expected: expected, found: info.ne)
            }
            let bytes = try files[part].bytes(at: offset, count: rb * rows)
            types[info.type.name, default: 0] += 1
            return (k, rb, bytes.baseAddress!)
        }
        func matrix(_ name: String, _ cols: Int, _ rows: Int) throws -> Weight {
            guard let (info, offset, part) = byName[name] else { throw RunnerError.missingTensor(name) }
            guard info.ne.count <= 2 || info.ne.dropFirst(2).allSatisfy({ $0 == 1 }),
                  info.ne[0] == cols, (info.ne.count > 1 ? info.ne[1] : 1) == rows else {
                throw RunnerError.wrongShape(name: name, expected: [cols, rows], found: info.ne)
            }
            let (k, rb, data) = try map(name, info, offset, part, cols: cols, rows: rows, expected: [cols, rows])
            return Weight(name: name, type: info.type, cols: cols, rows: rows, rowBytes: rb, data: data, kernel: k)
        }
        func norm(_ name: String, _ n: Int) throws -> NormWeight {
            guard let (info, offset, part) = byName[name] else { throw RunnerError.missingTensor(name) }
            guard info.elementCount == n, info.ne[0] == n else { throw RunnerError.wrongShape(name: name, expected: [n], found: info.ne) }
            guard info.type == .f32 || info.type == .f16, let k = KernelTable.kernel(for: info.type) else {
                throw RunnerError.unsupportedType(name: name, type: info.type.name)
            }
            let bytes = try files[part].bytes(at: offset, count: info.byteCount)
            var v = [Float](repeating: 0, count: n)
            v.withUnsafeMutableBufferPointer { k.dequantize(bytes.baseAddress!, $0.baseAddress!, n) }
            return NormWeight(values: v)
        }
        let d = hp.embeddingLength
        tokenEmbedding = try matrix("token_embd.weight", d, nVocab)
        // Expert tensors (3-D: cols × rows × experts), as llama.cpp's mul_mat_id reads them.
        func experts(_ name: String, _ cols: Int, _ rows: Int, _ n: Int) throws -> ExpertWeights {
            guard let (info, offset, part) = byName[name] else { throw RunnerError.missingTensor(name) }
            guard info.ne.count >= 3, info.ne.dropFirst(3).allSatisfy({ $0 == 1 }), info.ne[0] == cols, info.ne[1] == rows else {
                throw RunnerError.wrongShape(name: name, expected: [cols, rows, n], found: info.ne)
            }
            guard info.ne[2] == n else {
                throw RunnerError.badHyperparameter("\(hp.architecture.rawValue).expert_count is \(n), but '\(name)' holds \(info.ne[2]) experts (shape \(info.ne))")
            }
            let (k, rb, data) = try map(name, info, offset, part, cols: cols, rows: rows * n, expected: [cols, rows, n])
            return ExpertWeights(name: name, type: info.type, cols: cols, rows: rows, count: n, rowBytes: rb,
                                 data: data, kernel: k)
        }
        // llama.cpp's llama graph: rope_freqs {n_rot/2}, optional, the same tensor for every layer (other architectures
        // do not load it: refused in LayerWeights.load).
        ropeFreqs = hp.architecture == .llama && byName["rope_freqs.weight"] != nil
            ? try norm("rope_freqs.weight", hp.ropeDimensions / 2) : nil
        let phi3 = hp.architecture == .phi3
        ropeFactorsLong = phi3 && byName["rope_factors_long.weight"] != nil ? try norm("rope_factors_long.weight", hp.ropeDimensions / 2) : nil
        ropeFactorsShort = phi3 && byName["rope_factors_short.weight"] != nil ? try norm("rope_factors_short.weight", hp.ropeDimensions / 2) : nil
        var ls: [LayerWeights] = []
        for i in 0..<hp.layerCount {
            ls.append(try LayerWeights.load(layer: i, hparams: hp, has: { byName[$0] != nil },
                                            matrix: matrix, vector: norm, experts: experts))
        }
        layers = ls
        outputNorm = try norm("output_norm.weight", d)
        // Tied embeddings: llama.cpp uses token_embd as the output matrix when output.weight is absent.
        // gemma and gemma2 always (their loaders refuse an output.weight).
        output = byName["output.weight"] != nil ? try matrix("output.weight", d, nVocab) : tokenEmbedding
        weightTypes = types
    }

    /// A one-line description: size, types.
    public var summary: String {
        let t = weightTypes.sorted { $0.value > $1.value }.map { "\($0.value)×\($0.key)" }.joined(separator: ", ")
        let moe = hparams.expertCount > 0 ? ", \(hparams.expertCount) experts (\(hparams.expertUsedCount) used, n_ff \(hparams.expertFeedForwardLength))" : ""
        return "\(hparams.architecture.rawValue): \(hparams.layerCount) layers, n_embd \(hparams.embeddingLength), \(hparams.headCount) heads (\(hparams.headCountKV) kv), n_ff \(hparams.feedForwardLength), vocab \(hparams.vocabularySize)\(moe); matrices \(t)"
    }
}
