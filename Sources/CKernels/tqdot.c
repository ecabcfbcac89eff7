// Ternary types (TQ1_0, TQ2_0) · Q8_K dot products following ggml's x86 AVX2 code (arch/x86/quants.c): codes
// 0, 1, 2 (for -1, 0, 1) times the activations in int16 lanes, minus the activations' sums (bsums) for the
// offset, pairs summed into 8 int32 lanes, converted and fused into the accumulator with d = d_y·d_x (ggml writes _mm256_mul_ps then
// _mm256_add_ps; GCC's vector-operator intrinsics let -ffp-contract=fast fuse them).
#include "CKernels.h"
#if defined(__x86_64__)
#include "simd.h"

/// The base-3 digit selected by multiplying a packed byte by 3^k: the top 2 bits of (byte · 3), as ggml's
/// avg trick computes them (saturating −1, avg(q, avg(q, 0)), >> 6).
CK_INLINE __m256i top_trit(__m256i q) {
    q = _mm256_subs_epu8(q, _mm256_set1_epi8(1));
    q = _mm256_avg_epu8(q, _mm256_avg_epu8(q, _mm256_setzero_si256()));
    return _mm256_and_si256(_mm256_srli_epi16(q, 6), _mm256_set1_epi8(3));
}

/// byte · 9 (mod 256) per byte: (q << 3 within bytes) + q.
CK_INLINE __m256i times9(__m256i q) {
    return _mm256_add_epi8(_mm256_and_si256(_mm256_slli_epi16(q, 3), _mm256_set1_epi8(-8)), q);
}
CK_INLINE __m128i times9_128(__m128i q) {
    return _mm_add_epi8(_mm_and_si128(_mm_slli_epi16(q, 3), _mm_set1_epi8(-8)), q);
}

CK_TARGET float ckernels_dot_tq1_0_q8_K(ptrdiff_t n, const void *vx, const void *vy) {
    const uint8_t *x = vx, *y = vy;
    __m256 acc = _mm256_setzero_ps();
    for (ptrdiff_t i = 0; i < n / 256; i++, x += 54, y += 292) {
        // layout: qs[48] (5 trits per byte), qh[4] (4 trits per byte), fp16 d
        const uint8_t *q8 = y + 4;
        __m256i s0, s1, s2;
        {
            const __m256i q0 = _mm256_loadu_si256((const __m256i *)x);
            const __m256i q1 = _mm256_add_epi8(q0, _mm256_add_epi8(q0, q0));
            const __m256i q2 = times9(q0), q3 = times9(q1), q4 = times9(q2);
            const __m256i p0 = _mm256_maddubs_epi16(top_trit(q0), _mm256_loadu_si256((const __m256i *)(q8 + 0)));
            const __m256i p1 = _mm256_maddubs_epi16(top_trit(q1), _mm256_loadu_si256((const __m256i *)(q8 + 32)));
            const __m256i p2 = _mm256_maddubs_epi16(top_trit(q2), _mm256_loadu_si256((const __m256i *)(q8 + 64)));
            const __m256i p3 = _mm256_maddubs_epi16(top_trit(q3), _mm256_loadu_si256((const __m256i *)(q8 + 96)));
            const __m256i p4 = _mm256_maddubs_epi16(top_trit(q4), _mm256_loadu_si256((const __m256i *)(q8 + 128)));
            s0 = _mm256_add_epi16(p0, p1);
            s1 = _mm256_add_epi16(p2, p3);
            s2 = p4;
        }
        {
            const __m128i q0 = _mm_loadu_si128((const __m128i *)(x + 32));
            uint32_t qh;
            memcpy(&qh, x + 48, 4);
            const __m128i q1 = _mm_add_epi8(q0, _mm_add_epi8(q0, q0));
            const __m128i q2 = times9_128(q0), q3 = times9_128(q1), q4 = times9_128(q2);
            __m256i h = _mm256_cvtepu8_epi16(_mm_set1_epi32((int)qh));
            h = _mm256_mullo_epi16(h, _mm256_setr_epi16(1, 1, 1, 1, 3, 3, 3, 3, 9, 9, 9, 9, 27, 27, 27, 27));
            h = _mm256_and_si256(h, _mm256_set1_epi16(0xFF));
            const __m128i q5 = _mm_packus_epi16(_mm256_castsi256_si128(h), _mm256_extracti128_si256(h, 1));
            const __m256i p01 = _mm256_maddubs_epi16(top_trit(_mm256_setr_m128i(q0, q1)), _mm256_loadu_si256((const __m256i *)(q8 + 160)));
            const __m256i p23 = _mm256_maddubs_epi16(top_trit(_mm256_setr_m128i(q2, q3)), _mm256_loadu_si256((const __m256i *)(q8 + 192)));
            const __m256i p45 = _mm256_maddubs_epi16(top_trit(_mm256_setr_m128i(q4, q5)), _mm256_loadu_si256((const __m256i *)(q8 + 224)));
            s0 = _mm256_add_epi16(s0, p01);
            s1 = _mm256_add_epi16(s1, p23);
            s2 = _mm256_add_epi16(s2, p45);
        }
        const __m256i ysum = _mm256_loadu_si256((const __m256i *)(y + 260));
        const __m256 d = _mm256_set1_ps(ck_f32(y) * ck_lane1(ck_h2f2(x + 50)));   // fp16 d at byte 52
        s0 = _mm256_sub_epi16(s0, ysum);
        s0 = _mm256_add_epi16(s0, _mm256_add_epi16(s1, s2));
        const __m256i s = _mm256_madd_epi16(s0, _mm256_set1_epi16(1));
        acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(s), d, acc);   // GCC fuses ggml's mul_ps + add_ps
    }
    return ck_hsum8(acc);
}

