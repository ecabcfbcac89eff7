// F32·F32, F16·F16 and BF16·BF16 dot products (ggml_vec_dot_f32 / _f16 / _bf16). Sums run in 32 Float
// lanes, so results differ from ggml's (which also sums in lanes, in another order) by rounding only.

enum FloatDot {
    @inline(__always)
    static func dotF32(_ n: Int, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>) -> Float {
        var acc0 = SIMD16<Float>(), acc1 = SIMD16<Float>()
        var i = 0
        let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
        while i + 32 <= n {
            acc0 += ra.loadUnaligned(fromByteOffset: 4 * i, as: SIMD16<Float>.self) * rb.loadUnaligned(fromByteOffset: 4 * i, as: SIMD16<Float>.self)
            acc1 += ra.loadUnaligned(fromByteOffset: 4 * i + 64, as: SIMD16<Float>.self) * rb.loadUnaligned(fromByteOffset: 4 * i + 64, as: SIMD16<Float>.self)
            i += 32
        }
        var tail: Float = 0
        while i < n { tail += a[i] * b[i]; i += 1 }
        return (acc0 + acc1).sum() + tail
    }

    /// ggml_vec_dot_f32
    static func f32(_ n: Int, _ x: UnsafeRawPointer, _ y: UnsafeRawPointer) -> Float {
        dotF32(n, x.assumingMemoryBound(to: Float.self), y.assumingMemoryBound(to: Float.self))
    }

    /// ggml_vec_dot_f16: both rows fp16, products and sums in Float.
    static func f16(_ n: Int, _ x: UnsafeRawPointer, _ y: UnsafeRawPointer) -> Float {
        #if (GGUFKIT_HW_F16 && !(os(macOS) && arch(x86_64))) || arch(arm64)
        // SIMD8<Float16> → SIMD8<Float> is one instruction (vcvtph2ps / fcvtl) here.
        var acc0 = SIMD8<Float>(), acc1 = SIMD8<Float>(), acc2 = SIMD8<Float>(), acc3 = SIMD8<Float>()
        var i = 0
        @inline(__always) func h(_ p: UnsafeRawPointer, _ k: Int) -> SIMD8<Float> {
            SIMD8<Float>(p.loadUnaligned(fromByteOffset: 2 * k, as: SIMD8<Float16>.self))
        }
        while i + 32 <= n {
            acc0 += h(x, i) * h(y, i)
            acc1 += h(x, i + 8) * h(y, i + 8)
            acc2 += h(x, i + 16) * h(y, i + 16)
            acc3 += h(x, i + 24) * h(y, i + 24)
            i += 32
        }
        var tail: Float = 0
        let hx = x.assumingMemoryBound(to: UInt16.self), hy = y.assumingMemoryBound(to: UInt16.self)
        while i < n { tail += Half.fp32(fp16: hx[i]) * Half.fp32(fp16: hy[i]); i += 1 }
        return ((acc0 + acc1) + (acc2 + acc3)).sum() + tail
        #else
        // Each UInt32 lane holds two halves: `v << 16` and `v & 0xFFFF0000` are ggml's `w = h << 16` of the
        // even and the odd one; ggml's conversion then runs on whole vectors.
        var acc0 = SIMD8<Float>(), acc1 = SIMD8<Float>()
        var i = 0
        while i + 16 <= n {
            let vx = x.loadUnaligned(fromByteOffset: 2 * i, as: SIMD8<UInt32>.self)
            let vy = y.loadUnaligned(fromByteOffset: 2 * i, as: SIMD8<UInt32>.self)
            acc0 += halfToFloat(vx &<< 16) * halfToFloat(vy &<< 16)
            acc1 += halfToFloat(vx & 0xFFFF_0000) * halfToFloat(vy & 0xFFFF_0000)
            i += 16
        }
        var tail: Float = 0
        let hx = x.assumingMemoryBound(to: UInt16.self), hy = y.assumingMemoryBound(to: UInt16.self)
        while i < n { tail += Half.fp32(fp16: hx[i]) * Half.fp32(fp16: hy[i]); i += 1 }
        return (acc0 + acc1).sum() + tail
        #endif
    }

    /// ggml_compute_fp16_to_fp32 on eight lanes of `w = h << 16`, with same-width operations only.
    @inline(__always) static func halfToFloat(_ w: SIMD8<UInt32>) -> SIMD8<Float> {
        let sign = w & 0x8000_0000
        let twoW = w &+ w
        let normalized = unsafeBitCast((twoW &>> 4) &+ (0xE0 << 23), to: SIMD8<Float>.self) * Float(bitPattern: 0x0780_0000)
        let denormalized = unsafeBitCast((twoW &>> 17) | (126 << 23), to: SIMD8<Float>.self) - 0.5
        // all ones where twoW < 2^27 (then twoW >> 27 == 0)
        let isDenormal = SIMD8<UInt32>.zero &- (((twoW &>> 27) &- 1) &>> 31)
        let bits = (unsafeBitCast(denormalized, to: SIMD8<UInt32>.self) & isDenormal)
            | (unsafeBitCast(normalized, to: SIMD8<UInt32>.self) & ~isDenormal)
        return unsafeBitCast(sign | bits, to: SIMD8<Float>.self)
    }

    /// ggml_vec_dot_bf16: both rows bfloat16, products and sums in Float. A UInt32 lane holds two bf16
    /// values; `v << 16` and `v & 0xFFFF0000` are their Float bit patterns.
    static func bf16(_ n: Int, _ x: UnsafeRawPointer, _ y: UnsafeRawPointer) -> Float {
        var acc0 = SIMD8<Float>(), acc1 = SIMD8<Float>()
        var i = 0
        @inline(__always) func f(_ v: SIMD8<UInt32>) -> SIMD8<Float> { unsafeBitCast(v, to: SIMD8<Float>.self) }
        while i + 16 <= n {
            let vx = x.loadUnaligned(fromByteOffset: 2 * i, as: SIMD8<UInt32>.self)
            let vy = y.loadUnaligned(fromByteOffset: 2 * i, as: SIMD8<UInt32>.self)
            acc0 += f(vx &<< 16) * f(vy &<< 16)
            acc1 += f(vx & 0xFFFF_0000) * f(vy & 0xFFFF_0000)
            i += 16
        }
        var tail: Float = 0
        let hx = x.assumingMemoryBound(to: UInt16.self), hy = y.assumingMemoryBound(to: UInt16.self)
        while i < n { tail += Half.fp32(bf16: hx[i]) * Half.fp32(bf16: hy[i]); i += 1 }
        return (acc0 + acc1).sum() + tail
    }
}
