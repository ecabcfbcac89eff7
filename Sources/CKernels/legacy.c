// Legacy 32-weight types: Q4_0/Q5_0/Q8_0 · Q8_0 and Q4_1/Q5_1 · Q8_1 dot products, and the Q8_0/Q8_1
// activation quantizers, following ggml's x86 AVX2 code (arch/x86/quants.c): one float accumulator of 8
// lanes, one fused multiply-add per block, the min terms of Q4_1/Q5_1 summed in a scalar fused in order.
#include "CKernels.h"
#if defined(__x86_64__)
#include "simd.h"

// Block layouts (ggml-common.h): fp16 d [, fp16 m or s], [uint32 qh], quants.
enum { Q4_0_B = 18, Q4_1_B = 20, Q5_0_B = 22, Q5_1_B = 24, Q8_0_B = 34, Q8_1_B = 36 };

CK_TARGET float ckernels_dot_q4_0_q8_0(ptrdiff_t n, const void *vx, const void *vy) {
    const uint8_t *x = vx, *y = vy;
    __m256 acc = _mm256_setzero_ps();
    for (ptrdiff_t i = 0; i < n / 32; i++, x += Q4_0_B, y += Q8_0_B) {
        const __m256 d = _mm256_set1_ps(ck_h2f_mul(x, y));
        const __m256i qx = _mm256_sub_epi8(ck_nibbles32(x + 2), _mm256_set1_epi8(8));
        const __m256i qy = _mm256_loadu_si256((const __m256i *)(y + 2));
        acc = _mm256_fmadd_ps(d, ck_dot_s8(qx, qy), acc);
    }
    return ck_hsum8(acc);
}

CK_TARGET float ckernels_dot_q4_1_q8_1(ptrdiff_t n, const void *vx, const void *vy) {
    const uint8_t *x = vx, *y = vy;
    __m256 acc = _mm256_setzero_ps();
    float summs = 0;
    for (ptrdiff_t i = 0; i < n / 32; i++, x += Q4_1_B, y += Q8_1_B) {
        const __m128 h = ck_h2f4(x, y), hy = _mm_movehl_ps(h, h); // d_x, m_x | d_y, s_y
        summs = ck_fma(ck_lane1(h), ck_lane1(hy), summs);
        const __m256 d = _mm256_set1_ps(_mm_cvtss_f32(_mm_mul_ss(h, hy)));
        const __m256i qx = ck_nibbles32(x + 4);
        const __m256i qy = _mm256_loadu_si256((const __m256i *)(y + 4));
        acc = _mm256_fmadd_ps(d, ck_dot_us8(qx, qy), acc);
    }
    return ck_hsum8(acc) + summs;
}

CK_TARGET float ckernels_dot_q5_0_q8_0(ptrdiff_t n, const void *vx, const void *vy) {
    const uint8_t *x = vx, *y = vy;
    __m256 acc = _mm256_setzero_ps();
    for (ptrdiff_t i = 0; i < n / 32; i++, x += Q5_0_B, y += Q8_0_B) {
        const __m256 d = _mm256_set1_ps(ck_h2f_mul(x, y));
        // (q | fifth bit << 4) - 16 = q | 0xF0 where the fifth bit is clear
        const __m256i hi = _mm256_andnot_si256(ck_bits32(x + 2), _mm256_set1_epi8((char)0xF0));
        const __m256i qx = _mm256_or_si256(ck_nibbles32(x + 6), hi);
        const __m256i qy = _mm256_loadu_si256((const __m256i *)(y + 2));
        acc = _mm256_fmadd_ps(d, ck_dot_s8(qx, qy), acc);
    }
    return ck_hsum8(acc);
}

CK_TARGET float ckernels_dot_q5_1_q8_1(ptrdiff_t n, const void *vx, const void *vy) {
    const uint8_t *x = vx, *y = vy;
    __m256 acc = _mm256_setzero_ps();
    float summs = 0;
    for (ptrdiff_t i = 0; i < n / 32; i++, x += Q5_1_B, y += Q8_1_B) {
        const __m128 h = ck_h2f4(x, y), hy = _mm_movehl_ps(h, h); // d_x, m_x | d_y, s_y
        summs = ck_fma(ck_lane1(h), ck_lane1(hy), summs);
        const __m256i hi = _mm256_and_si256(ck_bits32(x + 4), _mm256_set1_epi8(0x10));
        const __m256i qx = _mm256_or_si256(ck_nibbles32(x + 8), hi);
        const __m256i qy = _mm256_loadu_si256((const __m256i *)(y + 4));
        acc = _mm256_fmadd_ps(ck_dot_us8(qx, qy), _mm256_set1_ps(_mm_cvtss_f32(_mm_mul_ss(h, hy))), acc);
    }
    return ck_hsum8(acc) + summs;
}

