import CKernels
import Foundation

/// The number of cache positions llama.cpp's non-flash attention spans (`n_kv`): the positions in use
/// rounded up to 256, at least 256, at most the cache (whose size llama.cpp rounds up to 256). The
/// positions past the tokens are masked; they decide the summation order of `V·p` and the softmax chunks.
func attentionSpan(used: Int, contextSize: Int) -> Int {
    let pad = { (n: Int) in (n + 255) / 256 * 256 }
    return min(pad(contextSize), max(256, pad(used)))
}

/// Causal grouped-query attention over the F16 cache, as llama.cpp's non-flash path computes it:
/// `kq = K·q` with q rounded to F16, softmax of `kq · 1/sqrt(head)` with the causal mask over `span`
/// positions, probabilities rounded to F16, then `V·p` over the positions of the transposed V cache.
///
/// Both products are ggml mul_mats of F16: with `tokens` ≥ 2 llamafile's tinyBLAS order, with one
/// token ggml_vec_dot_f16's (`CKernels/ops`, x86; elsewhere Swift loops in another order).
/// `q` holds `tokens` rows of `heads · headSize` (already rotated); the cache holds the keys and values of
/// positions `0 ..< start + tokens` (keys position-major, values transposed: `values[i · capacity + pos]`).
/// The result goes to `out` (same layout as `q`).
func attention(q: UnsafePointer<Float>, tokens: Int, start: Int, span: Int, keys: UnsafePointer<UInt16>,
               values: UnsafePointer<UInt16>, capacity: Int, heads: Int, headsKV: Int, headSize: Int,
               out: UnsafeMutablePointer<Float>, threads: Int, shape: AttentionShape = AttentionShape()) {
    let dim = heads * headSize, kvDim = headsKV * headSize
    let group = heads / headsKV
    let scale = shape.scale ?? 1 / Float(headSize).squareRoot()
    let used = start + tokens
    let ops = floatOps
    let kqTiny = usesTinyBLAS(m: span, n: tokens, k: headSize)   // kq: span rows of headSize
    let vpTiny = usesTinyBLAS(m: headSize, n: tokens, k: span)   // kqv: headSize rows of span
    let c = ops != nil
    let vd = vecDotStep
    #if arch(x86_64)
    if let ops, kqTiny && vpTiny {
        attentionBatched(q: q, tokens: tokens, start: start, span: span, keys: keys, values: values, capacity: capacity,
                         heads: heads, headsKV: headsKV, headSize: headSize, out: out, threads: threads, shape: shape, ops: ops)
        return
    }
    #endif
    parallelRanges(tokens * heads, threads: threads) { s, e in
        withAttentionScratch(queries: headSize, scores: used) { qh, sp, ph in
            for job in s..<e {
                let t = job / heads, h = job % heads, kvh = h / group
                let n = start + t + 1   // positions this token sees
                toF16(q + t * dim + h * headSize, qh, headSize)
                for j in 0..<n {
                    sp[j] = attnDot(headSize, keys + j * kvDim + kvh * headSize, qh, ops: ops, tiny: kqTiny, np: headSize & ~(vd - 1))
                }
                shape.adjust(sp, n, position: start + t)
                if c { softmaxC(sp, n, span: span, scale: scale, ops: ops) } else { softmax(sp, n, scale: scale) }
                toF16(sp, ph, n)
                let o = out + t * dim + h * headSize
                for i in 0..<headSize {
                    o[i] = attnDot(n, values + (kvh * headSize + i) * capacity, ph, ops: ops, tiny: vpTiny, np: span & ~(vd - 1))
                }
            }
        }
    }
}

#if arch(x86_64)
/// Tokens of one head whose products go through one tiled matmul (each key and value row is read once for
/// all of them instead of once per token).
let attentionBlock = 8

/// ``attention`` for a batch in tinyBLAS order (`CKernels/ops`), `attentionBlock` tokens of a head at a time:
/// `K·q` for all positions the block's last token sees (a token's scores past its own positions are computed
/// and ignored), and `V·p` over those positions with each token's probabilities zero past its own (the tiled
/// products give every output the order of its single dot, and the zeros add nothing).
func attentionBatched(q: UnsafePointer<Float>, tokens: Int, start: Int, span: Int, keys: UnsafePointer<UInt16>,
                      values: UnsafePointer<UInt16>, capacity: Int, heads: Int, headsKV: Int, headSize: Int,
                      out: UnsafeMutablePointer<Float>, threads: Int, shape: AttentionShape, ops: UnsafePointer<ck_float_ops>) {
    let dim = heads * headSize, kvDim = headsKV * headSize
    let group = heads / headsKV
    let scale = shape.scale ?? 1 / Float(headSize).squareRoot()
    let tb = attentionBlock
    let blocks = (tokens + tb - 1) / tb
    let step = ops.pointee.tb_step
    let width = (start + tokens + step - 1) & ~(step - 1)   // positions of the widest block, padded to tinyBLAS's step
    parallelRanges(blocks * heads, threads: threads) { s, e in
        withAttentionScratch(queries: tb * headSize, scores: tb * width) { qh, sp, ph in
            for job in s..<e {
                let blk = job / heads, h = job % heads, kvh = h / group
                let t0 = blk * tb, tn = min(tb, tokens - t0)
                let seen = start + t0 + tn              // positions the block's last token sees
                let kpad = (seen + step - 1) & ~(step - 1)
                for t in 0..<tn { toF16(q + (t0 + t) * dim + h * headSize, qh + t * headSize, headSize) }
                ops.pointee.gemm_f16_tb(headSize, keys + kvh * headSize, kvDim, 0, seen, qh, headSize, tn, sp, seen)
                for t in 0..<tn {
                    let n = start + t0 + t + 1
                    shape.adjust(sp + t * seen, n, position: start + t0 + t)
                    ops.pointee.softmax(n, span, sp + t * seen, scale)
                    toF16(sp + t * seen, ph + t * kpad, n)
                    for j in n..<kpad { ph[t * kpad + j] = 0 }
                }
                ops.pointee.gemm_f16_tb(kpad, values + kvh * headSize * capacity, capacity, 0, headSize, ph, kpad, tn,
                                 out + t0 * dim + h * headSize, dim)
            }
        }
    }
}
#endif

