// The runner's float kernels in the order of llama.cpp built for AVX-512 (-march=native on an AVX-512 CPU):
// 16-lane ggml_vec_dot_f16/_f32, tinyBLAS<16, __m512>, ggml_v_expf/ggml_v_silu's AVX-512 variant
// (see include/CKernelLevels.h). Compiled per function for AVX-512, so a portable build carries them.
#include "CKernelLevels.h"

#if defined(__x86_64__)
#include <immintrin.h>
#include <math.h>
#include <string.h>
#include "../f32tail.h"

#define CK512_TARGET __attribute__((target("avx512f,avx512dq,avx512bw,avx512vl,avx2,fma,f16c")))

/// _mm512_reduce_add_ps as GCC defines it (what ggml's build uses): high 256 + low 256, high 128 + low 128,
/// then (0+2, 1+3), then 0+1.
CK512_TARGET static inline float hsum16(__m512 x) {
    const __m256 a = _mm256_add_ps(_mm512_extractf32x8_ps(x, 1), _mm512_castps512_ps256(x));
    const __m128 b = _mm_add_ps(_mm256_extractf128_ps(a, 1), _mm256_castps256_ps128(a));
    const __m128 c = _mm_add_ps(b, _mm_shuffle_ps(b, b, _MM_SHUFFLE(1, 0, 3, 2)));
    return _mm_cvtss_f32(_mm_add_ss(c, _mm_movehdup_ps(c)));
}

CK512_TARGET static inline __m512 load_h16(const uint16_t *p) {
    return _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)p));
}

/// GGML_F32x16_REDUCE over 4 accumulators: (0+2, 1+3), 0+1, then the 16-lane sum.
CK512_TARGET static inline float reduce_vd16(__m512 s0, __m512 s1, __m512 s2, __m512 s3) {
    s0 = _mm512_add_ps(s0, s2);
    s1 = _mm512_add_ps(s1, s3);
    return hsum16(_mm512_add_ps(s0, s1));
}

CK512_TARGET float ck512_dot_f16_tb(long n, const uint16_t *a, const uint16_t *b) {
    __m512 acc = _mm512_setzero_ps();
    long i = 0;
    for (; i + 16 <= n; i += 16) acc = _mm512_fmadd_ps(load_h16(a + i), load_h16(b + i), acc);
    if (i < n) {
        uint16_t ta[16] = {0}, tb[16] = {0};
        memcpy(ta, a + i, (size_t)(n - i) * 2);
        memcpy(tb, b + i, (size_t)(n - i) * 2);
        acc = _mm512_fmadd_ps(load_h16(ta), load_h16(tb), acc);
    }
    return hsum16(acc);
}

CK512_TARGET float ck512_dot_f32_tb(long n, const float *a, const float *b) {
    __m512 acc = _mm512_setzero_ps();
    long i = 0;
    for (; i + 16 <= n; i += 16) acc = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i), acc);
    if (i < n) {
        float ta[16] = {0}, tb[16] = {0};
        memcpy(ta, a + i, (size_t)(n - i) * 4);
        memcpy(tb, b + i, (size_t)(n - i) * 4);
        acc = _mm512_fmadd_ps(_mm512_loadu_ps(ta), _mm512_loadu_ps(tb), acc);
    }
    return hsum16(acc);
}

CK512_TARGET float ck512_dot_f16_vd(long n, long np, const uint16_t *a, const uint16_t *b) {
    __m512 s0 = _mm512_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
    const long nl = n < np ? n : np;   // values summed in lanes
    long i = 0;
    for (; i + 64 <= nl; i += 64) {
        s0 = _mm512_fmadd_ps(load_h16(a + i), load_h16(b + i), s0);
        s1 = _mm512_fmadd_ps(load_h16(a + i + 16), load_h16(b + i + 16), s1);
        s2 = _mm512_fmadd_ps(load_h16(a + i + 32), load_h16(b + i + 32), s2);
        s3 = _mm512_fmadd_ps(load_h16(a + i + 48), load_h16(b + i + 48), s3);
    }
    if (i < nl) {
        uint16_t ta[64] = {0}, tb[64] = {0};
        memcpy(ta, a + i, (size_t)(nl - i) * 2);
        memcpy(tb, b + i, (size_t)(nl - i) * 2);
        s0 = _mm512_fmadd_ps(load_h16(ta), load_h16(tb), s0);
        s1 = _mm512_fmadd_ps(load_h16(ta + 16), load_h16(tb + 16), s1);
        s2 = _mm512_fmadd_ps(load_h16(ta + 32), load_h16(tb + 32), s2);
        s3 = _mm512_fmadd_ps(load_h16(ta + 48), load_h16(tb + 48), s3);
    }
    double sum = reduce_vd16(s0, s1, s2, s3);
    for (long j = np; j < n; j++) sum += (double)(_cvtsh_ss(a[j]) * _cvtsh_ss(b[j]));
    return (float)sum;
}