CK_TARGET float ckernels_dot_q8_0_q8_0(ptrdiff_t n, const void *vx, const void *vy) {
    const uint8_t *x = vx, *y = vy;
    __m256 acc = _mm256_setzero_ps();
    for (ptrdiff_t i = 0; i < n / 32; i++, x += Q8_0_B, y += Q8_0_B) {
        const __m256 d = _mm256_set1_ps(ck_h2f_mul(x, y));
        const __m256i qx = _mm256_loadu_si256((const __m256i *)(x + 2));
        const __m256i qy = _mm256_loadu_si256((const __m256i *)(y + 2));
        acc = _mm256_fmadd_ps(d, ck_dot_s8(qx, qy), acc);
    }
    return ck_hsum8(acc);
}

/// One Q8_0/Q8_1 block of the AVX2 from_float: d = amax/127, q = round_even(x · 127/amax).
/// Stores the 32 quants at `qs`, returns d and the sum of the quants in `*sum`.
CK_INLINE float quantize_block_q8(const float *x, int8_t *qs, int *sum) {
    __m256 v0 = _mm256_loadu_ps(x), v1 = _mm256_loadu_ps(x + 8);
    __m256 v2 = _mm256_loadu_ps(x + 16), v3 = _mm256_loadu_ps(x + 24);
    const __m256 sign = _mm256_set1_ps(-0.0f);
    __m256 m = _mm256_andnot_ps(sign, v0);
    m = _mm256_max_ps(m, _mm256_andnot_ps(sign, v1));
    m = _mm256_max_ps(m, _mm256_andnot_ps(sign, v2));
    m = _mm256_max_ps(m, _mm256_andnot_ps(sign, v3));
    __m128 m4 = _mm_max_ps(_mm256_extractf128_ps(m, 1), _mm256_castps256_ps128(m));
    m4 = _mm_max_ps(m4, _mm_movehl_ps(m4, m4));
    m4 = _mm_max_ss(m4, _mm_movehdup_ps(m4));
    const float amax = _mm_cvtss_f32(m4);
    const __m256 id = _mm256_set1_ps(amax != 0.0f ? 127.f / amax : 0.0f);
    const __m256i i0 = _mm256_cvtps_epi32(_mm256_round_ps(_mm256_mul_ps(v0, id), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
    const __m256i i1 = _mm256_cvtps_epi32(_mm256_round_ps(_mm256_mul_ps(v1, id), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
    const __m256i i2 = _mm256_cvtps_epi32(_mm256_round_ps(_mm256_mul_ps(v2, id), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
    const __m256i i3 = _mm256_cvtps_epi32(_mm256_round_ps(_mm256_mul_ps(v3, id), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
    const __m256i s = _mm256_add_epi32(_mm256_add_epi32(i0, i1), _mm256_add_epi32(i2, i3));
    __m128i s4 = _mm_add_epi32(_mm256_castsi256_si128(s), _mm256_extracti128_si256(s, 1));
    s4 = _mm_add_epi32(s4, _mm_unpackhi_epi64(s4, s4));
    s4 = _mm_add_epi32(s4, _mm_shuffle_epi32(s4, _MM_SHUFFLE(2, 3, 0, 1)));
    *sum = _mm_cvtsi128_si32(s4);
    // packs work per 128-bit half; the permute puts the 4-byte groups back in order
    const __m256i p = _mm256_packs_epi16(_mm256_packs_epi32(i0, i1), _mm256_packs_epi32(i2, i3));
    _mm256_storeu_si256((__m256i *)qs, _mm256_permutevar8x32_epi32(p, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7)));
    return amax / 127.f;
}

CK_TARGET void ckernels_quantize_q8_0(const float *x, void *vy, ptrdiff_t n) {
    uint8_t *y = vy;
    for (ptrdiff_t i = 0; i < n / 32; i++, x += 32, y += Q8_0_B) {
        int sum;
        const uint16_t d = ck_f2h(quantize_block_q8(x, (int8_t *)(y + 2), &sum));
        memcpy(y, &d, 2);
    }
}

CK_TARGET void ckernels_quantize_q8_1(const float *x, void *vy, ptrdiff_t n) {
    uint8_t *y = vy;
    for (ptrdiff_t i = 0; i < n / 32; i++, x += 32, y += Q8_1_B) {
        int sum;
        const float df = quantize_block_q8(x, (int8_t *)(y + 4), &sum);
        const uint16_t d = ck_f2h(df), s = ck_f2h(df * (float)sum);
        memcpy(y, &d, 2);
        memcpy(y + 2, &s, 2);
    }
}
#endif
