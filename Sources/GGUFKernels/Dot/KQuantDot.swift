// Dot products of the k-quants with Q8_K activations (ggml_vec_dot_q*_K_q8_K). Each super-block is first
// unpacked into 256 signed codes, then multiplied with the activation codes in exact int32 arithmetic per
// sub-block; one Float multiply per super-block (two with mins). Float rounding differs from ggml's SIMD
// kernels only in summation order.

enum KQuantDot {
    @inline(__always) static func yd(_ yb: UnsafeRawPointer) -> Float { Float(bitPattern: loadU32(yb, 0)) }
    @inline(__always) static func bsum(_ yb: UnsafeRawPointer, _ j: Int) -> Int32 {
        Int32(Int16(bitPattern: loadU16(yb, 260 + 2 * j)))
    }

    /// Σ over `groups` groups of `len` codes: scale[g] · Σ a·b.
    @inline(__always)
    static func scaledSum(_ a: UnsafePointer<Int8>, _ b: UnsafePointer<Int8>, _ scales: UnsafePointer<Int32>, groups: Int, len: Int) -> Int32 {
        var total: Int32 = 0
        for g in 0..<groups {
            var s: Int32 = 0
            let ag = a + g * len, bg = b + g * len
            for l in 0..<len { s &+= Int32(ag[l]) &* Int32(bg[l]) }
            total &+= s &* scales[g]
        }
        return total
    }

    static func withAux<R>(_ body: (UnsafeMutablePointer<Int8>, UnsafeMutablePointer<Int32>) -> R) -> R {
        withUnsafeTemporaryAllocation(of: Int8.self, capacity: 256) { a in
            withUnsafeTemporaryAllocation(of: Int32.self, capacity: 16) { s in body(a.baseAddress!, s.baseAddress!) }
        }
    }

    /// Q2_K · Q8_K
    static func q2_K(_ n: Int, _ x: UnsafeRawPointer, _ y: UnsafeRawPointer) -> Float {
        withAux { aux, scales in
            var sumf: Float = 0
            for i in 0..<(n / 256) {
                let xb = x + 84 * i, yb = y + 292 * i
                let sc = xb.assumingMemoryBound(to: UInt8.self)
                let q2 = (xb + 16).assumingMemoryBound(to: UInt8.self)
                for h in 0..<2 {
                    for s in 0..<4 {
                        let shift = UInt8(2 * s)
                        for l in 0..<32 { aux[128 * h + 32 * s + l] = Int8(bitPattern: (q2[32 * h + l] >> shift) & 3) }
                    }
                }
                var summs: Int32 = 0
                for j in 0..<16 {
                    summs &+= bsum(yb, j) &* Int32(sc[j] >> 4)
                    scales[j] = Int32(sc[j] & 0xF)
                }
                let isum = scaledSum(aux, (yb + 4).assumingMemoryBound(to: Int8.self), scales, groups: 16, len: 16)
                let d = yd(yb)
                sumf += (d * loadF16(xb, 80)) * Float(isum) - (d * loadF16(xb, 82)) * Float(summs)
            }
            return sumf
        }
    }

    /// Q3_K · Q8_K
    static func q3_K(_ n: Int, _ x: UnsafeRawPointer, _ y: UnsafeRawPointer) -> Float {
        withAux { aux, scales in
            var sumf: Float = 0
            for i in 0..<(n / 256) {
                let xb = x + 110 * i, yb = y + 292 * i
                let hm = xb.assumingMemoryBound(to: UInt8.self)
                let q3 = (xb + 32).assumingMemoryBound(to: UInt8.self)
                for h in 0..<2 {
                    for s in 0..<4 {
                        let shift = UInt8(2 * s)
                        let m = UInt8(1) << UInt8(4 * h + s)
                        for l in 0..<32 {
                            let lo = Int8(bitPattern: (q3[32 * h + l] >> shift) & 3)
                            aux[128 * h + 32 * s + l] = lo &- ((hm[l] & m) != 0 ? 0 : 4)
                        }
                    }
                }
                let sc = (xb + 96).assumingMemoryBound(to: UInt8.self)
                for j in 0..<16 { scales[j] = Q3_K.scales(sc, j) }
                let isum = scaledSum(aux, (yb + 4).assumingMemoryBound(to: Int8.self), scales, groups: 16, len: 16)
                sumf += (loadF16(xb, 108) * yd(yb)) * Float(isum)
            }
            return sumf
        }
    }

