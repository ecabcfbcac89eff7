// Weight quantizers of ggml-quants.c (the reference `quantize_row_*_ref` that llama-quantize runs),
// vectorized with AVX2 and byte-identical to them. Only types whose Swift quantizer fell behind
// llama.cpp's live here; GGUFKernels keeps the Swift ones for other CPUs and as the tested reference.
#include "CKernels.h"
#if defined(__x86_64__)
#include "simd.h"
#include <float.h>
#include <math.h>

/// GGML_FP32_TO_FP16 of ggml-base (software, round to nearest even): F16C gives the same bits for every
/// value but NaN, which ggml turns into sign | 0x7E00.
CK_INLINE uint16_t f2h_ref(float f) {
    uint32_t w;
    memcpy(&w, &f, 4);
    if ((w << 1) > 0xFF000000u) return (uint16_t)((w >> 16) & 0x8000) | 0x7E00;
    return ck_f2h(f);
}

/// Element j as ggml computes it: MIN(15, (int8_t)((x - min) * id + 0.5f)), where the cast truncates
/// (cvttss2si: 0x80000000 out of range) and keeps the low byte, signed. Separate multiply and add, no fusing.
CK_INLINE __m256i q4_1_codes(__m256 x, __m256 vmin, __m256 vid) {
    const __m256 v = _mm256_add_ps(_mm256_mul_ps(_mm256_sub_ps(x, vmin), vid), _mm256_set1_ps(0.5f));
    const __m256i t = _mm256_srai_epi32(_mm256_slli_epi32(_mm256_cvttps_epi32(v), 24), 24);
    return _mm256_min_epi32(t, _mm256_set1_epi32(15));
}

/// Minimum and maximum of one block exactly as ggml's loop finds them (`if (v < min) min = v; if (v >
/// max) max = v;` from FLT_MAX / -FLT_MAX): NaN never wins, and of +0 and -0 the first seen is kept. The
/// lanes give the values; only a zero result can depend on the order, and then the loop is run as written.
CK_INLINE void min_max_32(const float *x, float *mn, float *mx) {
    __m256 lo = _mm256_set1_ps(FLT_MAX), hi = _mm256_set1_ps(-FLT_MAX);
    for (int k = 0; k < 4; k++) {
        const __m256 v = _mm256_loadu_ps(x + 8 * k);
        lo = _mm256_min_ps(v, lo); // v < lo ? v : lo (NaN v keeps lo)
        hi = _mm256_max_ps(v, hi);
    }
    __m128 l = _mm_min_ps(_mm256_castps256_ps128(lo), _mm256_extractf128_ps(lo, 1));
    __m128 h = _mm_max_ps(_mm256_castps256_ps128(hi), _mm256_extractf128_ps(hi, 1));
    l = _mm_min_ps(l, _mm_movehl_ps(l, l));
    h = _mm_max_ps(h, _mm_movehl_ps(h, h));
    *mn = _mm_cvtss_f32(_mm_min_ss(l, _mm_movehdup_ps(l)));
    *mx = _mm_cvtss_f32(_mm_max_ss(h, _mm_movehdup_ps(h)));
    if (*mn == 0 || *mx == 0) {
        float a = FLT_MAX, b = -FLT_MAX;
        for (int j = 0; j < 32; j++) {
            if (x[j] < a) a = x[j];
            if (x[j] > b) b = x[j];
        }
        *mn = a;
        *mx = b;
    }
}

CK_TARGET void ckernels_quantize_q4_1(const float *x, void *vy, ptrdiff_t n) {
    uint8_t *y = vy;
    for (ptrdiff_t i = 0; i < n / 32; i++, x += 32, y += 20) {
        float min, max;
        min_max_32(x, &min, &max);
        const float d = (max - min) / 15;
        const float id = d != 0 ? 1.0f / d : 0.0f;
        const uint16_t hd = f2h_ref(d), hm = f2h_ref(min);
        memcpy(y, &hd, 2);
        memcpy(y + 2, &hm, 2);
        const __m256 vmin = _mm256_set1_ps(min), vid = _mm256_set1_ps(id);
        // byte j = code(j) | code(j + 16) << 4, low byte kept
        const __m256i mask = _mm256_set1_epi32(0xFF);
        const __m256i a0 = q4_1_codes(_mm256_loadu_ps(x), vmin, vid);
        const __m256i a1 = q4_1_codes(_mm256_loadu_ps(x + 8), vmin, vid);
        const __m256i b0 = q4_1_codes(_mm256_loadu_ps(x + 16), vmin, vid);
        const __m256i b1 = q4_1_codes(_mm256_loadu_ps(x + 24), vmin, vid);
        const __m256i r0 = _mm256_and_si256(_mm256_or_si256(a0, _mm256_slli_epi32(b0, 4)), mask);
        const __m256i r1 = _mm256_and_si256(_mm256_or_si256(a1, _mm256_slli_epi32(b1, 4)), mask);
        // int32 lanes -> bytes in order: packus gives [r0 0-3, r1 0-3, r0 4-7, r1 4-7] as int16
        const __m256i p = _mm256_permute4x64_epi64(_mm256_packus_epi32(r0, r1), 0xD8);
        const __m128i bytes = _mm_packus_epi16(_mm256_castsi256_si128(p), _mm256_extracti128_si256(p, 1));
        _mm_storeu_si128((__m128i *)(y + 4), bytes);
    }
}

