// Softmax and SwiGLU with ggml's vectorized exp (ggml_v_expf, AVX2+FMA variant) and its chunking.
#include "CRunnerOps.h"

#if defined(__x86_64__)
#include "simd.h"
#include <math.h>

/// ggml_v_expf for 8 floats: exp(x) = 2^n · (1 + p(b)) with n = round(x·log2 e), b = x − n·ln 2 in
/// two parts; |n| > 126 takes the scaled path (and |n| > 192 saturates to 0 or inf). The same
/// operations in the same order as ggml's, constants included (max error ~1.5 ulp).
ROPS_TARGET static inline __m256 v_expf(__m256 x) {
    const __m256 shift = _mm256_set1_ps(0x1.8p23f);
    const __m256 z = _mm256_fmadd_ps(x, _mm256_set1_ps(0x1.715476p+0f), shift);
    const __m256 n = _mm256_sub_ps(z, shift);
    const __m256 b = _mm256_fnmadd_ps(n, _mm256_set1_ps(0x1.7f7d1cp-20f),
                                      _mm256_fnmadd_ps(n, _mm256_set1_ps(0x1.62e4p-1f), x));
    const __m256i e = _mm256_slli_epi32(_mm256_castps_si256(z), 23);
    const __m256 k = _mm256_castsi256_ps(_mm256_add_epi32(e, _mm256_castps_si256(_mm256_set1_ps(1))));
    const __m256 absn = _mm256_andnot_ps(_mm256_set1_ps(-0.f), n);
    const __m256 big = _mm256_cmp_ps(absn, _mm256_set1_ps(126), _CMP_GT_OQ);
    const __m256 u = _mm256_mul_ps(b, b);
    const __m256 hi = _mm256_fmadd_ps(_mm256_set1_ps(0x1.0e4020p-7f), b, _mm256_set1_ps(0x1.573e2ep-5f));
    const __m256 lo = _mm256_fmadd_ps(_mm256_set1_ps(0x1.555e66p-3f), b, _mm256_set1_ps(0x1.fffdb6p-2f));
    const __m256 j = _mm256_fmadd_ps(_mm256_fmadd_ps(hi, u, lo), u, _mm256_mul_ps(_mm256_set1_ps(0x1.ffffecp-1f), b));
    if (!_mm256_movemask_ps(big)) return _mm256_fmadd_ps(j, k, k);
    const __m256i g = _mm256_and_si256(_mm256_castps_si256(_mm256_cmp_ps(n, _mm256_setzero_ps(), _CMP_LE_OQ)),
                                       _mm256_set1_epi32((int)0x82000000u));
    const __m256 s1 = _mm256_castsi256_ps(_mm256_add_epi32(g, _mm256_set1_epi32(0x7f000000)));
    const __m256 s2 = _mm256_castsi256_ps(_mm256_sub_epi32(e, g));
    const __m256 huge = _mm256_cmp_ps(absn, _mm256_set1_ps(192), _CMP_GT_OQ);
    const __m256 scaled = _mm256_or_ps(_mm256_and_ps(big, _mm256_mul_ps(_mm256_fmadd_ps(s2, j, s2), s1)),
                                       _mm256_andnot_ps(big, _mm256_fmadd_ps(k, j, k)));
    return _mm256_or_ps(_mm256_and_ps(huge, _mm256_mul_ps(s1, s1)), _mm256_andnot_ps(huge, scaled));
}

ROPS_TARGET void rops_softmax(long n, long nkv, float *x, float scale) {
    float mx = -INFINITY;
    for (long i = 0; i < n; i++) {
        x[i] *= scale;
        mx = x[i] > mx ? x[i] : mx;
    }
    const __m256 vmax = _mm256_set1_ps(mx);
    double sum = 0;
    long i = 0;
    for (; i < n && i + 8 <= nkv; i += 8) {
        float t[8];
        for (int l = 0; l < 8; l++) t[l] = i + l < n ? x[i + l] : -INFINITY;   // masked: exp -> 0
        const __m256 v = v_expf(_mm256_sub_ps(_mm256_loadu_ps(t), vmax));
        _mm256_storeu_ps(t, v);
        for (int l = 0; l < 8 && i + l < n; l++) x[i + l] = t[l];
        sum += (double)rops_hsum8(v);
    }
    for (; i < n; i++) {
        const float v = expf(x[i] - mx);
        sum += (double)v;
        x[i] = v;
    }
    const float inv = (float)(1.0 / sum);
    for (long j = 0; j < n; j++) x[j] *= inv;
}

ROPS_TARGET void rops_swiglu(long n, float *g, const float *u) {
    long i = 0;
    const __m256 one = _mm256_set1_ps(1);
    for (; i + 8 <= n; i += 8) {
        const __m256 x = _mm256_loadu_ps(g + i);
        const __m256 e = v_expf(_mm256_sub_ps(_mm256_setzero_ps(), x));
        const __m256 s = _mm256_div_ps(x, _mm256_add_ps(one, e));
        _mm256_storeu_ps(g + i, _mm256_mul_ps(s, _mm256_loadu_ps(u + i)));
    }
    for (; i < n; i++) g[i] = g[i] / (1.0f + expf(-g[i])) * u[i];
}

#endif
