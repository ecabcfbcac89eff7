// F32, F16 and BF16 dot products as ggml's x86 build computes them (vec.cpp, GGML_SIMD with AVX2/FMA/F16C):
// four 8-lane accumulators over 32 elements a step, ggml's reductions, and the tail in double for F16/BF16.
#include "CKernels.h"
#if defined(__x86_64__)
#include "simd.h"
#include "f32tail.h"

/// GGML_F32x8_REDUCE: (s0 + s2) + (s1 + s3), then lo + hi and two horizontal adds.
CK_INLINE float reduce_hadd(__m256 s0, __m256 s1, __m256 s2, __m256 s3) {
    const __m256 s = _mm256_add_ps(_mm256_add_ps(s0, s2), _mm256_add_ps(s1, s3));
    const __m128 t0 = _mm_add_ps(_mm256_castps256_ps128(s), _mm256_extractf128_ps(s, 1));
    const __m128 t1 = _mm_hadd_ps(t0, t0);
    return _mm_cvtss_f32(_mm_hadd_ps(t1, t1));
}

CK_TARGET float ckernels_dot_f32(ptrdiff_t n, const void *vx, const void *vy) {
    const float *x = vx, *y = vy;
    __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
    ptrdiff_t i = 0;
    for (; i + 32 <= n; i += 32) {
        s0 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i), s0);
        s1 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i + 8), _mm256_loadu_ps(y + i + 8), s1);
        s2 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i + 16), _mm256_loadu_ps(y + i + 16), s2);
        s3 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i + 24), _mm256_loadu_ps(y + i + 24), s3);
    }
    float sum = reduce_hadd(s0, s1, s2, s3);
    // ggml's tail is `sumf += x[i]*y[i]` in float, which GCC partly vectorizes (see f32tail.h)
    return ck_f32_tail(i, n, x, y, sum, 8);
}

CK_TARGET float ckernels_dot_f16(ptrdiff_t n, const void *vx, const void *vy) {
    const uint16_t *x = vx, *y = vy;
    __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
    ptrdiff_t i = 0;
#define H8(p) _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(p)))
    for (; i + 32 <= n; i += 32) {
        s0 = _mm256_fmadd_ps(H8(x + i), H8(y + i), s0);
        s1 = _mm256_fmadd_ps(H8(x + i + 8), H8(y + i + 8), s1);
        s2 = _mm256_fmadd_ps(H8(x + i + 16), H8(y + i + 16), s2);
        s3 = _mm256_fmadd_ps(H8(x + i + 24), H8(y + i + 24), s3);
    }
#undef H8
    double sum = reduce_hadd(s0, s1, s2, s3);
    for (; i < n; i++) sum += (double)(_cvtsh_ss(x[i]) * _cvtsh_ss(y[i]));
    return (float)sum;
}

CK_TARGET float ckernels_dot_bf16(ptrdiff_t n, const void *vx, const void *vy) {
    const uint16_t *x = vx, *y = vy;
    __m256 c0 = _mm256_setzero_ps(), c1 = c0, c2 = c0, c3 = c0;
    ptrdiff_t i = 0;
#define B8(p) _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)(p))), 16))
    // ggml writes add(mul(x, y), c); GCC fuses it (-ffp-contract=fast), so the build that counts has FMAs
    for (; i + 32 <= n; i += 32) {
        c0 = _mm256_fmadd_ps(B8(x + i), B8(y + i), c0);
        c1 = _mm256_fmadd_ps(B8(x + i + 8), B8(y + i + 8), c1);
        c2 = _mm256_fmadd_ps(B8(x + i + 16), B8(y + i + 16), c2);
        c3 = _mm256_fmadd_ps(B8(x + i + 24), B8(y + i + 24), c3);
    }
#undef B8
    // (c0 + c2) + (c1 + c3), then hi + lo, then (0 + 2) + (1 + 3)
    double sum = ck_hsum8(_mm256_add_ps(_mm256_add_ps(c0, c2), _mm256_add_ps(c1, c3)));
    for (; i < n; i++) {
        uint32_t a = (uint32_t)x[i] << 16, b = (uint32_t)y[i] << 16;
        float fa, fb;
        memcpy(&fa, &a, 4);
        memcpy(&fb, &b, 4);
        sum += (double)(fa * fb);
    }
    return (float)sum;
}
CK_TARGET void ckernels_fp32_to_fp16_cpu(const float *x, uint16_t *y, ptrdiff_t n) {
    ptrdiff_t i = 0;
    for (; i + 16 <= n; i += 16) {
        const __m128i a = _mm256_cvtps_ph(_mm256_loadu_ps(x + i), _MM_FROUND_TO_NEAREST_INT);
        const __m128i b = _mm256_cvtps_ph(_mm256_loadu_ps(x + i + 8), _MM_FROUND_TO_NEAREST_INT);
        _mm_storeu_si128((__m128i *)(y + i), a);
        _mm_storeu_si128((__m128i *)(y + i + 8), b);
    }
    for (; i < n; i++) y[i] = (uint16_t)_cvtss_sh(x[i], _MM_FROUND_TO_NEAREST_INT);
}
#endif
