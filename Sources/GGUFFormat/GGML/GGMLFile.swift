/// The container variants of pre-GGUF llama.cpp model files.
public enum GGMLContainer: String, Sendable {
    /// Unversioned `ggml` magic (March 2023): no vocabulary scores, no alignment.
    case ggml = "GGML"
    /// `ggmf` v1: adds a version and vocabulary scores.
    case ggmf = "GGMF"
    /// `ggjt` v1, v2, v3: tensor data aligned to 32 bytes.
    case ggjt = "GGJT"

    public var magic: UInt32 {
        switch self {
        case .ggml: return 0x6767_6D6C
        case .ggmf: return 0x6767_6D66
        case .ggjt: return 0x6767_6A74
        }
    }
}

/// The seven hyper-parameters every GGML llama file stores.
public struct GGMLHyperParameters: Sendable, Equatable {
    public var nVocab: Int
    public var nEmbd: Int
    public var nMult: Int
    public var nHead: Int
    public var nLayer: Int
    public var nRot: Int
    public var ftype: LlamaFileType
}

/// One vocabulary record: raw token bytes and, except in unversioned files, a score.
public struct GGMLToken: Sendable, Equatable {
    public var bytes: [UInt8]
    public var score: Float
}

/// One tensor record of a GGML file.
public struct GGMLTensorRecord: Sendable, Equatable {
    public var name: String
    /// Dimensions in ggml order (`ne[0]` the row length).
    public var ne: [Int]
    /// The raw type id of the record (ggml_type numbering of its time).
    public var typeID: UInt32
    /// Absolute file offset of the data.
    public var dataOffset: Int
    /// Data size in bytes, as the file's own version lays it out.
    public var byteCount: Int
    /// Absolute file offset of the record header (for errors).
    public var recordOffset: Int

    public var elementCount: Int { ne.reduce(1, *) }
}

/// A scanned GGML file: header, vocabulary and tensor table (data is not read).
public struct GGMLFile: Sendable {
    public var container: GGMLContainer
    /// 0 for unversioned `ggml`, else the version field.
    public var version: UInt32
    public var hparams: GGMLHyperParameters
    public var vocab: [GGMLToken]
    public var tensors: [GGMLTensorRecord]
    public var fileSize: Int?

    /// `GGJTv3`, `GGMFv1`, `GGML`: the name llama.cpp's converter uses in descriptions.
    public var formatName: String {
        container == .ggml ? "GGML" : "\(container.rawValue)v\(version)"
    }

    public func tensor(_ name: String) -> GGMLTensorRecord? { tensors.first { $0.name == name } }
}