CK_TARGET float ckernels_dot_tq2_0_q8_K(ptrdiff_t n, const void *vx, const void *vy) {
    const uint8_t *x = vx, *y = vy;
    const __m256i m3 = _mm256_set1_epi8(3);
    __m256 acc = _mm256_setzero_ps();
    for (ptrdiff_t i = 0; i < n / 256; i++, x += 66, y += 292) {
        // layout: qs[64] (4 two-bit codes per byte), fp16 d
        const uint8_t *q8 = y + 4;
        __m256i s0 = _mm256_setzero_si256(), s1 = _mm256_setzero_si256();
        for (int j = 0; j < 64; j += 32) {
            const __m256i q = _mm256_loadu_si256((const __m256i *)(x + j));
            const __m256i p0 = _mm256_maddubs_epi16(_mm256_and_si256(q, m3), _mm256_loadu_si256((const __m256i *)(q8 + 4 * j)));
            const __m256i p1 = _mm256_maddubs_epi16(_mm256_and_si256(_mm256_srli_epi16(q, 2), m3), _mm256_loadu_si256((const __m256i *)(q8 + 4 * j + 32)));
            const __m256i p2 = _mm256_maddubs_epi16(_mm256_and_si256(_mm256_srli_epi16(q, 4), m3), _mm256_loadu_si256((const __m256i *)(q8 + 4 * j + 64)));
            const __m256i p3 = _mm256_maddubs_epi16(_mm256_and_si256(_mm256_srli_epi16(q, 6), m3), _mm256_loadu_si256((const __m256i *)(q8 + 4 * j + 96)));
            s0 = _mm256_add_epi16(s0, _mm256_add_epi16(p0, p1));
            s1 = _mm256_add_epi16(s1, _mm256_add_epi16(p2, p3));
        }
        const __m256i ysum = _mm256_loadu_si256((const __m256i *)(y + 260));
        const __m256 d = _mm256_set1_ps(ck_f32(y) * ck_lane1(ck_h2f2(x + 62)));   // fp16 d at byte 64
        s0 = _mm256_sub_epi16(_mm256_add_epi16(s0, s1), ysum);
        const __m256i s = _mm256_madd_epi16(s0, _mm256_set1_epi16(1));
        acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(s), d, acc);   // GCC fuses ggml's mul_ps + add_ps
    }
    return ck_hsum8(acc);
}
#endif
