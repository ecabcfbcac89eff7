import Foundation
import GGUFKernels

/// ggml's GELU on F32 as its CPU backend computes it (`GGML_GELU_FP16`, ggml-cpu/vec.h): the input rounded to F16
/// and looked up in a 65536-entry table of F16 results (`ggml_table_gelu_f16`, filled by `ggml_cpu_init`), except
/// x ≤ −10 (0) and x ≥ 10 (x).
enum GELU {
    /// `0.5·x·(1 + tanh(√(2/π)·x·(1 + 0.044715·x²)))` rounded to F16 for every F16 input, with GCC's contraction of
    /// `1 + A·x·x` into `fma(A·x, x, 1)`: this order gives libggml-cpu's table entry for every finite input (all 63488
    /// compared: `GELUTests`, `Fixtures/runner/gelu/make_gelu_table.c`); without the FMA one entry (x = −1.999) differs.
    nonisolated(unsafe) static let table: UnsafeMutablePointer<UInt16> = {
        let p = UnsafeMutablePointer<UInt16>.allocate(capacity: 65536)
        let a: Float = 0.044715, s: Float = 0.79788456080286535587989211986876
        for i in 0..<65536 {
            let x = F16.table[i]
            let inner = (s * x) * (1 as Float).addingProduct(a * x, x)
            p[i] = Half.fp16(0.5 * x * (1 + tanhf(inner)))
        }
        return p
    }()

    /// `g = gelu(g) · u` over n values (`ggml_vec_geglu_f32`).
    static func geglu(_ g: UnsafeMutablePointer<Float>, _ u: UnsafePointer<Float>, _ n: Int) {
        let t = table, f = F16.table
        for i in 0..<n {
            let x = g[i]
            if x <= -10 {
                g[i] = 0
            } else if x >= 10 {
                g[i] = x * u[i]
            } else {
                g[i] = f[Int(t[Int(Half.fp16(x))])] * u[i]
            }
        }
    }
}

/// `x = cap · tanh(x · (1/cap))` for n values: ggml_scale, ggml_tanh (libm's `tanhf` per value), ggml_scale, as
/// llama.cpp soft-caps gemma2's attention scores and gemma2/gemma3's logits.
func softcap(_ x: UnsafeMutablePointer<Float>, _ n: Int, cap: Float) {
    let inv = 1 / cap
    for i in 0..<n { x[i] = tanhf(x[i] * inv) * cap }
}
