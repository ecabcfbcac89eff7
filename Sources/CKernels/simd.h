// Shared AVX2 helpers of the kernels (x86-64 only). Each follows the ggml helper of the same role
// operation for operation, so that lane contents and float rounding match ggml's AVX2 code.
#pragma once
#if defined(__x86_64__)
#include <immintrin.h>
#include <stdint.h>
#include <string.h>

#define CK_TARGET __attribute__((target("avx2,fma,f16c")))
#define CK_INLINE static inline __attribute__((always_inline, target("avx2,fma,f16c")))

/// The two fp16 values at `p` (4 bytes) as floats in lanes 0 and 1 (exact; = ggml's table and F16C
/// conversion). A 32-bit load into a cleared register, kept whole by an empty asm: otherwise clang inserts
/// the one half it needs into whatever register is at hand (the accumulator) and chains the loop through it.
CK_INLINE __m128 ck_h2f2(const void *p) {
    uint32_t h;
    memcpy(&h, p, 4);
    __m128i v = _mm_cvtsi32_si128((int)h);
    __asm__("" : "+x"(v));
    return _mm_cvtph_ps(v);
}

/// fp16(a) · fp16(b) in float (both converted by one instruction).
CK_INLINE float ck_h2f_mul(const void *a, const void *b) {
    uint16_t ha, hb;
    memcpy(&ha, a, 2);
    memcpy(&hb, b, 2);
    __m128i h = _mm_cvtsi32_si128((int)((uint32_t)ha | (uint32_t)hb << 16));
    __asm__("" : "+x"(h));
    const __m128 v = _mm_cvtph_ps(h);
    return _mm_cvtss_f32(_mm_mul_ss(v, _mm_movehdup_ps(v)));
}

/// The first two fp16 fields of `x` and of `y` (4 bytes each) as floats: lanes 0-1 from x, 2-3 from y.
CK_INLINE __m128 ck_h2f4(const void *x, const void *y) {
    uint32_t a, b;
    memcpy(&a, x, 4);
    memcpy(&b, y, 4);
    __m128i v = _mm_cvtsi64_si128((long long)((uint64_t)a | (uint64_t)b << 32));
    __asm__("" : "+x"(v));
    return _mm_cvtph_ps(v);
}

/// Lane 1 of a float vector.
CK_INLINE float ck_lane1(__m128 v) { return _mm_cvtss_f32(_mm_movehdup_ps(v)); }

/// A little-endian float at an unaligned address.
CK_INLINE float ck_f32(const void *p) {
    float f;
    memcpy(&f, p, 4);
    return f;
}

/// float -> fp16 bits, round to nearest even (GGML_CPU_FP32_TO_FP16 with F16C).
CK_INLINE uint16_t ck_f2h(float f) { return (uint16_t)_cvtss_sh(f, 0); }

/// fma(a, b, c) in single precision, the scalar `c += a * b` that GCC fuses in ggml's build.
CK_INLINE float ck_fma(float a, float b, float c) {
    return _mm_cvtss_f32(_mm_fmadd_ss(_mm_set_ss(a), _mm_set_ss(b), _mm_set_ss(c)));
}

/// Sum of 8 floats: (hi + lo), then (0 + 2) + (1 + 3), as ggml's hsum_float_8.
CK_INLINE float ck_hsum8(__m256 x) {
    __m128 r = _mm_add_ps(_mm256_extractf128_ps(x, 1), _mm256_castps256_ps128(x));
    r = _mm_add_ps(r, _mm_movehl_ps(r, r));
    r = _mm_add_ss(r, _mm_movehdup_ps(r));
    return _mm_cvtss_f32(r);
}

/// 16 bytes of nibbles -> 32 bytes: low nibbles in bytes 0-15, high nibbles in 16-31.
CK_INLINE __m256i ck_nibbles32(const uint8_t *p) {
    const __m128i t = _mm_loadu_si128((const __m128i *)p);
    const __m256i b = _mm256_inserti128_si256(_mm256_castsi128_si256(t), _mm_srli_epi16(t, 4), 1);
    return _mm256_and_si256(b, _mm256_set1_epi8(0x0F));
}

/// 32 bits -> 32 bytes, 0xFF where the bit is set, else 0.
CK_INLINE __m256i ck_bits32(const uint8_t *p) {
    uint32_t v;
    memcpy(&v, p, 4);
    const __m256i spread = _mm256_shuffle_epi8(_mm256_set1_epi32((int)v),
        _mm256_setr_epi64x(0, 0x0101010101010101LL, 0x0202020202020202LL, 0x0303030303030303LL));
    // every bit but the byte's own one set; the byte is all ones iff its bit was set
    const __m256i others = _mm256_set1_epi64x(0x7fbfdfeff7fbfdfeLL);
    return _mm256_cmpeq_epi8(_mm256_or_si256(spread, others), _mm256_set1_epi64x(-1));
}

/// Unsigned × signed bytes, summed in groups of 4 into 8 int32 lanes, as floats.
CK_INLINE __m256 ck_dot_us8(__m256i ux, __m256i sy) {
    const __m256i p16 = _mm256_maddubs_epi16(ux, sy);
    return _mm256_cvtepi32_ps(_mm256_madd_epi16(_mm256_set1_epi16(1), p16));
}

/// Signed × signed bytes (via |x| and sign(y, x)), summed in groups of 4, as floats.
CK_INLINE __m256 ck_dot_s8(__m256i x, __m256i y) {
    return ck_dot_us8(_mm256_sign_epi8(x, x), _mm256_sign_epi8(y, x));
}

/// The 8 six-bit scales and 8 mins of a Q4_K/Q5_K super-block as 16 int16: scales in 0-7, mins in 8-15.
CK_INLINE __m256i scales_mins_k4(const uint8_t *s) {
    uint32_t u[4];
    memcpy(u, s, 12);
    const uint32_t m6 = 0x3f3f3f3f, m4 = 0x0f0f0f0f, m2 = 0x03030303;
    const uint32_t sc0 = u[0] & m6, mn0 = u[1] & m6;
    const uint32_t sc1 = (u[2] & m4) | (((u[0] >> 6) & m2) << 4);
    const uint32_t mn1 = ((u[2] >> 4) & m4) | (((u[1] >> 6) & m2) << 4);
    return _mm256_cvtepu8_epi16(_mm_setr_epi32((int)sc0, (int)sc1, (int)mn0, (int)mn1));
}

#endif
