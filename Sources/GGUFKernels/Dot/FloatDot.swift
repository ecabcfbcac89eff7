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

    /// Converts 64 values with `conv` into a and b, in fixed-length loops the compiler vectorizes.
    @inline(__always)
    static func halfDot(_ n: Int, _ x: UnsafeRawPointer, _ y: UnsafeRawPointer, _ conv: (UInt16) -> Float) -> Float {
        let hx = x.assumingMemoryBound(to: UInt16.self), hy = y.assumingMemoryBound(to: UInt16.self)
        return withUnsafeTemporaryAllocation(of: Float.self, capacity: 128) { buf in
            let fa = buf.baseAddress!, fb = fa + 64
            var acc = SIMD16<Float>()
            var i = 0
            while i + 64 <= n {
                for j in 0..<64 { fa[j] = conv(hx[i + j]) }
                for j in 0..<64 { fb[j] = conv(hy[i + j]) }
                let ra = UnsafeRawPointer(fa), rb = UnsafeRawPointer(fb)
                for k in 0..<4 {
                    acc += ra.loadUnaligned(fromByteOffset: 64 * k, as: SIMD16<Float>.self) * rb.loadUnaligned(fromByteOffset: 64 * k, as: SIMD16<Float>.self)
                }
                i += 64
            }
            var tail: Float = 0
            while i < n { tail += conv(hx[i]) * conv(hy[i]); i += 1 }
            return acc.sum() + tail
        }
    }

    /// ggml_vec_dot_f16: both rows fp16, products and sums in Float.
    static func f16(_ n: Int, _ x: UnsafeRawPointer, _ y: UnsafeRawPointer) -> Float {
        #if GGUFKIT_HW_F16 && !(os(macOS) && arch(x86_64))
        return halfDot(n, x, y) { Float(Float16(bitPattern: $0)) }
        #else
        return halfDot(n, x, y) { Half.fp32(fp16: $0) }
        #endif
    }

    /// ggml_vec_dot_bf16: both rows bfloat16, products and sums in Float.
    static func bf16(_ n: Int, _ x: UnsafeRawPointer, _ y: UnsafeRawPointer) -> Float {
        halfDot(n, x, y) { Half.fp32(bf16: $0) }
    }
}
