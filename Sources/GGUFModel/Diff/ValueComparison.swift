import GGUFFormat
import GGUFIO

extension ModelDiff {
    /// Dequantizes each pair of same-shaped tensors a block of rows at a time and accumulates the errors.
    mutating func compareValues(pairs: [(Int, Int)], name: (Int) -> String) throws {
        for h in [a, b] where h.compression != nil {
            throw ModelError.usage("\(h.path): --values needs an uncompressed file (it maps the data); decompress it first")
        }
        // Every file of each model (the parts of a split set), mapped.
        func files(_ h: ModelHeader) throws(IOError) -> [MappedFile] {
            var out: [MappedFile] = []
            for p in h.isSplit ? h.parts.map(\.path) : [h.path] { out.append(try MappedFile(path: p)) }
            return out
        }
        let fa = try files(a), fb = try files(b)
        let chunk = 1 << 16
        let bufA = UnsafeMutablePointer<Float>.allocate(capacity: chunk), bufB = UnsafeMutablePointer<Float>.allocate(capacity: chunk)
        defer { bufA.deallocate(); bufB.deallocate() }
        for (i, j) in pairs {
            let ta = a.tensors[i], tb = b.tensors[j]
            let n = name(i)
            guard ta.ne == tb.ne else { skipped.append((n, "shapes differ")); continue }
            guard let ya = ta.type, let yb = tb.type, Dequantize.supports(ya), Dequantize.supports(yb) else {
                let missing = [ta, tb].first { $0.type.map { !Dequantize.supports($0) } ?? true }!.typeName
                skipped.append((n, "no dequantizer for \(missing) yet"))
                continue
            }
            let rowLen = ta.ne.first ?? 1
            let rows = ta.elementCount / max(rowLen, 1)
            let rowsPerStep = max(1, chunk / max(rowLen, 1))
            var s = ValueStats(name: n, elements: 0, sumSquaredError: 0, sumSquaresA: 0, maxAbs: 0)
            let pa = try fa[ta.part].bytes(at: ta.offset, count: ta.bytes), pb = try fb[tb.part].bytes(at: tb.offset, count: tb.bytes)
            let rowBytesA = ya.rowBytes(rowLen) ?? 0, rowBytesB = yb.rowBytes(rowLen) ?? 0
            var r = 0
            while r < rows {
                let k = min(rowsPerStep, rows - r)
                if rowLen > chunk {
                    // Rows longer than the buffer: one whole row at a time.
                    let la = UnsafeMutablePointer<Float>.allocate(capacity: rowLen), lb = UnsafeMutablePointer<Float>.allocate(capacity: rowLen)
                    Dequantize.toFloat(ya, pa.baseAddress! + r * rowBytesA, rows: 1, rowLength: rowLen, into: la)
                    Dequantize.toFloat(yb, pb.baseAddress! + r * rowBytesB, rows: 1, rowLength: rowLen, into: lb)
                    accumulate(&s, la, lb, rowLen)
                    la.deallocate(); lb.deallocate()
                    r += 1
                    continue
                }
                Dequantize.toFloat(ya, pa.baseAddress! + r * rowBytesA, rows: k, rowLength: rowLen, into: bufA)
                Dequantize.toFloat(yb, pb.baseAddress! + r * rowBytesB, rows: k, rowLength: rowLen, into: bufB)
                accumulate(&s, bufA, bufB, k * rowLen)
                r += k
            }
            values.append(s)
        }
    }

    private func accumulate(_ s: inout ValueStats, _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ n: Int) {
        var se = 0.0, sa = 0.0, m = s.maxAbs
        for i in 0..<n {
            let a = Double(x[i]), d = a - Double(y[i])
            se += d * d
            sa += a * a
            m = max(m, abs(d))
        }
        s.elements += n
        s.sumSquaredError += se
        s.sumSquaresA += sa
        s.maxAbs = m
    }
}
