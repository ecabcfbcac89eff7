/// Reads little-endian values from a ``ByteSource``, keeping track of the absolute offset for errors.
///
/// Every read that cannot be satisfied throws an ``IOError`` naming the file, the offset and what was
/// expected; nothing is allocated for a length before it has been checked by the caller.
public final class Reader {
    public let source: ByteSource
    /// The absolute offset of the next byte to be returned.
    public private(set) var offset: Int
    private var buffer: UnsafeMutableRawBufferPointer
    private var start = 0, end = 0
    private var atEnd = false

    public init(_ source: ByteSource, capacity: Int = 1 << 16) {
        self.source = source
        offset = 0
        buffer = .allocate(byteCount: max(capacity, 64), alignment: 16)
    }
    deinit { buffer.deallocate() }

    public var path: String { source.path }

    /// Bytes left until the end of the source, if its size is known.
    public var remaining: Int? { source.size.map { $0 - offset } }

    /// An error at the current offset.
    public func error(_ message: String, at: Int? = nil) -> IOError {
        .badData(source.path, at: at ?? offset, message)
    }

    private func refill() throws(IOError) {
        if start > 0 && start < end {
            buffer.baseAddress!.copyMemory(from: buffer.baseAddress! + start, byteCount: end - start)
        }
        end -= start
        start = 0
        while end < buffer.count && !atEnd {
            let n = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[end...]))
            if n == 0 { atEnd = true } else { end += n }
        }
    }

    /// Makes at least `n` bytes available in the buffer, or reports how many there are at the end.
    @discardableResult
    private func ensure(_ n: Int) throws(IOError) -> Bool {
        if end - start >= n { return true }
        try refill()
        return end - start >= n
    }

    /// Whether the source has no more bytes.
    public func isAtEnd() throws(IOError) -> Bool {
        try !ensure(1)
    }

    /// Returns the next `n` bytes (n ≤ 32 KiB) without consuming them, or fewer at the end.
    public func peek(_ n: Int) throws(IOError) -> [UInt8] {
        try ensure(n)
        let k = min(n, end - start)
        return Array(UnsafeRawBufferPointer(rebasing: buffer[start..<(start + k)]))
    }

    /// Reads a fixed-size little-endian integer.
    public func read<T: FixedWidthInteger>(_: T.Type, _ what: @autoclosure () -> String) throws(IOError) -> T {
        let size = MemoryLayout<T>.size
        guard try ensure(size) else {
            throw error("unexpected end of file: expected \(size) bytes of \(what())")
        }
        let v = buffer.baseAddress!.loadUnaligned(fromByteOffset: start, as: T.self)
        start += size
        offset += size
        return T(littleEndian: v)
    }

    public func readU32(_ what: @autoclosure () -> String) throws(IOError) -> UInt32 { try read(UInt32.self, what()) }
    public func readU64(_ what: @autoclosure () -> String) throws(IOError) -> UInt64 { try read(UInt64.self, what()) }
    public func readF32(_ what: @autoclosure () -> String) throws(IOError) -> Float {
        Float(bitPattern: try read(UInt32.self, what()))
    }

    /// Reads exactly `count` bytes. The caller has checked `count` against the file size or a sane cap.
    public func readBytes(_ count: Int, _ what: @autoclosure () -> String) throws(IOError) -> [UInt8] {
        if let r = remaining, count > r {
            throw error("\(what()) needs \(count) bytes but only \(r) remain in the file")
        }
        var out = [UInt8](repeating: 0, count: count)
        let message = what()
        try out.withMutableBytesIO { (b) throws(IOError) in try readExactly(into: b, message) }
        return out
    }

    /// Fills `dest` completely or throws.
    public func readExactly(into dest: UnsafeMutableRawBufferPointer, _ what: @autoclosure () -> String) throws(IOError) {
        var done = 0
        let total = dest.count
        // Serve what is buffered first.
        let buffered = min(end - start, total)
        if buffered > 0 {
            dest.baseAddress!.copyMemory(from: buffer.baseAddress! + start, byteCount: buffered)
            start += buffered
            done = buffered
        }
        // Large reads go straight to the destination.
        while done < total {
            if total - done >= buffer.count {
                if atEnd { break }
                let n = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: dest[done...]))
                if n == 0 { atEnd = true; break }
                done += n
            } else {
                guard try ensure(1) else { break }
                let k = min(end - start, total - done)
                (dest.baseAddress! + done).copyMemory(from: buffer.baseAddress! + start, byteCount: k)
                start += k
                done += k
            }
        }
        offset += done
        if done < total {
            throw error("unexpected end of file: \(what()) needs \(total) bytes, the file ends after \(done)", at: offset - done)
        }
    }

    /// Skips `count` bytes: a seek on plain files, reading and discarding on streams.
    public func skip(_ count: Int, _ what: @autoclosure () -> String) throws(IOError) {
        if count == 0 { return }
        if let r = remaining, count > r {
            throw error("unexpected end of file: \(what()) needs \(count) bytes but only \(r) remain")
        }
        let buffered = end - start
        if count <= buffered {
            start += count
            offset += count
            return
        }
        if source.isSeekable {
            offset += count
            start = 0; end = 0; atEnd = false
            try source.seek(to: offset)
            return
        }
        var left = count - buffered
        offset += buffered
        start = 0; end = 0
        while left > 0 {
            guard try ensure(1) else {
                throw error("unexpected end of file: \(what()) needs \(left) more bytes")
            }
            let k = min(left, end - start)
            start += k
            left -= k
            offset += k
        }
    }
}
