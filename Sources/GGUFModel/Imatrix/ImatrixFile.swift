import GGUFFormat
import GGUFIO

/// Reads and writes the two imatrix file formats of llama.cpp.
///
/// - GGUF (`llama-imatrix --output-format gguf`, the default): `general.type` = `imatrix`,
///   `imatrix.datasets` (array of strings), `imatrix.chunk_count` and `imatrix.chunk_size` (UINT32); per
///   entry, in name order, the F32 tensors `NAME.in_sum2` (`[columns, matrices]`) and `NAME.counts`
///   (`[1, matrices]`).
/// - Legacy `.dat`: int32 entry count; per entry (in name order) int32 name length, the name, int32 call
///   count, int32 value count, the values (F32); then, optionally, int32 chunk count, int32 dataset-name
///   length and the name.
///
/// Reading checks every count and length against the bytes left before allocating, and refuses what would
/// make llama-quantize fail or quantize garbage: sums or counts that are NaN, infinite or negative,
/// mismatched `in_sum2`/`counts` pairs, a GGUF imatrix without its metadata. Errors name the file and offset.
public enum ImatrixFile {
    /// Which format a file holds (or is to be written in).
    public enum Format: String, Sendable, CaseIterable {
        case gguf, dat
    }

    /// Reads an imatrix file in either format (GGUF when it starts with the GGUF magic, else legacy).
    public static func read(path: String) throws(IOError) -> ImportanceMatrix {
        let f = try FileSource(path: path)
        let size = f.size ?? 0
        var magic = [UInt8](repeating: 0, count: 4)
        if size >= 4 { try magic.withMutableBytesIO { b throws(IOError) in try f.read(into: b, at: 0, "the file's first bytes") } }
        if magic == Array("GGUF".utf8) { return try readGGUF(f) }
        return try readLegacy(f)
    }

    // MARK: GGUF

    static func readGGUF(_ f: FileSource) throws(IOError) -> ImportanceMatrix {
        let path = f.path
        let file = try GGUFReader.read(Reader(f))
        guard !file.tensors.isEmpty else { throw .badData(path, at: nil, "no imatrix data: the GGUF file holds no tensors") }
        let md = file.metadata
        func u32(_ key: String) throws(IOError) -> Int {
            guard let v = md[key] else { throw .badData(path, at: nil, "missing imatrix metadata: no key '\(key)' (not an imatrix made by llama-imatrix?)") }
            guard case .uint32(let n) = v else { throw .badData(path, at: nil, "\(key) has type \(v.typeName), expected UINT32") }
            return Int(n)
        }
        var m = ImportanceMatrix()
        guard let ds = md["imatrix.datasets"] else {
            throw .badData(path, at: nil, "missing imatrix metadata: no key 'imatrix.datasets' (not an imatrix made by llama-imatrix?)")
        }
        guard case .array(.string, let values) = ds else { throw .badData(path, at: nil, "imatrix.datasets has type \(ds.typeName), expected an array of strings") }
        m.datasets = values.map { v in if case .string(let b) = v { return String(decoding: b, as: UTF8.self) } else { return "" } }
        m.chunkCount = try u32("imatrix.chunk_count")
        m.chunkSize = try u32("imatrix.chunk_size")

        var pairs: [String: (sums: GGUFTensorInfo?, counts: GGUFTensorInfo?)] = [:]
        for t in file.tensors {
            if t.name.hasSuffix(".in_sum2") {
                pairs[String(t.name.dropLast(8)), default: (nil, nil)].sums = t
            } else if t.name.hasSuffix(".counts") {
                pairs[String(t.name.dropLast(7)), default: (nil, nil)].counts = t
            }
        }
        for (name, p) in pairs {
            guard let s = p.sums, let c = p.counts else {
                throw .badData(path, at: nil, "mismatched sums and counts for '\(name)': \(p.sums == nil ? "no \(name).in_sum2" : "no \(name).counts")")
            }
            for t in [s, c] where t.type != .f32 {
                throw .badData(path, at: file.absoluteOffset(of: t), "tensor '\(t.name)' has type \(t.type.name), expected F32")
            }
            let nval = s.elementCount, ncount = c.elementCount
            guard ncount > 0, nval > 0, nval % ncount == 0, s.ne.count <= 2 || s.ne.dropFirst(2).allSatisfy({ $0 == 1 }) else {
                throw .badData(path, at: nil, "tensor '\(s.name)' has shape \(s.ne) but '\(c.name)' \(c.ne): expected [columns, matrices] and [1, matrices]")
            }
            let sums = try floats(f, file, s)
            let counts = try floats(f, file, c)
            for (i, v) in sums.enumerated() where !(v.isFinite && v >= 0) {
                throw .badData(path, at: file.absoluteOffset(of: s) + 4 * i, "'\(s.name)' value \(i) is \(v): expected a finite sum of squares ≥ 0")
            }
            var e = ImportanceMatrix.Entry(sums: sums, counts: [])
            for (i, v) in counts.enumerated() {
                guard v.isFinite, v >= 0, v < 9.2e18 else {
                    throw .badData(path, at: file.absoluteOffset(of: c) + 4 * i, "'\(c.name)' value \(i) is \(v): expected a finite token count ≥ 0")
                }
                e.counts.append(Int64(v.rounded(.toNearestOrAwayFromZero)))  // std::lround
            }
            m.entries[name] = e
        }
        return m
    }

