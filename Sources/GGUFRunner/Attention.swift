import Foundation

/// Causal grouped-query attention over the F16 cache, as llama.cpp's non-flash path computes it:
/// `kq = K·q` with q rounded to F16 (F16·F16 dot, F32 sum), softmax of `kq · 1/sqrt(head)` with the
/// causal mask, probabilities rounded to F16, then `Σ p·V` with F32 sums.
///
/// `q` holds `tokens` rows of `heads · headSize` (already rotated); the cache already holds the keys and
/// values of positions `0 ..< start + tokens`. The result goes to `out` (same layout as `q`).
func attention(q: UnsafePointer<Float>, tokens: Int, start: Int, keys: UnsafePointer<UInt16>, values: UnsafePointer<UInt16>,
               heads: Int, headsKV: Int, headSize: Int, out: UnsafeMutablePointer<Float>, threads: Int) {
    let dim = heads * headSize, kvDim = headsKV * headSize
    let group = heads / headsKV
    let scale = 1 / Float(headSize).squareRoot()
    let span = start + tokens
    parallelRanges(tokens * heads, threads: threads) { s, e in
        var q16 = [UInt16](repeating: 0, count: headSize)
        var scores = [Float](repeating: 0, count: span)
        var acc = [Float](repeating: 0, count: headSize)
        q16.withUnsafeMutableBufferPointer { q16 in
        scores.withUnsafeMutableBufferPointer { sc in
        acc.withUnsafeMutableBufferPointer { acc in
            for job in s..<e {
                let t = job / heads, h = job % heads, kvh = h / group
                let n = start + t + 1   // positions this token sees
                toF16(q + t * dim + h * headSize, q16.baseAddress!, headSize)
                var mx = -Float.infinity
                for j in 0..<n {
                    let v = dotF16(headSize, keys + j * kvDim + kvh * headSize, q16.baseAddress!) * scale
                    sc[j] = v
                    mx = max(mx, v)
                }
                var sum: Double = 0
                for j in 0..<n {
                    let v = expf(sc[j] - mx)
                    sc[j] = v
                    sum += Double(v)
                }
                let inv = Float(1 / sum)
                for i in 0..<headSize { acc[i] = 0 }
                for j in 0..<n {
                    let p = F16.table[Int(F16.fp16(sc[j] * inv))]
                    let vrow = values + j * kvDim + kvh * headSize
                    let tab = F16.table
                    for i in 0..<headSize { acc[i] += p * tab[Int(vrow[i])] }
                }
                let o = out + t * dim + h * headSize
                for i in 0..<headSize { o[i] = acc[i] }
            }
        }}}
    }
}
