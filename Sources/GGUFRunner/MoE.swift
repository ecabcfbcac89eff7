import CKernels
import Foundation
import GGUFFormat

/// The mixture-of-experts FFN as llama.cpp's `build_moe_ffn` computes it on the CPU (softmax gating,
/// no selection bias, no expert groups; llama and qwen3moe call it with `norm_w` = true and no scale):
///
/// 1. router logits `ffn_gate_inp · x`: an ordinary mul_mat (its own activation conversion, same paths as
///    every matmul);
/// 2. `soft_max` per token (`ggml_v_expf` in 8-wide chunks, each chunk's sum added in double, then
///    × `(float)(1/sum)`);
/// 3. top-k by `argsort` descending (`std::sort`: ``stdSortDescending`` repeats libstdc++'s introsort, so equal
///    probabilities end in its order), weights = the selected probabilities;
/// 4. `norm_w`: divided by their sum (in double, rounded to float, clamped below at 6.103515625e-5);
/// 5. up and gate through `mul_mat_id`, SwiGLU, down through `mul_mat_id`;
/// 6. each expert's output × its weight, then added slot after slot (`((e0·w0 + e1·w1) + e2·w2) …`).
///
/// `mul_mat_id` converts every activation row to the weight's `vec_dot_type` and, per expert, dots each
/// weight row with each routed row through `vec_dot` (never llamafile's tinyBLAS), except K-quant experts
/// with 8 or more routed rows, which take the tiled K-quant kernel (ggml-cpu/tiled, per expert).
extension Session {
    func moeFFN(_ w: MoEWeights, _ xn: [Float], _ T: Int, _ out: inout [Float]) {
        let nExp = w.router.rows, k = w.used, d = w.down.rows, ff = w.gate.rows
        var probs = [Float](repeating: 0, count: T * nExp)
        mm(w.router, xn, T, &probs)
        var ids = [Int32](repeating: 0, count: T * k)
        var weights = [Float](repeating: 0, count: T * k)
        probs.withUnsafeMutableBufferPointer { pp in
            for t in 0..<T {
                let p = pp.baseAddress! + t * nExp
                routerSoftmax(p, nExp)
                // Descending in std::sort's order (llama.cpp's argsort: ties as libstdc++'s introsort leaves them).
                let order = stdSortDescending(p, nExp)
                for j in 0..<k {
                    ids[t * k + j] = order[j]
                    weights[t * k + j] = p[Int(order[j])]
                }
                if w.normalize {
                    var s: Double = 0
                    for j in 0..<k { s += Double(weights[t * k + j]) }
                    let sum = max(Float(s), 6.103515625e-5)
                    for j in 0..<k { weights[t * k + j] /= sum }
                }
            }
        }
        var gate = [Float](repeating: 0, count: T * k * ff), up = gate
        xn.withUnsafeBufferPointer { x in
            gate.withUnsafeMutableBufferPointer { mulMatID(w.gate, x.baseAddress!, perSlot: false, ids: ids, used: k, tokens: T, $0.baseAddress!) }
            up.withUnsafeMutableBufferPointer { mulMatID(w.up, x.baseAddress!, perSlot: false, ids: ids, used: k, tokens: T, $0.baseAddress!) }
        }
        gatedActivation(&gate, up, rows: T * k, width: ff, gelu: false)
        var down = [Float](repeating: 0, count: T * k * d)
        gate.withUnsafeBufferPointer { g in
            down.withUnsafeMutableBufferPointer { mulMatID(w.down, g.baseAddress!, perSlot: true, ids: ids, used: k, tokens: T, $0.baseAddress!) }
        }
        for t in 0..<T {
            let o = t * d
            let w0 = weights[t * k], e0 = t * k * d
            for i in 0..<d { out[o + i] = down[e0 + i] * w0 }
            for j in 1..<max(k, 1) {
                let wj = weights[t * k + j], ej = (t * k + j) * d
                for i in 0..<d { out[o + i] += down[ej + i] * wj }
            }
        }
        if let sh = w.shared { sharedExpert(sh, xn, T, &out) }
    }

