// K-quant weights × Q8_K activations in the order of llama.cpp's tiled K-quant matmul (see include/CRunnerOps.h).
#include "CRunnerOps.h"

#if defined(__x86_64__)
#include "simd.h"

/// One weight super-block unpacked: codes as unsigned bytes (Q3_K/Q6_K: value + bias), a scale and a min
/// per 16 values, and the two fp16 factors as floats. Values are d·scale·(code − bias) − dmin·min.
struct kblock {
    int8_t w[256];
    int16_t sc[16];
    int16_t mn[16];
    float d, dmin;
};

/// Q3_K and Q6_K codes are kept as stored, unsigned (value + 4, value + 32), so that they multiply the
/// activations in one maddubs as the other types do; the bias comes off the exact integer sum afterwards:
/// Σ sc·(w + B)·q − B·Σ sc·bsum = Σ sc·w·q (bsum: the activations' sums per 16, in Q8_K).
enum { BIAS_Q3_K = 4, BIAS_Q6_K = 32 };

/// ggml's get_scale_min_k4: the 6-bit scale and min of sub-block j of a Q4_K/Q5_K block.
static void scale_min_k4(int j, const uint8_t *q, int *d, int *m) {
    if (j < 4) { *d = q[j] & 63; *m = q[j + 4] & 63; }
    else { *d = (q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4); *m = (q[j + 4] >> 4) | ((q[j] >> 6) << 4); }
}

/// The header of a Q4_K/Q5_K block (fp16 d, fp16 dmin, 12 bytes of 6-bit scales and mins), each
/// sub-block's scale and min given to both of its halves of 16.
ROPS_TARGET static void unpack_header_k4(const uint8_t *x, struct kblock *b) {
    b->d = rops_half_to_float(x); b->dmin = rops_half_to_float(x + 2);
    for (int j = 0; j < 8; j++) {
        int d, m;
        scale_min_k4(j, x + 4, &d, &m);
        b->sc[2 * j] = b->sc[2 * j + 1] = (int16_t)d;
        b->mn[2 * j] = b->mn[2 * j + 1] = (int16_t)m;
    }
}

ROPS_TARGET static void unpack_q2_K(const uint8_t *x, struct kblock *b) {
    const uint8_t *sc = x, *q = x + 16;
    b->d = rops_half_to_float(x + 80); b->dmin = rops_half_to_float(x + 82);
    for (int i = 0; i < 16; i++) { b->sc[i] = sc[i] & 0xF; b->mn[i] = sc[i] >> 4; }
    const __m256i m3 = _mm256_set1_epi8(3);
    for (int n = 0; n < 2; n++) {
        const __m256i v = _mm256_loadu_si256((const __m256i *)(q + 32 * n));
        for (int j = 0; j < 4; j++)
            _mm256_storeu_si256((__m256i *)(b->w + 128 * n + 32 * j), _mm256_and_si256(_mm256_srli_epi16(v, 2 * j), m3));
    }
}

ROPS_TARGET static void unpack_q3_K(const uint8_t *x, struct kblock *b) {
    const uint8_t *hm = x, *q = x + 32, *s = x + 96;
    b->d = rops_half_to_float(x + 108); b->dmin = 0;
    for (int i = 0; i < 16; i++) {
        const int lo = i < 8 ? (s[i] & 0xF) : (s[i - 8] >> 4);
        const int hi = (s[8 + (i & 3)] >> (2 * (i >> 2))) & 3;
        b->sc[i] = (int16_t)((lo | hi << 4) - 32);
        b->mn[i] = 0;
    }
    const __m256i m3 = _mm256_set1_epi8(3), one = _mm256_set1_epi8(1);
    const __m256i h = _mm256_loadu_si256((const __m256i *)hm);
    for (int n = 0; n < 2; n++) {
        const __m256i v = _mm256_loadu_si256((const __m256i *)(q + 32 * n));
        for (int j = 0; j < 4; j++) {
            // code | high bit << 2 (value + 4: the high bit set means no −4)
            const __m256i lo = _mm256_and_si256(_mm256_srli_epi16(v, 2 * j), m3);
            const __m256i hb = _mm256_and_si256(_mm256_srli_epi16(h, 4 * n + j), one);
            _mm256_storeu_si256((__m256i *)(b->w + 128 * n + 32 * j), _mm256_or_si256(lo, _mm256_slli_epi16(hb, 2)));
        }
    }
}

