// Helpers of ggml's importance-weighted quantizers (ggml-quants.c, the `quantize_row_*_impl` functions
// that `ggml_quantize_chunk` runs when given an imatrix). All arithmetic is Float in C order; no FMA.
//
// `make_qkx3_quants` is ``makeQkx2Quants`` given weights: the two differ only in `max == min` against
// `max <= min` after `min` is clamped to ≤ 0, which decide alike for every input (NaN included), and in what
// a nil `weights` means, which no weighted quantizer passes. ``makeQkx3Quants`` below is the same search with
// its 37 steps run side by side (the weighted K-quants' hot loop).

/// `make_qp_quants(n, nmax, x, L, quant_weights)`: codes 0…nmax (stored as C stores an int in a uint8_t)
/// for non-negative `x` (the sub-block scales or mins of Q2_K/Q4_K/Q5_K), weighted by `qw`; returns the scale.
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
/// the AVX2 C kernel where it runs (``CKernelTable/enabled``), else ``portableMakeQkx3Quants``; same bits.
@inline(__always)
func makeQkx3Quants(_ n: Int, _ nmax: Int32, _ x: UnsafePointer<Float>, _ weights: UnsafePointer<Float>,
                    _ L: UnsafeMutablePointer<UInt8>, _ theMin: inout Float,
                    _ rmin: Float, _ rdelta: Float, _ nstep: Int) -> Float {
    if CKernelTable.enabled { return CKernelTable.makeQkx3Quants(n, nmax, x, weights, L, &theMin, rmin, rdelta, nstep) }
    return portableMakeQkx3Quants(n, nmax, x, weights, L, &theMin, rmin, rdelta, nstep)
}

/// `make_qkx3_quants` in Swift, bit-identical to C, with the steps evaluated side by side.
///
/// C's steps are independent but for one thing: when a step wins, `min` becomes its min, and every later
/// step computes its codes from the new `min`. So all remaining steps are evaluated at once, one SIMD lane
/// per step (each lane performs C's operations in C's order, element by element), then compared in C's
/// order; at the first winner that changes `min`, the steps after it are evaluated again with the new one.
/// Winners are few, so this costs a few passes instead of nstep + 1 sequential ones. `L` is recomputed once,
/// from the winning step's scale and the `min` it was evaluated with. Returns the scale; `theMin` = −min.
func portableMakeQkx3Quants(_ n: Int, _ nmax: Int32, _ x: UnsafePointer<Float>, _ weights: UnsafePointer<Float>,
                            _ L: UnsafeMutablePointer<UInt8>, _ theMin: inout Float,
                            _ rmin: Float, _ rdelta: Float, _ nstep: Int) -> Float {
    precondition(n <= 32)
    var (min, max) = minMax(x, n, fromFirst: true)
    var sumW = weights[0]
    var sumX = sumW * x[0]
    for i in 1..<n {
        let w = weights[i]
        sumW += w
        sumX += w * x[i]
    }
    if min > 0 { min = 0 }
    if max == min {
        for i in 0..<n { L[i] = 0 }
        theMin = -min
        return 0
    }
    let fnmax = Float(nmax)
    let iscale0 = fnmax / (max - min)
    var scale = 1 / iscale0
    var bestMad: Float = 0
    for i in 0..<n {
        let l = clamp(nearestInt(iscale0 * (x[i] - min)), 0, nmax)
        L[i] = UInt8(truncatingIfNeeded: l)
        let diff = scale * Float(l) + min - x[i]
        bestMad += weights[i] * (diff * diff)
    }
    if nstep < 1 { theMin = -min; return scale }

    typealias V = SIMD8<Float>
    let magic = SIMD8<Float>(repeating: 12582912.0)
    let mant = SIMD8<Int32>(repeating: 0x007f_ffff), half = SIMD8<Int32>(repeating: 0x0040_0000)
    let lo = SIMD8<Int32>(repeating: 0), hi = SIMD8<Int32>(repeating: nmax)
    @inline(__always) func codes(_ p: V) -> V {
        let v = unsafeBitCast(p + magic, to: SIMD8<Int32>.self)
        return V(((v & mant) &- half).clamped(lowerBound: lo, upperBound: hi))
    }
    var winnerIscale: Float? = nil, winnerMin: Float = 0
    var first = 0
    var xm = (V(), V(), V(), V())  // x[i] - min, as C computes it, for the 32 elements (n ≤ 32)
    while first <= nstep {
        let base = min
        withUnsafeMutableBytes(of: &xm) { b in
            let p = b.baseAddress!.assumingMemoryBound(to: Float.self)
            for i in 0..<n { p[i] = x[i] - base }
        }
        let range = max - base
        var restart = false
        var g = first
        while g <= nstep && !restart {
            var isc = V()
            for k in 0..<8 {
                let step = Swift.min(g + k, nstep)
                isc[k] = (rmin + rdelta * Float(step) + fnmax) / range
            }
            var sl = V(), sl2 = V(), sxl = V()
            withUnsafeBytes(of: &xm) { b in
                let p = b.baseAddress!.assumingMemoryBound(to: Float.self)
                for i in 0..<n {
                    let fl = codes(isc * V(repeating: p[i]))
                    let wl = V(repeating: weights[i]) * fl
                    sl += wl
                    sl2 += wl * fl
                    sxl += wl * V(repeating: x[i])
                }
            }
            let vw = V(repeating: sumW), vx = V(repeating: sumX)
            let D = vw * sl2 - sl * sl
            var thisScale = (vw * sxl - vx * sl) / D
            var thisMin = (sl2 * vx - sl * sxl) / D
            let clampMin = thisMin .> 0
            thisMin.replace(with: 0, where: clampMin)
            thisScale.replace(with: sxl / sl2, where: clampMin)
            var mad = V()
            withUnsafeBytes(of: &xm) { b in
                let p = b.baseAddress!.assumingMemoryBound(to: Float.self)
                for i in 0..<n {
                    let fl = codes(isc * V(repeating: p[i]))
                    let diff = thisScale * fl + thisMin - V(repeating: x[i])
                    mad += V(repeating: weights[i]) * (diff * diff)
                }
            }
            for k in 0..<8 where g + k <= nstep {
                if D[k] > 0 && mad[k] < bestMad {
                    bestMad = mad[k]
                    scale = thisScale[k]
                    winnerIscale = isc[k]
                    winnerMin = base
                    let changed = thisMin[k].bitPattern != min.bitPattern
                    min = thisMin[k]
                    if changed { first = g + k + 1; restart = true; break }
                }
            }
            g += 8
        }
        if !restart { break }
    }
    if let s = winnerIscale {
        for i in 0..<n { L[i] = UInt8(truncatingIfNeeded: clamp(nearestInt(s * (x[i] - winnerMin)), 0, nmax)) }
    }
    theMin = -min
    return scale
}
