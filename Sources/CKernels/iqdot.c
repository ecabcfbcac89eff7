// IQ grid types (IQ2_XXS, IQ2_XS, IQ2_S, IQ3_XXS, IQ3_S, IQ1_S, IQ1_M) · Q8_K dot products, following ggml's
// x86 AVX2 code (arch/x86/quants.c): per super-block, grid values (unsigned bytes; IQ1: -1/0/1) times the
// activation codes with the block's signs applied to the activations (8-bit negation, so that -128 stays -128
// as in ggml), summed by maddubs and scaled by madd into 8 int32 lanes (lane k: bytes 4k..4k+3 of each 32),
// then converted and fused into a float accumulator with d = d_x·d_y; one final scaling (1/8, 1/4).
#include "CKernels.h"
#if defined(__x86_64__)
#include "simd.h"
#include "iqgrids.h"

// Block layouts (ggml-common.h), bytes.
enum { IQ2_XXS_B = 66, IQ2_XS_B = 74, IQ2_S_B = 82, IQ3_XXS_B = 98, IQ3_S_B = 110, IQ1_S_B = 50, IQ1_M_B = 56,
       Q8K_B = 292 };
#define YD(y) ck_f32(y)
#define YQS(y) ((const int8_t *)(y) + 4)

/// keven_signs_q2xs of ggml: for 7 sign bits k, 8 bytes of ±1 (bit j set: byte j = -1; byte 7 = -1 when k
/// has an odd number of bits), built once.
static uint64_t keven_signs[128];
static void init_keven_signs(void) {
    for (int k = 0; k < 128; k++) {
        uint64_t v = 0;
        int odd = 0;
        for (int j = 0; j < 7; j++) {
            const int neg = (k >> j) & 1;
            odd ^= neg;
            v |= (uint64_t)(neg ? 0xFF : 0x01) << (8 * j);
        }
        v |= (uint64_t)(odd ? 0xFF : 0x01) << 56;
        keven_signs[k] = v;
    }
}
static const uint64_t *signs64(void) {
    static int ready;   // idempotent: racing first calls write the same values
    if (!__atomic_load_n(&ready, __ATOMIC_ACQUIRE)) {
        init_keven_signs();
        __atomic_store_n(&ready, 1, __ATOMIC_RELEASE);
    }
    return keven_signs;
}

/// 32 bits of signs -> 32 bytes, 0xFF where the bit (of element j) is set.
CK_INLINE __m256i sign_bytes(uint32_t bits) {
    const __m256i mask1 = _mm256_setr_epi64x(0, 0x0101010101010101LL, 0x0202020202020202LL, 0x0303030303030303LL);
    const __m256i mask2 = _mm256_set1_epi64x((long long)0x8040201008040201ULL);
    const __m256i a = _mm256_and_si256(_mm256_shuffle_epi8(_mm256_set1_epi32((int)bits), mask1), mask2);
    return _mm256_cmpeq_epi8(a, mask2);
}

/// Lanes of 16 int16 scales: `lo` for the first 16 elements of a 32 (int32 lanes 0-3), `hi` for the rest.
CK_INLINE __m256i scale_halves(int lo, int hi) {
    return _mm256_setr_m128i(_mm_set1_epi16((short)lo), _mm_set1_epi16((short)hi));
}