/// What distinguishes one architecture's attention scores from plain scaled dot products (llama.cpp's
/// `build_attn_mha` without flash attention): the softmax scale, gemma2's soft-capping of the scores, and the
/// sliding-window mask.
struct AttentionShape: Sendable {
    /// The softmax scale (`kq_scale`); nil: 1/sqrt(head size). gemma and phi3 scale Q instead and pass 1.
    var scale: Float?
    /// `cap · tanh(kq / cap)` before the softmax (gemma2's `attn_logit_softcapping`); 0: none.
    var softcap: Float = 0
    /// Sliding window (llama.cpp's `LLAMA_SWA_TYPE_STANDARD`): a key at position p0 is masked for the query at p1
    /// when p1 − p0 ≥ window; 0: causal mask only.
    var window = 0

    /// Soft-caps the n scores of the query at `position` and masks those outside the window with −inf (the mask
    /// llama.cpp adds; exp gives 0 for them, and the softmax's chunks and sums are unchanged).
    @inline(__always)
    func adjust(_ x: UnsafeMutablePointer<Float>, _ n: Int, position: Int) {
        if softcap > 0 { GGUFRunner.softcap(x, n, cap: softcap) }
        if window > 0 {
            for j in 0 ..< max(0, min(n, position - window + 1)) { x[j] = -.infinity }
        }
    }
}

/// One thread's buffers for attention: F16 queries, scores, and F16 probabilities (as many as scores).
func withAttentionScratch(queries: Int, scores: Int,
                          _ body: (UnsafeMutablePointer<UInt16>, UnsafeMutablePointer<Float>, UnsafeMutablePointer<UInt16>) -> Void) {
    var q16 = [UInt16](repeating: 0, count: queries)
    var sc = [Float](repeating: 0, count: scores)
    var p16 = [UInt16](repeating: 0, count: scores)
    q16.withUnsafeMutableBufferPointer { q in
        sc.withUnsafeMutableBufferPointer { s in
            p16.withUnsafeMutableBufferPointer { p in body(q.baseAddress!, s.baseAddress!, p.baseAddress!) }
        }
    }
}

/// Softmax of `x · scale` over n values (libm exp, sum in double): the portable fallback.
func softmax(_ x: UnsafeMutablePointer<Float>, _ n: Int, scale: Float) {
    var mx = -Float.infinity
    for j in 0..<n { x[j] *= scale; mx = max(mx, x[j]) }
    var sum: Double = 0
    for j in 0..<n { x[j] = expf(x[j] - mx); sum += Double(x[j]) }
    let inv = Float(1 / sum)
    for j in 0..<n { x[j] *= inv }
}

/// One F16 dot of attention: tinyBLAS or ggml_vec_dot_f16 order with `ops` (the C kernels of the active
/// level), else the Swift loop. `np`: the length summed in lanes by ggml_vec_dot_f16 (the padded length
/// rounded down to the level's step).
@inline(__always)
func attnDot(_ n: Int, _ a: UnsafePointer<UInt16>, _ b: UnsafePointer<UInt16>, ops: UnsafePointer<ck_float_ops>?, tiny: Bool, np: Int) -> Float {
    #if arch(x86_64)
    if let ops { return tiny ? ops.pointee.dot_f16_tb(n, a, b) : ops.pointee.dot_f16_vd(n, np, a, b) }
    #endif
    return dotF16(n, a, b)
}

/// ggml's softmax of one masked attention row over `span` positions (the active level's C kernel; x86 only).
@inline(__always)
func softmaxC(_ x: UnsafeMutablePointer<Float>, _ n: Int, span: Int, scale: Float, ops: UnsafePointer<ck_float_ops>?) {
    #if arch(x86_64)
    if let ops { ops.pointee.softmax(n, span, x, scale); return }
    #endif
    softmax(x, n, scale: scale)
}
