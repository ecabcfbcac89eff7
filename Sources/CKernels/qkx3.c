// make_qkx3_quants of ggml-quants.c (the sub-block fit of the importance-weighted Q2_K/Q4_K/Q5_K/Q4_1/Q5_1
// quantizers), bit-identical, with its steps evaluated eight at a time in AVX2 lanes.
//
// The steps of C's search are independent but for one thing: when a step wins, `min` becomes its min and
// every later step computes its codes from the new `min`. So steps are evaluated in windows of eight (one
// lane each, each lane doing C's operations in C's order, element by element), compared in C's order, and
// the next window starts after the last step compared, or right after a winner that changed `min`.
#include "CKernels.h"
#if defined(__x86_64__)
#include "simd.h"
#include <math.h>

static inline int qkx3_nearest_int(float fval) {
    float val = fval + 12582912.f;
    int i;
    memcpy(&i, &val, sizeof(int));
    return (i & 0x007fffff) - 0x00400000;
}

/// nearest_int of each lane, clamped to 0...nmax, as floats.
CK_INLINE __m256 qkx3_codes(__m256 p, __m256i nmax) {
    const __m256i v = _mm256_castps_si256(_mm256_add_ps(p, _mm256_set1_ps(12582912.f)));
    const __m256i l = _mm256_sub_epi32(_mm256_and_si256(v, _mm256_set1_epi32(0x007fffff)), _mm256_set1_epi32(0x00400000));
    return _mm256_cvtepi32_ps(_mm256_max_epi32(_mm256_min_epi32(l, nmax), _mm256_setzero_si256()));
}

CK_TARGET float ckernels_make_qkx3_quants(int n, int nmax, const float *x, const float *weights, uint8_t *L, float *the_min,
                                          float rmin, float rdelta, int nstep) {
    float min = x[0];
    float max = x[0];
    float sum_w = weights[0];
    float sum_x = sum_w * x[0];
    for (int i = 1; i < n; ++i) {
        if (x[i] < min) min = x[i];
        if (x[i] > max) max = x[i];
        float w = weights[i];
        sum_w += w;
        sum_x += w * x[i];
    }
    if (min > 0) min = 0;
    if (max <= min) {
        memset(L, 0, n);
        *the_min = -min;
        return 0.f;
    }
    float iscale = nmax / (max - min);
    float scale = 1 / iscale;
    float best_mad = 0;
    for (int i = 0; i < n; ++i) {
        int l = qkx3_nearest_int(iscale * (x[i] - min));
        L[i] = l < 0 ? 0 : l > nmax ? nmax : l;
        float diff = scale * L[i] + min - x[i];
        diff = diff * diff;
        best_mad += weights[i] * diff;
    }
    if (nstep < 1) {
        *the_min = -min;
        return scale;
    }
    const __m256i vnmax = _mm256_set1_epi32(nmax);
    const __m256 vsw = _mm256_set1_ps(sum_w), vsx = _mm256_set1_ps(sum_x);
    float xm[64];
    float win_iscale = 0, win_min = 0;
    int have_winner = 0;
    int first = 0;
    while (first <= nstep) {
        const float base = min;
        for (int i = 0; i < n; ++i) xm[i] = x[i] - base;
        const float range = max - base;
        float isc[8];
        for (int k = 0; k < 8; ++k) {
            const int is = first + k <= nstep ? first + k : nstep;
            isc[k] = (rmin + rdelta * is + nmax) / range;
        }
        const __m256 vis = _mm256_loadu_ps(isc);
        __m256 sl = _mm256_setzero_ps(), sl2 = _mm256_setzero_ps(), sxl = _mm256_setzero_ps();
        for (int i = 0; i < n; ++i) {
            const __m256 fl = qkx3_codes(_mm256_mul_ps(vis, _mm256_set1_ps(xm[i])), vnmax);
            const __m256 wl = _mm256_mul_ps(_mm256_set1_ps(weights[i]), fl);
            sl = _mm256_add_ps(sl, wl);
            sl2 = _mm256_add_ps(sl2, _mm256_mul_ps(wl, fl));
            sxl = _mm256_add_ps(sxl, _mm256_mul_ps(wl, _mm256_set1_ps(x[i])));
        }
        const __m256 D = _mm256_sub_ps(_mm256_mul_ps(vsw, sl2), _mm256_mul_ps(sl, sl));
        __m256 ts = _mm256_div_ps(_mm256_sub_ps(_mm256_mul_ps(vsw, sxl), _mm256_mul_ps(vsx, sl)), D);
        __m256 tm = _mm256_div_ps(_mm256_sub_ps(_mm256_mul_ps(sl2, vsx), _mm256_mul_ps(sl, sxl)), D);
        const __m256 pos = _mm256_cmp_ps(tm, _mm256_setzero_ps(), _CMP_GT_OQ);
        tm = _mm256_blendv_ps(tm, _mm256_setzero_ps(), pos);
        ts = _mm256_blendv_ps(ts, _mm256_div_ps(sxl, sl2), pos);
        __m256 mad = _mm256_setzero_ps();
        for (int i = 0; i < n; ++i) {
            const __m256 fl = qkx3_codes(_mm256_mul_ps(vis, _mm256_set1_ps(xm[i])), vnmax);
            __m256 diff = _mm256_sub_ps(_mm256_add_ps(_mm256_mul_ps(ts, fl), tm), _mm256_set1_ps(x[i]));
            diff = _mm256_mul_ps(diff, diff);
            mad = _mm256_add_ps(mad, _mm256_mul_ps(_mm256_set1_ps(weights[i]), diff));
        }
        float d8[8], ts8[8], tm8[8], mad8[8];
        _mm256_storeu_ps(d8, D);
        _mm256_storeu_ps(ts8, ts);
        _mm256_storeu_ps(tm8, tm);
        _mm256_storeu_ps(mad8, mad);
        int next = first + 8;
        for (int k = 0; k < 8 && first + k <= nstep; ++k) {
            if (d8[k] > 0 && mad8[k] < best_mad) {
                best_mad = mad8[k];
                scale = ts8[k];
                win_iscale = isc[k];
                win_min = base;
                have_winner = 1;
                uint32_t a, b;
                memcpy(&a, &tm8[k], 4);
                memcpy(&b, &min, 4);
                min = tm8[k];
                if (a != b) { next = first + k + 1; break; }
            }
        }
        first = next;
    }
    if (have_winner) {
        for (int i = 0; i < n; ++i) {
            int l = qkx3_nearest_int(win_iscale * (x[i] - win_min));
            L[i] = l < 0 ? 0 : l > nmax ? nmax : l;
        }
    }
    *the_min = -min;
    return scale;
}
#endif

