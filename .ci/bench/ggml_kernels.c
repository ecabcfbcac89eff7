// The llama.cpp column of `ggufkit-bench kernels`: the same inputs (SplitMix seed 42, x ~ N(0, 0.02), y ~ N(0, 1)),
// the same n and the same timing loop (best of batches, one thread) against the oracle's libggml-base/libggml-cpu.
// Quantize = ggml_quantize_chunk (what llama-quantize runs), dequantize = to_float, activations = the CPU
// from_float of vec_dot_type, dot = the CPU vec_dot. Build and run: .ci/bench/kernels.sh.
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "ggml.h"
#include "ggml-cpu.h"

static uint64_t state = 42;
static uint64_t next(void) {
    state += 0x9E3779B97F4A7C15ull;
    uint64_t z = state;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
static double uniform(void) { return (double)(next() >> 11) / 9007199254740992.0; }
static double normal(void) {
    const double r = sqrt(-2 * log(uniform() + 1e-300));
    return r * cos(2 * M_PI * uniform());
}
static int cpu_clock;   // weighted mode: this process's CPU time (robust to other processes' load)
static double now(void) {
    struct timespec t;
    clock_gettime(cpu_clock ? CLOCK_PROCESS_CPUTIME_ID : CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

enum op { QUANTIZE, DEQUANTIZE, ACTIVATIONS, DOT };
static enum ggml_type type;
static int64_t n;
static float *x, *y, *out, *w, sink;
static void *q, *qy;

static void body(enum op op) {
    const struct ggml_type_traits *t = ggml_get_type_traits(type);
    const struct ggml_type_traits_cpu *c = ggml_get_type_traits_cpu(type);
    switch (op) {
    case QUANTIZE: ggml_quantize_chunk(type, x, q, 0, 1, n, w); break;
    case DEQUANTIZE: t->to_float(q, out, n); break;
    case ACTIVATIONS: ggml_get_type_traits_cpu(c->vec_dot_type)->from_float(y, qy, n); break;
    case DOT: {
        float s;
        c->vec_dot((int)n, &s, 0, q, 0, qy, 0, 1);
        sink += s;
        break;
    }
    }
}

/// Seconds per call: the best of batches over `seconds` (as timeIt in KernelBench.swift).
static double time_it(double seconds, enum op op) {
    body(op);
    long calls = 1;
    double t0 = now();
    body(op);
    double dt = now() - t0;
    while (dt < seconds / 10) {
        calls *= 2;
        t0 = now();
        for (long i = 0; i < calls; i++) body(op);
        dt = now() - t0;
    }
    double best = dt / calls;
    const double end = now() + seconds;
    while (now() < end) {
        t0 = now();
        for (long i = 0; i < calls; i++) body(op);
        const double b = (now() - t0) / calls;
        if (b < best) best = b;
    }
    return best;
}

int main(int argc, char **argv) {
    n = argc > 1 ? atoll(argv[1]) : 16384;
    const double seconds = argc > 2 ? atof(argv[2]) : 0.3;
    const enum ggml_type types[] = { GGML_TYPE_F16, GGML_TYPE_BF16, GGML_TYPE_Q4_0, GGML_TYPE_Q4_1, GGML_TYPE_Q5_0,
        GGML_TYPE_Q5_1, GGML_TYPE_Q8_0, GGML_TYPE_Q2_K, GGML_TYPE_Q3_K, GGML_TYPE_Q4_K, GGML_TYPE_Q5_K, GGML_TYPE_Q6_K,
        GGML_TYPE_IQ4_NL, GGML_TYPE_IQ4_XS, GGML_TYPE_TQ1_0, GGML_TYPE_TQ2_0, GGML_TYPE_MXFP4, GGML_TYPE_IQ3_S };
    ggml_cpu_init();
    x = malloc(n * 4); y = malloc(n * 4); out = malloc(n * 4);
    q = malloc(n * 4 + 1024); qy = malloc(n * 4 + 1024);
    for (int64_t i = 0; i < n; i++) x[i] = (float)(normal() * 0.02);
    for (int64_t i = 0; i < n; i++) y[i] = (float)normal();
    const double mb = n * 4 / 1e6;
    if (argc > 3 && strcmp(argv[3], "weighted") == 0) {
        // `ggml_kernels N S weighted`: ggml_quantize_chunk with an imatrix row (w ~ exp(1.5 N(0, 1)), drawn after
        // x and y, as `ggufkit-bench kernels --weights`) for the grid types; MB/s of F32 input per second of this
        // process's CPU time.
        const enum ggml_type wtypes[] = { GGML_TYPE_IQ2_XXS, GGML_TYPE_IQ2_XS, GGML_TYPE_IQ2_S, GGML_TYPE_IQ3_XXS,
            GGML_TYPE_IQ3_S, GGML_TYPE_IQ1_S, GGML_TYPE_IQ1_M, GGML_TYPE_IQ4_XS };
        w = malloc(n * 4);
        for (int64_t i = 0; i < n; i++) w[i] = (float)exp(normal() * 1.5);
        cpu_clock = 1;
        printf("type      quantize MB/s  (n = %lld, one thread, with importance weights; llama.cpp)\n", (long long)n);
        for (size_t k = 0; k < sizeof wtypes / sizeof wtypes[0]; k++) {
            type = wtypes[k];
            ggml_quantize_init(type);
            printf("%-9s %13.2f\n", ggml_type_name(type), mb / time_it(seconds, QUANTIZE));
        }
        return 0;
    }
    printf("type      quantize MB/s  dequantize MB/s  activations MB/s  dot Gelem/s   (n = %lld, one thread; llama.cpp)\n", (long long)n);
    for (size_t k = 0; k < sizeof types / sizeof types[0]; k++) {
        type = types[k];
        const double rq = mb / time_it(seconds, QUANTIZE);
        const double rdq = mb / time_it(seconds, DEQUANTIZE);
        const double ract = mb / time_it(seconds, ACTIVATIONS);
        const double rdot = n / 1e9 / time_it(seconds, DOT);
        printf("%-9s %13.0f  %15.0f  %16.0f  %11.2f\n", ggml_type_name(type), rq, rdq, ract, rdot);
    }
    if (sink == 12345) printf("%f\n", sink);
    return 0;
}
