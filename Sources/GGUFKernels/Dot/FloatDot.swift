// F32·F32, F16·F16 and BF16·BF16 dot products (ggml_vec_dot_f32 / _f16 / _bf16). Sums run in sixteen
// Float lanes, so results differ from ggml's (which also sums in lanes, in another order) by rounding only.

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
        let hx = x.assumingMemoryBound(to: UInt16.self), hy = y.assumingMemoryBound(to: UInt16.self)
        return withUnsafeTemporaryAllocation(of: Float.self, capacity: 512) { buf in
            let fa = buf.baseAddress!, fb = fa + 256
            var sum: Float = 0
            var i = 0
            while i < n {
                let c = Swift.min(256, n - i)
                for j in 0..<c { fa[j] = Half.fp32(fp16: hx[i + j]) }
                for j in 0..<c { fb[j] = Half.fp32(fp16: hy[i + j]) }
                sum += dotF32(c, fa, fb)
                i += c
            }
            return sum
        }
    }

    /// ggml_vec_dot_bf16: both rows bfloat16, products and sums in Float.
    static func bf16(_ n: Int, _ x: UnsafeRawPointer, _ y: UnsafeRawPointer) -> Float {
        let hx = x.assumingMemoryBound(to: UInt16.self), hy = y.assumingMemoryBound(to: UInt16.self)
        return withUnsafeTemporaryAllocation(of: Float.self, capacity: 512) { buf in
            let fa = buf.baseAddress!, fb = fa + 256
            var sum: Float = 0
            var i = 0
            while i < n {
                let c = Swift.min(256, n - i)
                for j in 0..<c { fa[j] = Half.fp32(bf16: hx[i + j]) }
                for j in 0..<c { fb[j] = Half.fp32(bf16: hy[i + j]) }
                sum += dotF32(c, fa, fb)
                i += c
            }
            return sum
        }
    }
}
