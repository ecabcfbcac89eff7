// The importance-weighted quantizers of the 32-weight types (ggml-quants.c `quantize_row_q4_0_impl`,
// `_q4_1_impl`, `_q5_0_impl`, `_q5_1_impl`), one row at a time: `qw` holds a weight per column of the row.
// Each value weighs `qw · sqrt(σ² + x²)` with σ² = Σx²/n over the whole row; Q4_0/Q5_0 fit their block with
// make_qx_quants, Q4_1/Q5_1 with make_qkx3_quants (``makeQkx2Quants``). Nil weights give the reference
// quantizer's bytes. Q8_0 has no weighted algorithm: ggml ignores the weights.

enum WeightedLegacy {
    /// The row's σ², the weights of block `ib` into `weight`.
    @inline(__always)
    static func blockWeights(_ x: UnsafePointer<Float>, _ qw: UnsafePointer<Float>, _ ib: Int, _ sigma2: Float,
                             _ weight: UnsafeMutablePointer<Float>) {
        importance(32, x + 32 * ib, qw + 32 * ib, sigma2, weight)
    }

    /// quantize_q4_0 (nmax 8) or quantize_q5_0 (nmax 16) for one row.
    static func symmetric(_ x: UnsafePointer<Float>, _ y: UnsafeMutableRawPointer, _ k: Int, _ qw: UnsafePointer<Float>, five: Bool) {
        withUnsafeTemporaryAllocation(of: Int8.self, capacity: 32) { lbuf in
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 32 + 72) { fbuf in
            let L = lbuf.baseAddress!, weight = fbuf.baseAddress!, tmp = weight + 32
            let sigma2 = sumOfSquares(x, k) / Float(k)
            let bytes = five ? Q5_0.bytes : Q4_0.bytes
            for ib in 0..<(k / 32) {
                let yb = y + ib * bytes
                blockWeights(x, qw, ib, sigma2, weight)
                let d = makeQxQuants(32, five ? 16 : 8, x + 32 * ib, L, tmp, weights: weight)
                storeF16(yb, 0, d)
                let Lu = UnsafeRawPointer(L).assumingMemoryBound(to: UInt8.self)
                if five {
                    let qs = (yb + 6).assumingMemoryBound(to: UInt8.self)
                    var qh: UInt32 = 0
                    for j in 0..<16 {
                        let a = Lu[j], b = Lu[j + 16]
                        qs[j] = (a & 0x0F) | ((b & 0x0F) << 4)
                        qh |= UInt32((a & 0x10) >> 4) << UInt32(j)
                        qh |= UInt32((b & 0x10) >> 4) << UInt32(j + 16)
                    }
                    storeU32(yb, 2, qh)
                } else {
                    let qs = (yb + 2).assumingMemoryBound(to: UInt8.self)
                    for j in 0..<16 { qs[j] = Lu[j] | (Lu[j + 16] << 4) }
                }
            }
        }
        }
    }

    /// quantize_q4_1 (nmax 15) or quantize_q5_1 (nmax 31) for one row.
    static func withMin(_ x: UnsafePointer<Float>, _ y: UnsafeMutableRawPointer, _ k: Int, _ qw: UnsafePointer<Float>, five: Bool) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64) { lbuf in
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 32 + 96) { fbuf in
            let L = lbuf.baseAddress!, weight = fbuf.baseAddress!
            let sigma2 = sumOfSquares(x, k) / Float(k)
            let bytes = five ? Q5_1.bytes : Q4_1.bytes
            for ib in 0..<(k / 32) {
                let yb = y + ib * bytes
                blockWeights(x, qw, ib, sigma2, weight)
                var min: Float = 0
                let d = makeQkx3Quants(32, five ? 31 : 15, x + 32 * ib, weight, L, &min, -0.9, 0.05, 36)
                storeF16(yb, 0, d)
                storeF16(yb, 2, -min)
                if five {
                    let qs = (yb + 8).assumingMemoryBound(to: UInt8.self)
                    var qh: UInt32 = 0
                    for j in 0..<16 {
                        let a = L[j], b = L[j + 16]
                        qs[j] = (a & 0x0F) | ((b & 0x0F) << 4)
                        qh |= UInt32((a & 0x10) >> 4) << UInt32(j)
                        qh |= UInt32((b & 0x10) >> 4) << UInt32(j + 16)
                    }
                    storeU32(yb, 4, qh)
                } else {
                    let qs = (yb + 4).assumingMemoryBound(to: UInt8.self)
                    for j in 0..<16 { qs[j] = L[j] | (L[j + 16] << 4) }
                }
            }
        }
        }
    }

    static func q4_0(_ x: UnsafePointer<Float>, _ y: UnsafeMutableRawPointer, _ k: Int, _ qw: UnsafePointer<Float>?) {
        guard let qw else { return Q4_0.quantize(x, y, k) }
        symmetric(x, y, k, qw, five: false)
    }

    static func q5_0(_ x: UnsafePointer<Float>, _ y: UnsafeMutableRawPointer, _ k: Int, _ qw: UnsafePointer<Float>?) {
        guard let qw else { return Q5_0.quantize(x, y, k) }
        symmetric(x, y, k, qw, five: true)
    }

    static func q4_1(_ x: UnsafePointer<Float>, _ y: UnsafeMutableRawPointer, _ k: Int, _ qw: UnsafePointer<Float>?) {
        guard let qw else { return Q4_1.quantize(x, y, k) }
        withMin(x, y, k, qw, five: false)
    }

    static func q5_1(_ x: UnsafePointer<Float>, _ y: UnsafeMutableRawPointer, _ k: Int, _ qw: UnsafePointer<Float>?) {
        guard let qw else { return Q5_1.quantize(x, y, k) }
        withMin(x, y, k, qw, five: true)
    }
}
