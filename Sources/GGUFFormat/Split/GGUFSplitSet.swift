import GGUFIO

/// A GGUF model as llama.cpp loads it: one file, or every part of a split set
/// (`NAME-00001-of-00003.gguf`, ... as `llama-gguf-split` and `llama-quantize --keep-split` write them).
///
/// Each part is a complete GGUF file carrying `split.no`, `split.count` and `split.tensors.count`; the
/// first holds the model's metadata, the others only those keys. Opening the first part finds the
/// others by llama.cpp's naming rule (``SplitNaming``) and checks, as `llama_model_loader` does and a
/// little more, that each is the part it should be: `split.no` equal to its position, the same
/// `split.count` and `split.tensors.count` as the first part (else it belongs to another set), the
/// tensor count of the whole set equal to `split.tensors.count`, and no tensor name twice. Every error
/// is one line naming the file at fault.
public struct GGUFSplitSet: Sendable {
    /// One file of the set.
    public struct Part: Sendable {
        public var path: String
        public var file: GGUFFile
    }

    /// A tensor of the set: its table entry, the part holding its data and the data's absolute offset there.
    public struct Tensor: Sendable {
        public var info: GGUFTensorInfo
        /// Index into ``GGUFSplitSet/parts``.
        public var part: Int
        /// Absolute offset of the data in that part's file.
        public var fileOffset: Int
    }

    /// The files, in order (one for an unsplit model).
    public var parts: [Part]
    /// Every tensor of every part, part by part, each part's in its table order.
    public var tensors: [Tensor]

    /// The model's metadata: the first part's (split keys included).
    public var metadata: GGUFMetadata { parts[0].file.metadata }
    /// Whether the model has more than one file.
    public var isSplit: Bool { parts.count > 1 }
    /// The first (or only) file's path.
    public var path: String { parts[0].path }

    /// The split count a file claims: `split.count`, or 0 when it has none (or the 0 of a merged file).
    public static func splitCount(_ m: GGUFMetadata, path: String) throws(IOError) -> Int {
        guard let v = m[SplitKeys.count] else { return 0 }
        guard let n = v.intValue, (0...Int(UInt16.max)).contains(n) else {
            throw .badData(path, at: nil, "\(SplitKeys.count) is \(describe(v)), expected a UINT16 part count")
        }
        return n
    }

    /// Opens the model at `path` (any GGUF file; `.zst`/`.gz` too for an unsplit one) and, when it is
    /// the first part of a split set, every other part.
    public static func open(path: String) throws(IOError) -> GGUFSplitSet {
        try open(first: GGUFReader.read(path: path), path: path)
    }

    /// Completes the set of which `first` (already read from `path`) is a file.
    ///
    /// - Throws: ``IOError`` with kind `.usage` when `path` is a later part (llama.cpp loads a split
    ///   model only from its first part), `.system` when a part cannot be opened (a missing part),
    ///   `.badData` for a part that is truncated, out of order, or from another set.
    public static func open(first: GGUFFile, path: String) throws(IOError) -> GGUFSplitSet {
        let n = try splitCount(first.metadata, path: path)
        let single = GGUFSplitSet(parts: [Part(path: path, file: first)],
                                  tensors: first.tensors.map { Tensor(info: $0, part: 0, fileOffset: first.dataOffset + $0.offset) })
        guard n > 1 else { return single }
        let no = try partNumber(first.metadata, path: path)
        guard no == 0 else {
            var hint = "its first part"
            if no < n, let prefix = SplitNaming.prefix(of: path, index: no, count: n) {
                hint += ", " + SplitNaming.path(prefix: prefix, index: 0, count: n)
            }
            throw IOError(.usage, path: path,
                          "this is part \(no + 1) of a \(n)-part split model (split.no = \(no)); open \(hint) (llama.cpp loads split models from the first part only)")
        }
        guard let prefix = SplitNaming.prefix(of: path, index: 0, count: n) else {
            throw .badData(path, at: nil,
                           "the first part of a \(n)-part split model must be named PREFIX\(SplitNaming.suffix(index: 0, count: n)) so that the other parts can be found (llama.cpp: invalid split file name)")
        }
        let total = try tensorTotal(first.metadata, path: path)

        var set = single
        var owner: [String: Int] = [:]
        for t in first.tensors { owner[t.name] = 0 }
        for i in 1..<n {
            let partPath = SplitNaming.path(prefix: prefix, index: i, count: n)
            let file: GGUFFile
            do {
                file = try GGUFReader.read(Reader(FileSource(path: partPath)))
            } catch let e where e.kind != .badData && e.offset == nil {
                throw IOError(e.kind, path: partPath, "part \(i + 1) of \(n) of the split model \(path): \(e.message)")
            }
            let m = file.metadata
            guard m[SplitKeys.number] != nil else {
                throw .badData(partPath, at: nil, "has no \(SplitKeys.number) key: not part \(i + 1) of the split model \(path)")
            }
            let pn = try partNumber(m, path: partPath)
            guard pn == i else {
                throw .badData(partPath, at: nil,
                               "split.no is \(pn), expected \(i): this file is part \(pn + 1) of a set, not part \(i + 1) of \(path) (renamed or reordered?)")
            }
            let pc = try splitCount(m, path: partPath)
            guard pc == n else {
                throw .badData(partPath, at: nil, "split.count is \(pc), but \(path) says \(n): a part of another split set")
            }
            let pt = try tensorTotal(m, path: partPath)
            guard pt == total else {
                throw .badData(partPath, at: nil, "split.tensors.count is \(pt), but \(path) says \(total): a part of another split set")
            }
            for t in file.tensors {
                if let j = owner[t.name] {
                    throw .badData(partPath, at: nil, "tensor '\(t.name)' is also in \(set.parts[j].path): duplicated across the set (llama.cpp: invalid model)")
                }
                owner[t.name] = i
                set.tensors.append(Tensor(info: t, part: i, fileOffset: file.dataOffset + t.offset))
            }
            set.parts.append(Part(path: partPath, file: file))
        }
        guard set.tensors.count == total else {
            throw .badData(path, at: nil,
                           "split.tensors.count is \(total), but the \(n) parts hold \(set.tensors.count) tensors (corrupted model: a part from another set?)")
        }
        return set
    }

    static func partNumber(_ m: GGUFMetadata, path: String) throws(IOError) -> Int {
        try requiredInt(m, SplitKeys.number, in: 0...Int(UInt16.max), expected: "a UINT16 part index", path: path)
    }

    static func tensorTotal(_ m: GGUFMetadata, path: String) throws(IOError) -> Int {
        try requiredInt(m, SplitKeys.tensorCount, in: 0...Int(Int32.max), expected: "an INT32 tensor count", path: path)
    }

    /// A split key every part must have, as an integer in `range`.
    static func requiredInt(_ m: GGUFMetadata, _ key: String, in range: ClosedRange<Int>, expected: String,
                            path: String) throws(IOError) -> Int {
        guard let v = m[key] else {
            throw .badData(path, at: nil, "has \(SplitKeys.count) but no \(key): not a valid part of a split model")
        }
        guard let n = v.intValue, range.contains(n) else {
            throw .badData(path, at: nil, "\(key) is \(describe(v)), expected \(expected)")
        }
        return n
    }

    /// `70000` for a number, `a STRING` otherwise.
    static func describe(_ v: GGUFValue) -> String {
        v.intValue.map(String.init) ?? "a \(v.typeName)"
    }
}
