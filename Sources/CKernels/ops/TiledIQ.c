// IQ4_XS and IQ grid weights (IQ2_XXS, IQ2_XS, IQ2_S, IQ3_XXS, IQ3_S, IQ1_S, IQ1_M) × Q8_K activations in the order
// of llama.cpp's tiled matmul (ggml-cpu/tiled, batches of >= 8 tokens; see include/CRunnerOps.h): per super-block
// one integer sum s1 per output, then r = d·s1 and acc = fma(r, d_act, acc).
//
// The integers are ggml's: for the grid types its tiled kernel multiplies exactly (activations biased by +128,
// corrected afterwards), so here the signed values (IQ1: 8·grid + delta) are stored + 64 (≤ 126, so maddubs
// cannot saturate) and 64·Σ scale·bsum comes off afterwards; IQ4_XS uses the sign trick there (|w|·sign(q, w), so
// −(−128) stays −128), and so does this file. d carries ggml's factor (1/8 for IQ2_*, IQ1_*; 1/4 for IQ3_XXS).
#include "CRunnerOps.h"

#if defined(__x86_64__)
#include "simd.h"
#include "../iqgrids.h"

/// One super-block: 256 codes (grid types: value + 64; IQ4_XS: the signed value), a scale per 16, d.
struct iqblock {
    int8_t w[256];
    int16_t sc[16];
    float d;
};

enum { IQ_BIAS = 64 };

static const int8_t kvalues_iq4nl[16] = { -127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113 };

/// ggml's ksigns_iq2xs: 7 sign bits and an eighth that makes the count of set bits even.
static inline uint8_t ksigns(uint32_t i) { return (uint8_t)(i | (__builtin_popcount(i) & 1 ? 128 : 0)); }

static inline uint16_t u16at(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }
static inline uint32_t u32at(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }

/// 8 grid bytes with the sign bits of `s`, + 64.
static inline void put8(int8_t *o, uint64_t g, uint8_t s) {
    for (int j = 0; j < 8; j++) {
        const int v = (int)(uint8_t)(g >> (8 * j));
        o[j] = (int8_t)((s >> j & 1 ? -v : v) + IQ_BIAS);
    }
}
static inline void put4(int8_t *o, uint32_t g, uint8_t s, int shift) {
    for (int j = 0; j < 4; j++) {
        const int v = (int)(uint8_t)(g >> (8 * j));
        o[j] = (int8_t)((s >> (j + shift) & 1 ? -v : v) + IQ_BIAS);
    }
}
/// IQ1: 8 grid values (−1, 0, 1) as 8·g + delta, + 64.
static inline void put1(int8_t *o, uint64_t g, int delta) {
    for (int j = 0; j < 8; j++) o[j] = (int8_t)(8 * (int8_t)(uint8_t)(g >> (8 * j)) + delta + IQ_BIAS);
}

ROPS_TARGET static void unpack_iq2_xxs(const uint8_t *x, struct iqblock *b) {
    b->d = rops_half_to_float(x) * 0.125f;
    for (int ib = 0; ib < 8; ib++) {
        const uint32_t a0 = u32at(x + 2 + 8 * ib), a1 = u32at(x + 6 + 8 * ib);
        b->sc[2 * ib] = b->sc[2 * ib + 1] = (int16_t)(2 * (a1 >> 28) + 1);
        for (int l = 0; l < 4; l++) put8(b->w + 32 * ib + 8 * l, ck_iq2xxs_grid[(a0 >> (8 * l)) & 0xFF], ksigns((a1 >> (7 * l)) & 127));
    }
}