CK512_TARGET float ck512_dot_f32_vd(long n, const float *a, const float *b) {
    __m512 s0 = _mm512_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
    const long np = n & ~63L;
    for (long i = 0; i < np; i += 64) {
        s0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i), s0);
        s1 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i + 16), _mm512_loadu_ps(b + i + 16), s1);
        s2 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i + 32), _mm512_loadu_ps(b + i + 32), s2);
        s3 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i + 48), _mm512_loadu_ps(b + i + 48), s3);
    }
    float sum = reduce_vd16(s0, s1, s2, s3);
    return ck_f32_tail(np, n, a, b, sum, 16);   // sumf += x*y as GCC builds it
}

CK512_TARGET float ckernels512_dot_f32(ptrdiff_t n, const void *x, const void *y) {
    return ck512_dot_f32_vd(n, (const float *)x, (const float *)y);
}

CK512_TARGET float ckernels512_dot_f16(ptrdiff_t n, const void *x, const void *y) {
    return ck512_dot_f16_vd(n, n & ~63L, (const uint16_t *)x, (const uint16_t *)y);
}

/// Rows x tokens of a full tile: 6 x 3 = 18 FMA chains of 16 lanes (AVX-512 has 32 registers).
#define T512_RM 6
#define T512_RN 3

#define T512_LOOP(LOAD, R, N)                                                                      \
        for (long l = 0; l < k; l += 16) {                                                         \
            __m512 bv[N];                                                                          \
            for (int j = 0; j < N; j++) bv[j] = LOAD(b + j * ldb + l);                             \
            for (int i = 0; i < R; i++) {                                                          \
                const __m512 av = LOAD(a + i * lda + l);                                           \
                for (int j = 0; j < N; j++) acc[i][j] = _mm512_fmadd_ps(av, bv[j], acc[i][j]);     \
            }                                                                                      \
        }

/// One rm x rn tile (at most T512_RM x T512_RN): each output one 16-lane FMA chain over k.
#define T512_TILE(NAME, T, LOAD)                                                                   \
CK512_TARGET static inline void NAME(long k, const T *a, long lda, const T *b, long ldb,           \
                                     float *c, long ldc, int rm, int rn) {                         \
    __m512 acc[T512_RM][T512_RN];                                                                  \
    for (int i = 0; i < T512_RM; i++) for (int j = 0; j < T512_RN; j++) acc[i][j] = _mm512_setzero_ps(); \
    if (rm == T512_RM && rn == T512_RN) {                                                          \
        T512_LOOP(LOAD, T512_RM, T512_RN)                                                          \
    } else if (rm == T512_RM && rn == 2) {                                                         \
        T512_LOOP(LOAD, T512_RM, 2)                                                                \
    } else {                                                                                       \
        for (long l = 0; l < k; l += 16)                                                           \
            for (int j = 0; j < rn; j++) {                                                         \
                const __m512 bv = LOAD(b + j * ldb + l);                                           \
                for (int i = 0; i < rm; i++)                                                       \
                    acc[i][j] = _mm512_fmadd_ps(LOAD(a + i * lda + l), bv, acc[i][j]);             \
            }                                                                                      \
    }                                                                                              \
    for (int j = 0; j < rn; j++) for (int i = 0; i < rm; i++) c[j * ldc + i] = hsum16(acc[i][j]);  \
}

T512_TILE(tile512_f16, uint16_t, load_h16)
T512_TILE(tile512_f32, float, _mm512_loadu_ps)

#define T512_GEMM(NAME, T, TILE)                                                                   \
CK512_TARGET void NAME(long k, const T *a, long lda, long r0, long r1,                             \
                       const T *b, long ldb, long nt, float *c, long ldc) {                        \
    for (long rb = r0; rb < r1; rb += 8 * T512_RM) {                                               \
        const long re = r1 - rb < 8 * T512_RM ? r1 : rb + 8 * T512_RM;                             \
        for (long t = 0; t < nt; t += T512_RN) {                                                   \
            const int rn = nt - t < T512_RN ? (int)(nt - t) : T512_RN;                             \
            for (long r = rb; r < re; r += T512_RM) {                                              \
                const int rm = re - r < T512_RM ? (int)(re - r) : T512_RM;                         \
                TILE(k, a + r * lda, lda, b + t * ldb, ldb, c + t * ldc + r, ldc, rm, rn);         \
            }                                                                                      \
        }                                                                                          \
    }                                                                                              \
}

