import GGUFFormat
import GGUFIO

/// The container of a model file.
public enum ModelFormat: String, Sendable {
    case gguf = "GGUF", ggjt = "GGJT", ggmf = "GGMF", ggml = "GGML"
}

/// One tensor of a model file, as `inspect` and `diff` see it (GGUF or GGML era).
public struct TensorEntry: Sendable, Equatable {
    public var name: String
    /// Dimensions in ggml order: `ne[0]` is the row length.
    public var ne: [Int]
    /// The type's name: ggml's (`Q4_K`), or the GGML-era layout's name when it has no GGUF type.
    public var typeName: String
    /// The GGUF type with the same bytes, when there is one.
    public var type: GGMLType?
    /// Absolute offset of the data from the start of the file (of its part, in a split set).
    public var offset: Int
    /// Data size in bytes.
    public var bytes: Int
    /// The index of the file holding the data in ``ModelHeader/parts`` (0 when the model is one file).
    public var part: Int

    public init(name: String, ne: [Int], typeName: String, type: GGMLType?, offset: Int, bytes: Int, part: Int = 0) {
        self.name = name
        self.ne = ne
        self.typeName = typeName
        self.type = type
        self.offset = offset
        self.bytes = bytes
        self.part = part
    }

    public var elementCount: Int { ne.reduce(1, *) }
}

/// One file of a split GGUF model, as `inspect` shows it.
public struct ModelPart: Sendable, Equatable {
    public var path: String
    public var fileSize: Int?
    /// Absolute offset of this file's data section.
    public var dataOffset: Int
    public var tensorCount: Int
}

/// The header of a model file (GGUF v1–v3, or GGML, GGMF, GGJT v1–v3; plain, `.zst` or `.gz`).
///
/// Built from the header only: tensor data is skipped (a seek on plain files), so reading takes the
/// same time for a 10 MB and a 100 GB file. The first part of a split GGUF set brings the whole set
/// (``GGUFSplitSet``): the first part's metadata, every part's tensors, whole-model sizes, and ``parts``.
public struct ModelHeader: Sendable {
    public var path: String
    public var format: ModelFormat
    /// The container version (0 for unversioned `ggml`).
    public var version: UInt32
    /// GGUF: the key-value metadata in file order. GGML era: the stored hyper-parameters as `ggml.*`
    /// keys (`ggml.n_vocab`, ... `ggml.ftype`) and the vocabulary as `ggml.tokens` / `ggml.scores`.
    public var metadata: GGUFMetadata
    public var tensors: [TensorEntry]
    /// GGUF: `general.alignment` or 32; GGJT: 32; older containers: `nil` (unaligned).
    public var alignment: Int?
    /// GGUF: absolute offset of the data section.
    public var dataOffset: Int?
    /// The (decompressed) file size, when known; of all parts together for a split set.
    public var fileSize: Int?
    /// The files of a split set, in order; empty for a model in one file.
    public var parts: [ModelPart] = []
    /// Whether the model is a split set of more than one file.
    public var isSplit: Bool { parts.count > 1 }
    /// The size on disk (compressed size for `.zst`/`.gz`).
    public var diskSize: Int?
    /// `zstd` or `gzip` for compressed input, else `nil`.
    public var compression: String?
    public var hparams: Hyperparameters
    /// The stored whole-file type: GGUF `general.file_type`, GGML `ftype`.
    public var storedFileType: LlamaFileType?

    /// `GGUF v3`, `GGJT v3`, `GGML`.
    public var formatName: String { format == .ggml ? "GGML" : "\(format.rawValue) v\(version)" }

    /// The tensor named `name`.
    public func tensor(_ name: String) -> TensorEntry? { tensors.first { $0.name == name } }

    /// Reads the header of the model file at `path`.
    public static func read(path: String) throws(IOError) -> ModelHeader {
        try read(source: try openSource(path: path))
    }

    /// Reads the header from `source`, positioned at the start of the file.
    public static func read(source: ByteSource) throws(IOError) -> ModelHeader {
        let path = source.path
        let compression: String? = source is ZstdSource ? "zstd" : source is GzipSource ? "gzip" : nil
        let disk = try? FileSource(path: path).size
        let r = Reader(source)
        let magic = try r.peek(4)
        if magic == Array("GGUF".utf8) {
            let f = try GGUFReader.read(r)
            let set = try GGUFSplitSet.open(first: f, path: path)
            if set.isSplit { return ModelHeader(split: set, compression: compression, diskSize: disk ?? nil) }
            return ModelHeader(gguf: f, path: path, compression: compression, diskSize: disk ?? nil)
        }
        let f = try GGMLReader.scan(r)
        return try ModelHeader(ggml: f, path: path, compression: compression, diskSize: disk ?? nil)
    }

