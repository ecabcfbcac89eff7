// MXFP4: 32 weights, 17 bytes: e (E8M0 shared exponent), qs[16] (E2M1 nibbles, element j low, j+16 high).
// Quantizer (quantize_row_mxfp4_ref) and dequantizer.

#if arch(x86_64)
import CKernels
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

let kvaluesMXFP4: [Int8] = [0, 1, 2, 3, 4, 6, 8, 12, 0, -1, -2, -3, -4, -6, -8, -12]

enum MXFP4 {
    /// ggml_e8m0_to_fp32_half: 2^(e−128) (the table holds doubled E2M1 values).
    @inline(__always) static func e8m0Half(_ e: UInt8) -> Float {
        Float(bitPattern: e < 2 ? UInt32(0x0020_0000) << UInt32(e) : UInt32(e - 1) << 23)
    }

    /// dequantize_row_mxfp4
    static func dequantize(_ x: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>, _ k: Int) {
        kvaluesMXFP4.withUnsafeBufferPointer { kv in
            for i in 0..<(k / 32) {
                let xb = x + 17 * i, yb = y + 32 * i
                let d = e8m0Half(xb.load(as: UInt8.self))
                let qs = (xb + 1).assumingMemoryBound(to: UInt8.self)
                for j in 0..<16 {
                    yb[j] = Float(kv[Int(qs[j] & 0xF)]) * d
                    yb[j + 16] = Float(kv[Int(qs[j] >> 4)]) * d
                }
            }
        }
    }
}

extension MXFP4 {
    /// quantize_row_mxfp4_ref (what quantize_mxfp4 runs; importance weights are ignored): e = ⌊log2 max|x|⌋ − 2
    /// + 127 as an E8M0 exponent (converted to uint8_t as x86 does), each value the nearest E2M1 code (first
    /// of equals; NaN → 0). best_index_mxfp4 runs on 8 values at once: lane by lane the same candidates in the
    /// same order, the same IEEE operations and the same strict `<` (NaN never replaces), so the same index.
    /// `cCodes`: the exponents here, the codes by the AVX2 C kernel (ckernels_mxfp4_codes; same bytes).
    static func quantize(_ x: UnsafePointer<Float>, _ y: UnsafeMutableRawPointer, _ k: Int, cCodes: Bool = false) {
        for i in 0..<(k / 32) {
            let xb = x + 32 * i, yb = y + 17 * i
            var amax = Float(bitPattern: largestAbsBits(xb, 32))
            if amax.isNaN {   // `if (amax < fabsf(v))` never takes a NaN
                amax = 0
                for j in 0..<32 where amax < abs(xb[j]) { amax = abs(xb[j]) }
            }
            let e: UInt8 = amax > 0 ? UInt8(truncatingIfNeeded: cTrunc(floorf(log2f(amax)) - 2 + 127)) : 0
            yb.storeBytes(of: e, as: UInt8.self)
            if cCodes { continue }
            let d = e8m0Half(e)
            let lo0 = bestIndex8(xb, d), lo1 = bestIndex8(xb + 8, d), hi0 = bestIndex8(xb + 16, d), hi1 = bestIndex8(xb + 24, d)
            let qs = (yb + 1).assumingMemoryBound(to: UInt8.self)
            for j in 0..<8 {
                qs[j] = UInt8(truncatingIfNeeded: lo0[j] | hi0[j] << 4)
                qs[j + 8] = UInt8(truncatingIfNeeded: lo1[j] | hi1[j] << 4)
            }
        }
        #if arch(x86_64)
        if cCodes { ckernels_mxfp4_codes(x, y, k / 32) }
        #endif
    }

    /// best_index_mxfp4 for x[0..<8]: per lane the first index of the smallest |kvalues_mxfp4[i]·e − x|. As in
    /// ckernels_mxfp4_codes: for x ≥ 0 only 0 … 7 can win, for x < 0 only 0 and 9 … 15, whose errors are those
    /// of 1 … 7 for |x| (monotonic, symmetric rounding), so the magnitudes are searched with |x| in C's order
    /// and strict `<`, and a non-zero index moves to the negative half for x < 0.
    @inline(__always) static func bestIndex8(_ x: UnsafePointer<Float>, _ e: Float) -> SIMD8<Int32> {
        let xv = UnsafeRawPointer(x).loadUnaligned(as: SIMD8<Float>.self)
        let ax = xv.replacing(with: -xv, where: xv .< 0)   // |x| (a −0 stays −0: compares equal)
        let kv = SIMD8<Float>(0, 1, 2, 3, 4, 6, 8, 12)     // kvalues_mxfp4[0 ..< 8]
        var best = ax
        var index = SIMD8<Int32>(repeating: 0)
        for i in 1..<8 {
            let diff = SIMD8(repeating: kv[i] * e) - ax
            let v = diff.replacing(with: -diff, where: diff .< 0)
            let m = v .< best
            best.replace(with: v, where: m)
            index.replace(with: Int32(i), where: m)
        }
        return index &+ SIMD8<Int32>(repeating: 8).replacing(with: 0, where: .!(xv .< 0) .| (index .== 0))
    }
}
