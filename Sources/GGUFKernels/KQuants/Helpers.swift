// Shared helpers of ggml's reference quantizers (ggml-quants.c). All arithmetic is Float in C order;
// nothing here may use FMA (`addingProduct`) or reassociate.

/// ggml's `nearest_int`: round half to even through the 1.5·2²³ trick (valid for |f| ≤ 2²²).
@inline(__always) func nearestInt(_ f: Float) -> Int32 {
    let v = f + 12582912.0
    return (Int32(bitPattern: v.bitPattern) & 0x007f_ffff) &- 0x0040_0000
}

/// C's float → int truncation as x86 `cvttss2si` does it: out of range and NaN give `Int32.min`.
@inline(__always) func cTrunc(_ f: Float) -> Int32 {
    (f > -2147483904.0 && f < 2147483648.0) ? Int32(f) : Int32.min
}

/// C's `roundf` (half away from zero), then converted as x86 does (cvttss2si: Int32.min when NaN, infinite
/// or out of range, which the C code's int8 store keeps as 0).
@inline(__always) func roundAway(_ f: Float) -> Int32 {
    let a = abs(f)
    var t = cTrunc(a)
    if t == .min { return t }
    t &+= (a - Float(t)) >= 0.5 ? 1 : 0
    return f < 0 ? 0 &- t : t
}

@inline(__always) func clamp(_ v: Int32, _ lo: Int32, _ hi: Int32) -> Int32 { max(lo, min(hi, v)) }

let groupMaxEps: Float = 1e-15

// Block scans. ggml finds the extreme element with a strict-comparison scan; for non-NaN input the extreme
// value is order-independent, so it is found with an integer reduction over the bit patterns (which
// vectorizes), and the element C's scan would keep is then located: the first one with that value.
// Only ±0 can tie with a different bit pattern, which is why ties resolve to the first matching element.

/// The largest bit pattern of |x| over n values (a vectorized integer max; above 0x7f800000 means a NaN).
@inline(__always) func largestAbsBits(_ x: UnsafePointer<Float>, _ n: Int) -> UInt32 {
    let bits = UnsafeRawPointer(x).assumingMemoryBound(to: UInt32.self)
    var m: UInt32 = 0
    for j in 0..<n { m = Swift.max(m, bits[j] & 0x7fff_ffff) }
    return m
}

/// `amax` = largest |x|, `max` = the first element with |x| == amax (both 0 when every element is ±0),
/// as C's `if (ax > amax) { amax = ax; max = x; }` from amax = max = 0.
@inline(__always) func absMax(_ x: UnsafePointer<Float>, _ n: Int) -> (amax: Float, max: Float) {
    let bits = UnsafeRawPointer(x).assumingMemoryBound(to: UInt32.self)
    let m = largestAbsBits(x, n)
    if m == 0 { return (0, 0) }
    if m > 0x7f80_0000 {  // a NaN, which C's comparison never takes: run the scan as written
        var amax: Float = 0, max: Float = 0
        for j in 0..<n where abs(x[j]) > amax { amax = abs(x[j]); max = x[j] }
        return (amax, max)
    }
    var j = 0
    while (bits[j] & 0x7fff_ffff) != m { j += 1 }
    return (Float(bitPattern: m), x[j])
}

/// `amax = MAX(amax, fabsf(x[j]))` from 0, as quantize_row_q8_0/q8_1_ref scan: without NaN the largest |x|;
/// a NaN makes amax NaN, and the next element replaces it (MAX(NaN, v) is v), as in C.
@inline(__always) func absMaxMacro(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
    let m = largestAbsBits(x, n)
    if m <= 0x7f80_0000 { return Float(bitPattern: m) }
    var a: Float = 0
    for j in 0..<n { let v = abs(x[j]); a = a > v ? a : v }
    return a
}

