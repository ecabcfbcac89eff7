// MXFP4 codes of quantize_row_mxfp4_ref (ggml-base): best_index_mxfp4 on 8 values at once, byte-identical.
// The shared exponents are computed in Swift (glibc log2f, x86's float -> uint8_t conversion) and stored first.
#include "CKernels.h"
#if defined(__x86_64__)
#include "simd.h"

static const float kvalues_mxfp4_f[8] = { 0, 1, 2, 3, 4, 6, 8, 12 };   // kvalues_mxfp4[0..7]

/// Per lane best_index_mxfp4(x, d): the first i of the smallest fabsf(kvalues_mxfp4[i]*d - x). The table is
/// {0, +k} then {0, -k} for k = 1, 2, 3, 4, 6, 8, 12: for x >= 0 no negative candidate's error is below
/// index 0's (|-kd - x| = kd + x >= x, rounding being monotonic), for x < 0 no positive one's, and the
/// errors of -k for x equal those of +k for |x| (rounding is symmetric). So the search runs over the
/// magnitudes with |x| — the same subtractions up to sign, in C's order, with an ordered `<` (a NaN error
/// never replaces the best; index 0 wins every tie) — and a non-zero index moves to the negative half
/// (+8) when x < 0 (false for NaN).
CK_INLINE __m256i best8(__m256 x, const __m256 *cand) {
    const __m256 abs_mask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff));
    const __m256 ax = _mm256_and_ps(x, abs_mask);
    __m256 best = ax;   // |0*d - x|
    __m256i idx = _mm256_setzero_si256();
    for (int i = 1; i < 8; i++) {
        const __m256 err = _mm256_and_ps(_mm256_sub_ps(cand[i], ax), abs_mask);
        const __m256 m = _mm256_cmp_ps(err, best, _CMP_LT_OQ);
        best = _mm256_blendv_ps(best, err, m);
        idx = _mm256_castps_si256(_mm256_blendv_ps(_mm256_castsi256_ps(idx), _mm256_castsi256_ps(_mm256_set1_epi32(i)), m));
    }
    const __m256i neg = _mm256_castps_si256(_mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_LT_OQ));
    const __m256i nz = _mm256_cmpgt_epi32(idx, _mm256_setzero_si256());
    return _mm256_add_epi32(idx, _mm256_and_si256(_mm256_and_si256(neg, nz), _mm256_set1_epi32(8)));
}

CK_TARGET void ckernels_mxfp4_codes(const float *x, void *vy, ptrdiff_t nblocks) {
    uint8_t *y = vy;
    for (ptrdiff_t b = 0; b < nblocks; b++, x += 32, y += 17) {
        const uint8_t e = y[0];
        // GGML_E8M0_TO_FP32_HALF
        const uint32_t bits = e < 2 ? 0x00200000u << e : (uint32_t)(e - 1) << 23;
        float d;
        memcpy(&d, &bits, 4);
        __m256 cand[8];
        for (int i = 0; i < 8; i++) cand[i] = _mm256_set1_ps(kvalues_mxfp4_f[i] * d);
        const __m256i a0 = best8(_mm256_loadu_ps(x), cand), a1 = best8(_mm256_loadu_ps(x + 8), cand);
        const __m256i b0 = best8(_mm256_loadu_ps(x + 16), cand), b1 = best8(_mm256_loadu_ps(x + 24), cand);
        // byte j = code(j) | code(j + 16) << 4
        const __m256i r0 = _mm256_or_si256(a0, _mm256_slli_epi32(b0, 4));
        const __m256i r1 = _mm256_or_si256(a1, _mm256_slli_epi32(b1, 4));
        const __m256i p = _mm256_permute4x64_epi64(_mm256_packus_epi32(r0, r1), 0xD8);
        const __m128i bytes = _mm_packus_epi16(_mm256_castsi256_si128(p), _mm256_extracti128_si256(p, 1));
        _mm_storeu_si128((__m128i *)(y + 1), bytes);
    }
}
#endif
