// The neighbour search of ggml's 2-bit, 8-value grid quantizers (iq2_find_best_neighbour, IQ2_XXS/IQ2_XS/IQ2_S;
// iq1_find_best_neighbour2, IQ1_S/IQ1_M), eight neighbours per step, byte-identical: every term w·diff·diff
// depends only on (value i, level), so the caller computes them once into t[stride·i + level]; lane k sums the
// eight terms of neighbour j + k in i order (the same floats as ggml's loop), then the lanes are compared in
// list order with a strict `<` from FLT_MAX, as ggml's loop compares them.
#include "CKernels.h"
#if defined(__x86_64__)
#include <float.h>
#include "simd.h"

CK_TARGET int ckernels_grid8_search(const uint16_t *nb, int count, const uint32_t *packed, const float *t, int stride,
                                    float *best_out) {
    float best = FLT_MAX;
    int index = -1;
    int j = 0;
    const __m256i three = _mm256_set1_epi32(3);
    for (; j + 8 <= count; j += 8) {
        const __m256i id = _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)(nb + j)));
        const __m256i p = _mm256_i32gather_epi32((const int *)packed, id, 4);
        __m256 d = _mm256_setzero_ps();
        for (int i = 0; i < 8; i++) {
            const __m256i l = _mm256_and_si256(_mm256_srlv_epi32(p, _mm256_set1_epi32(2 * i)), three);
            d = _mm256_add_ps(d, _mm256_i32gather_ps(t, _mm256_add_epi32(l, _mm256_set1_epi32(stride * i)), 4));
        }
        float dd[8];
        _mm256_storeu_ps(dd, d);
        for (int k = 0; k < 8; k++) {
            if (dd[k] < best) { best = dd[k]; index = nb[j + k]; }
        }
    }
    for (; j < count; j++) {
        const uint32_t p = packed[nb[j]];
        float d2 = 0;
        for (int i = 0; i < 8; i++) d2 += t[stride * i + ((p >> (2 * i)) & 3)];
        if (d2 < best) { best = d2; index = nb[j]; }
    }
    *best_out = best;
    return index;
}
#endif
