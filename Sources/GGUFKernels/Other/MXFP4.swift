// MXFP4: 32 weights, 17 bytes: e (E8M0 shared exponent), qs[16] (E2M1 nibbles, element j low, j+16 high).
// Quantizer (quantize_row_mxfp4_ref) and dequantizer.

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
    /// of equals; NaN → 0).
    static func quantize(_ x: UnsafePointer<Float>, _ y: UnsafeMutableRawPointer, _ k: Int) {
        let kv: [Float] = kvaluesMXFP4.map { Float($0) }
        kv.withUnsafeBufferPointer { kv in
            for i in 0..<(k / 32) {
                let xb = x + 32 * i, yb = y + 17 * i
                var amax = Float(bitPattern: largestAbsBits(xb, 32))
                if amax.isNaN {   // `if (amax < fabsf(v))` never takes a NaN
                    amax = 0
                    for j in 0..<32 where amax < abs(xb[j]) { amax = abs(xb[j]) }
                }
                let e: UInt8 = amax > 0 ? UInt8(truncatingIfNeeded: cTrunc(floorf(log2f(amax)) - 2 + 127)) : 0
                let d = e8m0Half(e)
                yb.storeBytes(of: e, as: UInt8.self)
                let qs = (yb + 1).assumingMemoryBound(to: UInt8.self)
                for j in 0..<16 { qs[j] = bestIndex(xb[j], d, kv.baseAddress!) | bestIndex(xb[j + 16], d, kv.baseAddress!) << 4 }
            }
        }
    }

    /// best_index_mxfp4: the first index of the smallest |kvalues_mxfp4[i]·e − x|. For finite x no error is
    /// NaN, so the 16 errors (each the same IEEE operations as C's) are computed as one vector, and the first
    /// lane holding their minimum is C's answer; ±inf and NaN take C's scalar loop.
    @inline(__always) static func bestIndex(_ x: Float, _ e: Float, _ kv: UnsafePointer<Float>) -> UInt8 {
        if x.isFinite {
            let v = UnsafeRawPointer(kv).loadUnaligned(as: SIMD16<Float>.self)
            let diff = v * e - SIMD16(repeating: x)
            let err = diff.replacing(with: -diff, where: diff .< 0)   // |diff| (−0 stays −0: compares equal)
            let m = err.min()
            let lanes = SIMD16<Int32>(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
            return UInt8(truncatingIfNeeded: SIMD16<Int32>(repeating: 15).replacing(with: lanes, where: err .== m).min())
        }
        var best: UInt8 = 0
        var bestErr = abs(kv[0] * e - x)
        for i in 1..<16 {
            let err = abs(kv[i] * e - x)
            if err < bestErr { best = UInt8(i); bestErr = err }
        }
        return best
    }
}
