// Dumps llama.cpp's GELU table (ggml_table_gelu_f16, filled by ggml_cpu_init) from the oracle's AVX2 libggml-cpu and
// prints the SHA-256 that GELUTableTests compares with: the 65536 little-endian uint16 entries, with the entries of
// non-finite inputs (F16 inf/NaN patterns, which ggml_vec_gelu_f32 never looks up) set to 0.
//
//   gcc make_gelu_table.c -o /tmp/dump -ldl && \
//     LIB=$HOME/.cache/ggufkit-oracle/avx2-py/llama_cpp/lib; LD_LIBRARY_PATH=$LIB /tmp/dump $LIB/libggml-cpu.so | sha256sum
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: %s libggml-cpu.so\n", argv[0]); return 2; }
    void *h = dlopen(argv[1], RTLD_NOW | RTLD_GLOBAL);
    if (!h) { fprintf(stderr, "%s\n", dlerror()); return 1; }
    void (*init)(void) = (void (*)(void))dlsym(h, "ggml_cpu_init");
    const uint16_t *t = (const uint16_t *)dlsym(h, "ggml_table_gelu_f16");
    if (!init || !t) { fprintf(stderr, "symbols not found\n"); return 1; }
    init();
    for (uint32_t i = 0; i < 65536; i++) {
        uint16_t v = ((i >> 10) & 0x1f) == 0x1f ? 0 : t[i];   // exponent all ones: inf or NaN input
        fputc(v & 0xff, stdout);
        fputc(v >> 8, stdout);
    }
    return 0;
}
