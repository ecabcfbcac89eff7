import GGUFFormat

/// One GGUF file to write by copying tensor data: its metadata, its tensor table (offsets laid out,
/// 32-byte alignment as ggml's writer), and where each tensor's bytes come from.
public struct OutputPart: Sendable {
    public var path: String
    public var metadata: GGUFMetadata
    /// Tensors in write order, offsets laid out.
    public var tensors: [GGUFTensorInfo]
    /// The input of each tensor (same order).
    public var sources: [GGUFSplitSet.Tensor]
    /// The encoded header (metadata, tensor table, padding).
    public let header: [UInt8]

    public init(path: String, metadata: GGUFMetadata, sources: [GGUFSplitSet.Tensor]) {
        self.path = path
        self.metadata = metadata
        self.sources = sources
        tensors = GGUFWriter.layout(sources.map(\.info), alignment: GGUFReader.defaultAlignment)
        header = GGUFWriter.header(metadata: metadata, tensors: tensors, alignment: GGUFReader.defaultAlignment)
    }

    /// Bytes of tensor data, without padding.
    public var dataBytes: Int { tensors.reduce(0) { $0 + $1.byteCount } }
    /// Bytes of the whole file: header and every tensor padded to 32 bytes.
    public var fileBytes: Int { header.count + tensors.reduce(0) { $0 + ($1.byteCount + 31) / 32 * 32 } }
}
