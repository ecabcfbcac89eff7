#ifndef CRUNNEROPS_H
#define CRUNNEROPS_H

/// Float primitives of GGUFRunner in llama.cpp's x86 AVX2+FMA+F16C order, so that the runner's F32/F16
/// arithmetic is bit-identical to ggml-cpu's (see docs/runner.md, "Agreement with llama.cpp").
///
/// Two summation orders exist for a dot product, as in ggml's mul_mat:
///   * "tb" (llamafile tinyBLAS, used when a batch has >= 2 tokens): one 8-lane FMA accumulator over
///     k in steps of 8, then hsum ((lane i + lane i+4), then (0+2, 1+3), then 0+1);
///   * "vd" (ggml_vec_dot_f16 / _f32, one token): 4 accumulators of 8 lanes over steps of 32, reduced
///     (0+2, 1+3), (0+1), low+high half, two horizontal adds; leftovers summed after (F16: in double,
///     F32: in float with FMA, as GCC contracts them).
/// F16 values are IEEE half bit patterns. Declared on x86-64 only; every function needs
/// rops_available() != 0.

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#pragma clang assume_nonnull begin

/// Runs fn(ctx, p) for every piece p in 0 ..< pieces on `workers` threads: the caller and workers - 1
/// threads of a process-wide pool, which take pieces in turn (a descheduled thread leaves its share to the
/// others) and spin about a millisecond between jobs before they sleep, so the many short matmuls of a
/// token do not each pay a thread wake-up. One job at a time (callers queue); returns when all pieces ran.
typedef void (*rops_piece_fn)(void *ctx, long piece);
void rops_parallel(long workers, long pieces, rops_piece_fn fn, void *ctx);

#if defined(__x86_64__)

/// 1 when the kernels are compiled in (x86-64) and this CPU has AVX2, FMA and F16C; else 0.
int rops_available(void);

/// tinyBLAS order over n values (a tail short of 8 is zero-padded: the order of a longer,
/// zero-extended k).
float rops_dot_f16_tb(long n, const uint16_t *a, const uint16_t *b);
float rops_dot_f32_tb(long n, const float *a, const float *b);

/// ggml_vec_dot_f16 order for a vector of length L whose values from n on are zero: `np` is
/// L & ~31 (the part summed in lanes; values from np on are leftovers).
float rops_dot_f16_vd(long n, long np, const uint16_t *a, const uint16_t *b);
/// ggml_vec_dot_f32 order over n values.
float rops_dot_f32_vd(long n, const float *a, const float *b);

/// `c[t*ldc + r] = A[r] · B[t]` for rows r0 ..< r1 and tokens 0 ..< nt, each in tinyBLAS order
/// (k a multiple of 8); strides in elements. Tiles of 4 rows x 2 tokens (the order per output is
/// the same whatever the tiling).
void rops_gemm_f16_tb(long k, const uint16_t *a, long lda, long r0, long r1,
                      const uint16_t *b, long ldb, long nt, float *c, long ldc);
void rops_gemm_f32_tb(long k, const float *a, long lda, long r0, long r1,
                      const float *b, long ldb, long nt, float *c, long ldc);

/// Q8_0 / Q4_0 / Q5_0 weight row · Q8_0 activation row (n values) in llamafile tinyBLAS_Q0_AVX's order,
/// what llama.cpp uses for these types when a batch has >= 2 tokens: per block, 8 int32 lanes of 4
/// products each (maddubs/madd), converted to float and FMA-accumulated with the float product of the
/// two fp16 scales; then hsum as above. Every tile shape of tinyBLAS gives each output this order.
float rops_dot_q8_0_tb(long n, const void *x, const void *y);
float rops_dot_q4_0_tb(long n, const void *x, const void *y);
float rops_dot_q5_0_tb(long n, const void *x, const void *y);
/// IQ4_NL the same way (tinyBLAS_Q0_AVX<block_iq4_nl>: codes through kvalues_iq4nl).
float rops_dot_iq4_nl_tb(long n, const void *x, const void *y);
/// `c[t*ldc + r] = W[r] · X[t]` for rows r0 ..< r1 and tokens 0 ..< nt in that order, `type` the ggml type
/// id of W (8 Q8_0, 2 Q4_0, 6 Q5_0, 20 IQ4_NL; others do nothing), X rows of Q8_0; row strides in bytes. Tiles of 3
/// rows × 2 tokens; every output equals rops_dot_*_tb of its pair.
void rops_gemm_q0_tb(int type, long k, const void *w, long ldw, long r0, long r1,
                     const void *x, long ldx, long nt, float *c, long ldc);

/// `c[t*ldc + r] = W[r] · X[t]` for K-quant weights (`type` the ggml type id: 10 Q2_K … 14 Q6_K) and Q8_K
/// activations, in the order of llama.cpp's tiled K-quant matmul (ggml-cpu/tiled, used for batches of
/// >= 8 tokens when weights are not repacked): per super-block the exact integer sums s1 = Σ scale·code·q
/// and s2 = Σ min·bsum, then r = d·s1, r = fma(−dmin, s2, r) (types with mins), acc = fma(r, d_act, acc),
/// super-blocks in order. Row strides in bytes. Each weight super-block is unpacked once per 64 tokens.
void rops_gemm_kquant_tiled(int type, long k, const void *w, long ldw, long r0, long r1,
                            const void *x, long ldx, long nt, float *c, long ldc);
/// The same for IQ4_XS and the IQ grid types (16 IQ2_XXS, 17 IQ2_XS, 18 IQ3_XXS, 19 IQ1_S, 21 IQ3_S, 22 IQ2_S,
/// 23 IQ4_XS, 29 IQ1_M; others do nothing; rops_gemm_kquant_tiled passes them on): per super-block the integer sum
/// of ggml's tiled kernel (exact products; IQ4_XS with the sign trick's −(−128) = −128), r = d·s1 (d with ggml's
/// 1/8 or 1/4), acc = fma(r, d_act, acc) (TiledIQ.c).
void rops_gemm_iq_tiled(int type, long k, const void *w, long ldw, long r0, long r1,
                        const void *x, long ldx, long nt, float *c, long ldc);

/// A dot product of one weight row with one converted activation row, n values (the shared kernels' C
/// functions, e.g. ckernels_dot_q4_K_q8_K).
typedef float (*rops_dot_fn)(long n, const void *_Nonnull x, const void *_Nonnull y);

/// `out[r] = dot(n, W[r], x)` for rows r0 ..< r1 (row stride `ldw` bytes): one token's matmul, looped in C
/// (a Swift closure call per row took about 5 % of a token's cycles).
void rops_gemv(rops_dot_fn _Nonnull dot, long n, const void *_Nonnull w, long ldw, long r0, long r1,
               const void *_Nonnull x, float *_Nonnull out);


/// Softmax of one attention row as ggml's soft_max (mask 0 on 0 ..< n, -inf on n ..< nkv):
/// x *= scale, max, then ggml_vec_soft_max_f32 (ggml_v_expf over 8-wide chunks from 0 while the
/// chunk fits in nkv, each chunk's sum added in double; libm expf for the rest), then x *= (float)(1/sum).
/// `x` holds the n scores.
void rops_softmax(long n, long nkv, float *x, float scale);

/// g = silu(g) * u as ggml_vec_swiglu_f32: ggml_v_silu on 8-wide chunks, x/(1+expf(-x)) for the rest.
void rops_swiglu(long n, float *g, const float *u);

#endif

#pragma clang assume_nonnull end

#ifdef __cplusplus
}
#endif

#endif
