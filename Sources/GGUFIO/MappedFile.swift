#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A whole file mapped read-only into memory; pages are read from disk as they are touched.
public final class MappedFile: @unchecked Sendable {
    public let path: String
    public let size: Int
    public let base: UnsafeRawPointer?

    public init(path: String) throws(IOError) {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw IOError(.system(errno: errno), path: path, "cannot open: \(errnoMessage(errno))") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw IOError(.system(errno: errno), path: path, "cannot stat: \(errnoMessage(errno))") }
        size = Int(st.st_size)
        if size == 0 { base = nil; return }
        let p = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0)
        if p == MAP_FAILED { throw IOError(.system(errno: errno), path: path, "cannot map: \(errnoMessage(errno))") }
        base = UnsafeRawPointer(p)
    }

    deinit { if let base { munmap(UnsafeMutableRawPointer(mutating: base), size) } }

    /// The bytes `offset ..< offset+count`, checked against the file size.
    public func bytes(at offset: Int, count: Int) throws(IOError) -> UnsafeRawBufferPointer {
        guard offset >= 0, count >= 0, offset <= size, count <= size - offset else {
            throw .badData(path, at: offset, "expected \(count) bytes, the file has \(size) bytes in all")
        }
        return UnsafeRawBufferPointer(start: base.map { $0 + offset }, count: count)
    }
}
