// Dot products and the batched matmul in ggml-cpu's x86 orders (see include/CRunnerOps.h).
#include "CRunnerOps.h"

#if defined(__x86_64__)
#include "simd.h"
#include "../f32tail.h"

int rops_available(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c");
}

ROPS_TARGET static inline __m256 load_h(const uint16_t *p) {
    return _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)p));
}

/// GGML_F32x8_REDUCE over 4 accumulators: (0+2, 1+3), 0+1, low+high, hadd, hadd.
ROPS_TARGET static inline float reduce_vd(__m256 s0, __m256 s1, __m256 s2, __m256 s3) {
    s0 = _mm256_add_ps(s0, s2);
    s1 = _mm256_add_ps(s1, s3);
    s0 = _mm256_add_ps(s0, s1);
    const __m128 t0 = _mm_add_ps(_mm256_castps256_ps128(s0), _mm256_extractf128_ps(s0, 1));
    const __m128 t1 = _mm_hadd_ps(t0, t0);
    return _mm_cvtss_f32(_mm_hadd_ps(t1, t1));
}

ROPS_TARGET float rops_dot_f16_tb(long n, const uint16_t *a, const uint16_t *b) {
    __m256 acc = _mm256_setzero_ps();
    long i = 0;
    for (; i + 8 <= n; i += 8) acc = _mm256_fmadd_ps(load_h(a + i), load_h(b + i), acc);
    if (i < n) {
        uint16_t ta[8] = {0}, tb[8] = {0};
        memcpy(ta, a + i, (size_t)(n - i) * 2);
        memcpy(tb, b + i, (size_t)(n - i) * 2);
        acc = _mm256_fmadd_ps(load_h(ta), load_h(tb), acc);
    }
    return rops_hsum8(acc);
}

ROPS_TARGET float rops_dot_f32_tb(long n, const float *a, const float *b) {
    __m256 acc = _mm256_setzero_ps();
    long i = 0;
    for (; i + 8 <= n; i += 8) acc = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), acc);
    if (i < n) {
        float ta[8] = {0}, tb[8] = {0};
        memcpy(ta, a + i, (size_t)(n - i) * 4);
        memcpy(tb, b + i, (size_t)(n - i) * 4);
        acc = _mm256_fmadd_ps(_mm256_loadu_ps(ta), _mm256_loadu_ps(tb), acc);
    }
    return rops_hsum8(acc);
}

ROPS_TARGET float rops_dot_f16_vd(long n, long np, const uint16_t *a, const uint16_t *b) {
    __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
    const long nl = n < np ? n : np;   // values summed in lanes
    long i = 0;
    for (; i + 32 <= nl; i += 32) {
        s0 = _mm256_fmadd_ps(load_h(a + i), load_h(b + i), s0);
        s1 = _mm256_fmadd_ps(load_h(a + i + 8), load_h(b + i + 8), s1);
        s2 = _mm256_fmadd_ps(load_h(a + i + 16), load_h(b + i + 16), s2);
        s3 = _mm256_fmadd_ps(load_h(a + i + 24), load_h(b + i + 24), s3);
    }
    if (i < nl) {
        uint16_t ta[32] = {0}, tb[32] = {0};
        memcpy(ta, a + i, (size_t)(nl - i) * 2);
        memcpy(tb, b + i, (size_t)(nl - i) * 2);
        s0 = _mm256_fmadd_ps(load_h(ta), load_h(tb), s0);
        s1 = _mm256_fmadd_ps(load_h(ta + 8), load_h(tb + 8), s1);
        s2 = _mm256_fmadd_ps(load_h(ta + 16), load_h(tb + 16), s2);
        s3 = _mm256_fmadd_ps(load_h(ta + 24), load_h(tb + 24), s3);
    }
    double sum = reduce_vd(s0, s1, s2, s3);
    for (long j = np; j < n; j++) {
        sum += (double)(_cvtsh_ss(a[j]) * _cvtsh_ss(b[j]));
    }
    return (float)sum;
}

ROPS_TARGET float rops_dot_f32_vd(long n, const float *a, const float *b) {
    __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
    const long np = n & ~31L;
    for (long i = 0; i < np; i += 32) {
        s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
        s1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), s1);
        s2 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 16), _mm256_loadu_ps(b + i + 16), s2);
        s3 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 24), _mm256_loadu_ps(b + i + 24), s3);
    }
    float sum = reduce_vd(s0, s1, s2, s3);
    return ck_f32_tail(np, n, a, b, sum, 8);   // sumf += x*y as GCC builds it
}

