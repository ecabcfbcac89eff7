import GGUFFormat
import GGUFIO

/// A model to quantize: metadata, tensors and where each tensor's bytes are in an uncompressed file.
///
/// A GGUF file is used as it is, and the first part of a split set brings every part (``GGUFSplitSet``);
/// a GGML-era file is seen through the converter's plan, so the GGML hyper-parameter options of
/// `convert` apply.
public struct QuantizeSource: @unchecked Sendable {
    public var path: String
    public var metadata: GGUFMetadata
    /// Tensors in input order (part by part) with the file holding their data (an index into
    /// ``files``) and the data's absolute offset there.
    public var tensors: [(info: GGUFTensorInfo, fileOffset: Int, part: Int)]
    /// The input's files: one, or each part of a split set in order.
    public var files: [FileSource]

    /// A Hugging Face checkpoint seen through the converter: tensor bytes are made on the fly, as
    /// `ggufkit convert` would write them, instead of read from ``files``.
    public var hf: HFQuantizeInput?

    /// The first (or only) file.
    public var file: FileSource { files[0] }
    /// The paths of every file read.
    public var paths: [String] { files.map(\.path) }
    /// Whether the input is a split set of more than one file.
    public var isSplit: Bool { files.count > 1 }

    /// Opens `path`: GGUF (a single file or the first part of a split set), or a GGML file (converted on
    /// the fly with `convertOptions`).
    public static func open(_ path: String, convertOptions: ConvertOptions = ConvertOptions()) throws -> QuantizeSource {
        let file = try FileSource(path: path)
        var magic = [UInt8](repeating: 0, count: 4)
        _ = try magic.withMutableBytesIO { (b) throws(IOError) in try file.read(into: b) }
        try file.seek(to: 0)
        if magic == [0x28, 0xB5, 0x2F, 0xFD] || magic.prefix(2) == [0x1F, 0x8B] {
            throw IOError(.usage, path: path, "quantize reads tensors out of order and needs an uncompressed file; decompress it first (or convert a compressed GGML file with `ggufkit convert`)")
        }
        if magic == Array("GGUF".utf8) {
            let set = try GGUFSplitSet.open(first: try GGUFReader.read(Reader(file)), path: path)
            var files = [file]
            for p in set.parts.dropFirst() { files.append(try FileSource(path: p.path)) }
            return QuantizeSource(path: path, metadata: set.metadata,
                                  tensors: set.tensors.map { ($0.info, $0.fileOffset, $0.part) }, files: files, hf: nil)
        }
        var o = convertOptions
        o.writeQuantizationVersion = false
        let plan = try Converter.plan(input: path, options: o)
        return QuantizeSource(path: path, metadata: plan.metadata,
                              tensors: plan.tensors.map { ($0.info, $0.record.dataOffset, 0) }, files: [file], hf: nil)
    }

    /// Opens a Hugging Face model folder as the file `ggufkit convert --outtype OUTTYPE` would write (f32,
    /// f16, bf16 or auto), without writing it: quantizing it gives llama-quantize's output on that file.
    public static func openHF(_ folder: String, outType: HFOutType) throws -> QuantizeSource {
        guard outType != .q8_0 else {
            throw ModelError.usage("quantizing a Hugging Face folder goes through f32, f16 or bf16 (--outtype), not q8_0")
        }
        var o = HFConvertOptions()
        o.outType = outType
        let plan = try HFConverter.plan(folder: folder, options: o)
        let infos = GGUFWriter.layout(plan.tensors.map(\.info), alignment: 32)
        let headerBytes = GGUFWriter.header(metadata: plan.metadata, tensors: infos, alignment: 32, keepAllDimensions: true).count
        var index: [Int: Int] = [:]
        for (i, t) in infos.enumerated() { index[headerBytes + t.offset] = i }
        let files = try plan.checkpoint.files.map { (f) throws(IOError) in try FileSource(path: f.path) }
        var byPath: [String: SafetensorsFile] = [:]
        for f in plan.checkpoint.files { byPath[f.path] = f }
        return QuantizeSource(path: folder, metadata: plan.metadata,
                              tensors: infos.map { ($0, headerBytes + $0.offset, 0) }, files: files,
                              hf: HFQuantizeInput(plan: plan, tensorAtOffset: index, files: byPath))
    }

    /// Hyper-parameters the mix rules need, read as llama.cpp reads them (``LlamaArchitectures/mixModel(_:)``).
    public func mixModel() throws(ModelError) -> MixModel {
        do { return try LlamaArchitectures.mixModel(metadata) } catch {
            throw .badData("\(path): \(error)")
        }
    }
}

/// The converter's plan of a Hugging Face folder, for ``QuantizeSource``: which planned tensor a tensor
/// offset of the (never written) converted file stands for.
public struct HFQuantizeInput: @unchecked Sendable {
    public var plan: HFConversionPlan
    var tensorAtOffset: [Int: Int]
    var files: [String: SafetensorsFile]

    /// Writes `count` rows (of `rowLength` elements) of the converted tensor at `offset`, from row `row`,
    /// into `dst`, and returns the checkpoint bytes read.
    func rows(offset: Int, row: Int, count: Int, rowLength: Int, into dst: UnsafeMutableRawPointer, threads: Int) throws -> Int {
        guard let i = tensorAtOffset[offset] else { throw ModelError.badData("internal: no converted tensor at offset \(offset)") }
        let t = plan.tensors[i]
        let unit = HFConverter.unitRowLength(t)
        let lo = row * rowLength / unit, hi = (row + count) * rowLength / unit
        return try HFConverter.encodeRows(t, rows: lo..<hi, into: dst, files: files, threads: threads)
    }
}
