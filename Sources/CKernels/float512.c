// BF16 dot products as llama.cpp built for AVX-512 computes them (vec.cpp ggml_vec_dot_bf16): with AVX512-BF16,
// two dpbf16 accumulators of 16 lanes over 64 values a step; with AVX-512 F only, two 16-lane multiply-add
// accumulators over 32 values a step (fused, as GCC builds ggml's add(mul)); each accumulator's
// _mm512_reduce_add_ps (GCC's order) added in double, then the tail in double. F32/F16: ops/Avx512.c.
#include "CKernels.h"

#if defined(__x86_64__)
#include <immintrin.h>
#include <string.h>

#define CK512_TARGET __attribute__((target("avx512f,avx512dq,avx512bw,avx512vl,avx2,fma,f16c")))
#define CK512BF16_TARGET __attribute__((target("avx512f,avx512dq,avx512bw,avx512vl,avx512bf16,avx2,fma,f16c")))

/// _mm512_reduce_add_ps as GCC defines it: high 256 + low 256, high 128 + low 128, (0+2, 1+3), 0+1.
CK512_TARGET static inline float hsum16_f(__m512 x) {
    const __m256 a = _mm256_add_ps(_mm512_extractf32x8_ps(x, 1), _mm512_castps512_ps256(x));
    const __m128 b = _mm_add_ps(_mm256_extractf128_ps(a, 1), _mm256_castps256_ps128(a));
    const __m128 c = _mm_add_ps(b, _mm_shuffle_ps(b, b, _MM_SHUFFLE(1, 0, 3, 2)));
    return _mm_cvtss_f32(_mm_add_ss(c, _mm_movehdup_ps(c)));
}

static inline double bf16_tail(ptrdiff_t i, ptrdiff_t n, const uint16_t *x, const uint16_t *y, double sum) {
    for (; i < n; i++) {
        uint32_t a = (uint32_t)x[i] << 16, b = (uint32_t)y[i] << 16;
        float fa, fb;
        memcpy(&fa, &a, 4);
        memcpy(&fb, &b, 4);
        sum += (double)(fa * fb);
    }
    return sum;
}

CK512_TARGET float ckernels512_dot_bf16(ptrdiff_t n, const void *vx, const void *vy) {
    const uint16_t *x = vx, *y = vy;
#define B16(p) _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(_mm256_loadu_si256((const __m256i *)(p))), 16))
    __m512 c1 = _mm512_setzero_ps(), c2 = c1;
    ptrdiff_t i = 0;
    for (; i + 32 <= n; i += 32) {
        c1 = _mm512_fmadd_ps(B16(x + i), B16(y + i), c1);
        c2 = _mm512_fmadd_ps(B16(x + i + 16), B16(y + i + 16), c2);
    }
#undef B16
    double sum = 0;
    sum += (double)hsum16_f(c1);
    sum += (double)hsum16_f(c2);
    return (float)bf16_tail(i, n, x, y, sum);
}

CK512BF16_TARGET float ckernels512bf16_dot_bf16(ptrdiff_t n, const void *vx, const void *vy) {
    const uint16_t *x = vx, *y = vy;
    __m512 c1 = _mm512_setzero_ps(), c2 = c1;
    ptrdiff_t i = 0;
    for (; i + 64 <= n; i += 64) {
        c1 = _mm512_dpbf16_ps(c1, (__m512bh)_mm512_loadu_si512(x + i), (__m512bh)_mm512_loadu_si512(y + i));
        c2 = _mm512_dpbf16_ps(c2, (__m512bh)_mm512_loadu_si512(x + i + 32), (__m512bh)_mm512_loadu_si512(y + i + 32));
    }
    double sum = 0;
    sum += (double)hsum16_f(c1);
    sum += (double)hsum16_f(c2);
    return (float)bf16_tail(i, n, x, y, sum);
}

int ckernels_have_avx512bf16(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512bf16");
}
#endif
