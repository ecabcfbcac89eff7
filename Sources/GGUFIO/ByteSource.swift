#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A sequential source of bytes: a plain file or a decompressing stream.
///
/// Sources read forward only, except where ``isSeekable`` is true. ``size`` is the total number of
/// bytes the source will deliver when that is known before reading (always for plain files).
public protocol ByteSource: AnyObject {
    /// The path shown in errors.
    var path: String { get }
    /// The total size in bytes, when known in advance.
    var size: Int? { get }
    /// Whether ``seek(to:)`` is cheap (plain files).
    var isSeekable: Bool { get }
    /// Reads up to `buffer.count` bytes; returns 0 only at the end of the data.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(IOError) -> Int
    /// Moves to an absolute position (plain files only).
    func seek(to offset: Int) throws(IOError)
}

public func errnoMessage(_ e: Int32) -> String { String(cString: strerror(e)) }

/// A plain file opened read-only.
public final class FileSource: ByteSource {
    public let path: String
    public let size: Int?
    public var isSeekable: Bool { true }
    /// The open file descriptor (read-only).
    public let fd: Int32
    var position = 0

    /// Opens `path` read-only; the file is never written.
    public init(path: String) throws(IOError) {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw IOError(.system(errno: errno), path: path, "cannot open: \(errnoMessage(errno))") }
        var st = stat()
        if fstat(fd, &st) != 0 {
            let e = errno
            close(fd)
            throw IOError(.system(errno: e), path: path, "cannot stat: \(errnoMessage(e))")
        }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            close(fd)
            throw IOError(.usage, path: path, "is a directory, expected a model file")
        }
        self.fd = fd
        self.size = Int(st.st_size)
    }

    deinit { close(fd) }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(IOError) -> Int {
        let n = try readOnce(into: buffer, at: position)
        position += n
        return n
    }

    /// Fills `buffer` with the bytes at `offset` (independent of the sequential position), or throws
    /// naming `what` when the file ends first.
    public func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int, _ what: @autoclosure () -> String) throws(IOError) {
        var done = 0
        while done < buffer.count {
            let n = try readOnce(into: UnsafeMutableRawBufferPointer(rebasing: buffer[done...]), at: offset + done)
            if n == 0 { throw .badData(path, at: offset + done, "unexpected end of file in \(what())") }
            done += n
        }
    }

    /// One `pread`, retried on EINTR; 0 only at the end of the file.
    private func readOnce(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws(IOError) -> Int {
        guard buffer.count > 0 else { return 0 }
        while true {
            let n = pread(fd, buffer.baseAddress, buffer.count, off_t(offset))
            if n < 0 {
                if errno == EINTR { continue }
                throw IOError(.system(errno: errno), path: path, offset: offset, "read failed: \(errnoMessage(errno))")
            }
            return n
        }
    }

    public func seek(to offset: Int) throws(IOError) {
        position = offset
    }
}
