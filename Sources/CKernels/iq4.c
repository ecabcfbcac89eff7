// The scale search of quantize_row_iq4_nl_impl (ggml-base; IQ4_NL and IQ4_XS, ntry = 7) for one sub-block of
// 32, byte-identical: its 16 passes (the first with id = 1/d, then itry = -7 ... 7) are independent, so they run
// as 16 lanes, each summing w*q*x and w*q*q over the 32 values in element order, exactly as C's loop does for
// that pass. Swift then replays C's sequence of comparisons over the 16 sums.
#include "CKernels.h"
#if defined(__x86_64__)
#include "simd.h"

static const float kvalues_iq4nl_f[16] = { -127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113 };

/// Entry idx (0 ... 15) of the table held as two halves.
CK_INLINE __m256 lookup16(__m256i idx, __m256 t_lo, __m256 t_hi) {
    const __m256 a = _mm256_permutevar8x32_ps(t_lo, idx), b = _mm256_permutevar8x32_ps(t_hi, idx);
    return _mm256_blendv_ps(a, b, _mm256_castsi256_ps(_mm256_cmpgt_epi32(idx, _mm256_set1_epi32(7))));
}

/// best_index_int8(16, kvalues_iq4nl, al) per lane, and the value there. The bisection ends on mu = 1 + the
/// number of values[1 ... 14] <= al; C's early returns (al <= -127: 0, al >= 113: 15) give what the final
/// comparison gives with that mu; a NaN goes to 15.
CK_INLINE __m256i best_index8(__m256 al, __m256 t_lo, __m256 t_hi, __m256 *q) {
    __m256i cnt = _mm256_set1_epi32(1);
    for (int k = 1; k < 15; k++)
        cnt = _mm256_sub_epi32(cnt, _mm256_castps_si256(_mm256_cmp_ps(al, _mm256_set1_ps(kvalues_iq4nl_f[k]), _CMP_GE_OQ)));
    const __m256 lo = lookup16(_mm256_sub_epi32(cnt, _mm256_set1_epi32(1)), t_lo, t_hi), hi = lookup16(cnt, t_lo, t_hi);
    const __m256 take = _mm256_cmp_ps(_mm256_sub_ps(al, lo), _mm256_sub_ps(hi, al), _CMP_LT_OQ);
    const __m256 nan = _mm256_cmp_ps(al, al, _CMP_UNORD_Q);
    __m256i idx = _mm256_add_epi32(cnt, _mm256_castps_si256(take));
    idx = _mm256_castps_si256(_mm256_blendv_ps(_mm256_castsi256_ps(idx), _mm256_castsi256_ps(_mm256_set1_epi32(15)), nan));
    *q = _mm256_blendv_ps(_mm256_blendv_ps(hi, lo, take), _mm256_set1_ps(113.0f), nan);
    return idx;
}

CK_TARGET void ckernels_iq4_passes(const float *x, const float *w, float id0, float max, float *sumqx, float *sumq2, uint8_t *L) {
    const __m256 t_lo = _mm256_loadu_ps(kvalues_iq4nl_f), t_hi = _mm256_loadu_ps(kvalues_iq4nl_f + 8);
    float ids[16];
    ids[0] = id0;
    for (int itry = -7; itry <= 7; itry++) ids[itry + 8] = (float)(itry + -127) / max;
    const __m256 id_a = _mm256_loadu_ps(ids), id_b = _mm256_loadu_ps(ids + 8);
    __m256 sx_a = _mm256_setzero_ps(), sx_b = _mm256_setzero_ps(), s2_a = _mm256_setzero_ps(), s2_b = _mm256_setzero_ps();
    for (int j = 0; j < 32; j++) {
        const __m256 xj = _mm256_set1_ps(x[j]), wj = _mm256_set1_ps(w[j]);
        __m256 qa, qb;
        const __m256i ia = best_index8(_mm256_mul_ps(id_a, xj), t_lo, t_hi, &qa);
        best_index8(_mm256_mul_ps(id_b, xj), t_lo, t_hi, &qb);
        L[j] = (uint8_t)_mm256_cvtsi256_si32(ia);
        const __m256 wqa = _mm256_mul_ps(wj, qa), wqb = _mm256_mul_ps(wj, qb);
        sx_a = _mm256_add_ps(sx_a, _mm256_mul_ps(wqa, xj));
        sx_b = _mm256_add_ps(sx_b, _mm256_mul_ps(wqb, xj));
        s2_a = _mm256_add_ps(s2_a, _mm256_mul_ps(wqa, qa));
        s2_b = _mm256_add_ps(s2_b, _mm256_mul_ps(wqb, qb));
    }
    _mm256_storeu_ps(sumqx, sx_a); _mm256_storeu_ps(sumqx + 8, sx_b);
    _mm256_storeu_ps(sumq2, s2_a); _mm256_storeu_ps(sumq2 + 8, s2_b);
}
#endif
