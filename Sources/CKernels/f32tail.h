// The tail of ggml_vec_dot_f32 as GCC builds it (private to CKernels).
#pragma once

/// `for (; i < n; ++i) sumf += x[i]*y[i];` after ggml_vec_dot_f32's SIMD part, as GCC compiles it for vector
/// width `vf` (8 AVX2, 16 AVX-512): an in-order reduction whose vectorized loop (vf wide) and half-width
/// epilogue round each product and add them in order, then a scalar epilogue that fuses them (fma). So the
/// first (t/vf)*vf + ((t%vf)/(vf/2))*(vf/2) of the t tail values are added unfused, the rest fused (checked
/// against both builds for tails of 5 to 45 values).
static inline float ck_f32_tail(long i, long n, const float *x, const float *y, float sum, long vf) {
    const long t = n - i, h = vf / 2;
    const long unfused = i + (t / vf) * vf + ((t % vf) / h) * h;
    for (; i < unfused; i++) {
        const float p = x[i] * y[i];
        sum += p;
    }
    for (; i < n; i++) sum = __builtin_fmaf(x[i], y[i], sum);
    return sum;
}
