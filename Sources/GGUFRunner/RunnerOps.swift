import CKernels
import GGUFFormat
import GGUFKernels

/// Whether the runner's C float kernels (the kernel library's, `CKernels`) run at the active
/// ``KernelLevel`` (AVX2 or AVX-512 on x86-64; not with `GGUFKIT_KERNELS=swift`). Elsewhere the runner's
/// Swift loops compute the same values in another order. When true, F32/F16 logits are bit-identical to
/// llama.cpp's plain path built for that level (docs/runner.md).
public var runnerOpsAvailable: Bool { floatOps != nil }

/// The float kernels of the active ``KernelLevel`` (F32/F16 dots and tiles, softmax, SwiGLU), or nil where
/// the Swift loops run.
var floatOps: UnsafePointer<ck_float_ops>? { ck_float_ops_for(KernelLevel.active.rank) }

/// tinyBLAS's k step at the active level: 8 (AVX2, 8-lane vectors) or 16 (AVX-512).
var tinyBLASStep: Int { floatOps.map { $0.pointee.tb_step } ?? 8 }

/// ggml_vec_dot_f16/_f32's step at the active level: 32 (AVX2: 4 × 8 lanes) or 64 (AVX-512: 4 × 16).
var vecDotStep: Int { floatOps.map { $0.pointee.vd_step } ?? 32 }

/// Which summation order llama.cpp's CPU mul_mat uses for `m` rows of length `k` times `n` columns of
/// F32 or F16: llamafile's tinyBLAS (one FMA accumulator of `step` lanes per output) when the batch has at
/// least 2 columns, k is a multiple of `step` (8 AVX2, 16 AVX-512) and m of 4; otherwise ggml_vec_dot.
@inline(__always)
func usesTinyBLAS(m: Int, n: Int, k: Int, step: Int = tinyBLASStep) -> Bool { n >= 2 && k % step == 0 && m % 4 == 0 }

/// Whether llama.cpp sums a matmul of `type` weights over `tokens` tokens in llamafile's
/// tinyBLAS_Q0_AVX order (8 int32 lanes per block, FMA-accumulated with the scale product, hsum at the
/// end) rather than ggml_vec_dot's: Q8_0, Q4_0, Q5_0 and IQ4_NL weights in batches of 2 or more tokens.
func usesTinyBLASQ0(_ type: GGMLType, tokens: Int) -> Bool {
    tokens >= 2 && (type == .q8_0 || type == .q4_0 || type == .q5_0 || type == .iq4_NL)
}

/// Whether llama.cpp computes a matmul of `type` weights over `tokens` tokens with its tiled K-quant
/// kernel (ggml-cpu/tiled: Q2_K … Q6_K, IQ4_XS and the IQ grid weights, batches of 8 or more tokens, weights not repacked)
/// rather than ggml_vec_dot; its float order differs (`rops_gemm_kquant_tiled`).
func usesTiledKQuant(_ type: GGMLType, tokens: Int) -> Bool {
    tokens >= 8 && [GGMLType.q2_K, .q3_K, .q4_K, .q5_K, .q6_K, .iq4_XS, .iq2_XXS, .iq2_XS, .iq2_S, .iq3_XXS, .iq3_S,
                     .iq1_S, .iq1_M].contains(type)
}
