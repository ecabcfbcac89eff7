import GGUFIO

/// The element types of a safetensors tensor that can be converted (others are named in errors).
public enum SafetensorsDType: String, Sendable, CaseIterable {
    case f32 = "F32", f16 = "F16", bf16 = "BF16"

    /// Bytes per element.
    public var size: Int { self == .f32 ? 4 : 2 }
}

/// One tensor of a safetensors file: where its bytes are, and what they hold.
public struct SafetensorsTensor: Sendable {
    public var name: String
    /// The dtype as the file names it (`F32`, `BF16`, `I64`, ...).
    public var dtypeName: String
    /// The dtype, when it is one that can be converted.
    public var dtype: SafetensorsDType? { SafetensorsDType(rawValue: dtypeName) }
    /// Dimensions in PyTorch order (the last one varies fastest).
    public var shape: [Int]
    /// The absolute offset of the data in `path`.
    public var offset: Int
    public var byteCount: Int
    /// The file that holds the data.
    public var path: String

    public var elementCount: Int { shape.reduce(1, *) }
}

/// A `.safetensors` file: an 8-byte little-endian header length, a JSON header naming every tensor's dtype,
/// shape and data range, then the data. The file is mapped; tensors are read in place.
///
/// The header length and every data range are checked against the file size before anything is allocated.
public final class SafetensorsFile: @unchecked Sendable {
    /// The largest header accepted (the safetensors library's own limit).
    public static let maxHeaderBytes = 100 << 20

    public let path: String
    public let file: MappedFile
    /// The tensors, sorted by name (the order llama.cpp's converter visits them in).
    public let tensors: [SafetensorsTensor]
    /// The `__metadata__` strings of the header.
    public let metadata: [String: String]

    public init(path: String) throws(IOError) {
        self.path = path
        file = try MappedFile(path: path)
        guard file.size >= 8 else {
            throw .badData(path, at: 0, "expected a safetensors header length (8 bytes), the file has \(file.size) bytes")
        }
        let lenBytes = try file.bytes(at: 0, count: 8)
        var n: UInt64 = 0
        for i in 0..<8 { n |= UInt64(lenBytes[i]) << (8 * UInt64(i)) }
        guard n <= UInt64(file.size - 8) else {
            throw .badData(path, at: 0, "header length \(n) runs past the end of the file (\(file.size) bytes): truncated or not a safetensors file")
        }
        guard n <= UInt64(SafetensorsFile.maxHeaderBytes) else {
            throw .badData(path, at: 0, "header length \(n) exceeds the \(SafetensorsFile.maxHeaderBytes)-byte limit")
        }
        let headerLength = Int(n)
        let dataStart = 8 + headerLength
        let dataSize = file.size - dataStart
        let raw = try file.bytes(at: 8, count: headerLength)
        let header: JSONNode
        do {
            header = try JSONNode.parse(raw)
        } catch {
            throw .badData(path, at: 8 + error.offset, "the header is not valid JSON: \(error.message)")
        }
        guard let members = header.members else {
            throw .badData(path, at: 8, "the header is not a JSON object")
        }
        var tensors: [SafetensorsTensor] = []
        var meta: [String: String] = [:]
        for (name, entry) in members {
            if name == "__metadata__" {
                for (k, v) in entry.members ?? [] { if let s = v.string { meta[k] = s } }
                continue
            }
            func bad(_ m: String) -> IOError { .badData(path, at: 8, "tensor '\(name)': \(m)") }
            guard let dtype = entry["dtype"]?.string, let shapeValues = entry["shape"]?.array,
                  let offsets = entry["data_offsets"]?.array else {
                throw bad("expected an object with dtype, shape and data_offsets")
            }
            var shape: [Int] = []
            var count = 1
            for d in shapeValues {
                guard let v = d.int, v >= 0 else { throw bad("shape is not a list of non-negative integers") }
                let (m, o) = count.multipliedReportingOverflow(by: v)
                guard !o, m <= dataSize else { throw bad("shape \(shapeValues.compactMap(\.int)) has more elements than the file has bytes") }
                count = m
                shape.append(v)
            }
            guard offsets.count == 2, let begin = offsets[0].int, let end = offsets[1].int, begin >= 0, begin <= end else {
                throw bad("data_offsets is not a pair [begin, end] with 0 <= begin <= end")
            }
            guard end <= dataSize else {
                throw .badData(path, at: dataStart + begin,
                               "tensor '\(name)': data [\(begin), \(end)) runs past the end of the data (\(dataSize) bytes): truncated file")
            }
            if let dt = SafetensorsDType(rawValue: dtype), count * dt.size != end - begin {
                throw bad("shape \(shape) of \(dtype) needs \(count * dt.size) bytes, data_offsets give \(end - begin)")
            }
            tensors.append(SafetensorsTensor(name: name, dtypeName: dtype, shape: shape, offset: dataStart + begin,
                                             byteCount: end - begin, path: path))
        }
        tensors.sort { Array($0.name.utf8).lexicographicallyPrecedes(Array($1.name.utf8)) }
        self.tensors = tensors
        metadata = meta
    }

    /// The bytes of a tensor of this file.
    public func data(_ t: SafetensorsTensor) throws(IOError) -> UnsafeRawBufferPointer {
        try file.bytes(at: t.offset, count: t.byteCount)
    }
}
