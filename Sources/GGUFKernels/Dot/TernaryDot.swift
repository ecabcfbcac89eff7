// Dot products of the ternary types with Q8_K (ggml_vec_dot_tq1_0_q8_K / _tq2_0_q8_K) in the lane order of
// ggml's x86 AVX2 code: codes 0, 1, 2 (for −1, 0, 1) times the activations, lane k summing bytes 4k..<4k+4 of
// every 32 activations, minus bsums[2k] + bsums[2k+1] (the −1 offset, spread over the lanes as ggml does),
// converted and fused into the accumulator with d_y·d_x (ggml's mul_ps + add_ps, which GCC fuses).

enum TernaryDot {
    /// Lane k: Σ over the 4 bytes 4k..<4k+4 of code(j) · q[j].
    @inline(__always) static func lanes(_ q: UnsafePointer<Int8>, _ code: (Int) -> Int32) -> SIMD8<Int32> {
        var out = SIMD8<Int32>()
        for k in 0..<8 {
            var s: Int32 = 0
            for j in 4 * k..<(4 * k + 4) { s &+= code(j) &* Int32(q[j]) }
            out[k] = s
        }
        return out
    }

    /// bsums[2k] + bsums[2k+1] per lane.
    @inline(__always) static func bsumLanes(_ yb: UnsafeRawPointer) -> SIMD8<Int32> {
        var out = SIMD8<Int32>()
        for k in 0..<8 { out[k] = KQuantDot.bsum(yb, 2 * k) &+ KQuantDot.bsum(yb, 2 * k + 1) }
        return out
    }

    /// The trit selected by 3^k: top 2 bits of (byte · 3^k mod 256) · 3.
    @inline(__always) static func trit(_ b: UInt8, _ pow3: UInt8) -> Int32 { (Int32(b &* pow3) * 3) >> 8 }

    /// TQ1_0 · Q8_K
    static func tq1_0(_ n: Int, _ x: UnsafeRawPointer, _ y: UnsafeRawPointer) -> Float {
        let pow3: [UInt8] = [1, 3, 9, 27, 81]
        var acc = SIMD8<Float>()
        for i in 0..<(n / 256) {
            let xb = x + 54 * i, yb = y + 292 * i
            let qs = xb.assumingMemoryBound(to: UInt8.self)
            let q8 = (yb + 4).assumingMemoryBound(to: Int8.self)
            var sum = SIMD8<Int32>()
            // qs[0..<32]: digit d of byte j multiplies activation 32d + j
            for d in 0..<5 { sum &+= lanes(q8 + 32 * d) { j in trit(qs[j], pow3[d]) } }
            // qs[32..<48]: digit d of byte j multiplies activation 160 + 16d + j
            for h in 0..<3 {
                sum &+= lanes(q8 + 160 + 32 * h) { j in
                    let d = 2 * h + j / 16
                    if d < 5 { return trit(qs[32 + j % 16], pow3[d]) }
                    // qh[0..<4]: digit e of byte m multiplies activation 240 + 4e + m
                    return trit(qs[48 + (j % 16) % 4], pow3[(j % 16) / 4])
                }
            }
            let d = Float(bitPattern: loadU32(yb, 0)) * loadF16fast(xb, 52)
            acc = fmaLanes(acc, d, sum &- bsumLanes(yb))
        }
        return hsum8(acc)
    }

    /// TQ2_0 · Q8_K
    static func tq2_0(_ n: Int, _ x: UnsafeRawPointer, _ y: UnsafeRawPointer) -> Float {
        var acc = SIMD8<Float>()
        for i in 0..<(n / 256) {
            let xb = x + 66 * i, yb = y + 292 * i
            let qs = xb.assumingMemoryBound(to: UInt8.self)
            let q8 = (yb + 4).assumingMemoryBound(to: Int8.self)
            var sum = SIMD8<Int32>()
            // bits 2l..2l+1 of qs[32h + j] multiply activation 128h + 32l + j
            for h in 0..<2 {
                for l in 0..<4 { sum &+= lanes(q8 + 128 * h + 32 * l) { j in Int32((qs[32 * h + j] >> UInt8(2 * l)) & 3) } }
            }
            let d = Float(bitPattern: loadU32(yb, 0)) * loadF16fast(xb, 64)
            acc = fmaLanes(acc, d, sum &- bsumLanes(yb))
        }
        return hsum8(acc)
    }
}