/// Smallest and largest element as C's strict-comparison scans find them (a zero result is the first zero).
/// The scan starts from `min = FLT_MAX, max = -FLT_MAX` (quantize_row_q4_1/q5_1_ref), where a NaN never
/// wins, or, with `fromFirst`, from `min = max = x[0]` (make_qkx2_quants), where a NaN first element stays.
@inline(__always) func minMax(_ x: UnsafePointer<Float>, _ n: Int, fromFirst: Bool = false) -> (min: Float, max: Float) {
    let bits = UnsafeRawPointer(x).assumingMemoryBound(to: Int32.self)
    var lo = Int32.max, hi = Int32.min
    for j in 0..<n {
        let b = bits[j]
        let k = b ^ ((b >> 31) & 0x7fff_ffff)  // orders like the float values (−0 just below +0)
        lo = Swift.min(lo, k)
        hi = Swift.max(hi, k)
    }
    var mn = Float(bitPattern: UInt32(bitPattern: lo ^ ((lo >> 31) & 0x7fff_ffff)))
    var mx = Float(bitPattern: UInt32(bitPattern: hi ^ ((hi >> 31) & 0x7fff_ffff)))
    if mn.isNaN || mx.isNaN {  // NaN keys sort outside ±inf; C's comparisons skip them: run the scan as written
        mn = fromFirst ? x[0] : .greatestFiniteMagnitude
        mx = fromFirst ? x[0] : -.greatestFiniteMagnitude
        for j in (fromFirst ? 1 : 0)..<n {
            if x[j] < mn { mn = x[j] }
            if x[j] > mx { mx = x[j] }
        }
        return (mn, mx)
    }
    if !fromFirst {  // ±inf never beats the starting ±FLT_MAX
        if mn == .infinity { mn = .greatestFiniteMagnitude }
        if mx == -.infinity { mx = -.greatestFiniteMagnitude }
    }
    if mn == 0 || mx == 0 {
        var j = 0
        while x[j] != 0 { j += 1 }
        if mn == 0 { mn = x[j] }
        if mx == 0 { mx = x[j] }
    }
    return (mn, mx)
}

/// `make_qx_quants` with `rmse_type = 1`: each element weighs `qw[i]`, or x² when `qw` is nil (the only
/// non-imatrix use: Q6_K; with weights: Q3_K, Q6_K, Q4_0, Q5_0 given an imatrix). Codes go to `L` as `l + nmax`.
/// With weights and `cLanes` (default: where the C kernels run) the AVX2 C kernel does it, with the same bits.
///
/// The 19 candidate scales (the initial one and the 18 steps) are independent, so they are evaluated
/// together, one SIMD lane per candidate: for each element in order, every lane adds that element's terms
/// to its own running sums. Each lane thus performs exactly C's operations in C's order (bit-identical),
/// but the 2·n-long dependency chains of the 19 candidates run side by side instead of one after another.
/// The candidates are then compared in C's order, and `L` is filled once, from the winning scale.
/// `tmp` is scratch for 72 floats.
func makeQxQuants(_ n: Int, _ nmax: Int32, _ x: UnsafePointer<Float>, _ L: UnsafeMutablePointer<Int8>,
                  _ tmp: UnsafeMutablePointer<Float>, weights qw: UnsafePointer<Float>? = nil, cLanes: Bool = CKernelTable.enabled) -> Float {
    if let qw, cLanes { return CKernelTable.makeQxQuants(n, nmax, x, L, qw) }
    let (amax, max) = absMax(x, n)
    if amax < groupMaxEps {
        for i in 0..<n { L[i] = 0 }
        return 0
    }
    let fnmax = Float(nmax)
    // Lane 0: the initial scale; lanes 1...18: istep = -9...-1, 1...9 (C's order); lanes 19...23: padding.
    // Two passes of 12 lanes (3 × SIMD4) keep everything in registers on the x86-64 baseline.
    let iscales = UnsafeMutablePointer<Float>(tmp), sumsLX = tmp + 24, sumsL2 = tmp + 48
    for lane in 0..<24 {
        if lane == 0 { iscales[0] = Float(-nmax) / max; continue }
        let istep = lane <= 9 ? lane - 10 : (lane <= 18 ? lane - 9 : 9)
        iscales[lane] = -(fnmax + 0.1 * Float(istep)) / max
    }
    let lo = SIMD4<Int32>(repeating: -nmax), hi = SIMD4<Int32>(repeating: nmax - 1)
    let magic = SIMD4<Float>(repeating: 12582912.0)
    let mant = SIMD4<Int32>(repeating: 0x007f_ffff), half = SIMD4<Int32>(repeating: 0x0040_0000)
    @inline(__always) func codes(_ p: SIMD4<Float>) -> SIMD4<Float> {
        let v = unsafeBitCast(p + magic, to: SIMD4<Int32>.self)
        let l = ((v & mant) &- half).clamped(lowerBound: lo, upperBound: hi)
        return SIMD4<Float>(l)
    }
    @inline(__always) func load4(_ p: UnsafeMutablePointer<Float>) -> SIMD4<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD4<Float>.self)
    }
    @inline(__always) func store4(_ v: SIMD4<Float>, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD4<Float>.self)
    }
    for pass in 0..<2 {
        let o = 12 * pass
        let isA = load4(iscales + o), isB = load4(iscales + o + 4), isC = load4(iscales + o + 8)
        var lxA = SIMD4<Float>(repeating: 0), lxB = lxA, lxC = lxA
        var l2A = lxA, l2B = lxA, l2C = lxA
        for i in 0..<n {
            let xi = x[i]
            let w = qw?[i] ?? xi * xi
            let wx = w * xi
            let flA = codes(isA * xi), flB = codes(isB * xi), flC = codes(isC * xi)
            lxA += wx * flA; lxB += wx * flB; lxC += wx * flC
            l2A += (w * flA) * flA; l2B += (w * flB) * flB; l2C += (w * flC) * flC
        }
        store4(lxA, sumsLX + o); store4(lxB, sumsLX + o + 4); store4(lxC, sumsLX + o + 8)
        store4(l2A, sumsL2 + o); store4(l2B, sumsL2 + o + 4); store4(l2C, sumsL2 + o + 8)
    }
    var sumlx = sumsLX[0], suml2 = sumsL2[0]
    var scale: Float = suml2 != 0 ? sumlx / suml2 : 0
    var best = scale * sumlx
    var bestLane = 0
    for k in 1..<19 {
        sumlx = sumsLX[k]; suml2 = sumsL2[k]
        if suml2 > 0 && sumlx * sumlx > best * suml2 {
            scale = sumlx / suml2; best = scale * sumlx; bestLane = k
        }
    }
    let iscale = iscales[bestLane]
    for i in 0..<n {
        L[i] = Int8(truncatingIfNeeded: nmax &+ clamp(nearestInt(iscale * x[i]), -nmax, nmax - 1))
    }
    return scale
}