    /// Q4_K · Q8_K
    static func q4_K(_ n: Int, _ x: UnsafeRawPointer, _ y: UnsafeRawPointer) -> Float {
        withAux { aux, scales in
            var sumf: Float = 0
            for i in 0..<(n / 256) {
                let xb = x + 144 * i, yb = y + 292 * i
                let q4 = (xb + 16).assumingMemoryBound(to: UInt8.self)
                for c in 0..<4 {
                    for l in 0..<32 {
                        let b = q4[32 * c + l]
                        aux[64 * c + l] = Int8(bitPattern: b & 0xF)
                        aux[64 * c + 32 + l] = Int8(bitPattern: b >> 4)
                    }
                }
                var summs: Int32 = 0
                for j in 0..<8 {
                    let (s, m) = scaleMinK4(j, xb + 4)
                    scales[j] = Int32(s)
                    summs &+= (bsum(yb, 2 * j) &+ bsum(yb, 2 * j + 1)) &* Int32(m)
                }
                let isum = scaledSum(aux, (yb + 4).assumingMemoryBound(to: Int8.self), scales, groups: 8, len: 32)
                let d = yd(yb)
                sumf += (loadF16(xb, 0) * d) * Float(isum) - (loadF16(xb, 2) * d) * Float(summs)
            }
            return sumf
        }
    }

    /// Q5_K · Q8_K
    static func q5_K(_ n: Int, _ x: UnsafeRawPointer, _ y: UnsafeRawPointer) -> Float {
        withAux { aux, scales in
            var sumf: Float = 0
            for i in 0..<(n / 256) {
                let xb = x + 176 * i, yb = y + 292 * i
                let qh = (xb + 16).assumingMemoryBound(to: UInt8.self)
                let ql = (xb + 48).assumingMemoryBound(to: UInt8.self)
                for c in 0..<4 {
                    let m1 = UInt8(1) << UInt8(2 * c), m2 = UInt8(2) << UInt8(2 * c)
                    for l in 0..<32 {
                        let b = ql[32 * c + l], h = qh[l]
                        aux[64 * c + l] = Int8(bitPattern: (b & 0xF) | ((h & m1) != 0 ? 16 : 0))
                        aux[64 * c + 32 + l] = Int8(bitPattern: (b >> 4) | ((h & m2) != 0 ? 16 : 0))
                    }
                }
                var summs: Int32 = 0
                for j in 0..<8 {
                    let (s, m) = scaleMinK4(j, xb + 4)
                    scales[j] = Int32(s)
                    summs &+= (bsum(yb, 2 * j) &+ bsum(yb, 2 * j + 1)) &* Int32(m)
                }
                let isum = scaledSum(aux, (yb + 4).assumingMemoryBound(to: Int8.self), scales, groups: 8, len: 32)
                let d = yd(yb)
                sumf += (loadF16(xb, 0) * d) * Float(isum) - (loadF16(xb, 2) * d) * Float(summs)
            }
            return sumf
        }
    }

    /// Q6_K · Q8_K
    static func q6_K(_ n: Int, _ x: UnsafeRawPointer, _ y: UnsafeRawPointer) -> Float {
        withAux { aux, scales in
            var sumf: Float = 0
            for i in 0..<(n / 256) {
                let xb = x + 210 * i, yb = y + 292 * i
                for h in 0..<2 {
                    let ql = (xb + 64 * h).assumingMemoryBound(to: UInt8.self)
                    let qh = (xb + 128 + 32 * h).assumingMemoryBound(to: UInt8.self)
                    let a = aux + 128 * h
                    for l in 0..<32 {
                        let hb = qh[l]
                        a[l] = Int8(bitPattern: (ql[l] & 0xF) | ((hb & 3) << 4)) &- 32
                        a[l + 32] = Int8(bitPattern: (ql[l + 32] & 0xF) | (((hb >> 2) & 3) << 4)) &- 32
                        a[l + 64] = Int8(bitPattern: (ql[l] >> 4) | (((hb >> 4) & 3) << 4)) &- 32
                        a[l + 96] = Int8(bitPattern: (ql[l + 32] >> 4) | (((hb >> 6) & 3) << 4)) &- 32
                    }
                }
                let sc = (xb + 192).assumingMemoryBound(to: Int8.self)
                for j in 0..<16 { scales[j] = Int32(sc[j]) }
                let isum = scaledSum(aux, (yb + 4).assumingMemoryBound(to: Int8.self), scales, groups: 16, len: 16)
                sumf += (loadF16(xb, 208) * yd(yb)) * Float(isum)
            }
            return sumf
        }
    }
}