ROPS_TARGET static void unpack_iq2_xs(const uint8_t *x, struct iqblock *b) {
    b->d = rops_half_to_float(x) * 0.125f;
    for (int ib = 0; ib < 8; ib++) {
        const uint8_t s = x[66 + ib];
        b->sc[2 * ib] = (int16_t)(2 * (s & 0xF) + 1);
        b->sc[2 * ib + 1] = (int16_t)(2 * (s >> 4) + 1);
        for (int l = 0; l < 4; l++) {
            const uint16_t q = u16at(x + 2 + 8 * ib + 2 * l);
            put8(b->w + 32 * ib + 8 * l, ck_iq2xs_grid[q & 511], ksigns(q >> 9));
        }
    }
}

ROPS_TARGET static void unpack_iq2_s(const uint8_t *x, struct iqblock *b) {
    b->d = rops_half_to_float(x) * 0.125f;
    const uint8_t *qs = x + 2, *sg = x + 34, *qh = x + 66, *sc = x + 74;
    for (int ib = 0; ib < 8; ib++) {
        b->sc[2 * ib] = (int16_t)(2 * (sc[ib] & 0xF) + 1);
        b->sc[2 * ib + 1] = (int16_t)(2 * (sc[ib] >> 4) + 1);
        for (int l = 0; l < 4; l++)
            put8(b->w + 32 * ib + 8 * l, ck_iq2s_grid[qs[4 * ib + l] | ((qh[ib] << (8 - 2 * l)) & 0x300)], sg[4 * ib + l]);
    }
}

ROPS_TARGET static void unpack_iq3_xxs(const uint8_t *x, struct iqblock *b) {
    b->d = rops_half_to_float(x) * 0.25f;
    const uint8_t *q3 = x + 2;
    for (int ib = 0; ib < 8; ib++) {
        const uint32_t a = u32at(x + 66 + 4 * ib);
        b->sc[2 * ib] = b->sc[2 * ib + 1] = (int16_t)(2 * (a >> 28) + 1);
        for (int l = 0; l < 4; l++) {
            const uint8_t s = ksigns((a >> (7 * l)) & 127);
            put4(b->w + 32 * ib + 8 * l, ck_iq3xxs_grid[q3[8 * ib + 2 * l]], s, 0);
            put4(b->w + 32 * ib + 8 * l + 4, ck_iq3xxs_grid[q3[8 * ib + 2 * l + 1]], s, 4);
        }
    }
}

ROPS_TARGET static void unpack_iq3_s(const uint8_t *x, struct iqblock *b) {
    b->d = rops_half_to_float(x);
    const uint8_t *qs = x + 2, *qh = x + 66, *sg = x + 74, *sc = x + 106;
    for (int ib = 0; ib < 8; ib++) {
        b->sc[2 * ib] = b->sc[2 * ib + 1] = (int16_t)(2 * ((sc[ib / 2] >> (4 * (ib & 1))) & 0xF) + 1);
        for (int l = 0; l < 4; l++) {
            const int k0 = 2 * l, k1 = 2 * l + 1;
            put4(b->w + 32 * ib + 8 * l, ck_iq3s_grid[qs[8 * ib + k0] | (((qh[ib] >> k0) & 1) << 8)], sg[4 * ib + l], 0);
            put4(b->w + 32 * ib + 8 * l + 4, ck_iq3s_grid[qs[8 * ib + k1] | (((qh[ib] >> k1) & 1) << 8)], sg[4 * ib + l], 4);
        }
    }
}

ROPS_TARGET static void unpack_iq1_s(const uint8_t *x, struct iqblock *b) {
    b->d = rops_half_to_float(x) * 0.125f;
    const uint8_t *qs = x + 2;
    for (int ib = 0; ib < 8; ib++) {
        const uint16_t hw = u16at(x + 34 + 2 * ib);
        b->sc[2 * ib] = b->sc[2 * ib + 1] = (int16_t)(2 * ((hw >> 12) & 7) + 1);
        const int delta = hw & 0x8000 ? -1 : 1;
        for (int l = 0; l < 4; l++) put1(b->w + 32 * ib + 8 * l, ck_iq1s_grid[qs[4 * ib + l] | (((hw >> (3 * l)) & 7) << 8)], delta);
    }
}

