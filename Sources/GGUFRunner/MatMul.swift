import GGUFFormat

/// `out[t][r] = W[r] · x[t]` for `tokens` activation rows, as ggml's mul_mat on the CPU: every
/// activation row is first converted to the weight's `vec_dot_type`, then each weight row is dotted
/// with each converted activation row. Weight rows are split across threads.
func matmul(_ w: Weight, _ x: UnsafePointer<Float>, tokens: Int, _ out: UnsafeMutablePointer<Float>,
            threads: Int, scratch: inout [UInt8]) {
    let k = w.kernel
    let actRow = k.activationType.rowBytes(w.cols)!
    if scratch.count < actRow * tokens { scratch = [UInt8](repeating: 0, count: actRow * tokens) }
    scratch.withUnsafeMutableBytes { buf in
        let act = buf.baseAddress!
        parallelRanges(tokens, threads: threads) { s, e in
            for t in s..<e { k.quantize(x + t * w.cols, act + t * actRow, w.cols) }
        }
        let a = UnsafeRawPointer(act)
        parallelRanges(w.rows, threads: threads) { s, e in
            for r in s..<e {
                let row = w.row(r)
                for t in 0..<tokens {
                    out[t * w.rows + r] = k.dot(w.cols, row, a + t * actRow)
                }
            }
        }
    }
}
