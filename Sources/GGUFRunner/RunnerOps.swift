import CRunnerOps
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

/// A dot product of one weight row with one converted activation row.
typealias RowDot = (Int, UnsafeRawPointer, UnsafeRawPointer) -> Float

/// llama.cpp's order for a batch (>= 2 tokens) of Q8_0, Q4_0 or Q5_0 weights: llamafile's
/// tinyBLAS_Q0_AVX (8 int32 lanes per block, FMA-accumulated with the scale product, hsum at the end),
/// where ggml_vec_dot would sum otherwise. Nil for other types, one token, or without the C kernels.
func tinyBLASQ0Dot(_ type: GGMLType, tokens: Int) -> RowDot? {
    #if arch(x86_64)
    guard runnerOpsAvailable, tokens >= 2 else { return nil }
    switch type {
    case .q8_0: return { rops_dot_q8_0_tb($0, $1, $2) }
    case .q4_0: return { rops_dot_q4_0_tb($0, $1, $2) }
    case .q5_0: return { rops_dot_q5_0_tb($0, $1, $2) }
    default: return nil
    }
    #else
    return nil
    #endif
}