CK_TARGET float ckernels_dot_iq2_xxs_q8_K(ptrdiff_t n, const void *vx, const void *vy) {
    const uint8_t *x = vx, *y = vy;
    const uint64_t *s64 = signs64();
    __m256 acc = _mm256_setzero_ps();
    for (ptrdiff_t i = 0; i < n / 256; i++, x += IQ2_XXS_B, y += Q8K_B) {
        const float d = _mm_cvtss_f32(ck_h2f2(x)) * YD(y);
        const uint8_t *q2 = x + 2;
        const int8_t *q8 = YQS(y);
        __m256i sumi1 = _mm256_setzero_si256(), sumi2 = _mm256_setzero_si256();
        for (int ib = 0; ib < 8; ib += 2, q2 += 16, q8 += 64) {
            uint32_t a[4];
            memcpy(a, q2, 16);
            const uint8_t *g = (const uint8_t *)a;
            const __m256i q2_1 = _mm256_setr_epi64x((long long)ck_iq2xxs_grid[g[0]], (long long)ck_iq2xxs_grid[g[1]],
                                                    (long long)ck_iq2xxs_grid[g[2]], (long long)ck_iq2xxs_grid[g[3]]);
            const __m256i q2_2 = _mm256_setr_epi64x((long long)ck_iq2xxs_grid[g[8]], (long long)ck_iq2xxs_grid[g[9]],
                                                    (long long)ck_iq2xxs_grid[g[10]], (long long)ck_iq2xxs_grid[g[11]]);
            const __m256i s1 = _mm256_setr_epi64x((long long)s64[a[1] & 127], (long long)s64[(a[1] >> 7) & 127],
                                                  (long long)s64[(a[1] >> 14) & 127], (long long)s64[(a[1] >> 21) & 127]);
            const __m256i s2 = _mm256_setr_epi64x((long long)s64[a[3] & 127], (long long)s64[(a[3] >> 7) & 127],
                                                  (long long)s64[(a[3] >> 14) & 127], (long long)s64[(a[3] >> 21) & 127]);
            const __m256i d1 = _mm256_maddubs_epi16(q2_1, _mm256_sign_epi8(_mm256_loadu_si256((const __m256i *)q8), s1));
            const __m256i d2 = _mm256_maddubs_epi16(q2_2, _mm256_sign_epi8(_mm256_loadu_si256((const __m256i *)(q8 + 32)), s2));
            sumi1 = _mm256_add_epi32(sumi1, _mm256_madd_epi16(d1, _mm256_set1_epi16((short)(2 * (a[1] >> 28) + 1))));
            sumi2 = _mm256_add_epi32(sumi2, _mm256_madd_epi16(d2, _mm256_set1_epi16((short)(2 * (a[3] >> 28) + 1))));
        }
        acc = _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(_mm256_add_epi32(sumi1, sumi2)), acc);
    }
    return 0.125f * ck_hsum8(acc);
}

CK_TARGET float ckernels_dot_iq2_xs_q8_K(ptrdiff_t n, const void *vx, const void *vy) {
    const uint8_t *x = vx, *y = vy;
    const uint64_t *s64 = signs64();
    __m256 acc = _mm256_setzero_ps();
    for (ptrdiff_t i = 0; i < n / 256; i++, x += IQ2_XS_B, y += Q8K_B) {
        // layout: fp16 d, qs[32] (uint16: 9-bit grid index, 7 sign bits), scales[8] (two 4-bit scales)
        const float d = _mm_cvtss_f32(ck_h2f2(x)) * YD(y);
        const uint8_t *sc = x + 66;
        const int8_t *q8 = YQS(y);
        __m256i sumi1 = _mm256_setzero_si256(), sumi2 = _mm256_setzero_si256();
        for (int ib = 0; ib < 8; ib++, q8 += 32) {
            uint16_t q[4];
            memcpy(q, x + 2 + 8 * ib, 8);
            const __m256i g = _mm256_setr_epi64x((long long)ck_iq2xs_grid[q[0] & 511], (long long)ck_iq2xs_grid[q[1] & 511],
                                                 (long long)ck_iq2xs_grid[q[2] & 511], (long long)ck_iq2xs_grid[q[3] & 511]);
            const __m256i s = _mm256_setr_epi64x((long long)s64[q[0] >> 9], (long long)s64[q[1] >> 9],
                                                 (long long)s64[q[2] >> 9], (long long)s64[q[3] >> 9]);
            const __m256i dt = _mm256_maddubs_epi16(g, _mm256_sign_epi8(_mm256_loadu_si256((const __m256i *)q8), s));
            const __m256i p = _mm256_madd_epi16(dt, scale_halves(2 * (sc[ib] & 0xF) + 1, 2 * (sc[ib] >> 4) + 1));
            // ggml: chunks 0, 2 of each 4 into sumi1, 1, 3 into sumi2 (exact int sums: the order is free)
            if (ib & 1) sumi2 = _mm256_add_epi32(sumi2, p); else sumi1 = _mm256_add_epi32(sumi1, p);
        }
        acc = _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(_mm256_add_epi32(sumi1, sumi2)), acc);
    }
    return 0.125f * ck_hsum8(acc);
}

