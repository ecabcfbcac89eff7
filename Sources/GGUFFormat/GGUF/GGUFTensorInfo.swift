/// One entry of a GGUF tensor table.
public struct GGUFTensorInfo: Sendable, Equatable {
    public var name: String
    /// Dimensions in ggml order: `ne[0]` is the row length (fastest varying).
    public var ne: [Int]
    public var type: GGMLType
    /// Offset of the data, relative to the start of the data section.
    public var offset: Int

    public init(name: String, ne: [Int], type: GGMLType, offset: Int = 0) {
        self.name = name
        self.ne = ne
        self.type = type
        self.offset = offset
    }

    public var elementCount: Int { ne.reduce(1, *) }
    /// The data size in bytes (checked when the file was read).
    public var byteCount: Int { type.tensorBytes(ne) ?? 0 }
    public var rowLength: Int { ne.first ?? 1 }
    public var rowCount: Int { ne.dropFirst().reduce(1, *) }
}

/// The parsed header of a GGUF file: everything before the tensor data.
public struct GGUFFile: Sendable {
    public var version: UInt32
    public var metadata: GGUFMetadata
    public var tensors: [GGUFTensorInfo]
    public var alignment: Int
    /// Absolute file offset of the data section.
    public var dataOffset: Int
    /// The file size, when known.
    public var fileSize: Int?

    /// The tensor named `name`.
    public func tensor(_ name: String) -> GGUFTensorInfo? { tensors.first { $0.name == name } }

    /// Absolute file offset of a tensor's data.
    public func absoluteOffset(of t: GGUFTensorInfo) -> Int { dataOffset + t.offset }
}
