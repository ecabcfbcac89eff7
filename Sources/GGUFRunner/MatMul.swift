import CKernels
import GGUFFormat

/// Tokens per tile of a batched matmul: their converted activations stay in the core's L2 cache while
/// the tile's weight rows are dotted with them.
let matmulTokenTile = 32
/// Weight rows per tile (they stay in L1 while the tile's tokens pass).
let matmulRowTile = 16

/// `out[t][r] = W[r] · x[t]` for `tokens` activation rows, as ggml's mul_mat on the CPU: every
/// activation row is first converted to the weight's `vec_dot_type`, then each weight row is dotted
/// with each converted activation row. Weight rows are split across threads; within a thread, tiles of
/// `matmulRowTile` rows × `matmulTokenTile` tokens keep both operands in cache (each dot is the same
/// whatever the order, so the tiling does not change the result). F32/F16 weights on x86 AVX2 sum in
/// llama.cpp's order: tinyBLAS when `usesTinyBLAS` (batches of 2+ tokens), ggml_vec_dot otherwise; so do
/// Q8_0/Q4_0/Q5_0/IQ4_NL weights (tinyBLAS_Q0 for batches, `usesTinyBLASQ0`) and the K-quants, IQ4_XS and the IQ
/// grid types (the tiled matmul for 8+ tokens, `usesTiledKQuant`).
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
        let rowsOut = w.rows, n = w.cols
        #if arch(x86_64)
        if let ops = floatOps, w.type == .f16 || w.type == .f32, usesTinyBLAS(m: w.rows, n: tokens, k: n, step: ops.pointee.tb_step) {
            // llama.cpp's batched F32/F16 path: llamafile tinyBLAS order (the active level's vector width).
            let stride = w.rowBytes / (w.type == .f16 ? 2 : 4)
            parallelRanges(w.rows, threads: threads) { s, e in
                if w.type == .f16 {
                    ops.pointee.gemm_f16_tb(n, w.data.assumingMemoryBound(to: UInt16.self), stride, s, e,
                                     a.assumingMemoryBound(to: UInt16.self), n, tokens, out, rowsOut)
                } else {
                    ops.pointee.gemm_f32_tb(n, w.data.assumingMemoryBound(to: Float.self), stride, s, e,
                                     a.assumingMemoryBound(to: Float.self), n, tokens, out, rowsOut)
                }
            }
            return
        }
        if runnerOpsAvailable, usesTiledKQuant(w.type, tokens: tokens) {
            // K-quant batches of 8+ tokens: llama.cpp's tiled K-quant order.
            let type = Int32(w.type.rawValue), rowBytes = w.rowBytes
            parallelRanges(w.rows, threads: threads) { s, e in
                rops_gemm_kquant_tiled(type, n, w.data, rowBytes, s, e, a, actRow, tokens, out, rowsOut)
            }
            return
        }
        if runnerOpsAvailable, usesTinyBLASQ0(w.type, tokens: tokens) {
            // Q8_0/Q4_0/Q5_0 batches: llamafile tinyBLAS_Q0 order, 4 rows × 2 tokens per tile.
            let type = Int32(w.type.rawValue), rowBytes = w.rowBytes
            parallelRanges(w.rows, threads: threads) { s, e in
                rops_gemm_q0_tb(type, n, w.data, rowBytes, s, e, a, actRow, tokens, out, rowsOut)
            }
            return
        }
        #endif
        parallelRanges(w.rows, threads: threads) { s, e in
            if tokens == 1 {
                k.dotRows(n, w.data, rowBytes: w.rowBytes, s, e, a, out)
                return
            }
            var t0 = 0
            while t0 < tokens {
                let t1 = min(tokens, t0 + matmulTokenTile)
                var r0 = s
                while r0 < e {
                    let r1 = min(e, r0 + matmulRowTile)
                    for r in r0..<r1 {
                        let row = w.row(r)
                        for t in t0..<t1 { out[t * rowsOut + r] = k.dot(n, row, a + t * actRow) }
                    }
                    r0 = r1
                }
                t0 = t1
            }
        }
    }
}
