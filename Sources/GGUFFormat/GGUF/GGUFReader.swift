import GGUFIO

/// Reads the header of a GGUF file (v1, v2 or v3): metadata and tensor table.
///
/// Every count, length, offset and size is checked against the bytes that remain in the file before
/// anything is allocated for it, so a hostile header gives an ``IOError`` naming the offset, never a
/// crash or a huge allocation. Tensor data is not read.
public enum GGUFReader {
    public static let magic: UInt32 = 0x4655_4747  // "GGUF"
    public static let defaultAlignment = 32
    /// ggml's limit on array elements (`GGUF_MAX_ARRAY_ELEMENTS`).
    public static let maxArrayElements = 1 << 30
    /// Limit on a single string when the file size is unknown (compressed input).
    public static let maxStringLength = 1 << 28
    static let maxNesting = 8

    /// Reads the header of the GGUF file at `path` (plain, `.zst` or `.gz`).
    public static func read(path: String) throws(IOError) -> GGUFFile {
        try read(Reader(try openSource(path: path)))
    }

    /// Reads a header from `reader`, which must be at the start of the file.
    public static func read(_ r: Reader) throws(IOError) -> GGUFFile {
        let m = try r.readU32("the GGUF magic")
        guard m == magic else {
            throw r.error("not a GGUF file: expected the magic \"GGUF\", found \(describeMagic(m))", at: 0)
        }
        let version = try r.readU32("the GGUF version")
        if version & 0xFFFF == 0 && version != 0 {
            throw r.error("big-endian GGUF files are not supported (version field reads \(version.byteSwapped) byte-swapped)", at: 4)
        }
        guard (1...3).contains(version) else {
            throw r.error("unsupported GGUF version \(version): expected 1, 2 or 3", at: 4)
        }
        let v1 = version == 1
        func count(_ what: String) throws(IOError) -> Int {
            let at = r.offset
            let c = v1 ? UInt64(try r.readU32(what)) : try r.readU64(what)
            guard c <= UInt64(Int.max / 2) else { throw r.error("\(what) \(c) is absurd", at: at) }
            return Int(c)
        }
        let tensorCount = try count("the tensor count")
        let kvCount = try count("the metadata count")
        // Each KV needs at least a key length, one key byte, a type and one value byte.
        let minKV = (v1 ? 4 : 8) + 1 + 4 + 1
        if let rem = r.remaining, kvCount > rem / minKV {
            throw r.error("the header claims \(kvCount) metadata entries, more than the \(rem) bytes left can hold", at: 16)
        }
        let minTensor = (v1 ? 4 : 8) + 1 + 4 + 4 + 8
        if let rem = r.remaining, tensorCount > rem / minTensor {
            throw r.error("the header claims \(tensorCount) tensors, more than the \(rem) bytes left can hold", at: 8)
        }

        var metadata = GGUFMetadata()
        for i in 0..<kvCount {
            let at = r.offset
            let key = try readString(r, v1: v1, "the key of metadata entry \(i)")
            guard !key.isEmpty else { throw r.error("metadata entry \(i) has an empty key", at: at) }
            let keyString = String(decoding: key, as: UTF8.self)
            guard !metadata.contains(keyString) else { throw r.error("duplicate metadata key '\(keyString)'", at: at) }
            let typeAt = r.offset
            let t = try r.readU32("the value type of '\(keyString)'")
            guard let type = GGUFValueType(rawValue: t), !(v1 && t > 9) else {
                throw r.error("unknown value type \(t) for metadata key '\(keyString)': expected 0..12", at: typeAt)
            }
            metadata[keyString] = try readValue(r, type: type, v1: v1, key: keyString, depth: 0)
        }

        var alignment = defaultAlignment
        if let a = metadata["general.alignment"] {
            guard case .uint32(let v) = a else {
                throw r.error("general.alignment has type \(a.typeName), expected UINT32")
            }
            guard v > 0, v & (v - 1) == 0, v <= 1 << 20 else {
                throw r.error("general.alignment is \(v), expected a power of two")
            }
            alignment = Int(v)
        }

        var tensors: [GGUFTensorInfo] = []
        tensors.reserveCapacity(min(tensorCount, 1 << 16))
        var names = Set<String>()
        for i in 0..<tensorCount {
            let at = r.offset
            let nameBytes = try readString(r, v1: v1, "the name of tensor \(i)")
            let name = String(decoding: nameBytes, as: UTF8.self)
            guard nameBytes.count < 64 else {
                throw r.error("tensor \(i) has a \(nameBytes.count)-byte name; ggml allows at most 63", at: at)
            }
            guard names.insert(name).inserted else { throw r.error("duplicate tensor name '\(name)'", at: at) }
            let ndAt = r.offset
            let nDims = Int(try r.readU32("the dimension count of '\(name)'"))
            guard nDims <= 4 else { throw r.error("tensor '\(name)' has \(nDims) dimensions; at most 4 are allowed", at: ndAt) }
            var ne: [Int] = []
            for d in 0..<nDims {
                let dAt = r.offset
                let v = v1 ? UInt64(try r.readU32("dimension \(d) of '\(name)'")) : try r.readU64("dimension \(d) of '\(name)'")
                guard v <= UInt64(Int64.max) else { throw r.error("dimension \(d) of tensor '\(name)' is \(v), too large", at: dAt) }
                ne.append(Int(v))
            }
            if ne.isEmpty { ne = [1] }
            var elements = 1
            for d in ne {
                let (p, o) = elements.multipliedReportingOverflow(by: d)
                guard !o else { throw r.error("the element count of tensor '\(name)' \(ne) overflows", at: ndAt) }
                elements = p
            }
            let typeAt = r.offset
            let t = try r.readU32("the type of '\(name)'")
            guard let type = GGMLType(rawValue: t) else {
                throw r.error("tensor '\(name)' has unknown ggml type id \(t)", at: typeAt)
            }
            guard ne[0] % type.blockSize == 0 else {
                throw r.error("tensor '\(name)' has rows of \(ne[0]) elements, not a multiple of the \(type.name) block size \(type.blockSize)", at: ndAt)
            }
            guard type.tensorBytes(ne) != nil else {
                throw r.error("the byte size of tensor '\(name)' \(ne) overflows", at: ndAt)
            }
            let offAt = r.offset
            let off = try r.readU64("the data offset of '\(name)'")
            guard off <= UInt64(Int.max / 2) else { throw r.error("tensor '\(name)' has data offset \(off), past any file", at: offAt) }
            guard Int(off) % alignment == 0 else {
                throw r.error("tensor '\(name)' has data offset \(off), not a multiple of the alignment \(alignment)", at: offAt)
            }
            tensors.append(GGUFTensorInfo(name: name, ne: ne, type: type, offset: Int(off)))
        }
        // Data starts at the next multiple of the alignment.
        let headerEnd = r.offset
        let dataOffset = tensorCount == 0 ? headerEnd : (headerEnd + alignment - 1) / alignment * alignment
        let file = GGUFFile(version: version, metadata: metadata, tensors: tensors, alignment: alignment,
                            dataOffset: dataOffset, fileSize: r.source.size)
        try checkData(file, path: r.path)
        return file
    }