CK_TARGET float ckernels_dot_iq2_s_q8_K(ptrdiff_t n, const void *vx, const void *vy) {
    const uint8_t *x = vx, *y = vy;
    __m256 acc = _mm256_setzero_ps();
    for (ptrdiff_t i = 0; i < n / 256; i++, x += IQ2_S_B, y += Q8K_B) {
        // layout: fp16 d, qs[32] grid index low bytes, signs[32], qh[8] (2 high bits per index), scales[8]
        const float d = _mm_cvtss_f32(ck_h2f2(x)) * YD(y);
        const uint8_t *qs = x + 2, *sg = x + 34, *qh = x + 66, *sc = x + 74;
        const int8_t *q8 = YQS(y);
        __m256i sumi = _mm256_setzero_si256();
        for (int ib = 0; ib < 8; ib++, qs += 4, sg += 4, q8 += 32) {
            const int h = qh[ib];
            const __m256i g = _mm256_setr_epi64x((long long)ck_iq2s_grid[qs[0] | ((h << 8) & 0x300)],
                                                 (long long)ck_iq2s_grid[qs[1] | ((h << 6) & 0x300)],
                                                 (long long)ck_iq2s_grid[qs[2] | ((h << 4) & 0x300)],
                                                 (long long)ck_iq2s_grid[qs[3] | ((h << 2) & 0x300)]);
            uint32_t bits;
            memcpy(&bits, sg, 4);
            const __m256i s = sign_bytes(bits);
            const __m256i q8s = _mm256_sub_epi8(_mm256_xor_si256(s, _mm256_loadu_si256((const __m256i *)q8)), s);
            const __m256i p = _mm256_madd_epi16(_mm256_maddubs_epi16(g, q8s),
                                                scale_halves(2 * (sc[ib] & 0xF) + 1, 2 * (sc[ib] >> 4) + 1));
            sumi = _mm256_add_epi32(sumi, p);
        }
        acc = _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(sumi), acc);
    }
    return 0.125f * ck_hsum8(acc);
}

CK_TARGET float ckernels_dot_iq3_xxs_q8_K(ptrdiff_t n, const void *vx, const void *vy) {
    const uint8_t *x = vx, *y = vy;
    const uint64_t *s64 = signs64();
    __m256 acc = _mm256_setzero_ps();
    for (ptrdiff_t i = 0; i < n / 256; i++, x += IQ3_XXS_B, y += Q8K_B) {
        // layout: fp16 d, qs[64] grid indices (4 values each), then 8 × uint32: 4 × 7 sign bits, 4-bit scale
        const float d = _mm_cvtss_f32(ck_h2f2(x)) * YD(y);
        const uint8_t *q3 = x + 2, *gas = x + 66;
        const int8_t *q8 = YQS(y);
        __m256i sumi = _mm256_setzero_si256();
        for (int ib = 0; ib < 8; ib++, q3 += 8, gas += 4, q8 += 32) {
            uint32_t a;
            memcpy(&a, gas, 4);
            const __m256i g = _mm256_setr_epi32((int)ck_iq3xxs_grid[q3[0]], (int)ck_iq3xxs_grid[q3[1]], (int)ck_iq3xxs_grid[q3[2]],
                                                (int)ck_iq3xxs_grid[q3[3]], (int)ck_iq3xxs_grid[q3[4]], (int)ck_iq3xxs_grid[q3[5]],
                                                (int)ck_iq3xxs_grid[q3[6]], (int)ck_iq3xxs_grid[q3[7]]);
            const __m256i s = _mm256_setr_epi64x((long long)s64[a & 127], (long long)s64[(a >> 7) & 127],
                                                 (long long)s64[(a >> 14) & 127], (long long)s64[(a >> 21) & 127]);
            const __m256i dt = _mm256_maddubs_epi16(g, _mm256_sign_epi8(_mm256_loadu_si256((const __m256i *)q8), s));
            sumi = _mm256_add_epi32(sumi, _mm256_madd_epi16(dt, _mm256_set1_epi16((short)(2 * (a >> 28) + 1))));
        }
        acc = _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(sumi), acc);
    }
    return 0.25f * ck_hsum8(acc);
}

