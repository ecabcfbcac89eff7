// Q8_0 / Q4_0 / Q5_0 / IQ4_NL weights × Q8_0 activations in llamafile tinyBLAS_Q0_AVX's order (see include/CRunnerOps.h).
#include "CRunnerOps.h"

#if defined(__x86_64__)
#include "simd.h"

/// 32 signed codes · 32 signed codes as 8 int32 lanes (lane k: codes 4k..4k+3), converted to float:
/// maddubs(|a|, sign(b, a)), then pairs of int16 summed.
ROPS_TARGET static inline __m256 updot(__m256i a, __m256i b) {
    const __m256i p = _mm256_maddubs_epi16(_mm256_sign_epi8(a, a), _mm256_sign_epi8(b, a));
    return _mm256_cvtepi32_ps(_mm256_madd_epi16(_mm256_set1_epi16(1), p));
}

/// Q4_0 codes of one block (bytes 2..17) as signed int8 in element order: low nibbles (0..15), then high
/// nibbles (16..31), each minus 8.
ROPS_TARGET static inline __m256i codes_q4_0(const unsigned char *b) {
    const __m128i x = _mm_loadu_si128((const __m128i *)(b + 2));
    const __m256i v = _mm256_set_m128i(_mm_srli_epi16(x, 4), x);
    return _mm256_sub_epi8(_mm256_and_si256(v, _mm256_set1_epi8(15)), _mm256_set1_epi8(8));
}

/// Q5_0 codes (d, qh[4], qs[16]): nibble | fifth bit << 4, minus 16; the fifth bit of element j is bit j of qh.
ROPS_TARGET static inline __m256i codes_q5_0(const unsigned char *b) {
    uint32_t qh;
    memcpy(&qh, b + 2, 4);
    const __m128i x = _mm_loadu_si128((const __m128i *)(b + 6));
    const __m256i lo = _mm256_and_si256(_mm256_set_m128i(_mm_srli_epi16(x, 4), x), _mm256_set1_epi8(15));
    // spread the 32 bits of qh to 32 bytes: byte j is 0xFF where bit j is set
    const __m256i shuf = _mm256_set_epi64x(0x0303030303030303LL, 0x0202020202020202LL,
                                           0x0101010101010101LL, 0x0000000000000000LL);
    __m256i bytes = _mm256_shuffle_epi8(_mm256_set1_epi32((int)qh), shuf);
    const __m256i bit = _mm256_set1_epi64x((long long)0x7fbfdfeff7fbfdfeULL);
    bytes = _mm256_or_si256(bytes, bit);
    const __m256i set = _mm256_cmpeq_epi8(bytes, _mm256_set1_epi64x(-1));
    const __m256i hi = _mm256_and_si256(set, _mm256_set1_epi8(16));
    return _mm256_sub_epi8(_mm256_or_si256(lo, hi), _mm256_set1_epi8(16));
}

/// IQ4_NL codes (d, qs[16]): the nibbles (low: elements 0..15, high: 16..31) through kvalues_iq4nl.
ROPS_TARGET static inline __m256i codes_iq4_nl(const unsigned char *b) {
    const __m128i t = _mm_setr_epi8(-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113);
    const __m128i x = _mm_loadu_si128((const __m128i *)(b + 2)), m = _mm_set1_epi8(15);
    return _mm256_set_m128i(_mm_shuffle_epi8(t, _mm_and_si128(m, _mm_srli_epi16(x, 4))), _mm_shuffle_epi8(t, _mm_and_si128(m, x)));
}

#define Q0_DOT(NAME, BYTES, CODES, DOFF)                                                              \
    ROPS_TARGET float NAME(long n, const void *x, const void *y) {                                    \
        const unsigned char *a = (const unsigned char *)x, *b = (const unsigned char *)y;             \
        __m256 acc = _mm256_setzero_ps();                                                             \
        for (long i = 0; i < n / 32; i++, a += BYTES, b += 34) {                                      \
            const __m256i qa = CODES(a);                                                              \
            const __m256i qb = _mm256_loadu_si256((const __m256i *)(b + 2));                          \
            const float d = rops_half_to_float(a + DOFF) * rops_half_to_float(b);                               \
            acc = _mm256_fmadd_ps(_mm256_set1_ps(d), updot(qa, qb), acc);                             \
        }                                                                                             \
        return rops_hsum8(acc);                                                                            \
    }

ROPS_TARGET static inline __m256i codes_q8_0(const unsigned char *b) { return _mm256_loadu_si256((const __m256i *)(b + 2)); }

