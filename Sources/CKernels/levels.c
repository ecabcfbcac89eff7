// CPU levels: detection (cpuid through the compiler's builtins) and the runner's float kernels per level.
#include "CKernelLevels.h"
#include "CRunnerOps.h"
#include <stddef.h>

static int check_level(int level) {
    if (level == CK_LEVEL_SWIFT) return 1;
#if defined(__x86_64__)
    __builtin_cpu_init();
    const int avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c");
    switch (level) {
    case CK_LEVEL_AVX2: return avx2;
    case CK_LEVEL_AVXVNNI: return avx2 && __builtin_cpu_supports("avxvnni");
    case CK_LEVEL_AVX512:
        return avx2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq")
            && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl")
            && __builtin_cpu_supports("avx512vnni");
    default: return 0;
    }
#else
    return 0;
#endif
}

/// Answers per level, computed once (-1: not yet; a benign race computes the same value twice).
static int supported[4] = {-1, -1, -1, -1};

int ck_level_supported(int level) {
    if (level < CK_LEVEL_SWIFT || level > CK_LEVEL_AVX512) return 0;
    int s = __atomic_load_n(&supported[level], __ATOMIC_RELAXED);
    if (s < 0) {
        s = check_level(level);
        __atomic_store_n(&supported[level], s, __ATOMIC_RELAXED);
    }
    return s;
}

int ck_level_detected(void) {
    for (int l = CK_LEVEL_AVX512; l > CK_LEVEL_SWIFT; l--)
        if (ck_level_supported(l)) return l;
    return CK_LEVEL_SWIFT;
}

#if defined(__x86_64__)
static const ck_float_ops avx2_ops = {
    .tb_step = 8, .vd_step = 32,
    .dot_f16_tb = rops_dot_f16_tb, .dot_f32_tb = rops_dot_f32_tb,
    .dot_f16_vd = rops_dot_f16_vd, .dot_f32_vd = rops_dot_f32_vd,
    .gemm_f16_tb = rops_gemm_f16_tb, .gemm_f32_tb = rops_gemm_f32_tb,
    .softmax = rops_softmax, .swiglu = rops_swiglu,
};

static const ck_float_ops avx512_ops = {
    .tb_step = 16, .vd_step = 64,
    .dot_f16_tb = ck512_dot_f16_tb, .dot_f32_tb = ck512_dot_f32_tb,
    .dot_f16_vd = ck512_dot_f16_vd, .dot_f32_vd = ck512_dot_f32_vd,
    .gemm_f16_tb = ck512_gemm_f16_tb, .gemm_f32_tb = ck512_gemm_f32_tb,
    .softmax = ck512_softmax, .swiglu = ck512_swiglu,
};
#endif

const ck_float_ops *ck_float_ops_for(int level) {
#if defined(__x86_64__)
    if (level == CK_LEVEL_SWIFT || !ck_level_supported(level)) return NULL;
    // AVX-VNNI changes only integer sums (exact) in llama.cpp: its float kernels are AVX2's
    return level == CK_LEVEL_AVX512 ? &avx512_ops : &avx2_ops;
#else
    (void)level;
    return NULL;
#endif
}
