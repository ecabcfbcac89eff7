#ifndef CKERNELLEVELS_H
#define CKERNELLEVELS_H

/// CPU levels of the kernel library and the runner's float kernels per level (ggml-cpu's per-build choice,
/// made here at run time). Each level's functions compute what llama.cpp built for that level computes, bit
/// for bit (see docs/kernels.md, "CPU levels").

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#pragma clang assume_nonnull begin

/// Kernel levels, lowest first. SWIFT: no C kernels (portable Swift). AVX2: AVX2+FMA+F16C (llama.cpp built
/// for AVX2). AVXVNNI: AVX2 plus 256-bit VNNI (client CPUs without AVX-512; llama.cpp's AVX-VNNI branches are
/// integer-exact, so its float order is AVX2's). AVX512: AVX-512 F/DQ/BW/VL with VNNI (llama.cpp built with
/// -march=native on an AVX-512 CPU: 16-lane float loops and reductions).
enum {
    CK_LEVEL_SWIFT = 0,
    CK_LEVEL_AVX2 = 1,
    CK_LEVEL_AVXVNNI = 2,
    CK_LEVEL_AVX512 = 3,
};

/// 1 when this CPU can run the kernels of `level` (SWIFT always), else 0 (0 for every C level off x86-64).
int ck_level_supported(int level);

/// The highest level this CPU supports.
int ck_level_detected(void);

/// The runner's float kernels at one CPU level (F32/F16 dot products in tinyBLAS and ggml_vec_dot order, their
/// tiled matmuls, softmax and SwiGLU with ggml_v_expf). `tb_step`: tinyBLAS's k step (8 AVX2, 16 AVX-512;
/// tinyBLAS declines a matmul whose k is not a multiple); `vd_step`: ggml_vec_dot_f16/_f32's step (32, 64).
/// Function contracts as the rops_* functions of CRunnerOps.h.
typedef struct ck_float_ops {
    long tb_step;
    long vd_step;
    float (*dot_f16_tb)(long n, const uint16_t *a, const uint16_t *b);
    float (*dot_f32_tb)(long n, const float *a, const float *b);
    float (*dot_f16_vd)(long n, long np, const uint16_t *a, const uint16_t *b);
    float (*dot_f32_vd)(long n, const float *a, const float *b);
    void (*gemm_f16_tb)(long k, const uint16_t *a, long lda, long r0, long r1,
                        const uint16_t *b, long ldb, long nt, float *c, long ldc);
    void (*gemm_f32_tb)(long k, const float *a, long lda, long r0, long r1,
                        const float *b, long ldb, long nt, float *c, long ldc);
    void (*softmax)(long n, long nkv, float *x, float scale);
    void (*swiglu)(long n, float *g, const float *u);
} ck_float_ops;

/// The float kernels of `level`, or NULL for SWIFT, for a level this CPU lacks, and off x86-64.
const ck_float_ops *_Nullable ck_float_ops_for(int level);

#if defined(__x86_64__)
/// AVX-512 variants (llama.cpp built with __AVX512F__): GGML_F32_STEP 64 / EPR 16 in ggml_vec_dot_f16/_f32
/// (4 accumulators of 16 lanes, reduced (0+2, 1+3), 0+1, then _mm512_reduce_add_ps as GCC defines it:
/// high 256 + low 256, high 128 + low 128, (0+2, 1+3), 0+1); tinyBLAS<16, __m512> (one 16-lane FMA chain per
/// output, k a multiple of 16); ggml_v_expf/ggml_v_silu's AVX-512 variant in 16-wide chunks. Need
/// ck_level_supported(CK_LEVEL_AVX512).
float ck512_dot_f16_tb(long n, const uint16_t *a, const uint16_t *b);
float ck512_dot_f32_tb(long n, const float *a, const float *b);
float ck512_dot_f16_vd(long n, long np, const uint16_t *a, const uint16_t *b);
float ck512_dot_f32_vd(long n, const float *a, const float *b);
void ck512_gemm_f16_tb(long k, const uint16_t *a, long lda, long r0, long r1,
                       const uint16_t *b, long ldb, long nt, float *c, long ldc);
void ck512_gemm_f32_tb(long k, const float *a, long lda, long r0, long r1,
                       const float *b, long ldb, long nt, float *c, long ldc);
void ck512_softmax(long n, long nkv, float *x, float scale);
void ck512_swiglu(long n, float *g, const float *u);
/// ggml_vec_dot_f32 / _f16 with the GGUFKernels signature (n values, any n): the AVX-512 build's order.
float ckernels512_dot_f32(ptrdiff_t n, const void *x, const void *y);
float ckernels512_dot_f16(ptrdiff_t n, const void *x, const void *y);
/// ggml_vec_dot_bf16 built for AVX-512 F without AVX512-BF16 (2 x 16 fused multiply-add lanes, 32 a step).
float ckernels512_dot_bf16(ptrdiff_t n, const void *x, const void *y);
/// ggml_vec_dot_bf16 built with AVX512-BF16 (2 dpbf16 accumulators, 64 a step); needs ckernels_have_avx512bf16().
float ckernels512bf16_dot_bf16(ptrdiff_t n, const void *x, const void *y);
/// 1 when this CPU has AVX512-BF16.
int ckernels_have_avx512bf16(void);
#endif

#pragma clang assume_nonnull end

#ifdef __cplusplus
}
#endif

#endif