ROPS_TARGET static void unpack_iq1_m(const uint8_t *x, struct iqblock *b) {
    const uint8_t *qs = x, *qh = x + 32;
    uint16_t sc[4];
    memcpy(sc, x + 48, 8);
    const uint16_t s16 = (uint16_t)((sc[0] >> 12) | ((sc[1] >> 8) & 0x00f0) | ((sc[2] >> 4) & 0x0f00) | (sc[3] & 0xf000));
    b->d = rops_half_to_float(&s16) * 0.125f;
    for (int ib = 0; ib < 8; ib++) {
        const int hw = sc[ib / 2] >> (6 * (ib & 1));
        b->sc[2 * ib] = (int16_t)(2 * (hw & 7) + 1);
        b->sc[2 * ib + 1] = (int16_t)(2 * ((hw >> 3) & 7) + 1);
        const int h0 = qh[2 * ib], h1 = qh[2 * ib + 1];
        const int idx[4] = { qs[4 * ib] | ((h0 << 8) & 0x700), qs[4 * ib + 1] | ((h0 << 4) & 0x700),
                             qs[4 * ib + 2] | ((h1 << 8) & 0x700), qs[4 * ib + 3] | ((h1 << 4) & 0x700) };
        const int delta[4] = { h0 & 0x08 ? -1 : 1, h0 & 0x80 ? -1 : 1, h1 & 0x08 ? -1 : 1, h1 & 0x80 ? -1 : 1 };
        for (int l = 0; l < 4; l++) put1(b->w + 32 * ib + 8 * l, ck_iq1s_grid[idx[l]], delta[l]);
    }
}

ROPS_TARGET static void unpack_iq4_xs(const uint8_t *x, struct iqblock *b) {
    b->d = rops_half_to_float(x);
    const uint16_t sh = u16at(x + 2);
    const uint8_t *sl = x + 4, *qs = x + 8;
    for (int ib = 0; ib < 8; ib++) {
        b->sc[2 * ib] = b->sc[2 * ib + 1] = (int16_t)((((sl[ib / 2] >> (4 * (ib & 1))) & 0xF) | (((sh >> (2 * ib)) & 3) << 4)) - 32);
        for (int j = 0; j < 16; j++) {
            b->w[32 * ib + j] = kvalues_iq4nl[qs[16 * ib + j] & 0xF];
            b->w[32 * ib + j + 16] = kvalues_iq4nl[qs[16 * ib + j] >> 4];
        }
    }
}

/// The eight lane sums of s[0..7] as one vector (exact integer adds).
ROPS_TARGET static __m256i hsum8x8_iq(const __m256i *s) {
    const __m256i u0 = _mm256_hadd_epi32(_mm256_hadd_epi32(s[0], s[1]), _mm256_hadd_epi32(s[2], s[3]));
    const __m256i u1 = _mm256_hadd_epi32(_mm256_hadd_epi32(s[4], s[5]), _mm256_hadd_epi32(s[6], s[7]));
    return _mm256_add_epi32(_mm256_permute2x128_si256(u0, u1, 0x20), _mm256_permute2x128_si256(u0, u1, 0x31));
}

#define TOKENS 64
#define ROWS 16
#define GROUP 8

