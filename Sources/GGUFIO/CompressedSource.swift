import CZlib
import CZstd

/// Opens a file for sequential reading, decompressing `.zst` and `.gz` files on the fly.
///
/// The kind is decided by the file's first bytes (zstd or gzip magic), not by its name, so a renamed
/// file still works. No temporary copy is made.
public func openSource(path: String) throws(IOError) -> ByteSource {
    let file = try FileSource(path: path)
    var magic = [UInt8](repeating: 0, count: 4)
    let n = try magic.withMutableBytesIO { (b) throws(IOError) -> Int in try file.read(into: b) }
    try file.seek(to: 0)
    if n >= 4, magic[0] == 0x28, magic[1] == 0xB5, magic[2] == 0x2F, magic[3] == 0xFD {
        return try ZstdSource(file: file)
    }
    if n >= 2, magic[0] == 0x1F, magic[1] == 0x8B {
        return try GzipSource(file: file)
    }
    return file
}

/// The compressed bytes feeding a decompressor.
final class CompressedInput {
    let file: FileSource
    var buffer: UnsafeMutableRawBufferPointer
    var start = 0, end = 0
    var eof = false

    init(file: FileSource, capacity: Int = 1 << 20) {
        self.file = file
        buffer = .allocate(byteCount: capacity, alignment: 64)
    }
    deinit { buffer.deallocate() }

    /// Refills when empty; returns false at the end of the compressed file.
    func fill() throws(IOError) -> Bool {
        if start < end { return true }
        if eof { return false }
        let n = try file.read(into: buffer)
        start = 0
        end = n
        if n == 0 { eof = true }
        return n > 0
    }
}

/// A zstd-compressed file, decompressed as it is read.
public final class ZstdSource: ByteSource {
    public var path: String { input.file.path }
    public let size: Int?
    public var isSeekable: Bool { false }
    let input: CompressedInput
    let stream: OpaquePointer
    var produced = 0
    var frameDone = true

    init(file: FileSource) throws(IOError) {
        input = CompressedInput(file: file)
        guard let s = ZSTD_createDStream() else { throw IOError(.system(errno: 12), path: file.path, "cannot create zstd stream") }
        stream = s
        ZSTD_initDStream(stream)
        // The frame header may give the decompressed size; it is only a hint for progress and checks.
        var head = [UInt8](repeating: 0, count: 18)
        let n = try head.withMutableBytesIO { (b) throws(IOError) -> Int in try file.read(into: b) }
        try file.seek(to: 0)
        let c = head.withUnsafeBytes { ZSTD_getFrameContentSize($0.baseAddress, n) }
        size = (c == ZSTD_CONTENTSIZE_UNKNOWN || c == ZSTD_CONTENTSIZE_ERROR || c > UInt64(Int.max)) ? nil : Int(c)
    }
    deinit { ZSTD_freeDStream(stream) }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(IOError) -> Int {
        guard buffer.count > 0 else { return 0 }
        while true {
            let more = try input.fill()
            if !more {
                if !frameDone { throw IOError.badData(path, at: nil, "zstd stream ends in the middle of a frame (truncated .zst file)") }
                return 0
            }
            var inb = ZSTD_inBuffer(src: input.buffer.baseAddress! + input.start, size: input.end - input.start, pos: 0)
            var outb = ZSTD_outBuffer(dst: buffer.baseAddress, size: buffer.count, pos: 0)
            let r = ZSTD_decompressStream(stream, &outb, &inb)
            if ZSTD_isError(r) != 0 {
                throw IOError.badData(path, at: nil, "zstd: \(String(cString: ZSTD_getErrorName(r)))")
            }
            input.start += inb.pos
            frameDone = (r == 0)
            if outb.pos > 0 {
                produced += outb.pos
                return outb.pos
            }
        }
    }

    public func seek(to offset: Int) throws(IOError) {
        throw IOError(.usage, path: path, "cannot seek in a compressed stream")
    }
}

/// A gzip-compressed file, decompressed as it is read.
public final class GzipSource: ByteSource {
    public var path: String { input.file.path }
    public let size: Int? = nil
    public var isSeekable: Bool { false }
    let input: CompressedInput
    var zs = z_stream()
    var finished = false

    init(file: FileSource) throws(IOError) {
        input = CompressedInput(file: file)
        // 15 + 32: zlib or gzip header, detected automatically.
        let r = inflateInit2_(&zs, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        if r != Z_OK { throw IOError(.system(errno: 12), path: file.path, "cannot create gzip stream") }
    }
    deinit { inflateEnd(&zs) }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(IOError) -> Int {
        guard buffer.count > 0 else { return 0 }
        while true {
            if finished {
                // A gzip file may hold several members; continue with the next one if present.
                guard try input.fill() else { return 0 }
                inflateReset(&zs)
                finished = false
            }
            guard try input.fill() else {
                throw IOError.badData(path, at: nil, "gzip stream ends early (truncated .gz file)")
            }
            zs.next_in = (input.buffer.baseAddress! + input.start).assumingMemoryBound(to: Bytef.self)
            zs.avail_in = UInt32(input.end - input.start)
            zs.next_out = buffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
            zs.avail_out = UInt32(min(buffer.count, Int(UInt32.max)))
            let before = zs.avail_in
            let r = inflate(&zs, Z_NO_FLUSH)
            input.start += Int(before - zs.avail_in)
            let produced = min(buffer.count, Int(UInt32.max)) - Int(zs.avail_out)
            if r == Z_STREAM_END { finished = true }
            else if r != Z_OK && r != Z_BUF_ERROR {
                let msg = zs.msg.map { String(cString: $0) } ?? "error \(r)"
                throw IOError.badData(path, at: nil, "gzip: \(msg)")
            }
            if produced > 0 { return produced }
        }
    }

    public func seek(to offset: Int) throws(IOError) {
        throw IOError(.usage, path: path, "cannot seek in a compressed stream")
    }
}