/// `make_q3_quants(n, nmax, x, L, do_rmse: true)` (Q3_K). Codes go to `L` as `l + nmax`.
///
/// C's refinement visits the elements in order and, at each, may take a new code (which changes the two
/// running sums every later element sees). Changes are rare, so each pass here evaluates all remaining
/// elements at once against the current sums, in a loop the compiler vectorizes (every term computed as
/// C computes it), takes the first element C would change, and resumes after it with the new sums: the
/// same decisions in the same order, bit for bit. `tmp` is scratch for 7·n floats.
func makeQ3Quants(_ n: Int, _ nmax: Int32, _ x: UnsafePointer<Float>, _ L: UnsafeMutablePointer<Int8>,
                  _ tmp: UnsafeMutablePointer<Float>) -> Float {
    let (amax, max) = absMax(x, n)
    if amax < groupMaxEps {
        for i in 0..<n { L[i] = 0 }
        return 0
    }
    let w = tmp, wx = tmp + n, ta = tmp + 2 * n, tb = tmp + 3 * n
    let nsx = tmp + 4 * n, ns2 = tmp + 5 * n
    let cand = UnsafeMutableRawPointer(tmp + 6 * n).assumingMemoryBound(to: Int32.self)
    let ok = UnsafeMutableRawPointer(ta).assumingMemoryBound(to: Int32.self)  // ta is free after the first sums
    let iscale = Float(-nmax) / max
    // one array per loop, so that each vectorizes (a mixed loop kept its clamps as mispredicted branches)
    for i in 0..<n { cand[i] = clamp(nearestInt(iscale * x[i]), -nmax, nmax - 1) }
    for i in 0..<n { L[i] = Int8(truncatingIfNeeded: cand[i]) }
    for i in 0..<n { w[i] = x[i] * x[i] }
    for i in 0..<n { wx[i] = w[i] * x[i] }
    for i in 0..<n { ta[i] = wx[i] * Float(cand[i]) }
    for i in 0..<n { tb[i] = w[i] * Float(cand[i]) * Float(cand[i]) }
    var sumlx: Float = 0, suml2: Float = 0
    for i in 0..<n { sumlx += ta[i]; suml2 += tb[i] }
    for _ in 0..<5 {
        var changed = 0
        var start = 0
        while start < n {
            let sx = sumlx, s2 = suml2, sxx = sumlx * sumlx
            for i in start..<n {
                let li = Float(L[i])
                let slx = sx - wx[i] * li
                let sl2 = s2 - w[i] * li * li
                let nl = clamp(nearestInt(x[i] * sl2 / slx), -nmax, nmax - 1)
                let fn = Float(nl)
                let slxN = slx + wx[i] * fn, sl2N = sl2 + w[i] * fn * fn
                cand[i] = nl; nsx[i] = slxN; ns2[i] = sl2N
                let a: Int32 = slx > 0 ? 1 : 0, b: Int32 = nl != Int32(L[i]) ? 1 : 0
                let c: Int32 = sl2N > 0 ? 1 : 0, d: Int32 = slxN * slxN * s2 > sxx * sl2N ? 1 : 0
                ok[i] = a & b & c & d
            }
            var i = start
            while i < n && ok[i] == 0 { i += 1 }
            if i == n { break }
            L[i] = Int8(truncatingIfNeeded: cand[i]); sumlx = nsx[i]; suml2 = ns2[i]
            changed += 1
            start = i + 1
        }
        if changed == 0 { break }
    }
    for i in 0..<n { L[i] = L[i] &+ Int8(truncatingIfNeeded: nmax) }
    return suml2 > 0 ? sumlx / suml2 : 0
}