#if defined(__x86_64__)
/// make_qx_quants(n, nmax, x, L, rmse_type = 1, qw) of ggml-quants.c with weights (Q3_K, Q6_K, Q4_0, Q5_0 given
/// an imatrix), bit-identical: the 19 candidate scales in three AVX2 vectors, one lane each, every lane
/// doing C's operations in C's order; compared in C's order; L filled once from the winner.
CK_TARGET float ckernels_make_qx_quants_w(int n, int nmax, const float *x, int8_t *L, const float *qw) {
    float max = 0, amax = 0;
    for (int i = 0; i < n; ++i) {
        float ax = fabsf(x[i]);
        if (ax > amax) { amax = ax; max = x[i]; }
    }
    if (amax < 1e-15f) {
        for (int i = 0; i < n; ++i) L[i] = 0;
        return 0.f;
    }
    float isc[24];
    isc[0] = -nmax / max;
    for (int k = 1; k < 24; ++k) {
        const int is = k <= 9 ? k - 10 : k <= 18 ? k - 9 : 9;
        isc[k] = -(nmax + 0.1f * is) / max;
    }
    const __m256 a0 = _mm256_loadu_ps(isc), a1 = _mm256_loadu_ps(isc + 8), a2 = _mm256_loadu_ps(isc + 16);
    const __m256i lo = _mm256_set1_epi32(-nmax), hi = _mm256_set1_epi32(nmax - 1);
    const __m256 magic = _mm256_set1_ps(12582912.f);
    const __m256i mant = _mm256_set1_epi32(0x007fffff), half = _mm256_set1_epi32(0x00400000);
#define QX_CODES(p) _mm256_cvtepi32_ps(_mm256_max_epi32(_mm256_min_epi32(_mm256_sub_epi32(_mm256_and_si256( \
        _mm256_castps_si256(_mm256_add_ps((p), magic)), mant), half), hi), lo))
    __m256 lx0 = _mm256_setzero_ps(), lx1 = lx0, lx2 = lx0, l20 = lx0, l21 = lx0, l22 = lx0;
    for (int i = 0; i < n; ++i) {
        const __m256 xi = _mm256_set1_ps(x[i]), w = _mm256_set1_ps(qw[i]);
        const __m256 wx = _mm256_set1_ps(qw[i] * x[i]);
        const __m256 f0 = QX_CODES(_mm256_mul_ps(a0, xi)), f1 = QX_CODES(_mm256_mul_ps(a1, xi)), f2 = QX_CODES(_mm256_mul_ps(a2, xi));
        lx0 = _mm256_add_ps(lx0, _mm256_mul_ps(wx, f0));
        lx1 = _mm256_add_ps(lx1, _mm256_mul_ps(wx, f1));
        lx2 = _mm256_add_ps(lx2, _mm256_mul_ps(wx, f2));
        l20 = _mm256_add_ps(l20, _mm256_mul_ps(_mm256_mul_ps(w, f0), f0));
        l21 = _mm256_add_ps(l21, _mm256_mul_ps(_mm256_mul_ps(w, f1), f1));
        l22 = _mm256_add_ps(l22, _mm256_mul_ps(_mm256_mul_ps(w, f2), f2));
    }
#undef QX_CODES
    float sx[24], s2[24];
    _mm256_storeu_ps(sx, lx0); _mm256_storeu_ps(sx + 8, lx1); _mm256_storeu_ps(sx + 16, lx2);
    _mm256_storeu_ps(s2, l20); _mm256_storeu_ps(s2 + 8, l21); _mm256_storeu_ps(s2 + 16, l22);
    float scale = s2[0] ? sx[0] / s2[0] : 0.0f;
    float best = scale * sx[0];
    int bl = 0;
    for (int k = 1; k < 19; ++k) {
        if (s2[k] > 0 && sx[k] * sx[k] > best * s2[k]) {
            scale = sx[k] / s2[k];
            best = scale * sx[k];
            bl = k;
        }
    }
    for (int i = 0; i < n; ++i) {
        int l = qkx3_nearest_int(isc[bl] * x[i]);
        l = l < -nmax ? -nmax : l > nmax - 1 ? nmax - 1 : l;
        L[i] = (int8_t)(nmax + l);
    }
    return scale;
}
#endif