    /// qwen2moe's shared expert, added to the experts' output as llama.cpp's qwen2moe graph does: the gate
    /// `g = ffn_gate_inp_shexp · x` (a one-row mul_mat), its sigmoid computed as `silu(g) / g` (ggml_silu on a row of
    /// one value: the scalar `g / (1 + expf(-g))`, then ggml_div), a SwiGLU FFN, `ffn · sigmoid` per token, then
    /// `moe_out + shared`.
    func sharedExpert(_ sh: SharedExpert, _ xn: [Float], _ T: Int, _ out: inout [Float]) {
        let d = sh.down.rows, sff = sh.gate.rows
        var g = [Float](repeating: 0, count: T)
        mm(sh.gateInp, xn, T, &g)
        var gate = [Float](repeating: 0, count: T * sff), up = gate
        mm(sh.gate, xn, T, &gate)
        mm(sh.up, xn, T, &up)
        gatedActivation(&gate, up, rows: T, width: sff, gelu: false)
        var ffn = [Float](repeating: 0, count: T * d)
        mm(sh.down, gate, T, &ffn)
        for t in 0..<T {
            let x = g[t]
            let sigmoid = (x / (1 + expf(-x))) / x
            for i in 0..<d { out[t * d + i] += ffn[t * d + i] * sigmoid }
        }
    }

    /// ggml's `mul_mat_id`: for each token t and slot j, `out[(t·used + j)·rows + r] = W[ids[t·used + j]][r] · x`
    /// where x is token t's row (`perSlot` false: up/gate, one row per token) or row `t·used + j` (down).
    func mulMatID(_ w: ExpertWeights, _ x: UnsafePointer<Float>, perSlot: Bool, ids: [Int32], used: Int, tokens T: Int,
                  _ out: UnsafeMutablePointer<Float>) {
        let kern = w.kernel, n = w.cols, rows = w.rows, threads = self.threads
        let actRow = kern.activationType.rowBytes(n)!
        let nAct = perSlot ? T * used : T
        if let c = collector {
            c.addExperts(w.name, x, perSlot: perSlot, ids: ids, used: used, tokens: T, experts: w.count, cols: n)
        }
        var act = [UInt8](repeating: 0, count: actRow * nAct)
        act.withUnsafeMutableBytes { buf in
            let a = buf.baseAddress!
            parallelRanges(nAct, threads: threads) { s, e in
                for r in s..<e { kern.quantize(x + r * n, a + r * actRow, n) }
            }
        }
        // Routed (token, slot) pairs per expert, in llama.cpp's order (token after token, slot after slot).
        var routed = [[Int]](repeating: [], count: w.count)
        for p in 0..<T * used { routed[Int(ids[p])].append(p) }
        act.withUnsafeBytes { buf in
            let a = buf.baseAddress!
            func actRowPtr(_ p: Int) -> UnsafeRawPointer { a + (perSlot ? p : p / used) * actRow }
            for e in 0..<w.count where !routed[e].isEmpty {
                let pairs = routed[e], base = w.expert(e)
                #if arch(x86_64)
                if runnerOpsAvailable, usesTiledKQuant(w.type, tokens: pairs.count) {
                    // ggml-cpu/tiled's mul_mat_id: this expert's routed rows as one tiled K-quant matmul.
                    var g = [UInt8](repeating: 0, count: actRow * pairs.count)
                    g.withUnsafeMutableBytes { gb in
                        for (j, p) in pairs.enumerated() { (gb.baseAddress! + j * actRow).copyMemory(from: actRowPtr(p), byteCount: actRow) }
                    }
                    var tmp = [Float](repeating: 0, count: pairs.count * rows)
                    let type = Int32(w.type.rawValue), rb = w.rowBytes, c = pairs.count
                    g.withUnsafeBytes { gb in
                        tmp.withUnsafeMutableBufferPointer { tp in
                            let gp = gb.baseAddress!, op = tp.baseAddress!
                            parallelRanges(rows, threads: threads) { s, e in
                                rops_gemm_kquant_tiled(type, n, base, rb, s, e, gp, actRow, c, op, rows)
                            }
                        }
                    }
                    tmp.withUnsafeBufferPointer { tp in
                        for (j, p) in pairs.enumerated() { (out + p * rows).update(from: tp.baseAddress! + j * rows, count: rows) }
                    }
                    continue
                }
                #endif
                parallelRanges(rows, threads: threads) { s, e in
                    for p in pairs { kern.dotRows(n, base, rowBytes: w.rowBytes, s, e, actRowPtr(p), out + p * rows) }
                }
            }
        }
    }
}

/// ggml's soft_max of one router row (scale 1, no mask): `rops_softmax` on x86 AVX2, else the Swift loop.
@inline(__always)
func routerSoftmax(_ x: UnsafeMutablePointer<Float>, _ n: Int) {
    #if arch(x86_64)
    if let ops = floatOps { ops.pointee.softmax(n, n, x, 1); return }
    #endif
    softmax(x, n, scale: 1)
}
