import GGUFFormat
import GGUFIO

/// A model to quantize: metadata, tensors and where each tensor's bytes are in an uncompressed file.
///
/// A GGUF file is used as it is; a GGML-era file is seen through the converter's plan, so the GGML
/// hyper-parameter options of `convert` apply.
public struct QuantizeSource: @unchecked Sendable {
    public var path: String
    public var metadata: GGUFMetadata
    /// Tensors in input order with the absolute file offset of their data.
    public var tensors: [(info: GGUFTensorInfo, fileOffset: Int)]
    public var file: FileSource

    /// Opens `path`: GGUF, or a GGML file (converted on the fly with `convertOptions`).
    public static func open(_ path: String, convertOptions: ConvertOptions = ConvertOptions()) throws -> QuantizeSource {
        let file = try FileSource(path: path)
        var magic = [UInt8](repeating: 0, count: 4)
        _ = try magic.withMutableBytesIO { (b) throws(IOError) in try file.read(into: b) }
        try file.seek(to: 0)
        if magic == [0x28, 0xB5, 0x2F, 0xFD] || magic.prefix(2) == [0x1F, 0x8B] {
            throw IOError(.usage, path: path, "quantize reads tensors out of order and needs an uncompressed file; decompress it first (or convert a compressed GGML file with `ggufkit convert`)")
        }
        if magic == Array("GGUF".utf8) {
            let g = try GGUFReader.read(Reader(file))
            return QuantizeSource(path: path, metadata: g.metadata,
                                  tensors: g.tensors.map { ($0, g.dataOffset + $0.offset) }, file: file)
        }
        var o = convertOptions
        o.writeQuantizationVersion = false
        let plan = try Converter.plan(input: path, options: o)
        return QuantizeSource(path: path, metadata: plan.metadata,
                              tensors: plan.tensors.map { ($0.info, $0.record.dataOffset) }, file: file)
    }

    /// Hyper-parameters the mix rules need, read as llama.cpp reads them (``LlamaArchitectures/mixModel(_:)``).
    public func mixModel() throws(ModelError) -> MixModel {
        do { return try LlamaArchitectures.mixModel(metadata) } catch {
            throw .badData("\(path): \(error)")
        }
    }
}
