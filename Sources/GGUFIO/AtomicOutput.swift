import CShims
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An output file that appears at its path only when complete.
///
/// Bytes go to a temporary file beside the destination (`.NAME.ggufkit-tmp-PID`); ``commit()`` flushes,
/// fsyncs and renames it into place. On any error, on ``discard()``, and on SIGINT/SIGTERM the temporary
/// file is removed, so a half-written output never looks whole.
public final class AtomicOutput {
    public let path: String
    public let tempPath: String
    private var fd: Int32
    private var buffer: UnsafeMutableRawBufferPointer
    private var used = 0
    /// Bytes written so far (buffered ones included).
    public private(set) var written = 0
    private var done = false

    /// Creates the temporary file. Refuses an existing `path` unless `force`, and refuses writing over
    /// any of `inputs` (also through a symbolic or hard link).
    public init(path: String, force: Bool, inputs: [String] = []) throws(IOError) {
        self.path = path
        try AtomicOutput.checkDestination(path, force: force, inputs: inputs)
        let dir = AtomicOutput.directory(of: path)
        let base = String(path.split(separator: "/", omittingEmptySubsequences: false).last ?? "out")
        let tempPrefix = "." + base + ".ggufkit-tmp-"
        tempPath = (dir == "." && !path.hasPrefix("./") ? "" : dir + "/") + tempPrefix + "\(getpid())"
        AtomicOutput.removeStaleTemps(in: dir, prefix: tempPrefix)
        fd = open(tempPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        if fd < 0 {
            let e = errno
            throw IOError(.system(errno: e), path: path, "cannot create the output file in \(dir): \(errnoMessage(e))")
        }
        buffer = .allocate(byteCount: 1 << 22, alignment: 64)
        CleanupRegistry.shared.add(tempPath)
    }

    deinit {
        if !done { discard() }
        buffer.deallocate()
    }

    /// Checks that `path` may be written: not an existing file unless `force`, not a directory, not
    /// any of `inputs` (also through a symbolic or hard link). ``init(path:force:inputs:)`` does this;
    /// a set of outputs checks every path first, before anything is written.
    public static func checkDestination(_ path: String, force: Bool, inputs: [String] = []) throws(IOError) {
        var st = stat()
        if lstat(path, &st) == 0 || stat(path, &st) == 0 {
            for input in inputs where AtomicOutput.sameFile(input, path) {
                throw IOError(.usage, path: path, "output is the same file as the input \(input); choose another output path")
            }
            if (st.st_mode & S_IFMT) == S_IFDIR {
                throw IOError(.usage, path: path, "output is a directory; give a file path")
            }
            if !force {
                throw IOError(.usage, path: path, "output already exists; use --force to overwrite it")
            }
        }
    }

    /// Removes temporary files of this output left by killed runs (`.NAME.ggufkit-tmp-PID` whose PID
    /// is no longer a running process). Files of live processes are left alone.
    static func removeStaleTemps(in dir: String, prefix: String) {
        guard let d = opendir(dir) else { return }
        defer { closedir(d) }
        while let entry = readdir(d) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
            guard name.hasPrefix(prefix), let pid = Int32(name.dropFirst(prefix.count)), pid > 0, pid != getpid() else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH { unlink(dir + "/" + name) }
        }
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let d = String(path[..<slash])
        return d.isEmpty ? "/" : d
    }

    /// Whether two paths name the same file (same device and inode), following links.
    public static func sameFile(_ a: String, _ b: String) -> Bool {
        var sa = stat(), sb = stat()
        guard stat(a, &sa) == 0, stat(b, &sb) == 0 else { return false }
        return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino
    }

    /// Checks that the destination's file system has room for `bytes` more bytes.
    public func checkFreeSpace(_ bytes: Int) throws(IOError) {
        var s = statvfs()
        guard fstatvfs(fd, &s) == 0 else { return }
        let free = Int(s.f_bavail) &* Int(s.f_frsize)
        if free < bytes {
            throw IOError(.system(errno: ENOSPC), path: path,
                          "not enough free space: the output needs \(bytes) bytes (\(formatBytes(bytes))), the file system has \(free) (\(formatBytes(free))) free")
        }
    }