    /// Checks that every tensor's data lies inside the file and that no two tensors overlap.
    static func checkData(_ f: GGUFFile, path: String) throws(IOError) {
        let sorted = f.tensors.sorted { $0.offset < $1.offset }
        var end = 0
        var previous = ""
        for t in sorted {
            if t.offset < end {
                throw .badData(path, at: f.dataOffset + t.offset, "tensor '\(t.name)' overlaps the data of '\(previous)'")
            }
            end = t.offset + t.byteCount
            previous = t.name
            if let size = f.fileSize, f.dataOffset + end > size {
                throw .badData(path, at: f.dataOffset + t.offset,
                               "tensor '\(t.name)' needs \(t.byteCount) bytes of data up to offset \(f.dataOffset + end), but the file ends at \(size) (truncated?)")
            }
        }
    }

    static func readString(_ r: Reader, v1: Bool, _ what: @autoclosure () -> String) throws(IOError) -> [UInt8] {
        let at = r.offset
        let n = v1 ? UInt64(try r.readU32("the length of \(what())")) : try r.readU64("the length of \(what())")
        if let rem = r.remaining, n > UInt64(rem) {
            throw r.error("\(what()) claims \(n) bytes, but only \(rem) remain in the file", at: at)
        }
        guard n <= UInt64(maxStringLength) else { throw r.error("\(what()) claims \(n) bytes, more than the \(maxStringLength) allowed", at: at) }
        return try r.readBytes(Int(n), what())
    }

