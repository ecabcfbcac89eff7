// Dot products of the 16-value lookup types following ggml's x86 AVX2 code (arch/x86/quants.c): IQ4_NL and
// MXFP4 with Q8_0 activations (blocks of 32 in pairs, two float accumulators, an odd last block in scalar
// code), IQ4_XS with Q8_K (per super-block 8 int32 lanes, fused into one accumulator).
#include "CKernels.h"
#if defined(__x86_64__)
#include "simd.h"

static const int8_t kvalues_iq4nl[16] = { -127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113 };
static const int8_t kvalues_fp4[16] = { 0, 1, 2, 3, 4, 6, 8, 12, 0, -1, -2, -3, -4, -6, -8, -12 };

/// The 32 values of 16 nibble bytes through a 16-entry table: low nibbles (elements 0-15), then high (16-31).
CK_INLINE __m256i lookup32(const uint8_t *qs, __m128i table) {
    const __m128i b = _mm_loadu_si128((const __m128i *)qs), m4 = _mm_set1_epi8(0x0F);
    return _mm256_setr_m128i(_mm_shuffle_epi8(table, _mm_and_si128(b, m4)),
                             _mm_shuffle_epi8(table, _mm_and_si128(_mm_srli_epi16(b, 4), m4)));
}

/// maddubs(|x|, sign(y, x)): 16 int16 sums of pairs.
CK_INLINE __m256i mul_add_i8(__m256i x, __m256i y) {
    return _mm256_maddubs_epi16(_mm256_sign_epi8(x, x), _mm256_sign_epi8(y, x));
}

/// GGML_E8M0_TO_FP32_HALF: 2^(e - 128) (e < 2: the subnormal halves).
CK_INLINE float e8m0_half(uint8_t e) {
    const uint32_t bits = e < 2 ? 0x00200000u << e : (uint32_t)(e - 1) << 23;
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

/// The fp16 at p as float (F16C, = ggml's conversion).
CK_INLINE float h2f(const uint8_t *p) {
    uint16_t h;
    memcpy(&h, p, 2);
    return _mm_cvtss_f32(_mm_cvtph_ps(_mm_cvtsi32_si128(h)));
}

/// IQ4_NL (fp16 d, qs[16]) or MXFP4 (e8m0 e, qs[16]) · Q8_0, the shared structure of both ggml kernels.
CK_INLINE float dot_lut_q8_0(ptrdiff_t n, const uint8_t *x, const uint8_t *y, int mx) {
    const int xb = mx ? 17 : 18, qoff = mx ? 1 : 2;
    const int8_t *tab = mx ? kvalues_fp4 : kvalues_iq4nl;
    const __m128i table = _mm_loadu_si128((const __m128i *)tab);
    const __m256i one = _mm256_set1_epi16(1);
    const ptrdiff_t nb = n / 32;
    ptrdiff_t ib = 0;
    __m256 acc1 = _mm256_setzero_ps(), acc2 = _mm256_setzero_ps();
    for (; ib + 1 < nb; ib += 2) {
        const uint8_t *x0 = x + ib * xb, *x1 = x0 + xb, *y0 = y + ib * 34, *y1 = y0 + 34;
        const __m256i p1 = _mm256_madd_epi16(mul_add_i8(lookup32(x0 + qoff, table), _mm256_loadu_si256((const __m256i *)(y0 + 2))), one);
        const __m256i p2 = _mm256_madd_epi16(mul_add_i8(lookup32(x1 + qoff, table), _mm256_loadu_si256((const __m256i *)(y1 + 2))), one);
        const float d1 = mx ? h2f(y0) * e8m0_half(x0[0]) : h2f(y0) * h2f(x0);
        const float d2 = mx ? h2f(y1) * e8m0_half(x1[0]) : h2f(y1) * h2f(x1);
        acc1 = _mm256_fmadd_ps(_mm256_set1_ps(d1), _mm256_cvtepi32_ps(p1), acc1);
        acc2 = _mm256_fmadd_ps(_mm256_set1_ps(d2), _mm256_cvtepi32_ps(p2), acc2);
    }
    float sumf = ck_hsum8(_mm256_add_ps(acc1, acc2));
    for (; ib < nb; ib++) {
        const uint8_t *xq = x + ib * xb, *yq = y + ib * 34;
        const float d = mx ? h2f(yq) * e8m0_half(xq[0]) : h2f(yq) * h2f(xq);
        const int8_t *q8 = (const int8_t *)(yq + 2);
        int s1 = 0, s2 = 0;
        for (int j = 0; j < 16; j++) {
            s1 += q8[j] * tab[xq[qoff + j] & 0xF];
            s2 += q8[j + 16] * tab[xq[qoff + j] >> 4];
        }
        sumf = ck_fma(d, (float)(s1 + s2), sumf);   // GCC fuses sumf += d * (sumi1 + sumi2)
    }
    return sumf;
}

CK_TARGET float ckernels_dot_iq4_nl_q8_0(ptrdiff_t n, const void *x, const void *y) { return dot_lut_q8_0(n, x, y, 0); }
CK_TARGET float ckernels_dot_mxfp4_q8_0(ptrdiff_t n, const void *x, const void *y) { return dot_lut_q8_0(n, x, y, 1); }

CK_TARGET float ckernels_dot_iq4_xs_q8_K(ptrdiff_t n, const void *vx, const void *vy) {
    const uint8_t *x = vx, *y = vy;
    const __m128i table = _mm_loadu_si128((const __m128i *)kvalues_iq4nl);
    __m256 acc = _mm256_setzero_ps();
    for (ptrdiff_t i = 0; i < n / 256; i++, x += 136, y += 292) {
        // layout: fp16 d, uint16 scales_h (2 high bits per 32), scales_l[4] (4 low bits per 32), qs[128]
        uint16_t sh;
        memcpy(&sh, x + 2, 2);
        const uint8_t *sl = x + 4, *qs = x + 8;
        const int8_t *q8 = (const int8_t *)y + 4;
        __m256i sumi = _mm256_setzero_si256();
        for (int ib = 0; ib < 8; ib++, qs += 16, q8 += 32) {
            const int ls = (((sl[ib / 2] >> (4 * (ib & 1))) & 0xF) | (((sh >> (2 * ib)) & 3) << 4)) - 32;
            const __m256i p16 = mul_add_i8(lookup32(qs, table), _mm256_loadu_si256((const __m256i *)q8));
            sumi = _mm256_add_epi32(sumi, _mm256_madd_epi16(p16, _mm256_set1_epi16((short)ls)));
        }
        acc = _mm256_fmadd_ps(_mm256_set1_ps(h2f(x) * ck_f32(y)), _mm256_cvtepi32_ps(sumi), acc);
    }
    return ck_hsum8(acc);
}
#endif
