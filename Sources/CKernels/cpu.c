// Runtime CPU check: the kernels are compiled for AVX2+FMA+F16C per function, the target itself for the
// baseline, so a portable build carries them and this decides whether they may run.
#include "CKernels.h"
#include <stdlib.h>
#include <string.h>

int ckernels_have_avx2(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c");
#else
    return 0;
#endif
}

int ckernels_enabled(void) {
    const char *k = getenv("GGUFKIT_KERNELS");
    return ckernels_have_avx2() && !(k && strcmp(k, "swift") == 0);
}