    init(gguf f: GGUFFile, path: String, compression: String?, diskSize: Int?) {
        self.path = path
        format = .gguf
        version = f.version
        metadata = f.metadata
        tensors = f.tensors.map {
            TensorEntry(name: $0.name, ne: $0.ne, typeName: $0.type.name, type: $0.type,
                        offset: f.dataOffset + $0.offset, bytes: $0.byteCount)
        }
        alignment = f.alignment
        dataOffset = f.dataOffset
        fileSize = f.fileSize
        self.diskSize = diskSize
        self.compression = compression
        hparams = Hyperparameters(gguf: f.metadata, tensors: tensors)
        storedFileType = f.metadata.int("general.file_type").flatMap { UInt32(exactly: $0) }.map(LlamaFileType.init(rawValue:))
    }

    /// The whole set: the first part's header, every part's tensors, sizes summed over the parts.
    init(split set: GGUFSplitSet, compression: String?, diskSize: Int?) {
        self.init(gguf: set.parts[0].file, path: set.path, compression: compression, diskSize: diskSize)
        tensors = set.tensors.map {
            TensorEntry(name: $0.info.name, ne: $0.info.ne, typeName: $0.info.type.name, type: $0.info.type,
                        offset: $0.fileOffset, bytes: $0.info.byteCount, part: $0.part)
        }
        parts = set.parts.map {
            ModelPart(path: $0.path, fileSize: $0.file.fileSize, dataOffset: $0.file.dataOffset, tensorCount: $0.file.tensors.count)
        }
        let sizes = parts.compactMap(\.fileSize)
        fileSize = sizes.count == parts.count ? sizes.reduce(0, +) : nil
        if let d = diskSize, let f0 = parts[0].fileSize { self.diskSize = d + (fileSize ?? f0) - f0 }
        hparams = Hyperparameters(gguf: metadata, tensors: tensors)
    }

    init(ggml f: GGMLFile, path: String, compression: String?, diskSize: Int?) throws(IOError) {
        self.path = path
        switch f.container {
        case .ggml: format = .ggml
        case .ggmf: format = .ggmf
        case .ggjt: format = .ggjt
        }
        version = f.version
        let hp = f.hparams
        // The hyper-parameters are only trusted when the embedding table agrees with them.
        if let emb = f.tensor("tok_embeddings.weight"), emb.ne.first != hp.nEmbd {
            throw .badData(path, at: (f.container == .ggml ? 4 : 8) + 4,
                           "n_embd is \(hp.nEmbd), but tok_embeddings.weight has rows of \(emb.ne.first ?? 0) values")
        }
        var md = GGUFMetadata()
        md["ggml.n_vocab"] = .uint32(UInt32(hp.nVocab))
        md["ggml.n_embd"] = .uint32(UInt32(hp.nEmbd))
        md["ggml.n_mult"] = .uint32(UInt32(hp.nMult))
        md["ggml.n_head"] = .uint32(UInt32(hp.nHead))
        md["ggml.n_layer"] = .uint32(UInt32(hp.nLayer))
        md["ggml.n_rot"] = .uint32(UInt32(hp.nRot))
        md["ggml.ftype"] = .uint32(hp.ftype.rawValue)
        md["ggml.tokens"] = .array(elementType: .string, values: f.vocab.map { .string($0.bytes) })
        if f.container != .ggml {
            md["ggml.scores"] = .array(elementType: .float32, values: f.vocab.map { .float32($0.score) })
        }
        metadata = md
        var entries: [TensorEntry] = []
        for t in f.tensors {
            // The reader has already checked every type id against the file's version.
            let layout = GGMLLayouts.layout(typeID: t.typeID, container: f.container, version: f.version)
            entries.append(TensorEntry(name: t.name, ne: t.ne, typeName: layout?.name ?? "type \(t.typeID)",
                                       type: layout?.gguf, offset: t.dataOffset, bytes: t.byteCount))
        }
        tensors = entries
        alignment = f.container == .ggjt ? 32 : nil
        dataOffset = nil
        fileSize = f.fileSize
        self.diskSize = diskSize
        self.compression = compression
        hparams = Hyperparameters(ggml: f)
        storedFileType = hp.ftype
    }
}
