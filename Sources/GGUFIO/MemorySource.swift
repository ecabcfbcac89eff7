/// Bytes held in memory, read as a seekable ``ByteSource`` (tests, fuzzing, small embedded files).
public final class MemorySource: ByteSource {
    public let path: String
    public let bytes: [UInt8]
    public var size: Int? { bytes.count }
    public var isSeekable: Bool { true }
    private var position = 0

    /// A source over `bytes`; `path` is only the name shown in errors.
    public init(_ bytes: [UInt8], path: String = "<memory>") {
        self.bytes = bytes
        self.path = path
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(IOError) -> Int {
        let n = min(buffer.count, max(0, bytes.count - position))
        guard n > 0 else { return 0 }
        bytes.withUnsafeBytes { src in
            buffer.baseAddress!.copyMemory(from: src.baseAddress! + position, byteCount: n)
        }
        position += n
        return n
    }

    public func seek(to offset: Int) throws(IOError) {
        guard offset >= 0 else { throw IOError(.usage, path: path, "cannot seek to offset \(offset)") }
        position = offset
    }
}