ROPS_TARGET static void unpack_q4_K(const uint8_t *x, struct kblock *b) {
    const uint8_t *q = x + 16;
    unpack_header_k4(x, b);
    const __m256i m4 = _mm256_set1_epi8(0xF);
    for (int c = 0; c < 4; c++) {
        const __m256i v = _mm256_loadu_si256((const __m256i *)(q + 32 * c));
        _mm256_storeu_si256((__m256i *)(b->w + 64 * c), _mm256_and_si256(v, m4));
        _mm256_storeu_si256((__m256i *)(b->w + 64 * c + 32), _mm256_and_si256(_mm256_srli_epi16(v, 4), m4));
    }
}

ROPS_TARGET static void unpack_q5_K(const uint8_t *x, struct kblock *b) {
    const uint8_t *qh = x + 16, *q = x + 48;
    unpack_header_k4(x, b);
    const __m256i m4 = _mm256_set1_epi8(0xF), one = _mm256_set1_epi8(1);
    const __m256i h = _mm256_loadu_si256((const __m256i *)qh);
    for (int c = 0; c < 4; c++) {
        const __m256i v = _mm256_loadu_si256((const __m256i *)(q + 32 * c));
        const __m256i h0 = _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(h, 2 * c), one), 4);
        const __m256i h1 = _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(h, 2 * c + 1), one), 4);
        _mm256_storeu_si256((__m256i *)(b->w + 64 * c), _mm256_or_si256(_mm256_and_si256(v, m4), h0));
        _mm256_storeu_si256((__m256i *)(b->w + 64 * c + 32),
                            _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(v, 4), m4), h1));
    }
}

ROPS_TARGET static void unpack_q6_K(const uint8_t *x, struct kblock *b) {
    const uint8_t *ql = x, *qh = x + 128;
    const int8_t *sc = (const int8_t *)(x + 192);
    b->d = rops_half_to_float(x + 208); b->dmin = 0;
    for (int i = 0; i < 16; i++) { b->sc[i] = sc[i]; b->mn[i] = 0; }
    const __m256i m4 = _mm256_set1_epi8(0xF), m3 = _mm256_set1_epi8(3);
    for (int n = 0; n < 2; n++) {
        const __m256i l0 = _mm256_loadu_si256((const __m256i *)(ql + 64 * n));
        const __m256i l1 = _mm256_loadu_si256((const __m256i *)(ql + 64 * n + 32));
        const __m256i h = _mm256_loadu_si256((const __m256i *)(qh + 32 * n));
        const __m256i lo[4] = { _mm256_and_si256(l0, m4), _mm256_and_si256(l1, m4),
                                _mm256_and_si256(_mm256_srli_epi16(l0, 4), m4), _mm256_and_si256(_mm256_srli_epi16(l1, 4), m4) };
        for (int j = 0; j < 4; j++) {
            const __m256i hi = _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(h, 2 * j), m3), 4);
            _mm256_storeu_si256((__m256i *)(b->w + 128 * n + 32 * j), _mm256_or_si256(lo[j], hi));   // value + 32
        }
    }
}

/// The eight lane sums of s[0..7] as one vector (exact integer adds, in any order).
ROPS_TARGET static __m256i hsum8x8(const __m256i *s) {
    const __m256i u0 = _mm256_hadd_epi32(_mm256_hadd_epi32(s[0], s[1]), _mm256_hadd_epi32(s[2], s[3]));
    const __m256i u1 = _mm256_hadd_epi32(_mm256_hadd_epi32(s[4], s[5]), _mm256_hadd_epi32(s[6], s[7]));
    return _mm256_add_epi32(_mm256_permute2x128_si256(u0, u1, 0x20), _mm256_permute2x128_si256(u0, u1, 0x31));
}

/// Tokens whose activations are used for every row while a row's super-blocks are unpacked once for all of
/// them; rows whose unpacked super-blocks are used together (with one group's activations in L1, as
/// llama.cpp's 16-row microtiles); and tokens computed together from one unpacked 32-value group (their
/// integer accumulators in registers).
#define TOKENS 64
#define ROWS 16
#define GROUP 8

