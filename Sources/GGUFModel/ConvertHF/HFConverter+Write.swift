import Foundation
import GGUFFormat
import GGUFIO
import GGUFKernels
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a conversion did.
public struct HFConvertSummary: Sendable {
    public var tensorCount: Int
    public var outputBytes: Int
    /// Bytes of checkpoint data read.
    public var inputBytes: Int
    public var seconds: Double
}

extension HFConverter {
    /// Writes the planned file to `output` (atomically): header, then each tensor converted from the mapped
    /// checkpoint in chunks of rows, on `threads` threads (default: every core). Memory stays bounded by a
    /// chunk per thread: the pages of the checkpoint already converted are released as it goes.
    public static func write(plan: HFConversionPlan, output: String, force: Bool, progress: Bool? = nil,
                             threads: Int? = nil) throws -> HFConvertSummary {
        let start = GGUFIO.Progress.now()
        let inputBytes = plan.tensors.reduce(0) { $0 + $1.pieces.reduce(0) { $0 + $1.tensor.byteCount } }
        let bar = progress.map { GGUFIO.Progress(total: inputBytes, label: "converting", enabled: $0) }
            ?? GGUFIO.Progress(total: inputBytes, label: "converting")
        let nThreads = max(1, threads ?? ProcessInfo.processInfo.activeProcessorCount)
        var files: [String: SafetensorsFile] = [:]
        for f in plan.checkpoint.files { files[f.path] = f }
        let inputs = plan.checkpoint.files.map(\.path)
        let paths = plan.partPaths(output)
        var written = 0
        if paths.count == 1 {
            let out = try AtomicOutput(path: output, force: force, inputs: inputs)
            try writePart(plan, plan.parts[0], metadata: plan.metadata, out: out, files: files, threads: nThreads, progress: bar)
            bar.finish()
            try out.commit()
            written = out.written
        } else {
            let set = try AtomicOutputSet(paths: paths, force: force, inputs: inputs)
            let total = plan.tensors.count
            for (i, part) in plan.parts.enumerated() {
                var md = i == 0 ? plan.metadata : GGUFMetadata()
                md["split.no"] = .uint16(UInt16(i))
                md["split.count"] = .uint16(UInt16(paths.count))
                md["split.tensors.count"] = .int32(Int32(total))
                let out = try set.create(i)
                try writePart(plan, part, metadata: md, out: out, files: files, threads: nThreads, progress: bar)
                written += out.written
                try out.finish()
            }
            bar.finish()
            try set.commit()
        }
        return HFConvertSummary(tensorCount: plan.tensors.count, outputBytes: written, inputBytes: inputBytes,
                                seconds: GGUFIO.Progress.now() - start)
    }

    /// One output file: header, then its tensors.
    static func writePart(_ plan: HFConversionPlan, _ part: [Int], metadata: GGUFMetadata, out: AtomicOutput,
                          files: [String: SafetensorsFile], threads: Int, progress: GGUFIO.Progress) throws {
        let tensors = part.map { plan.tensors[$0] }
        let infos = GGUFWriter.layout(tensors.map(\.info), alignment: 32)
        let header = GGUFWriter.header(metadata: metadata, tensors: infos, alignment: 32,
                                       keepAllDimensions: true, pad: !plan.vocabOnly)
        try out.checkFreeSpace(header.count + tensors.reduce(0) { $0 + ($1.byteCount + 31) / 32 * 32 })
        try out.write(header)
        for t in tensors {
            try writeTensor(t, files: files, out: out, threads: threads, progress: progress)
            try out.pad(to: 32)
        }
    }

    /// Bytes of `n` elements of `type` (a row whose length is a multiple of the block size).
    static func rowBytes(_ type: GGMLType, _ n: Int) -> Int {
        switch type {
        case .f32: return 4 * n
        case .f16, .bf16: return 2 * n
        default: return n / 32 * 34
        }
    }