/// `make_qkx2_quants` (Q2_K, Q4_K, Q5_K). Returns the scale; `theMin` receives −min (≥ 0).
///
/// Speed without changing a bit: each step first computes the per-element terms in loops the compiler
/// vectorizes (every term is computed exactly as in C), then adds them up in element order in scalar loops.
/// `tmp` is scratch for 3·n floats.
func makeQkx2Quants(_ n: Int, _ nmax: Int32, _ x: UnsafePointer<Float>, _ weights: UnsafePointer<Float>,
                    _ L: UnsafeMutablePointer<UInt8>, _ theMin: inout Float, _ Laux: UnsafeMutablePointer<UInt8>,
                    _ rmin: Float, _ rdelta: Float, _ nstep: Int, _ useMad: Bool, _ tmp: UnsafeMutablePointer<Float>) -> Float {
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
    let t1 = tmp, t2 = tmp + n, t3 = tmp + 2 * n
    let fnmax = Float(nmax)
    var iscale = fnmax / (max - min)
    var scale = 1 / iscale
    for i in 0..<n {
        let l = clamp(nearestInt(iscale * (x[i] - min)), 0, nmax)
        L[i] = UInt8(truncatingIfNeeded: l)
        let diff = scale * Float(l) + min - x[i]
        t1[i] = weights[i] * (useMad ? abs(diff) : diff * diff)
    }
    var bestError: Float = 0
    for i in 0..<n { bestError += t1[i] }
    if nstep < 1 { theMin = -min; return scale }
    for step in 0...nstep {
        iscale = (rmin + rdelta * Float(step) + fnmax) / (max - min)
        for i in 0..<n {
            let l = clamp(nearestInt(iscale * (x[i] - min)), 0, nmax)
            Laux[i] = UInt8(truncatingIfNeeded: l)
            let w = weights[i]
            let fl = Float(l)
            t1[i] = w * fl
            t2[i] = w * fl * fl
            t3[i] = w * fl * x[i]
        }
        var sumL: Float = 0, sumL2: Float = 0, sumXL: Float = 0
        for i in 0..<n {
            sumL += t1[i]
            sumL2 += t2[i]
            sumXL += t3[i]
        }
        let D = sumW * sumL2 - sumL * sumL
        if D > 0 {
            var thisScale = (sumW * sumXL - sumX * sumL) / D
            var thisMin = (sumL2 * sumX - sumL * sumXL) / D
            if thisMin > 0 {
                thisMin = 0
                thisScale = sumXL / sumL2
            }
            for i in 0..<n {
                let diff = thisScale * Float(Laux[i]) + thisMin - x[i]
                t1[i] = weights[i] * (useMad ? abs(diff) : diff * diff)
            }
            var curError: Float = 0
            for i in 0..<n { curError += t1[i] }
            if curError < bestError {
                for i in 0..<n { L[i] = Laux[i] }
                bestError = curError
                scale = thisScale
                min = thisMin
            }
        }
    }
    theMin = -min
    return scale
}

/// `get_scale_min_k4`: the j-th 6-bit scale and min of a Q4_K/Q5_K 12-byte scales field.
@inline(__always) func scaleMinK4(_ j: Int, _ q: UnsafeRawPointer) -> (UInt8, UInt8) {
    let b = q.assumingMemoryBound(to: UInt8.self)
    if j < 4 {
        return (b[j] & 63, b[j + 4] & 63)
    }
    return ((b[j + 4] & 0xF) | ((b[j - 4] >> 6) << 4), (b[j + 4] >> 4) | ((b[j] >> 6) << 4))
}