/// nearest_int of ggml-quants.c on 8 lanes: the float's low mantissa bits after adding 1.5·2²³.
CK_INLINE __m256i nearest8(__m256 f) {
    const __m256i b = _mm256_castps_si256(_mm256_add_ps(f, _mm256_set1_ps(12582912.0f)));
    return _mm256_sub_epi32(_mm256_and_si256(b, _mm256_set1_epi32(0x007fffff)), _mm256_set1_epi32(0x00400000));
}

CK_INLINE __m256i clamp8(__m256i v, int lo, int hi) {
    return _mm256_max_epi32(_mm256_set1_epi32(lo), _mm256_min_epi32(_mm256_set1_epi32(hi), v));
}

CK_TARGET float ckernels_make_q3_quants(const float *x, int8_t *L) {
    enum { n = 16, nmax = 4 };
    // the first element of largest |x|, as `if (ax > amax) { amax = ax; max = x[i]; }` finds it
    const __m256i abs_mask = _mm256_set1_epi32(0x7fffffff);
    const __m256i a0 = _mm256_and_si256(_mm256_loadu_si256((const __m256i *)x), abs_mask);
    const __m256i a1 = _mm256_and_si256(_mm256_loadu_si256((const __m256i *)(x + 8)), abs_mask);
    __m256i m = _mm256_max_epu32(a0, a1);
    m = _mm256_max_epu32(m, _mm256_permute2x128_si256(m, m, 1));
    m = _mm256_max_epu32(m, _mm256_shuffle_epi32(m, 0x4E));
    m = _mm256_max_epu32(m, _mm256_shuffle_epi32(m, 0xB1));
    const uint32_t mbits = (uint32_t)_mm256_cvtsi256_si32(m);
    float amax = 0, max = 0;
    if (mbits > 0x7f800000u) { // a NaN: C's comparison never takes it
        for (int i = 0; i < n; i++) {
            const float ax = fabsf(x[i]);
            if (ax > amax) { amax = ax; max = x[i]; }
        }
    } else if (mbits != 0) {
        const __m256i mv = _mm256_set1_epi32((int)mbits);
        const unsigned hits = (unsigned)_mm256_movemask_ps(_mm256_castsi256_ps(_mm256_cmpeq_epi32(a0, mv)))
                            | (unsigned)_mm256_movemask_ps(_mm256_castsi256_ps(_mm256_cmpeq_epi32(a1, mv))) << 8;
        memcpy(&amax, &mbits, 4);
        max = x[__builtin_ctz(hits)];
    }
    if (amax < 1e-15f) {
        memset(L, 0, n);
        return 0;
    }
    const float iscale = -nmax / max;
    const __m256 x0 = _mm256_loadu_ps(x), x1 = _mm256_loadu_ps(x + 8);
    __m256i l0 = clamp8(nearest8(_mm256_mul_ps(_mm256_set1_ps(iscale), x0)), -nmax, nmax - 1);
    __m256i l1 = clamp8(nearest8(_mm256_mul_ps(_mm256_set1_ps(iscale), x1)), -nmax, nmax - 1);
    const __m256 w0 = _mm256_mul_ps(x0, x0), w1 = _mm256_mul_ps(x1, x1);
    const __m256 wx0 = _mm256_mul_ps(w0, x0), wx1 = _mm256_mul_ps(w1, x1);
    // sumlx += w*x[i]*l; suml2 += w*l*l; in element order
    float ta[n], tb[n];
    {
        const __m256 f0 = _mm256_cvtepi32_ps(l0), f1 = _mm256_cvtepi32_ps(l1);
        _mm256_storeu_ps(ta, _mm256_mul_ps(wx0, f0));
        _mm256_storeu_ps(ta + 8, _mm256_mul_ps(wx1, f1));
        _mm256_storeu_ps(tb, _mm256_mul_ps(_mm256_mul_ps(w0, f0), f0));
        _mm256_storeu_ps(tb + 8, _mm256_mul_ps(_mm256_mul_ps(w1, f1), f1));
    }
    float sumlx = 0, suml2 = 0;
    for (int i = 0; i < n; i++) { sumlx += ta[i]; suml2 += tb[i]; }
    int32_t code[n];
    _mm256_storeu_si256((__m256i *)code, l0);
    _mm256_storeu_si256((__m256i *)(code + 8), l1);
    // C visits the elements in order and may take a new code at each; changes are rare, so all elements
    // from `start` on are evaluated at once against the current sums and the first change C makes is taken
    for (int itry = 0; itry < 5; itry++) {
        int changed = 0;
        int start = 0;
        while (start < n) {
            const __m256 sx = _mm256_set1_ps(sumlx), s2 = _mm256_set1_ps(suml2);
            const __m256 sxx = _mm256_set1_ps(sumlx * sumlx);
            float nsx[n], ns2[n];
            int32_t cand[n];
            unsigned ok = 0;
            for (int h = 0; h < 2; h++) {
                const __m256 xv = h ? x1 : x0, wv = h ? w1 : w0, wxv = h ? wx1 : wx0;
                const __m256i lv = _mm256_loadu_si256((const __m256i *)(code + 8 * h));
                const __m256 li = _mm256_cvtepi32_ps(lv);
                const __m256 slx = _mm256_sub_ps(sx, _mm256_mul_ps(wxv, li));
                const __m256 sl2 = _mm256_sub_ps(s2, _mm256_mul_ps(_mm256_mul_ps(wv, li), li));
                const __m256i nl = clamp8(nearest8(_mm256_div_ps(_mm256_mul_ps(xv, sl2), slx)), -nmax, nmax - 1);
                const __m256 fn = _mm256_cvtepi32_ps(nl);
                const __m256 slxN = _mm256_add_ps(slx, _mm256_mul_ps(wxv, fn));
                const __m256 sl2N = _mm256_add_ps(sl2, _mm256_mul_ps(_mm256_mul_ps(wv, fn), fn));
                __m256 acc = _mm256_cmp_ps(slx, _mm256_setzero_ps(), _CMP_GT_OQ);
                acc = _mm256_andnot_ps(_mm256_castsi256_ps(_mm256_cmpeq_epi32(nl, lv)), acc);
                acc = _mm256_and_ps(acc, _mm256_cmp_ps(sl2N, _mm256_setzero_ps(), _CMP_GT_OQ));
                const __m256 lhs = _mm256_mul_ps(_mm256_mul_ps(slxN, slxN), s2), rhs = _mm256_mul_ps(sxx, sl2N);
                acc = _mm256_and_ps(acc, _mm256_cmp_ps(lhs, rhs, _CMP_GT_OQ));
                ok |= (unsigned)_mm256_movemask_ps(acc) << (8 * h);
                _mm256_storeu_ps(nsx + 8 * h, slxN);
                _mm256_storeu_ps(ns2 + 8 * h, sl2N);
                _mm256_storeu_si256((__m256i *)(cand + 8 * h), nl);
            }
            ok &= ~0u << start;
            if (!ok) break;
            const int i = __builtin_ctz(ok);
            code[i] = cand[i];
            sumlx = nsx[i];
            suml2 = ns2[i];
            changed++;
            start = i + 1;
        }
        if (!changed) break;
    }
    for (int i = 0; i < n; i++) L[i] = (int8_t)(code[i] + nmax);
    return suml2 > 0.0f ? sumlx / suml2 : 0.0f;
}