/// One row's integer sums for GROUP tokens over one unpacked super-block, then the tiled kernel's
/// epilogue, eight tokens per vector: r = d·s1, r = fma(−dmin, s2, r) (types with mins), acc = fma(r, d_act, acc).
ROPS_TARGET static inline __attribute__((always_inline)) __m256 kquant_group(const struct kblock *b, int mins, int bias,
        const uint8_t *const *y, __m256 dy, __m256 acc) {
    __m256i s1[GROUP];
    for (long t = 0; t < GROUP; t++) s1[t] = _mm256_setzero_si256();
    for (int s = 0; s < 8; s++) {   // codes ≥ 0 (biased where the type's are signed): unsigned bytes × q
        const __m256i wv = _mm256_loadu_si256((const __m256i *)(b->w + 32 * s));
        const __m256i sc = _mm256_setr_m128i(_mm_set1_epi16(b->sc[2 * s]), _mm_set1_epi16(b->sc[2 * s + 1]));
        for (long t = 0; t < GROUP; t++) {
            const __m256i q = _mm256_loadu_si256((const __m256i *)(y[t] + 4 + 32 * s));
            s1[t] = _mm256_add_epi32(s1[t], _mm256_madd_epi16(sc, _mm256_maddubs_epi16(wv, q)));
        }
    }
    __m256i si = hsum8x8(s1);
    if (bias) {   // minus bias · Σ sc·bsum, exact
        const __m256i scv = _mm256_loadu_si256((const __m256i *)b->sc);
        __m256i s2[GROUP];
        for (long t = 0; t < GROUP; t++) s2[t] = _mm256_madd_epi16(_mm256_loadu_si256((const __m256i *)(y[t] + 260)), scv);
        si = _mm256_sub_epi32(si, _mm256_mullo_epi32(_mm256_set1_epi32(bias), hsum8x8(s2)));
    }
    __m256 res = _mm256_mul_ps(_mm256_set1_ps(b->d), _mm256_cvtepi32_ps(si));
    if (mins) {
        const __m256i mn = _mm256_loadu_si256((const __m256i *)b->mn);
        __m256i s2[GROUP];
        for (long t = 0; t < GROUP; t++) s2[t] = _mm256_madd_epi16(_mm256_loadu_si256((const __m256i *)(y[t] + 260)), mn);
        res = _mm256_fnmadd_ps(_mm256_set1_ps(b->dmin), _mm256_cvtepi32_ps(hsum8x8(s2)), res);
    }
    return _mm256_fmadd_ps(res, dy, acc);
}

ROPS_TARGET void rops_gemm_kquant_tiled(int type, long k, const void *w, long ldw, long r0, long r1,
                                        const void *x, long ldx, long nt, float *c, long ldc) {
    void (*unpack)(const uint8_t *, struct kblock *);
    long bytes;
    switch (type) {
    case 10: unpack = unpack_q2_K; bytes = 84; break;
    case 11: unpack = unpack_q3_K; bytes = 110; break;
    case 12: unpack = unpack_q4_K; bytes = 144; break;
    case 13: unpack = unpack_q5_K; bytes = 176; break;
    case 14: unpack = unpack_q6_K; bytes = 210; break;
    default: rops_gemm_iq_tiled(type, k, w, ldw, r0, r1, x, ldx, nt, c, ldc); return;   // IQ4_XS, IQ grid types (TiledIQ.c)
    }
    const long nb = k / 256;
    const uint8_t *W = (const uint8_t *)w, *X = (const uint8_t *)x;
    const int mins = type == 10 || type == 12 || type == 13;   // Q2_K, Q4_K, Q5_K: mins, unsigned codes
    const int bias = type == 11 ? BIAS_Q3_K : type == 14 ? BIAS_Q6_K : 0;
    struct kblock b[ROWS];
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
                        _mm256_storeu_ps(acc[i] + g, kquant_group(&b[i], mins, bias, y, dyv, _mm256_loadu_ps(acc[i] + g)));
                }
            }
            for (long i = 0; i < rn; i++)
                for (long t = 0; t < tn; t++) c[(t0 + t) * ldc + rb + i] = acc[i][t];
        }
    }
}

#endif