    /// Bytes already handed to the kernel for writeback.
    private var writebackStart = 0

    /// Starts writing finished data to the disk in the background, every 32 MiB, so that the final
    /// fsync has little left to wait for and the page cache does not fill with dirty pages.
    private func startWriteback() {
        let done = written - used
        if done - writebackStart >= 32 << 20 {
            _ = ggufkit_start_writeback(fd, Int64(writebackStart), Int64(done - writebackStart))
            writebackStart = done
        }
    }

    private func flush() throws(IOError) {
        var off = 0
        while off < used {
            let n = Glibc.write(fd, buffer.baseAddress! + off, used - off)
            if n < 0 {
                if errno == EINTR { continue }
                let e = errno
                let what = e == ENOSPC ? "no space left on the device" : errnoMessage(e)
                throw IOError(.system(errno: e), path: path, offset: written - used + off, "write failed: \(what)")
            }
            off += n
        }
        used = 0
        startWriteback()
    }

    /// Appends bytes.
    public func write(_ bytes: UnsafeRawBufferPointer) throws(IOError) {
        var src = bytes.baseAddress
        var left = bytes.count
        if left >= buffer.count {
            try flush()
            var off = 0
            while off < left {
                let n = Glibc.write(fd, src! + off, left - off)
                if n < 0 {
                    if errno == EINTR { continue }
                    let e = errno
                    let what = e == ENOSPC ? "no space left on the device" : errnoMessage(e)
                    throw IOError(.system(errno: e), path: path, offset: written + off, "write failed: \(what)")
                }
                off += n
            }
            written += left
            return
        }
        while left > 0 {
            let k = min(left, buffer.count - used)
            (buffer.baseAddress! + used).copyMemory(from: src!, byteCount: k)
            used += k
            written += k
            src = src! + k
            left -= k
            if used == buffer.count { try flush() }
        }
    }

    public func write(_ bytes: [UInt8]) throws(IOError) {
        try bytes.withBytesIO { (b) throws(IOError) in try write(b) }
    }

    /// Appends `count` bytes of `source` starting at `offset`, copied inside the kernel
    /// (`copy_file_range`) where the file systems allow it, else through a buffer.
    public func copy(from source: FileSource, offset: Int, count: Int, progress: ((Int) -> Void)? = nil) throws(IOError) {
        try flush()
        var inOff = Int64(offset)
        var left = count
        var useKernel = true
        while left > 0 {
            let step = min(left, 64 << 20)
            if useKernel {
                let n = ggufkit_copy_file_range(source.fd, &inOff, fd, nil, step)
                if n > 0 {
                    left -= n
                    written += n
                    progress?(n)
                    startWriteback()
                    continue
                }
                if n == 0 {
                    throw IOError.badData(source.path, at: Int(inOff), "unexpected end of file: \(left) more bytes expected")
                }
                let e = errno
                if e == EINTR { continue }
                if e == EXDEV || e == EINVAL || e == ENOSYS || e == EOPNOTSUPP || e == EBADF {
                    useKernel = false
                    continue
                }
                let what = e == ENOSPC ? "no space left on the device" : errnoMessage(e)
                throw IOError(.system(errno: e), path: path, offset: written, "copy failed: \(what)")
            }
            // Fallback: through the output buffer.
            let n = min(step, buffer.count - used)
            try source.read(into: UnsafeMutableRawBufferPointer(start: buffer.baseAddress! + used, count: n), at: Int(inOff),
                            "the \(left) bytes still to copy")
            used += n
            written += n
            inOff += Int64(n)
            left -= n
            progress?(n)
            if used == buffer.count { try flush() }
        }
    }

    /// Appends zero bytes until the length is a multiple of `alignment`.
    public func pad(to alignment: Int) throws(IOError) {
        let r = written % alignment
        if r != 0 { try write([UInt8](repeating: 0, count: alignment - r)) }
    }

    /// Whether ``finish()`` and ``commit()`` wait for the data and the rename to reach the disk (fsync).
    /// On by default; test suites that write thousands of throwaway files turn it off.
    nonisolated(unsafe) public static var syncToDisk = true

