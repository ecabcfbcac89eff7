// Helpers of ggml's importance-weighted quantizers (ggml-quants.c, the `quantize_row_*_impl` functions
// that `ggml_quantize_chunk` runs when given an imatrix). All arithmetic is Float in C order; no FMA.
//
// `make_qkx3_quants` is ``makeQkx2Quants`` given weights: the two differ only in `max == min` against
// `max <= min` after `min` is clamped to ≤ 0, which decide alike for every input (NaN included), and in what
// a nil `weights` means, which no weighted quantizer passes. ``makeQkx3Quants`` below runs it in the AVX2 C
// kernel where it can (the weighted K-quants' hot loop).

/// `make_qp_quants(n, nmax, x, L, quant_weights)`: codes 0…nmax (stored as C stores an int in a uint8_t)
/// for non-negative `x` (the sub-block scales or mins of Q2_K/Q4_K/Q5_K; IQ2_XXS's scales, one of which may be
/// negative: its code then wraps as C's uint8_t does), weighted by `qw`; returns the scale.
func makeQpQuants(_ n: Int, _ nmax: Int32, _ x: UnsafePointer<Float>, _ L: UnsafeMutablePointer<UInt8>,
                  _ qw: UnsafePointer<Float>) -> Float {
    var max: Float = 0
    for i in 0..<n { max = max > x[i] ? max : x[i] }  // C's MAX(max, x[i])
    if max < groupMaxEps {
        for i in 0..<n { L[i] = 0 }
        return 0
    }
    let fnmax = Float(nmax)
    var iscale = fnmax / max
    for i in 0..<n { L[i] = UInt8(truncatingIfNeeded: nearestInt(iscale * x[i])) }
    let scale = 1 / iscale
    var bestMSE: Float = 0
    for i in 0..<n {
        let diff = x[i] - scale * Float(L[i])
        bestMSE += qw[i] * diff * diff
    }
    for step in -4...4 where step != 0 {
        let iscaleStep = (0.1 * Float(step) + fnmax) / max
        let scaleStep = 1 / iscaleStep
        var mse: Float = 0
        for i in 0..<n {
            let l = Swift.min(nmax, nearestInt(iscaleStep * x[i]))
            let diff = x[i] - scaleStep * Float(l)
            mse += qw[i] * diff * diff
        }
        if mse < bestMSE {
            bestMSE = mse
            iscale = iscaleStep
        }
    }
    var sumlx: Float = 0, suml2: Float = 0
    for i in 0..<n {
        let l = Swift.min(nmax, nearestInt(iscale * x[i]))
        L[i] = UInt8(truncatingIfNeeded: l)
        let w = qw[i], fl = Float(l)
        sumlx += w * x[i] * fl
        suml2 += w * fl * fl
    }
    for _ in 0..<5 {
        var changed = 0
        for i in 0..<n {
            let w = qw[i], li = Float(L[i])
            var slx = sumlx - w * x[i] * li
            var sl2 = suml2 - w * li * li
            if slx > 0 && sl2 > 0 {
                let newL = Swift.min(nmax, nearestInt(x[i] * sl2 / slx))
                if newL != Int32(L[i]) {
                    let fn = Float(newL)
                    slx += w * x[i] * fn
                    sl2 += w * fn * fn
                    if slx * slx * suml2 > sumlx * sumlx * sl2 {
                        L[i] = UInt8(truncatingIfNeeded: newL); sumlx = slx; suml2 = sl2
                        changed += 1
                    }
                }
            }
        }
        if changed == 0 { break }
    }
    return suml2 > 0 ? sumlx / suml2 : 0
}

/// The importance of each of `n` values as the weighted K-quants and legacy types compute it:
/// `qw[l] · sqrt(sigma2 + x[l]²)`.
@inline(__always) func importance(_ n: Int, _ x: UnsafePointer<Float>, _ qw: UnsafePointer<Float>, _ sigma2: Float,
                                  _ out: UnsafeMutablePointer<Float>) {
    for l in 0..<n { out[l] = qw[l] * (sigma2 + x[l] * x[l]).squareRoot() }
}

/// Σ x² over `n` values, in order (C's `sum_x2` loop).
@inline(__always) func sumOfSquares(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
    var s: Float = 0
    for j in 0..<n { s += x[j] * x[j] }
    return s
}

/// `make_qkx3_quants(n, nmax, x, weights, L, &the_min, Laux, rmin, rdelta, nstep, use_mad = false)` (n ≤ 32):
/// the AVX2 C kernel where it runs (``CKernelTable/enabled``: the 37 steps in lanes, see `qkx3.c`), else
/// ``makeQkx2Quants`` (C's sequential search; the same bits). Returns the scale; `theMin` = −min.
@inline(__always)
func makeQkx3Quants(_ n: Int, _ nmax: Int32, _ x: UnsafePointer<Float>, _ weights: UnsafePointer<Float>,
                    _ L: UnsafeMutablePointer<UInt8>, _ theMin: inout Float,
                    _ rmin: Float, _ rdelta: Float, _ nstep: Int, cLanes: Bool = CKernelTable.enabled) -> Float {
    if cLanes { return CKernelTable.makeQkx3Quants(n, nmax, x, weights, L, &theMin, rmin, rdelta, nstep) }
    return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { aux in
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 96) { tmp in
            makeQkx2Quants(n, nmax, x, weights, L, &theMin, aux.baseAddress!, rmin, rdelta, nstep, false, tmp.baseAddress!)
        }
    }
}