    static func writeTensor(_ t: HFOutputTensor, files: [String: SafetensorsFile], out: AtomicOutput, threads: Int,
                            progress: GGUFIO.Progress) throws {
        if let g = t.generated {
            try out.write(g.flatMap { v in withUnsafeBytes(of: v.bitPattern.littleEndian) { Array($0) } })
            return
        }
        guard let rowLength = t.pieces.first?.rowLength else { return }
        var bases: [Int] = []
        var firstRow: [Int] = []
        var totalRows = 0
        for p in t.pieces {
            guard let f = files[p.tensor.path] else { throw ModelError.badData("\(p.tensor.path): not opened") }
            bases.append(try address(f, p.tensor))
            firstRow.append(totalRows)
            totalRows += p.rows
        }
        let outRow = rowBytes(t.type, rowLength)
        // Chunks of about 8 MiB of floats.
        let chunkRows = max(1, min(totalRows, (8 << 20) / max(1, rowLength * 4)))
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, chunkRows * outRow), alignment: 64)
        defer { buffer.deallocate() }
        var r0 = 0
        while r0 < totalRows {
            let n = min(chunkRows, totalRows - r0)
            let job = RowJob(pieces: t.pieces, bases: bases, firstRow: firstRow, rowLength: rowLength, outRow: outRow,
                             type: t.type, chunkStart: r0, dst: Int(bitPattern: buffer.baseAddress!))
            job.run(rows: n, threads: threads)
            try out.write(UnsafeRawBufferPointer(start: buffer.baseAddress!, count: n * outRow))
            progress.advance(job.releaseSources(rows: n))
            r0 += n
        }
        for (pi, p) in t.pieces.enumerated() { release(bases[pi], p.tensor.byteCount) }
    }

    /// Encodes rows `rows` of `t` (rows of the source's last dimension; a 1-D tensor has rows of one element)
    /// into `dst`, as ``write(plan:output:force:progress:threads:)`` writes them, and releases the source
    /// pages read. Returns the source bytes read.
    @discardableResult
    static func encodeRows(_ t: HFOutputTensor, rows: Range<Int>, into dst: UnsafeMutableRawPointer,
                           files: [String: SafetensorsFile], threads: Int) throws -> Int {
        if let g = t.generated {
            let out = dst.assumingMemoryBound(to: Float.self)
            for (i, r) in rows.enumerated() { out[i] = g[r] }
            return 0
        }
        guard let rowLength = t.pieces.first?.rowLength else { return 0 }
        var bases: [Int] = []
        var firstRow: [Int] = []
        var totalRows = 0
        for p in t.pieces {
            guard let f = files[p.tensor.path] else { throw ModelError.badData("\(p.tensor.path): not opened") }
            bases.append(try address(f, p.tensor))
            firstRow.append(totalRows)
            totalRows += p.rows
        }
        let job = RowJob(pieces: t.pieces, bases: bases, firstRow: firstRow, rowLength: rowLength,
                         outRow: rowBytes(t.type, rowLength), type: t.type, chunkStart: rows.lowerBound, dst: Int(bitPattern: dst))
        job.run(rows: rows.count, threads: threads)
        let read = job.releaseSources(rows: rows.count)
        if rows.upperBound == totalRows {
            for (pi, p) in t.pieces.enumerated() { release(bases[pi], p.tensor.byteCount) }
        }
        return read
    }

    /// Elements per row of ``encodeRows(_:rows:into:files:threads:)``.
    static func unitRowLength(_ t: HFOutputTensor) -> Int { t.pieces.first?.rowLength ?? 1 }

    /// The address of a tensor's mapped data (checked against the file size).
    static func address(_ f: SafetensorsFile, _ t: SafetensorsTensor) throws(IOError) -> Int {
        let b = try f.data(t)
        return b.baseAddress.map { Int(bitPattern: $0) } ?? 1
    }

    /// Drops mapped checkpoint pages from memory once converted (they are read again from disk if needed).
    static func release(_ p: Int, _ count: Int) {
        let page = Int(getpagesize())
        let a = (p + page - 1) / page * page
        let e = (p + count) / page * page
        guard e > a else { return }
        _ = madvise(UnsafeMutableRawPointer(bitPattern: a), e - a, MADV_DONTNEED)
    }

    /// Converts one row: decode the source dtype (BF16 widened to F32 as torch does), encode the output type
    /// as gguf-py does (numpy's F16 rounding, ggml's BF16 rounding, the reference Q8_0).
    @inline(__always)
    static func encodeRow(_ src: UnsafeRawPointer, _ dtype: SafetensorsDType, to dst: UnsafeMutableRawPointer,
                          _ type: GGMLType, _ n: Int, _ scratch: UnsafeMutablePointer<Float>, addOne: Bool = false) {
        if addOne {
            switch dtype {
            case .f32: scratch.update(from: src.assumingMemoryBound(to: Float.self), count: n)
            case .f16: Half.fp32(fp16: src.assumingMemoryBound(to: UInt16.self), scratch, count: n)
            case .bf16: Half.fp32(bf16: src.assumingMemoryBound(to: UInt16.self), scratch, count: n)
            }
            for i in 0..<n {
                // torch adds in the tensor's type: an F16 sum is rounded back to F16.
                scratch[i] = dtype == .f16 ? Half.fp32(fp16: Half.fp16(scratch[i] + 1)) : scratch[i] + 1
            }
            encodeFloats(scratch, to: dst, type, n)
            return
        }
        if (dtype == .f16 && type == .f16) || (dtype == .f32 && type == .f32) {
            dst.copyMemory(from: src, byteCount: n * dtype.size)
            return
        }
        switch dtype {
        case .f32: scratch.update(from: src.assumingMemoryBound(to: Float.self), count: n)
        case .f16: Half.fp32(fp16: src.assumingMemoryBound(to: UInt16.self), scratch, count: n)
        case .bf16: Half.fp32(bf16: src.assumingMemoryBound(to: UInt16.self), scratch, count: n)
        }
        encodeFloats(scratch, to: dst, type, n)
    }

    @inline(__always)
    static func encodeFloats(_ scratch: UnsafeMutablePointer<Float>, to dst: UnsafeMutableRawPointer, _ type: GGMLType, _ n: Int) {
        switch type {
        case .f32: dst.copyMemory(from: scratch, byteCount: 4 * n)
        case .f16: Half.fp16(scratch, dst.assumingMemoryBound(to: UInt16.self), count: n)
        case .bf16: Half.bf16(scratch, dst.assumingMemoryBound(to: UInt16.self), count: n)
        default: try? Kernels.quantize(.q8_0, src: scratch, dst: dst, rows: 1, rowLength: n)
        }
    }
}

