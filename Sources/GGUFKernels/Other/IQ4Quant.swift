#if arch(x86_64)
import CKernels
#endif

// IQ4_NL / IQ4_XS quantizers: ggml's quantize_iq4_nl / quantize_iq4_xs (what ggml_quantize_chunk runs), both
// through quantize_row_iq4_nl_impl with ntry = 7. Without importance weights a value's weight is x²; with them
// it is qw[j]·sqrt(σ² + x²), σ² = 2·Σx²/superBlock. Float arithmetic in C's order, no FMA.

enum IQ4Quant {
    /// kvalues_iq4nl as Float (C promotes the int8 entries in every use).
    static let values: [Float] = kvaluesIQ4NL.map { Float($0) }

    /// best_index_int8's bisection ends on `mu` = 1 + the number of values[1...14] ≤ x; the values are
    /// integers, so that count depends only on ⌊x⌋: entry ⌊x⌋ + 128 for ⌊x⌋ in −128 … 113.
    static let upperIndex: [UInt8] = (-128...113).map { k in UInt8(1 + kvaluesIQ4NL[1...14].filter { Int($0) <= k }.count) }

    /// best_index_int8(16, kvalues_iq4nl, x): the nearest value's index, ties to the upper one; NaN → 15.
    /// Without branches on x: C's two early returns agree with the final comparison for x clamped into
    /// [−128, 113] (x ≤ −127 compares to 0 with mu = 1, x ≥ 113 to 15 with mu = 15, ±inf too), so only NaN,
    /// which C's bisection sends to 15, is tested for.
    @inline(__always)
    static func bestIndex(_ x: Float, _ v: UnsafePointer<Float>, _ up: UnsafePointer<UInt8>) -> UInt8 {
        if x.isNaN { return 15 }
        let xc = x > 113 ? 113 : (x > -128 ? x : -128)
        var k = Int32(xc)                  // truncation, then floor
        k &-= Float(k) > xc ? 1 : 0
        let mu = Int(up[Int(k &+ 128)])
        return x - v[mu - 1] < v[mu] - x ? UInt8(mu - 1) : UInt8(mu)
    }