CK_TARGET float ckernels_dot_iq3_s_q8_K(ptrdiff_t n, const void *vx, const void *vy) {
    const uint8_t *x = vx, *y = vy;
    __m256 acc = _mm256_setzero_ps();
    for (ptrdiff_t i = 0; i < n / 256; i++, x += IQ3_S_B, y += Q8K_B) {
        // layout: fp16 d, qs[64] index low bytes, qh[8] (bit 8 of each index), signs[32], scales[4]
        const float d = _mm_cvtss_f32(ck_h2f2(x)) * YD(y);
        const uint8_t *qs = x + 2, *qh = x + 66, *sg = x + 74, *sc = x + 106;
        const int8_t *q8 = YQS(y);
        __m256i sumi = _mm256_setzero_si256();
        for (int ib = 0; ib < 8; ib++, qs += 8, sg += 4, q8 += 32) {
            const int h = qh[ib];
            int idx[8];
            for (int k = 0; k < 8; k++) idx[k] = qs[k] | (((h >> k) & 1) << 8);
            const __m256i g = _mm256_setr_epi32((int)ck_iq3s_grid[idx[0]], (int)ck_iq3s_grid[idx[1]], (int)ck_iq3s_grid[idx[2]],
                                                (int)ck_iq3s_grid[idx[3]], (int)ck_iq3s_grid[idx[4]], (int)ck_iq3s_grid[idx[5]],
                                                (int)ck_iq3s_grid[idx[6]], (int)ck_iq3s_grid[idx[7]]);
            uint32_t bits;
            memcpy(&bits, sg, 4);
            const __m256i s = sign_bytes(bits);
            const __m256i q8s = _mm256_sub_epi8(_mm256_xor_si256(s, _mm256_loadu_si256((const __m256i *)q8)), s);
            const int ls = ib & 1 ? sc[ib / 2] >> 4 : sc[ib / 2] & 0xF;
            sumi = _mm256_add_epi32(sumi, _mm256_madd_epi16(_mm256_maddubs_epi16(g, q8s), _mm256_set1_epi16((short)(2 * ls + 1))));
        }
        acc = _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(sumi), acc);
    }
    return ck_hsum8(acc);
}

/// ggml's mul_add_epi8: maddubs(|x|, sign(y, x)) (x here: grid bytes -1, 0, 1).
CK_INLINE __m256i mul_add_i8(__m256i x, __m256i y) {
    return _mm256_maddubs_epi16(_mm256_sign_epi8(x, x), _mm256_sign_epi8(y, x));
}

CK_TARGET float ckernels_dot_iq1_s_q8_K(ptrdiff_t n, const void *vx, const void *vy) {
    const uint8_t *x = vx, *y = vy;
    __m256 acc = _mm256_setzero_ps();
    float acc1 = 0;
    for (ptrdiff_t i = 0; i < n / 256; i++, x += IQ1_S_B, y += Q8K_B) {
        // layout: fp16 d, qs[32] index low bytes, qh[8] (uint16: 4 × 3 high index bits, 3-bit scale, delta sign)
        const uint8_t *qs = x + 2;
        uint16_t qh[8];
        memcpy(qh, x + 34, 16);
        int16_t bsums[16];
        memcpy(bsums, y + 260, 32);
        const int8_t *q8 = YQS(y);
        __m256i sumi = _mm256_setzero_si256();
        int sumi1 = 0;
        for (int ib = 0; ib < 8; ib++, qs += 4, q8 += 32) {
            const int h = qh[ib];
            const __m256i g = _mm256_setr_epi64x((long long)ck_iq1s_grid[qs[0] | ((h << 8) & 0x700)],
                                                 (long long)ck_iq1s_grid[qs[1] | ((h << 5) & 0x700)],
                                                 (long long)ck_iq1s_grid[qs[2] | ((h << 2) & 0x700)],
                                                 (long long)ck_iq1s_grid[qs[3] | ((h >> 1) & 0x700)]);
            const int ls = 2 * ((h >> 12) & 7) + 1;
            sumi = _mm256_add_epi32(sumi, _mm256_madd_epi16(mul_add_i8(g, _mm256_loadu_si256((const __m256i *)q8)),
                                                            _mm256_set1_epi16((short)ls)));
            sumi1 += (bsums[2 * ib] + bsums[2 * ib + 1]) * (h & 0x8000 ? -1 : 1) * ls;
        }
        const float d = YD(y) * _mm_cvtss_f32(ck_h2f2(x));
        acc = _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(sumi), acc);
        acc1 = ck_fma(d, (float)sumi1, acc1);
    }
    return ck_fma(0.125f, acc1, ck_hsum8(acc));
}