    /// The F32 values of a tensor, read from the file (its size checked against the file first).
    static func floats(_ f: FileSource, _ file: GGUFFile, _ t: GGUFTensorInfo) throws(IOError) -> [Float] {
        let at = file.absoluteOffset(of: t), n = t.elementCount
        if let size = f.size, at > size || n > (size - at) / 4 {
            throw .badData(f.path, at: at, "tensor '\(t.name)' needs \(4 * n) bytes of data, but the file ends at \(size)")
        }
        var v = [Float](repeating: 0, count: n)
        let r: Result<Void, IOError> = v.withUnsafeMutableBytes { b in Result { () throws(IOError) in try f.read(into: b, at: at, "the data of '\(t.name)'") } }
        try r.get()
        return v.map { Float(bitPattern: UInt32(littleEndian: $0.bitPattern)) }
    }

    // MARK: Legacy

    static func readLegacy(_ f: FileSource) throws(IOError) -> ImportanceMatrix {
        let path = f.path
        let size = f.size ?? 0
        var at = 0
        var bytes4 = [UInt8](repeating: 0, count: 4)
        func i32(_ what: String) throws(IOError) -> Int32 {
            guard size - at >= 4 else { throw .badData(path, at: at, "unexpected end of file: expected \(what) (4 bytes), \(size - at) left") }
            try bytes4.withMutableBytesIO { b throws(IOError) in try f.read(into: b, at: at, what) }
            at += 4
            return Int32(bitPattern: UInt32(bytes4[0]) | UInt32(bytes4[1]) << 8 | UInt32(bytes4[2]) << 16 | UInt32(bytes4[3]) << 24)
        }
        func bytes(_ n: Int, _ what: String) throws(IOError) -> [UInt8] {
            var b = [UInt8](repeating: 0, count: n)
            try b.withMutableBytesIO { p throws(IOError) in try f.read(into: p, at: at, what) }
            at += n
            return b
        }
        let count = try i32("the entry count")
        // each entry needs at least a name length, one name byte, ncall, nval and one value
        guard count >= 1, Int(count) <= (size - 4) / 17 else {
            throw .badData(path, at: 0, "not an imatrix file: the first int32 (entry count of a legacy .dat imatrix) is \(count), expected 1...\(max(1, (size - 4) / 17)) for a file of \(size) bytes, and the file is not GGUF")
        }
        var m = ImportanceMatrix(isLegacy: true)
        for i in 0..<Int(count) {
            let lenAt = at
            let len = try i32("the name length of entry \(i)")
            guard len >= 1, Int(len) <= size - at else {
                throw .badData(path, at: lenAt, "entry \(i): name length \(len), expected 1...\(max(1, size - at)) (bytes left)")
            }
            let name = String(decoding: try bytes(Int(len), "the name of entry \(i)"), as: UTF8.self)
            let ncallAt = at
            let ncall = try i32("the call count of '\(name)'")
            guard ncall >= 0 else { throw .badData(path, at: ncallAt, "'\(name)': call count \(ncall), expected ≥ 0") }
            let nvalAt = at
            let nval = try i32("the value count of '\(name)'")
            guard nval >= 1, Int(nval) <= (size - at) / 4 else {
                throw .badData(path, at: nvalAt, "'\(name)': \(nval) values, expected 1...\((size - at) / 4) (the bytes left hold that many)")
            }
            guard m.entries[name] == nil else { throw .badData(path, at: lenAt, "duplicate entry '\(name)'") }
            let valuesAt = at
            let raw = try bytes(4 * Int(nval), "the values of '\(name)'")
            var sums = [Float](repeating: 0, count: Int(nval))
            for k in 0..<Int(nval) {
                let b = UInt32(raw[4 * k]) | UInt32(raw[4 * k + 1]) << 8 | UInt32(raw[4 * k + 2]) << 16 | UInt32(raw[4 * k + 3]) << 24
                let v = Float(bitPattern: b)
                guard v.isFinite, v >= 0 else {
                    throw .badData(path, at: valuesAt + 4 * k, "'\(name)' value \(k) is \(v): expected a finite value ≥ 0")
                }
                sums[k] = v
            }
            m.entries[name] = ImportanceMatrix.Entry(sums: sums, counts: [Int64(ncall)])
        }
        // optional trailer: chunk count, then the dataset name
        if at < size {
            let chunksAt = at
            let chunks = try i32("the chunk count after the entries")
            guard chunks >= 0 else { throw .badData(path, at: chunksAt, "chunk count \(chunks), expected ≥ 0") }
            m.chunkCount = Int(chunks)
            if at < size {
                let lenAt = at
                let len = try i32("the dataset name length")
                guard len >= 0, Int(len) <= size - at else {
                    throw .badData(path, at: lenAt, "dataset name length \(len), expected 0...\(size - at) (bytes left)")
                }
                if len > 0 { m.datasets = [String(decoding: try bytes(Int(len), "the dataset name"), as: UTF8.self)] }
                if at < size { throw .badData(path, at: at, "\(size - at) unexpected bytes after the dataset name (expected the end of the file)") }
            }
        }
        return m
    }