    /// Flushes, fsyncs and closes the temporary file, which stays where it is until ``commit()``
    /// (or is removed by ``discard()`` and on signals). Nothing more may be written.
    public func finish() throws(IOError) {
        guard fd >= 0 else { return }
        try flush()
        if AtomicOutput.syncToDisk && fsync(fd) != 0 {
            let e = errno
            throw IOError(.system(errno: e), path: path, "fsync failed: \(errnoMessage(e))")
        }
        close(fd)
        fd = -1
        // A set of outputs keeps its finished parts until the last is done: free the buffer now.
        buffer.deallocate()
        buffer = UnsafeMutableRawBufferPointer(start: nil, count: 0)
    }

    /// Flushes, fsyncs and renames the temporary file into place.
    public func commit() throws(IOError) {
        try finish()
        if rename(tempPath, path) != 0 {
            let e = errno
            discard()
            throw IOError(.system(errno: e), path: path, "cannot rename the finished output into place: \(errnoMessage(e))")
        }
        done = true
        CleanupRegistry.shared.remove(tempPath)
        // Make the rename durable.
        let dfd = open(AtomicOutput.directory(of: path), O_RDONLY | O_CLOEXEC)
        if dfd >= 0 { if AtomicOutput.syncToDisk { fsync(dfd) }; close(dfd) }
    }

    /// Removes the temporary file; the destination is left as it was.
    public func discard() {
        if fd >= 0 { close(fd); fd = -1 }
        unlink(tempPath)
        CleanupRegistry.shared.remove(tempPath)
        done = true
    }
}

/// Temporary files to remove if the process is interrupted.
final class CleanupRegistry: @unchecked Sendable {
    static let shared = CleanupRegistry()
    /// How many temporary files can be pending at once (a split set has one per part).
    static let slots = 4096
    private var lock = pthread_mutex_t()
    // A fixed table of C strings so that the signal handler never allocates.
    fileprivate var paths = [UnsafeMutablePointer<CChar>?](repeating: nil, count: CleanupRegistry.slots)
    private var installed = false

    init() { pthread_mutex_init(&lock, nil) }

    func add(_ path: String) {
        pthread_mutex_lock(&lock)
        defer { pthread_mutex_unlock(&lock) }
        if !installed { installHandlers(); installed = true }
        if let i = paths.firstIndex(where: { $0 == nil }) { paths[i] = strdup(path) }
        cleanupTable = paths
    }

    func remove(_ path: String) {
        pthread_mutex_lock(&lock)
        defer { pthread_mutex_unlock(&lock) }
        for i in paths.indices {
            if let p = paths[i], String(cString: p) == path {
                paths[i] = nil
                cleanupTable = paths
                free(p)
            }
        }
    }

    private func installHandlers() {
        for sig in [SIGINT, SIGTERM, SIGHUP] {
            var action = sigaction()
            #if canImport(Glibc)
            action.__sigaction_handler.sa_handler = onSignal
            #else
            action.__sigaction_u.__sa_handler = onSignal
            #endif
            sigemptyset(&action.sa_mask)
            sigaction(sig, &action, nil)
        }
    }
}

nonisolated(unsafe) private var cleanupTable = [UnsafeMutablePointer<CChar>?](repeating: nil, count: CleanupRegistry.slots)

private func onSignal(_ sig: Int32) {
    for p in cleanupTable { if let p { unlink(p) } }
    signal(sig, SIG_DFL)
    raise(sig)
}

/// `1.95 GB`-style sizes (powers of 1000, as file managers and model cards show them).
public func formatBytes(_ n: Int) -> String {
    let units = ["B", "kB", "MB", "GB", "TB"]
    var v = Double(n)
    var i = 0
    while v >= 1000 && i < units.count - 1 { v /= 1000; i += 1 }
    return i == 0 ? "\(n) B" : String(format2(v)) + " " + units[i]
}

func format2(_ v: Double) -> String {
    let r = (v * 100).rounded() / 100
    var s = String(r)
    if let dot = s.firstIndex(of: ".") {
        let decimals = s.distance(from: dot, to: s.endIndex) - 1
        if decimals == 1 { s += "0" }
    } else { s += ".00" }
    return s
}
