import CZlib
import Foundation
import GGUFIO

/// CRC-32 (zlib) of every tensor's data and of the whole data section.
///
/// The data section is, for GGUF, every byte from the data offset to the end of the file (padding
/// included); for GGML-era files, which interleave records and data, the tensors' data concatenated
/// in file order. Plain files are mapped and hashed in parallel chunks, each byte once (the section's
/// CRC is combined from the pieces); compressed files are decompressed as a stream.
public struct Checksums: Sendable, Equatable {
    /// Per tensor, in the header's order.
    public var tensors: [UInt32]
    public var dataSection: UInt32
    /// Bytes hashed.
    public var bytes: Int
    public var seconds: Double

    public static func == (a: Checksums, b: Checksums) -> Bool { a.tensors == b.tensors && a.dataSection == b.dataSection }

    /// One range of the file and its CRC.
    struct Piece { var start: Int; var count: Int; var crc: UInt32 = 0 }

    /// Computes the checksums of `header`'s file; for a split set, of every part, the data section being
    /// the parts' data sections one after the other (what `merge` writes as one file's).
    public static func compute(_ h: ModelHeader, threads: Int = ProcessInfo.processInfo.activeProcessorCount) throws(IOError) -> Checksums {
        let start = Progress.now()
        var perTensor = [UInt32](repeating: 0, count: h.tensors.count)
        var section: UInt = 0
        var total = 0
        var first = true
        let files: [(path: String, dataOffset: Int?, fileSize: Int?)] = h.isSplit
            ? h.parts.map { ($0.path, $0.dataOffset, $0.fileSize) } : [(h.path, h.dataOffset, h.fileSize)]
        for (k, file) in files.enumerated() {
            let indices = h.tensors.indices.filter { h.tensors[$0].part == k }
            // A part without tensors has no data section (only the header's padding).
            if h.isSplit && indices.isEmpty { continue }
            // The ranges to hash, in file order: tensors, and for GGUF the gaps between them.
            let order = indices.sorted { h.tensors[$0].offset < h.tensors[$1].offset }
            var ranges: [(start: Int, count: Int, tensor: Int?)] = []
            var pos = file.dataOffset ?? (order.first.map { h.tensors[$0].offset } ?? 0)
            for i in order {
                let t = h.tensors[i]
                if file.dataOffset != nil, t.offset > pos { ranges.append((pos, t.offset - pos, nil)) }
                ranges.append((t.offset, t.bytes, i))
                pos = t.offset + t.bytes
            }
            if file.dataOffset != nil, let size = file.fileSize, size > pos { ranges.append((pos, size - pos, nil)) }
            let crcs: [UInt32]
            if h.compression == nil || k > 0 {
                crcs = try mapped(path: file.path, ranges: ranges.map { ($0.start, $0.count) }, threads: threads)
            } else {
                crcs = try streamed(path: file.path, ranges: ranges.map { ($0.start, $0.count) })
            }
            for (j, r) in ranges.enumerated() {
                if let i = r.tensor { perTensor[i] = crcs[j] }
                section = first ? UInt(crcs[j]) : crc32_combine(section, UInt(crcs[j]), Int(r.count))
                first = false
                total += r.count
            }
        }
        return Checksums(tensors: perTensor, dataSection: UInt32(truncatingIfNeeded: section), bytes: total,
                         seconds: Progress.now() - start)
    }

    /// CRCs of ranges of a mapped file; big ranges are split into 64 MiB chunks hashed on `threads` threads.
    static func mapped(path: String, ranges: [(Int, Int)], threads: Int) throws(IOError) -> [UInt32] {
        let file = try MappedFile(path: path)
        let chunk = 64 << 20
        var pieces: [(range: Int, start: Int, count: Int)] = []
        for (k, (s, n)) in ranges.enumerated() {
            _ = try file.bytes(at: s, count: n)  // bounds check
            var o = 0
            repeat {
                let c = min(chunk, n - o)
                pieces.append((k, s + o, c))
                o += c
            } while o < n
        }
        if let base = file.base {
            madvise(UnsafeMutableRawPointer(mutating: base), file.size, MADV_SEQUENTIAL)
        }
        let work = pieces
        let results = Counter(slots: work.count)
        let workers = max(1, min(threads, work.count))
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while true {
                let i = results.take()
                if i >= work.count { return }
                let p = work[i]
                let b = UnsafeRawBufferPointer(start: file.base.map { $0 + p.start }, count: p.count)
                results.set(i, CRC32.of(b))
            }
        }
        var out = [UInt32](repeating: 0, count: ranges.count)
        var first = [Bool](repeating: true, count: ranges.count)
        for (i, p) in pieces.enumerated() {
            if first[p.range] { out[p.range] = results.get(i); first[p.range] = false }
            else { out[p.range] = UInt32(truncatingIfNeeded: crc32_combine(UInt(out[p.range]), UInt(results.get(i)), Int(p.count))) }
        }
        return out
    }

    /// CRCs of ranges (in increasing order) of a compressed file, read once as a stream.
    static func streamed(path: String, ranges: [(Int, Int)]) throws(IOError) -> [UInt32] {
        let r = Reader(try openSource(path: path), capacity: 1 << 16)
        var buffer = [UInt8](repeating: 0, count: 8 << 20)
        var out: [UInt32] = []
        for (s, n) in ranges {
            try r.skip(s - r.offset, "the bytes before offset \(s)")
            var c = CRC32()
            var left = n
            while left > 0 {
                let k = min(left, buffer.count)
                try buffer.withMutableBytesIO { (b) throws(IOError) in
                    let part = UnsafeMutableRawBufferPointer(rebasing: b[0..<k])
                    try r.readExactly(into: part, "tensor data at offset \(s)")
                    c.update(UnsafeRawBufferPointer(part))
                }
                left -= k
            }
            out.append(c.value)
        }
        return out
    }
}

/// The hashing threads' shared work counter and result slots (each slot written by one thread).
final class Counter: @unchecked Sendable {
    private var value = 0
    private let lock = NSLock()
    private let slots: UnsafeMutableBufferPointer<UInt32>
    init(slots n: Int) { slots = .allocate(capacity: max(n, 1)) }
    deinit { slots.deallocate() }
    func set(_ i: Int, _ v: UInt32) { slots[i] = v }
    func get(_ i: Int) -> UInt32 { slots[i] }
    func take() -> Int {
        lock.lock()
        defer { lock.unlock() }
        value += 1
        return value - 1
    }
}

/// `0x1234abcd`.
public func hex32(_ v: UInt32) -> String {
    let s = String(v, radix: 16)
    return String(repeating: "0", count: 8 - s.count) + s
}
