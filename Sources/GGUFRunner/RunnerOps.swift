import CKernels
import GGUFFormat

/// Whether the C primitives in llama.cpp's AVX2 order (`CRunnerOps`) run on this machine (x86-64 with
/// AVX2, FMA and F16C). Elsewhere the runner's Swift loops compute the same values in another order.
/// When true, F32/F16 logits are bit-identical to llama.cpp's plain path built for AVX2 (docs/runner.md).
#if arch(x86_64)
public let runnerOpsAvailable = rops_available() != 0
#else
public let runnerOpsAvailable = false
#endif

/// Which summation order llama.cpp's CPU mul_mat uses for `m` rows of length `k` times `n` columns of
/// F32 or F16: llamafile's tinyBLAS (one 8-lane FMA accumulator per output) when the batch has at least
/// 2 columns, k is a multiple of 8 and m of 4; otherwise ggml_vec_dot (4 × 8 lanes per step of 32).
@inline(__always)
func usesTinyBLAS(m: Int, n: Int, k: Int) -> Bool { n >= 2 && k % 8 == 0 && m % 4 == 0 }

/// Whether llama.cpp sums a matmul of `type` weights over `tokens` tokens in llamafile's
/// tinyBLAS_Q0_AVX order (8 int32 lanes per block, FMA-accumulated with the scale product, hsum at the
/// end) rather than ggml_vec_dot's: Q8_0, Q4_0 and Q5_0 weights in batches of 2 or more tokens.
func usesTinyBLASQ0(_ type: GGMLType, tokens: Int) -> Bool {
    tokens >= 2 && (type == .q8_0 || type == .q4_0 || type == .q5_0)
}

/// Whether llama.cpp computes a matmul of `type` weights over `tokens` tokens with its tiled K-quant
/// kernel (ggml-cpu/tiled: Q2_K … Q6_K weights, batches of 8 or more tokens, weights not repacked)
/// rather than ggml_vec_dot; its float order differs (`rops_gemm_kquant_tiled`).
func usesTiledKQuant(_ type: GGMLType, tokens: Int) -> Bool {
    tokens >= 8 && [GGMLType.q2_K, .q3_K, .q4_K, .q5_K, .q6_K].contains(type)
}