CK_TARGET float ckernels_dot_iq1_m_q8_K(ptrdiff_t n, const void *vx, const void *vy) {
    const uint8_t *x = vx, *y = vy;
    const __m256i one8 = _mm256_set1_epi8(1);
    __m256 acc1 = _mm256_setzero_ps(), acc2 = _mm256_setzero_ps();
    for (ptrdiff_t i = 0; i < n / 256; i++, x += IQ1_M_B, y += Q8K_B) {
        // layout: qs[32] index low bytes, qh[16] (per index 3 high bits and a delta sign), scales[8] (4 × uint16:
        // 4 × 3-bit scales and 4 bits of the fp16 super-scale)
        const uint8_t *qs = x, *qh = x + 32;
        uint16_t sc[4];
        memcpy(sc, x + 48, 8);
        const uint16_t s16 = (uint16_t)((sc[0] >> 12) | ((sc[1] >> 8) & 0x00f0) | ((sc[2] >> 4) & 0x0f00) | (sc[3] & 0xf000));
        const int8_t *q8 = YQS(y);
        __m256i sumi1 = _mm256_setzero_si256(), sumi2 = _mm256_setzero_si256();
        for (int ib = 0; ib < 8; ib++, qs += 4, qh += 2, q8 += 32) {
            const __m256i g = _mm256_setr_epi64x((long long)ck_iq1s_grid[qs[0] | ((qh[0] << 8) & 0x700)],
                                                 (long long)ck_iq1s_grid[qs[1] | ((qh[0] << 4) & 0x700)],
                                                 (long long)ck_iq1s_grid[qs[2] | ((qh[1] << 8) & 0x700)],
                                                 (long long)ck_iq1s_grid[qs[3] | ((qh[1] << 4) & 0x700)]);
            const long long neg = -1, pos = 0x0101010101010101LL;
            const __m256i delta = _mm256_setr_epi64x(qh[0] & 0x08 ? neg : pos, qh[0] & 0x80 ? neg : pos,
                                                     qh[1] & 0x08 ? neg : pos, qh[1] & 0x80 ? neg : pos);
            const __m256i q8v = _mm256_loadu_si256((const __m256i *)q8);
            const int w = sc[ib / 2] >> (6 * (ib & 1));   // 3-bit scales of the two 16s of this 32
            const __m256i scale = scale_halves(2 * (w & 7) + 1, 2 * ((w >> 3) & 7) + 1);
            sumi1 = _mm256_add_epi32(sumi1, _mm256_madd_epi16(mul_add_i8(g, q8v), scale));
            sumi2 = _mm256_add_epi32(sumi2, _mm256_madd_epi16(_mm256_maddubs_epi16(one8, _mm256_sign_epi8(q8v, delta)), scale));
        }
        const float ds = _mm_cvtss_f32(_mm_cvtph_ps(_mm_cvtsi32_si128((int)s16)));   // the fp16 super-scale
        const __m256 d = _mm256_set1_ps(YD(y) * ds);
        acc1 = _mm256_fmadd_ps(d, _mm256_cvtepi32_ps(sumi1), acc1);
        acc2 = _mm256_fmadd_ps(d, _mm256_cvtepi32_ps(sumi2), acc2);
    }
    return ck_fma(0.125f, ck_hsum8(acc2), ck_hsum8(acc1));
}
#endif