T512_GEMM(ck512_gemm_f16_tb, uint16_t, tile512_f16)
T512_GEMM(ck512_gemm_f32_tb, float, tile512_f32)

/// ggml_v_expf, AVX-512 variant: n = round(x·log2 e), b = x − n·ln 2 in two parts, j = 1 + p(b) in three
/// FMA levels, exp = scalef(j, n); |n| > 192 saturates to 0 (n ≤ 0) or inf. Operation for operation ggml's.
CK512_TARGET static inline __m512 v_expf16(__m512 x) {
    const __m512 r = _mm512_set1_ps(0x1.8p23f);
    const __m512 z = _mm512_fmadd_ps(x, _mm512_set1_ps(0x1.715476p+0f), r);
    const __m512 n = _mm512_sub_ps(z, r);
    const __m512 b = _mm512_fnmadd_ps(n, _mm512_set1_ps(0x1.7f7d1cp-20f),
                                      _mm512_fnmadd_ps(n, _mm512_set1_ps(0x1.62e4p-1f), x));
    const __mmask16 d = _mm512_cmp_ps_mask(_mm512_abs_ps(n), _mm512_set1_ps(192), _CMP_GT_OQ);
    const __m512 u = _mm512_mul_ps(b, b);
    const __m512 j = _mm512_fmadd_ps(
        _mm512_fmadd_ps(_mm512_fmadd_ps(_mm512_set1_ps(0x1.0e4020p-7f), b, _mm512_set1_ps(0x1.573e2ep-5f)), u,
                        _mm512_fmadd_ps(_mm512_set1_ps(0x1.555e66p-3f), b, _mm512_set1_ps(0x1.fffdb6p-2f))),
        u, _mm512_fmadd_ps(_mm512_set1_ps(0x1.ffffecp-1f), b, _mm512_set1_ps(1.0f)));
    const __m512 res = _mm512_scalef_ps(j, n);
    if (_mm512_kortestz(d, d)) return res;
    const __m512 zero = _mm512_setzero_ps();
    const __m512 alt = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(n, zero, _CMP_LE_OQ), _mm512_set1_ps(INFINITY), zero);
    return _mm512_mask_blend_ps(d, res, alt);
}

CK512_TARGET void ck512_softmax(long n, long nkv, float *x, float scale) {
    float mx = -INFINITY;
    for (long i = 0; i < n; i++) {
        x[i] *= scale;
        mx = x[i] > mx ? x[i] : mx;
    }
    const __m512 vmax = _mm512_set1_ps(mx);
    double sum = 0;
    long i = 0;
    for (; i < n && i + 16 <= nkv; i += 16) {
        float t[16];
        for (int l = 0; l < 16; l++) t[l] = i + l < n ? x[i + l] : -INFINITY;   // masked: exp -> 0
        const __m512 v = v_expf16(_mm512_sub_ps(_mm512_loadu_ps(t), vmax));
        _mm512_storeu_ps(t, v);
        for (int l = 0; l < 16 && i + l < n; l++) x[i + l] = t[l];
        sum += (double)hsum16(v);
    }
    for (; i < n; i++) {
        const float v = expf(x[i] - mx);
        sum += (double)v;
        x[i] = v;
    }
    const float inv = (float)(1.0 / sum);
    for (long j = 0; j < n; j++) x[j] *= inv;
}

CK512_TARGET void ck512_swiglu(long n, float *g, const float *u) {
    long i = 0;
    const __m512 one = _mm512_set1_ps(1);
    for (; i + 16 <= n; i += 16) {
        const __m512 x = _mm512_loadu_ps(g + i);
        const __m512 e = v_expf16(_mm512_sub_ps(_mm512_setzero_ps(), x));
        const __m512 s = _mm512_div_ps(x, _mm512_add_ps(one, e));
        _mm512_storeu_ps(g + i, _mm512_mul_ps(s, _mm512_loadu_ps(u + i)));
    }
    for (; i < n; i++) g[i] = g[i] / (1.0f + expf(-g[i])) * u[i];
}
#endif
