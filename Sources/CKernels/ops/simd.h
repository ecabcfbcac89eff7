// Helpers shared by the AVX2 files of CRunnerOps (private to the target).
#ifndef CRUNNEROPS_SIMD_H
#define CRUNNEROPS_SIMD_H

#include <immintrin.h>
#include <stdint.h>
#include <string.h>

#define ROPS_TARGET __attribute__((target("avx2,fma,f16c")))

/// Sum of 8 lanes as llamafile's hsum and ggml_vec_soft_max_f32's chunk sum: (i + i+4), then (0+2, 1+3), then 0+1.
ROPS_TARGET static inline float rops_hsum8(__m256 x) {
    __m128 s = _mm_add_ps(_mm256_extractf128_ps(x, 1), _mm256_castps256_ps128(x));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

/// The fp16 value at p to float. The empty asm makes the compiler build the whole register (a vmovd that
/// clears the rest): left to itself it inserted the 2 bytes into the accumulator's register, so every
/// conversion waited for the previous block's FMA (3x slower).
ROPS_TARGET static inline float rops_half_to_float(const void *p) {
    uint16_t h;
    memcpy(&h, p, 2);
    __m128i v = _mm_cvtsi32_si128(h);
    __asm__("" : "+x"(v));
    return _mm_cvtss_f32(_mm_cvtph_ps(v));
}

#endif
