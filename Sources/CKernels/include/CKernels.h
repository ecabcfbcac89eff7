// AVX2 dot products and activation quantizers of llama.cpp's x86 CPU backend, for GGUFKernels.
//
// Every function but ckernels_have_avx2 exists only on x86-64 and must only be called when
// ckernels_have_avx2() returns 1 (AVX2, FMA and F16C present). `n` is the element count, a multiple of
// the block size (32 for the legacy types, 256 for the k-quants, any n for F32/F16/BF16); rows are
// ggml blocks laid out as in ggml-common.h. Results follow ggml's AVX2 code operation for operation
// (see docs/kernels.md for which are bit-identical).
#pragma once
#include <stddef.h>
#include <stdint.h>
#include "CRunnerOps.h"
#include "CKernelLevels.h"

#ifdef __cplusplus
extern "C" {
#endif

#pragma clang assume_nonnull begin

/// 1 when this CPU has AVX2, FMA and F16C (the C kernels may run), else 0 (always 0 off x86-64).
int ckernels_have_avx2(void);

/// 1 when GGUFKernels should use the C kernels: ckernels_have_avx2() and the environment variable
/// GGUFKIT_KERNELS is not "swift" (read at each call; GGUFKernels reads it once).
int ckernels_enabled(void);

#if defined(__x86_64__)
/// ggml_vec_dot_q4_0_q8_0, AVX2 path.
float ckernels_dot_q4_0_q8_0(ptrdiff_t n, const void *x, const void *y);
/// ggml_vec_dot_q4_1_q8_1, AVX2 path.
float ckernels_dot_q4_1_q8_1(ptrdiff_t n, const void *x, const void *y);
/// ggml_vec_dot_q5_0_q8_0, AVX2 path.
float ckernels_dot_q5_0_q8_0(ptrdiff_t n, const void *x, const void *y);
/// ggml_vec_dot_q5_1_q8_1, AVX2 path.
float ckernels_dot_q5_1_q8_1(ptrdiff_t n, const void *x, const void *y);
/// ggml_vec_dot_q8_0_q8_0, AVX2 path.
float ckernels_dot_q8_0_q8_0(ptrdiff_t n, const void *x, const void *y);
/// ggml_vec_dot_q2_K_q8_K, AVX2 path.
float ckernels_dot_q2_K_q8_K(ptrdiff_t n, const void *x, const void *y);
/// ggml_vec_dot_q3_K_q8_K, AVX2 path.
float ckernels_dot_q3_K_q8_K(ptrdiff_t n, const void *x, const void *y);
/// ggml_vec_dot_q4_K_q8_K, AVX2 path.
float ckernels_dot_q4_K_q8_K(ptrdiff_t n, const void *x, const void *y);
/// ggml_vec_dot_q5_K_q8_K, AVX2 path.
float ckernels_dot_q5_K_q8_K(ptrdiff_t n, const void *x, const void *y);
/// ggml_vec_dot_q6_K_q8_K, AVX2 path.
float ckernels_dot_q6_K_q8_K(ptrdiff_t n, const void *x, const void *y);
/// ggml_vec_dot_iq2_xxs_q8_K … ggml_vec_dot_iq1_m_q8_K, AVX2 paths (iqdot.c).
float ckernels_dot_iq2_xxs_q8_K(ptrdiff_t n, const void *x, const void *y);
float ckernels_dot_iq2_xs_q8_K(ptrdiff_t n, const void *x, const void *y);
float ckernels_dot_iq2_s_q8_K(ptrdiff_t n, const void *x, const void *y);
float ckernels_dot_iq3_xxs_q8_K(ptrdiff_t n, const void *x, const void *y);
float ckernels_dot_iq3_s_q8_K(ptrdiff_t n, const void *x, const void *y);
float ckernels_dot_iq1_s_q8_K(ptrdiff_t n, const void *x, const void *y);
float ckernels_dot_iq1_m_q8_K(ptrdiff_t n, const void *x, const void *y);
/// ggml_vec_dot_iq4_nl_q8_0, _mxfp4_q8_0 (any n multiple of 32) and _iq4_xs_q8_K, AVX2 paths (iq4dot.c).
float ckernels_dot_iq4_nl_q8_0(ptrdiff_t n, const void *x, const void *y);
float ckernels_dot_mxfp4_q8_0(ptrdiff_t n, const void *x, const void *y);
float ckernels_dot_iq4_xs_q8_K(ptrdiff_t n, const void *x, const void *y);
/// ggml_vec_dot_tq1_0_q8_K, _tq2_0_q8_K, AVX2 paths (tqdot.c).
float ckernels_dot_tq1_0_q8_K(ptrdiff_t n, const void *x, const void *y);
float ckernels_dot_tq2_0_q8_K(ptrdiff_t n, const void *x, const void *y);
/// ggml_vec_dot_f32 (GGML_SIMD, AVX: 4 × 8 FMA lanes).
float ckernels_dot_f32(ptrdiff_t n, const void *x, const void *y);
/// ggml_vec_dot_f16 (GGML_SIMD, F16C + FMA: 4 × 8 lanes; tail in double).
float ckernels_dot_f16(ptrdiff_t n, const void *x, const void *y);
/// ggml_vec_dot_bf16 (AVX2 branch: 4 × 8 lanes, multiply-adds fused as GCC builds it; tail in double).
float ckernels_dot_bf16(ptrdiff_t n, const void *x, const void *y);

/// quantize_row_q8_0 of the x86 AVX2 backend (id = 127/amax, round half to even).
void ckernels_quantize_q8_0(const float *x, void *y, ptrdiff_t n);
/// quantize_row_q8_1 of the x86 AVX2 backend (as Q8_0, plus s = fp16(d·Σq)).
void ckernels_quantize_q8_1(const float *x, void *y, ptrdiff_t n);
/// quantize_row_q8_K_ref (the x86 backend's from_float), vectorized; all-zero blocks get zero bsums.
void ckernels_quantize_q8_K(const float *x, void *y, ptrdiff_t n);
/// quantize_row_q4_1_ref (ggml-base, the weight quantizer llama-quantize runs), byte-identical.
void ckernels_quantize_q4_1(const float *x, void *y, ptrdiff_t n);
/// make_q3_quants(16, 4, x, L, do_rmse = true) of ggml-quants.c (Q3_K's group quantizer), bit-identical:
/// the scale, and the 16 codes (0...7) in L.
float ckernels_make_q3_quants(const float *x, int8_t *L);
/// The 16 passes of quantize_row_iq4_nl_impl's scale search (ntry = 7) over one sub-block of 32 values x with
/// weights w: pass 0 with id0 (1/d of the first guess), pass 8 + itry with (itry - 127)/max. Writes each pass's
/// sums Σ w·q·x and Σ w·q·q (in element order, as C adds them) and pass 0's codes to L; bit-identical.
void ckernels_iq4_passes(const float *x, const float *w, float id0, float max, float *sumqx, float *sumq2, uint8_t *L);
/// The E2M1 codes of quantize_row_mxfp4_ref for `nblocks` blocks whose exponent byte e is already stored
/// (block b at y + 17b): best_index_mxfp4 of every value, packed as ggml packs them; byte-identical.
void ckernels_mxfp4_codes(const float *x, void *y, ptrdiff_t nblocks);
/// ggml_fp32_to_bf16_row_ref: round to nearest even, NaN kept quiet (| 0x40), any n.
void ckernels_fp32_to_bf16(const float *x, uint16_t *y, ptrdiff_t n);
/// ggml_cpu_fp32_to_fp16 on an F16C CPU (the F16 vec_dot type's from_float): vcvtps2ph, round to nearest
/// even. Equal to the reference conversion except for NaN payloads (kept, quieted, not replaced by 0x7e00).
void ckernels_fp32_to_fp16_cpu(const float *x, uint16_t *y, ptrdiff_t n);
/// make_qkx3_quants(n, nmax, x, weights, L, the_min, Laux, rmin, rdelta, nstep, use_mad = false) of ggml-quants.c
/// (n <= 64, weights not NULL), bit-identical: the weighted sub-block fit of Q2_K/Q4_K/Q5_K/Q4_1/Q5_1 with an imatrix.
float ckernels_make_qkx3_quants(int n, int nmax, const float *x, const float *weights, uint8_t *L, float *the_min,
                                float rmin, float rdelta, int nstep);
/// make_qx_quants(n, nmax, x, L, rmse_type = 1, qw) of ggml-quants.c with weights qw (not NULL), bit-identical.
float ckernels_make_qx_quants_w(int n, int nmax, const float *x, int8_t *L, const float *qw);
/// dequantize_row_q8_0 / _q4_K / _q5_K of ggml-quants.c (to_float), bit-identical; n a multiple of the block.
void ckernels_dequantize_q8_0(const void *x, float *y, ptrdiff_t n);
void ckernels_dequantize_q4_K(const void *x, float *y, ptrdiff_t n);
void ckernels_dequantize_q5_K(const void *x, float *y, ptrdiff_t n);
/// The neighbour search of the 2-bit 8-value grids (IQ2_XXS, IQ2_XS, IQ2_S, IQ1_S, IQ1_M), bit-identical: among the
/// `count` grid indices nb[0 ...], whose levels are packed 2 bits each in packed[index], the first with the smallest
/// Σ t[stride·i + level_i] summed over i = 0 … 7 in order (strict < from FLT_MAX); -1 if none. Writes that sum.
int ckernels_grid8_search(const uint16_t *nb, int count, const uint32_t *packed, const float *t, int stride, float *best_out);
#endif

#pragma clang assume_nonnull end

#ifdef __cplusplus
}
#endif
