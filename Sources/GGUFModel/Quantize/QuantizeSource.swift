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
                                  tensors: set.tensors.map { ($0.info, $0.fileOffset, $0.part) }, files: files)
        }
        var o = convertOptions
        o.writeQuantizationVersion = false
        let plan = try Converter.plan(input: path, options: o)
        return QuantizeSource(path: path, metadata: plan.metadata,
                              tensors: plan.tensors.map { ($0.info, $0.record.dataOffset, 0) }, files: [file])
    }

    /// Hyper-parameters the mix rules need, read as llama.cpp reads them (``LlamaArchitectures/mixModel(_:)``).
    public func mixModel() throws(ModelError) -> MixModel {
        do { return try LlamaArchitectures.mixModel(metadata) } catch {
            throw .badData("\(path): \(error)")
        }
    }
}