Q0_DOT(rops_dot_q8_0_tb, 34, codes_q8_0, 0)
Q0_DOT(rops_dot_q4_0_tb, 18, codes_q4_0, 0)
Q0_DOT(rops_dot_q5_0_tb, 22, codes_q5_0, 0)
Q0_DOT(rops_dot_iq4_nl_tb, 18, codes_iq4_nl, 0)

/// QR weight rows × QT tokens at once, independent accumulators (tinyBLAS_Q0_AVX uses 4 × 2; here 3 × 2
/// and 2 × 3 measured fastest, 4 × 2 spills);
/// each output still sees exactly the per-block operations of the single dot above.
#define QR 3
#define QT 2
#define Q0_TILE(NAME, BYTES, CODES)                                                                   \
    ROPS_TARGET static void NAME(long nb, const unsigned char *w, long ldw, const unsigned char *x,   \
                                 long ldx, float *c, long ldc) {                                      \
        __m256 acc[QT][QR];                                                                           \
        for (int j = 0; j < QT; j++)                                                                  \
            for (int i = 0; i < QR; i++) acc[j][i] = _mm256_setzero_ps();                             \
        for (long l = 0; l < nb; l++) {                                                               \
            __m256i qx[QT];                                                                           \
            float dx[QT];                                                                             \
            for (int j = 0; j < QT; j++) {                                                            \
                const unsigned char *xb = x + j * ldx + l * 34;                                       \
                qx[j] = _mm256_loadu_si256((const __m256i *)(xb + 2));                                \
                dx[j] = rops_half_to_float(xb);                                                            \
            }                                                                                         \
            for (int i = 0; i < QR; i++) {                                                            \
                const unsigned char *wb = w + i * ldw + l * BYTES;                                    \
                const __m256i q = CODES(wb);                                                          \
                const float dw = rops_half_to_float(wb);                                                   \
                for (int j = 0; j < QT; j++)                                                          \
                    acc[j][i] = _mm256_fmadd_ps(_mm256_set1_ps(dw * dx[j]), updot(q, qx[j]), acc[j][i]); \
            }                                                                                         \
        }                                                                                             \
        for (int j = 0; j < QT; j++)                                                                  \
            for (int i = 0; i < QR; i++) c[j * ldc + i] = rops_hsum8(acc[j][i]);                           \
    }

Q0_TILE(tile_q8_0, 34, codes_q8_0)
Q0_TILE(tile_q4_0, 18, codes_q4_0)
Q0_TILE(tile_q5_0, 22, codes_q5_0)
Q0_TILE(tile_iq4_nl, 18, codes_iq4_nl)

typedef void (*q0_tile_fn)(long, const unsigned char *, long, const unsigned char *, long, float *, long);
typedef float (*q0_dot_fn)(long, const void *, const void *);

ROPS_TARGET void rops_gemm_q0_tb(int type, long k, const void *w, long ldw, long r0, long r1,
                                 const void *x, long ldx, long nt, float *c, long ldc) {
    q0_tile_fn tile;
    q0_dot_fn dot;
    switch (type) {
    case 8: tile = tile_q8_0; dot = rops_dot_q8_0_tb; break;
    case 2: tile = tile_q4_0; dot = rops_dot_q4_0_tb; break;
    case 6: tile = tile_q5_0; dot = rops_dot_q5_0_tb; break;
    case 20: tile = tile_iq4_nl; dot = rops_dot_iq4_nl_tb; break;
    default: return;
    }
    const unsigned char *W = (const unsigned char *)w, *X = (const unsigned char *)x;
    const long nb = k / 32;
    // 32 tokens' activations stay in L2 while the row quads pass over them.
    for (long t0 = 0; t0 < nt; t0 += 32) {
        const long t1 = t0 + 32 < nt ? t0 + 32 : nt;
        long r = r0;
        for (; r + QR <= r1; r += QR) {
            long t = t0;
            for (; t + QT <= t1; t += QT) tile(nb, W + r * ldw, ldw, X + t * ldx, ldx, c + t * ldc + r, ldc);
            for (; t < t1; t++)
                for (long i = 0; i < QR; i++) c[t * ldc + r + i] = dot(k, W + (r + i) * ldw, X + t * ldx);
        }
        for (; r < r1; r++)
            for (long t = t0; t < t1; t++) c[t * ldc + r] = dot(k, W + r * ldw, X + t * ldx);
    }
}

#endif
