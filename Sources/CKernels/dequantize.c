// Dequantizers of ggml-quants.c (`dequantize_row_*`, ggml's to_float) vectorized with AVX2, bit-identical:
// each value is the same one multiply (and one subtract) in single precision, never fused (this target
// builds with -ffp-contract=off). Only types whose Swift dequantizer fell behind llama.cpp's live here.
#include "CKernels.h"
#if defined(__x86_64__)
#include "simd.h"

/// 8 codes (int8 at p) as floats.
CK_INLINE __m256 s8x8(const void *p) {
    return _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)p)));
}

/// 8 bytes at p as floats 0 ... 255.
CK_INLINE __m256 u8x8(const uint8_t *p) {
    return _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)p)));
}

CK_TARGET void ckernels_dequantize_q8_0(const void *vx, float *y, ptrdiff_t n) {
    const uint8_t *x = vx;
    for (ptrdiff_t i = 0; i < n / 32; i++, x += 34, y += 32) {
        const __m256 d = _mm256_set1_ps(_mm_cvtss_f32(ck_h2f2(x)));
        for (int j = 0; j < 32; j += 8) _mm256_storeu_ps(y + j, _mm256_mul_ps(s8x8(x + 2 + j), d));
    }
}

/// 32 values d·q − m of one sub-block; `codes` gives the 32 codes as bytes.
CK_INLINE void store_dm32(float *y, const uint8_t *codes, float d, float m) {
    const __m256 vd = _mm256_set1_ps(d), vm = _mm256_set1_ps(m);
    for (int l = 0; l < 32; l += 8) _mm256_storeu_ps(y + l, _mm256_sub_ps(_mm256_mul_ps(vd, u8x8(codes + l)), vm));
}

/// Q4_K (qs at +16) and Q5_K (qh at +16, qs at +48): nibbles, plus 16 where the sub-block's qh bit is set.
CK_INLINE void dequantize_k4(const uint8_t *x, float *y, ptrdiff_t n, int bytes, int five) {
    const __m256i m4 = _mm256_set1_epi8(0x0F), sixteen = _mm256_set1_epi8(16);
    for (ptrdiff_t i = 0; i < n / 256; i++, x += bytes, y += 256) {
        const __m128 dm = ck_h2f2(x);
        const float d = _mm_cvtss_f32(dm), dmin = ck_lane1(dm);
        int16_t sm[16];   // scales 0-7, mins 8-15
        _mm256_storeu_si256((__m256i *)sm, scales_mins_k4(x + 4));
        const uint8_t *qs = x + (five ? 48 : 16);
        const __m256i qh = five ? _mm256_loadu_si256((const __m256i *)(x + 16)) : _mm256_setzero_si256();
        for (int j = 0; j < 4; j++, qs += 32) {
            const __m256i bits = _mm256_loadu_si256((const __m256i *)qs);
            __m256i lo = _mm256_and_si256(bits, m4), hi = _mm256_and_si256(_mm256_srli_epi16(bits, 4), m4);
            if (five) {
                const __m256i b0 = _mm256_set1_epi8((char)(1 << (2 * j))), b1 = _mm256_set1_epi8((char)(1 << (2 * j + 1)));
                lo = _mm256_add_epi8(lo, _mm256_and_si256(_mm256_cmpeq_epi8(_mm256_and_si256(qh, b0), b0), sixteen));
                hi = _mm256_add_epi8(hi, _mm256_and_si256(_mm256_cmpeq_epi8(_mm256_and_si256(qh, b1), b1), sixteen));
            }
            uint8_t codes[64];
            _mm256_storeu_si256((__m256i *)codes, lo);
            _mm256_storeu_si256((__m256i *)(codes + 32), hi);
            store_dm32(y + 64 * j, codes, d * sm[2 * j], dmin * sm[8 + 2 * j]);
            store_dm32(y + 64 * j + 32, codes + 32, d * sm[2 * j + 1], dmin * sm[8 + 2 * j + 1]);
        }
    }
}

CK_TARGET void ckernels_dequantize_q4_K(const void *x, float *y, ptrdiff_t n) { dequantize_k4(x, y, n, 144, 0); }
CK_TARGET void ckernels_dequantize_q5_K(const void *x, float *y, ptrdiff_t n) { dequantize_k4(x, y, n, 176, 1); }
#endif