/// The rows of one chunk of an output tensor: where each source row is, and where its output goes.
struct RowJob: Sendable {
    let pieces: [HFPiece]
    /// Addresses of the pieces' data, and the first output row of each piece.
    let bases: [Int]
    let firstRow: [Int]
    let rowLength: Int
    let outRow: Int
    let type: GGMLType
    let chunkStart: Int
    let dst: Int

    /// Encodes the chunk's `rows` rows, split over up to `threads` threads.
    func run(rows n: Int, threads: Int) {
        let parts = n * rowLength >= 1 << 16 ? min(threads, n) : 1
        if parts == 1 { encode(0, n); return }
        DispatchQueue.concurrentPerform(iterations: parts) { k in encode(n * k / parts, n * (k + 1) / parts) }
    }

    /// Releases the source pages of the chunk's rows (for pieces read in order) and returns the bytes read.
    func releaseSources(rows n: Int) -> Int {
        var read = 0
        for (pi, p) in pieces.enumerated() {
            let lo = max(chunkStart, firstRow[pi]), hi = min(chunkStart + n, firstRow[pi] + p.rows)
            guard lo < hi else { continue }
            let bytes = (hi - lo) * rowLength * p.dtype.size
            read += bytes
            if p.permuteHeads == nil { HFConverter.release(bases[pi] + (lo - firstRow[pi]) * rowLength * p.dtype.size, bytes) }
        }
        return read
    }

    /// Encodes rows `lo..<hi` of the chunk.
    func encode(_ lo: Int, _ hi: Int) {
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: rowLength)
        defer { scratch.deallocate() }
        var pi = 0
        for o in lo..<hi {
            let g = chunkStart + o
            while pi + 1 < firstRow.count && firstRow[pi + 1] <= g { pi += 1 }
            let p = pieces[pi]
            let src = UnsafeRawPointer(bitPattern: bases[pi] + p.sourceRow(g - firstRow[pi]) * rowLength * p.dtype.size)!
            HFConverter.encodeRow(src, p.dtype, to: UnsafeMutableRawPointer(bitPattern: dst + o * outRow)!, type, rowLength, scratch,
                                  addOne: p.addOne)
        }
    }
}