/// One row's integer sums for GROUP tokens over one unpacked super-block, then r = d·s1, acc = fma(r, d_act, acc).
ROPS_TARGET static inline __attribute__((always_inline)) __m256 iq_group(const struct iqblock *b, int signtrick,
        const uint8_t *const *y, __m256 dy, __m256 acc) {
    __m256i s1[GROUP];
    for (long t = 0; t < GROUP; t++) s1[t] = _mm256_setzero_si256();
    for (int s = 0; s < 8; s++) {
        const __m256i wv = _mm256_loadu_si256((const __m256i *)(b->w + 32 * s));
        const __m256i sc = _mm256_setr_m128i(_mm_set1_epi16(b->sc[2 * s]), _mm_set1_epi16(b->sc[2 * s + 1]));
        const __m256i aw = _mm256_sign_epi8(wv, wv);
        for (long t = 0; t < GROUP; t++) {
            const __m256i q = _mm256_loadu_si256((const __m256i *)(y[t] + 4 + 32 * s));
            const __m256i p = signtrick ? _mm256_maddubs_epi16(aw, _mm256_sign_epi8(q, wv)) : _mm256_maddubs_epi16(wv, q);
            s1[t] = _mm256_add_epi32(s1[t], _mm256_madd_epi16(sc, p));
        }
    }
    __m256i si = hsum8x8_iq(s1);
    if (!signtrick) {   // minus 64 · Σ sc·bsum, exact
        const __m256i scv = _mm256_loadu_si256((const __m256i *)b->sc);
        __m256i s2[GROUP];
        for (long t = 0; t < GROUP; t++) s2[t] = _mm256_madd_epi16(_mm256_loadu_si256((const __m256i *)(y[t] + 260)), scv);
        si = _mm256_sub_epi32(si, _mm256_slli_epi32(hsum8x8_iq(s2), 6));
    }
    const __m256 res = _mm256_mul_ps(_mm256_set1_ps(b->d), _mm256_cvtepi32_ps(si));
    return _mm256_fmadd_ps(res, dy, acc);
}

ROPS_TARGET void rops_gemm_iq_tiled(int type, long k, const void *w, long ldw, long r0, long r1,
                                    const void *x, long ldx, long nt, float *c, long ldc) {
    void (*unpack)(const uint8_t *, struct iqblock *);
    long bytes;
    switch (type) {
    case 16: unpack = unpack_iq2_xxs; bytes = 66; break;
    case 17: unpack = unpack_iq2_xs; bytes = 74; break;
    case 18: unpack = unpack_iq3_xxs; bytes = 98; break;
    case 19: unpack = unpack_iq1_s; bytes = 50; break;
    case 21: unpack = unpack_iq3_s; bytes = 110; break;
    case 22: unpack = unpack_iq2_s; bytes = 82; break;
    case 23: unpack = unpack_iq4_xs; bytes = 136; break;
    case 29: unpack = unpack_iq1_m; bytes = 56; break;
    default: return;
    }
    const int signtrick = type == 23;
    const long nb = k / 256;
    const uint8_t *W = (const uint8_t *)w, *X = (const uint8_t *)x;
    struct iqblock b[ROWS];
    float acc[ROWS][TOKENS];
    for (long t0 = 0; t0 < nt; t0 += TOKENS) {
        const long tn = nt - t0 < TOKENS ? nt - t0 : TOKENS;
        for (long rb = r0; rb < r1; rb += ROWS) {
            const long rn = r1 - rb < ROWS ? r1 - rb : ROWS;
            memset(acc, 0, sizeof acc);
            for (long ib = 0; ib < nb; ib++) {
                for (long i = 0; i < rn; i++) unpack(W + (rb + i) * ldw + ib * bytes, &b[i]);
                for (long g = 0; g < tn; g += GROUP) {
                    const long gn = tn - g < GROUP ? tn - g : GROUP;
                    const uint8_t *y[GROUP];
                    float dy[GROUP];
                    for (long t = 0; t < GROUP; t++) {
                        y[t] = X + (t0 + g + (t < gn ? t : 0)) * ldx + ib * 292;
                        memcpy(&dy[t], y[t], 4);
                    }
                    const __m256 dyv = _mm256_loadu_ps(dy);
                    for (long i = 0; i < rn; i++)
                        _mm256_storeu_ps(acc[i] + g, iq_group(&b[i], signtrick, y, dyv, _mm256_loadu_ps(acc[i] + g)));
                }
            }
            for (long i = 0; i < rn; i++)
                for (long t = 0; t < tn; t++) c[(t0 + t) * ldc + rb + i] = acc[i][t];
        }
    }
}

#endif