CK_TARGET void ckernels_fp32_to_bf16(const float *x, uint16_t *y, ptrdiff_t n) {
    ptrdiff_t i = 0;
    const __m256i abs_mask = _mm256_set1_epi32(0x7fffffff), inf = _mm256_set1_epi32(0x7f800000);
    const __m256i one = _mm256_set1_epi32(1), half = _mm256_set1_epi32(0x7fff), quiet = _mm256_set1_epi32(64);
    for (; i + 16 <= n; i += 16) {
        __m256i r[2];
        for (int h = 0; h < 2; h++) {
            const __m256i u = _mm256_loadu_si256((const __m256i *)(x + i + 8 * h));
            const __m256i nan = _mm256_cmpgt_epi32(_mm256_and_si256(u, abs_mask), inf);
            const __m256i hi = _mm256_srli_epi32(u, 16);
            const __m256i rounded = _mm256_srli_epi32(_mm256_add_epi32(u, _mm256_add_epi32(half, _mm256_and_si256(hi, one))), 16);
            r[h] = _mm256_blendv_epi8(rounded, _mm256_or_si256(hi, quiet), nan);
        }
        const __m256i p = _mm256_permute4x64_epi64(_mm256_packus_epi32(r[0], r[1]), 0xD8);
        _mm256_storeu_si256((__m256i *)(y + i), p);
    }
    for (; i < n; i++) {
        uint32_t u;
        memcpy(&u, x + i, 4);
        y[i] = (u & 0x7fffffff) > 0x7f800000 ? (uint16_t)((u >> 16) | 64) : (uint16_t)((u + (0x7fff + ((u >> 16) & 1))) >> 16);
    }
}
#endif