    static func readValue(_ r: Reader, type: GGUFValueType, v1: Bool, key: String, depth: Int) throws(IOError) -> GGUFValue {
        let what = "the value of '\(key)'"
        switch type {
        case .uint8: return .uint8(try r.read(UInt8.self, what))
        case .int8: return .int8(try r.read(Int8.self, what))
        case .uint16: return .uint16(try r.read(UInt16.self, what))
        case .int16: return .int16(try r.read(Int16.self, what))
        case .uint32: return .uint32(try r.read(UInt32.self, what))
        case .int32: return .int32(try r.read(Int32.self, what))
        case .float32: return .float32(try r.readF32(what))
        case .bool: return .bool(try r.read(UInt8.self, what) != 0)
        case .uint64: return .uint64(try r.read(UInt64.self, what))
        case .int64: return .int64(try r.read(Int64.self, what))
        case .float64: return .float64(Double(bitPattern: try r.read(UInt64.self, what)))
        case .string: return .string(try readString(r, v1: v1, what))
        case .array:
            guard depth < maxNesting else { throw r.error("'\(key)' nests arrays more than \(maxNesting) deep") }
            let typeAt = r.offset
            let et = try r.readU32("the element type of '\(key)'")
            guard let elementType = GGUFValueType(rawValue: et) else {
                throw r.error("unknown array element type \(et) for '\(key)'", at: typeAt)
            }
            let countAt = r.offset
            let c = v1 ? UInt64(try r.readU32("the length of '\(key)'")) : try r.readU64("the length of '\(key)'")
            let minSize = elementType.scalarSize ?? (elementType == .string ? (v1 ? 4 : 8) : 12)
            guard c <= UInt64(maxArrayElements) else {
                throw r.error("array '\(key)' claims \(c) elements, more than the \(maxArrayElements) allowed", at: countAt)
            }
            if let rem = r.remaining, c > UInt64(rem / minSize) {
                throw r.error("array '\(key)' claims \(c) elements of \(elementType), more than the \(rem) bytes left can hold", at: countAt)
            }
            let n = Int(c)
            var values: [GGUFValue] = []
            values.reserveCapacity(min(n, 1 << 20))
            for _ in 0..<n {
                values.append(try readValue(r, type: elementType, v1: v1, key: key, depth: depth + 1))
            }
            return .array(elementType: elementType, values: values)
        }
    }

    /// The magic as text when printable (`'ggjt'`), else hex.
    public static func describeMagic(_ m: UInt32) -> String {
        let bytes = withUnsafeBytes(of: m.littleEndian) { Array($0) }
        if bytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) {
            return "\"" + String(decoding: bytes, as: UTF8.self) + "\""
        }
        return "0x" + bytes.map { String($0, radix: 16).leftPad(2) }.joined()
    }
}

extension String {
    func leftPad(_ n: Int, _ c: Character = "0") -> String {
        count >= n ? self : String(repeating: c, count: n - count) + self
    }
}