    // MARK: Writing

    /// The file's bytes in `format`, as llama-imatrix writes them (entries in name order). GGUF from a legacy
    /// imatrix, or legacy from a GGUF one, is converted as llama-imatrix converts what it loaded: legacy values
    /// are `sum/count · ncall` with `ncall = ⌈max count / chunk size⌉` (an all-zero-count matrix stores 1s);
    /// a legacy matrix written as GGUF keeps its values and call count.
    public static func encode(_ m: ImportanceMatrix, format: Format) -> [UInt8] {
        let names = m.entries.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        switch format {
        case .gguf:
            var md = GGUFMetadata()
            md.setAppending("general.type", .string("imatrix"))
            md.setAppending("imatrix.datasets", .array(elementType: .string, values: m.datasets.map { .string($0) }))
            md.setAppending("imatrix.chunk_count", .uint32(UInt32(truncatingIfNeeded: m.chunkCount)))
            md.setAppending("imatrix.chunk_size", .uint32(UInt32(truncatingIfNeeded: m.chunkSize)))
            var infos: [GGUFTensorInfo] = []
            var data: [[Float]] = []
            for name in names {
                let e = m.entries[name]!
                let nmat = max(1, e.counts.count)
                infos.append(GGUFTensorInfo(name: name + ".in_sum2", ne: [e.sums.count / nmat, nmat], type: .f32))
                infos.append(GGUFTensorInfo(name: name + ".counts", ne: [1, nmat], type: .f32))
                data.append(e.sums)
                data.append(e.counts.map { Float($0) })
            }
            let laid = GGUFWriter.layout(infos, alignment: 32)
            var out = GGUFWriter.header(metadata: md, tensors: laid, alignment: 32)
            for d in data {
                for v in d { appendU32(&out, v.bitPattern) }
                while out.count % 32 != 0 { out.append(0) }
            }
            return out
        case .dat:
            // llama-imatrix leaves out entries that no token reached (every count 0)
            let stored = names.filter { m.isLegacy || m.entries[$0]!.counts.contains { $0 != 0 } }
            var out: [UInt8] = []
            appendU32(&out, UInt32(stored.count))
            for name in stored {
                let e = m.entries[name]!
                appendU32(&out, UInt32(name.utf8.count))
                out += Array(name.utf8)
                let values: [Float]
                let ncall: Int64
                if m.isLegacy {
                    ncall = e.counts.first ?? 0
                    values = e.sums
                } else {
                    let chunk = Int64(max(1, m.chunkSize))
                    ncall = ((e.counts.max() ?? 0) + chunk - 1) / chunk
                    let n = e.columns
                    values = e.sums.indices.map { i in
                        var count = Float(e.counts[i / max(1, n)]), value = e.sums[i]
                        if count == 0 { value = 1; count = 1 }
                        return (value / count) * Float(ncall)
                    }
                }
                appendU32(&out, UInt32(truncatingIfNeeded: ncall))
                appendU32(&out, UInt32(values.count))
                for v in values { appendU32(&out, v.bitPattern) }
            }
            appendU32(&out, UInt32(truncatingIfNeeded: m.chunkCount))
            let ds = Array((m.datasets.last ?? "").utf8)
            appendU32(&out, UInt32(ds.count))
            out += ds
            return out
        }
    }

    /// Writes `m` to `path` in `format` (atomically: a temp file renamed when complete; an existing file
    /// needs `force`).
    public static func write(_ m: ImportanceMatrix, format: Format, to path: String, force: Bool) throws(IOError) {
        let out = try AtomicOutput(path: path, force: force)
        do {
            try out.write(encode(m, format: format))
            try out.commit()
        } catch {
            out.discard()
            throw error
        }
    }

    static func appendU32(_ out: inout [UInt8], _ v: UInt32) {
        out.append(UInt8(v & 0xFF)); out.append(UInt8(v >> 8 & 0xFF)); out.append(UInt8(v >> 16 & 0xFF)); out.append(UInt8(v >> 24))
    }
}