    /// quantize_row_iq4_nl_impl(superBlock, 32, …, ntry: 7) for one IQ4_NL (superBlock 32) or IQ4_XS (256)
    /// block at `y`; `qw` are the block's importance weights or nil.
    @inline(__always)
    static func block(_ x: UnsafePointer<Float>, _ y: UnsafeMutableRawPointer, superBlock: Int, qw: UnsafePointer<Float>?,
                      _ v: UnsafePointer<Float>, _ up: UnsafePointer<UInt8>,
                      scales: UnsafeMutablePointer<Float>, weight: UnsafeMutablePointer<Float>, qv: UnsafeMutablePointer<Float>,
                      L: UnsafeMutablePointer<UInt8>, cPasses: Bool) {
        let ntry = 7
        var sigma2: Float = 0
        if qw != nil {
            for j in 0..<superBlock { sigma2 += x[j] * x[j] }
            sigma2 *= 2 / Float(superBlock)
        }
        var maxScale: Float = 0, amaxScale: Float = 0
        let nb = superBlock / 32
        for ib in 0..<nb {
            let xb = x + 32 * ib, Lb = L + 32 * ib
            if let qw {
                let q = qw + 32 * ib
                for j in 0..<32 { weight[j] = q[j] * (sigma2 + xb[j] * xb[j]).squareRoot() }
            } else {
                for j in 0..<32 { weight[j] = xb[j] * xb[j] }
            }
            let (amax, max) = absMax(xb, 32)
            if amax < groupMaxEps { scales[ib] = 0; continue }
            var d = -max / v[0]
            var id = 1 / d
            #if arch(x86_64)
            if cPasses {   // the 16 passes as lanes in C (same sums), then C's sequence of comparisons
                let sx = qv, s2 = qv + 16
                ckernels_iq4_passes(xb, weight, id, max, sx, s2, Lb)
                d = s2[0] > 0 ? sx[0] / s2[0] : 0
                var best = d * sx[0]
                for t in 1..<16 where s2[t] > 0 && sx[t] * sx[t] > best * s2[t] { d = sx[t] / s2[t]; best = d * sx[t] }
                scales[ib] = d
                if abs(d) > amaxScale { amaxScale = abs(d); maxScale = d }
                continue
            }
            #endif
            var sumqx: Float = 0, sumq2: Float = 0
            for j in 0..<32 { Lb[j] = bestIndex(id * xb[j], v, up) }
            for j in 0..<32 {
                let q = v[Int(Lb[j])], w = weight[j]
                sumqx += w * q * xb[j]
                sumq2 += w * q * q
            }
            d = sumq2 > 0 ? sumqx / sumq2 : 0
            var best = d * sumqx
            for itry in -ntry...ntry {
                id = Float(itry - 127) / max
                sumqx = 0; sumq2 = 0
                for j in 0..<32 { qv[j] = v[Int(bestIndex(id * xb[j], v, up))] }   // independent: overlap
                for j in 0..<32 {                                                 // sums in element order
                    let q = qv[j], w = weight[j]
                    sumqx += w * q * xb[j]
                    sumq2 += w * q * q
                }
                if sumq2 > 0 && sumqx * sumqx > best * sumq2 { d = sumqx / sumq2; best = d * sumqx }
            }
            scales[ib] = d
            if abs(d) > amaxScale { amaxScale = abs(d); maxScale = d }
        }
        let qs: UnsafeMutablePointer<UInt8>
        if nb > 1 {   // IQ4_XS: 6-bit sub-block scales around the fp16 super-scale d = −max_scale/32
            let d = -maxScale / 32
            storeF16(y, 0, d)
            let id: Float = d != 0 ? 1 / d : 0
            var scalesH: UInt16 = 0
            let scalesL = (y + 4).assumingMemoryBound(to: UInt8.self)
            for ib in 0..<nb {
                let l = clamp(nearestInt(id * scales[ib]), -32, 31)
                let dl = d * Float(l)
                let idl: Float = dl != 0 ? 1 / dl : 0
                let xb = x + 32 * ib, Lb = L + 32 * ib
                for j in 0..<32 { Lb[j] = bestIndex(idl * xb[j], v, up) }
                let lu = UInt8(l + 32)
                if ib % 2 == 0 { scalesL[ib / 2] = lu & 0xF } else { scalesL[ib / 2] |= (lu & 0xF) << 4 }
                scalesH |= UInt16(lu >> 4) << UInt16(2 * ib)
            }
            y.storeBytes(of: scalesH.littleEndian, toByteOffset: 2, as: UInt16.self)
            qs = (y + 8).assumingMemoryBound(to: UInt8.self)
        } else {      // IQ4_NL: the block scale itself, and the codes for it
            storeF16(y, 0, scales[0])
            let id: Float = scales[0] != 0 ? 1 / scales[0] : 0
            for j in 0..<32 { L[j] = bestIndex(id * x[j], v, up) }
            qs = (y + 2).assumingMemoryBound(to: UInt8.self)
        }
        for i in 0..<nb {
            for j in 0..<16 { qs[16 * i + j] = L[32 * i + j] | L[32 * i + 16 + j] << 4 }
        }
    }

    /// `k` floats of one row into IQ4_NL (superBlock 32, 18-byte blocks) or IQ4_XS (256, 136-byte blocks).
    /// `cPasses`: the scale search's passes by the AVX2 C kernel (only where CKernelTable says it runs).
    static func row(_ x: UnsafePointer<Float>, _ y: UnsafeMutableRawPointer, _ k: Int, _ qw: UnsafePointer<Float>?, superBlock: Int,
                    cPasses: Bool = false) {
        let bytes = superBlock == 32 ? 18 : 136
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 72) { tmp in
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 256) { L in
                values.withUnsafeBufferPointer { v in
                    upperIndex.withUnsafeBufferPointer { up in
                        for i in 0..<(k / superBlock) {
                            block(x + superBlock * i, y + bytes * i, superBlock: superBlock, qw: qw.map { $0 + superBlock * i },
                                  v.baseAddress!, up.baseAddress!, scales: tmp.baseAddress!, weight: tmp.baseAddress! + 8, qv: tmp.baseAddress! + 40,
                                  L: L.baseAddress!, cPasses: cPasses)
                        }
                    }
                }
            }
        }
    }
}

extension IQ4_NL {
    /// quantize_iq4_nl for one row (weights: a float per column, or nil)
    static func quantize(_ x: UnsafePointer<Float>, _ y: UnsafeMutableRawPointer, _ k: Int, weights: UnsafePointer<Float>?,
                         cPasses: Bool = false) {
        IQ4Quant.row(x, y, k, weights, superBlock: 32, cPasses: cPasses)
    }
}

extension IQ4_XS {
    /// quantize_iq4_xs for one row (weights: a float per column, or nil)
    static func quantize(_ x: UnsafePointer<Float>, _ y: UnsafeMutableRawPointer, _ k: Int, weights: UnsafePointer<Float>?,
                         cPasses: Bool = false) {
        IQ4Quant.row(x, y, k, weights, superBlock: 256, cPasses: cPasses)
    }
}
