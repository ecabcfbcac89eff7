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