/// Rows of a full tile. Each output is one 8-lane FMA chain over k; a core needs about ten chains in
/// flight to keep both FMA units busy (latency 4-5 cycles), hence 6 rows x 2 tokens = 12 accumulators
/// (tinyBLAS uses 4 x 3; with that shape clang spilled an accumulator every step, 3x slower).
#define TILE_RM 6

/// The k loop of a full-width tile of R rows x 2 tokens.
#define ROPS_TILE_LOOP(LOAD, R)                                                                    \
        for (long l = 0; l < k; l += 8) {                                                          \
            const __m256 b0 = LOAD(b + l), b1 = LOAD(b + ldb + l);                                 \
            for (int i = 0; i < R; i++) {                                                          \
                const __m256 av = LOAD(a + i * lda + l);                                           \
                acc[i][0] = _mm256_fmadd_ps(av, b0, acc[i][0]);                                    \
                acc[i][1] = _mm256_fmadd_ps(av, b1, acc[i][1]);                                    \
            }                                                                                      \
        }

/// One rm x rn tile (at most TILE_RM x 2): each output one FMA accumulator over k (tinyBLAS's gemm_bloc).
#define ROPS_TILE(NAME, T, LOAD)                                                                   \
ROPS_TARGET static inline void NAME(long k, const T *a, long lda, const T *b, long ldb,            \
                                    float *c, long ldc, int rm, int rn) {                          \
    __m256 acc[TILE_RM][2];                                                                        \
    for (int i = 0; i < TILE_RM; i++) for (int j = 0; j < 2; j++) acc[i][j] = _mm256_setzero_ps(); \
    if (rm == TILE_RM && rn == 2) {                                                                \
        ROPS_TILE_LOOP(LOAD, TILE_RM)                                                              \
    } else if (rm == 4 && rn == 2) {   /* the remainder of a piece of rows */                      \
        ROPS_TILE_LOOP(LOAD, 4)                                                                    \
    } else {                                                                                       \
        for (long l = 0; l < k; l += 8)                                                            \
            for (int j = 0; j < rn; j++) {                                                         \
                const __m256 bv = LOAD(b + j * ldb + l);                                           \
                for (int i = 0; i < rm; i++)                                                       \
                    acc[i][j] = _mm256_fmadd_ps(LOAD(a + i * lda + l), bv, acc[i][j]);             \
            }                                                                                      \
    }                                                                                              \
    for (int j = 0; j < rn; j++) for (int i = 0; i < rm; i++) c[j * ldc + i] = rops_hsum8(acc[i][j]); \
}

ROPS_TILE(tile_f16, uint16_t, load_h)
ROPS_TILE(tile_f32, float, _mm256_loadu_ps)

#define ROPS_GEMM(NAME, T, TILE)                                                                   \
ROPS_TARGET void NAME(long k, const T *a, long lda, long r0, long r1,                              \
                      const T *b, long ldb, long nt, float *c, long ldc) {                         \
    for (long rb = r0; rb < r1; rb += 8 * TILE_RM) {                                               \
        const long re = r1 - rb < 8 * TILE_RM ? r1 : rb + 8 * TILE_RM;                             \
        for (long t = 0; t < nt; t += 2) {                                                         \
            const int rn = nt - t < 2 ? (int)(nt - t) : 2;                                         \
            for (long r = rb; r < re; r += TILE_RM) {                                              \
                const int rm = re - r < TILE_RM ? (int)(re - r) : TILE_RM;                         \
                TILE(k, a + r * lda, lda, b + t * ldb, ldb, c + t * ldc + r, ldc, rm, rn);         \
            }                                                                                      \
        }                                                                                          \
    }                                                                                              \
}

ROPS_GEMM(rops_gemm_f16_tb, uint16_t, tile_f16)
ROPS_GEMM(rops_gemm_f32_tb, float, tile_f32)


ROPS_TARGET void rops_gemv(rops_dot_fn dot, long n, const void *w, long ldw, long r0, long r1, const void *x, float *out) {
    const unsigned char *W = (const unsigned char *)w;
    for (long r = r0; r < r1; r++) out[r] = dot(n, W + r * ldw, x);
}
#endif
