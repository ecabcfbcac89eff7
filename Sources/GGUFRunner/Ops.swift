import CKernels
import Foundation

/// `y = (x · 1/sqrt(mean(x²) + eps)) · w` as ggml's rms_norm then mul (sum of squares in Double).
@inline(__always)
func rmsNorm(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int, eps: Float) {
    var sum: Double = 0
    for i in 0..<n { sum += Double(x[i] * x[i]) }
    let mean = Float(sum / Double(n))
    let scale = 1 / (mean + eps).squareRoot()
    for i in 0..<n { y[i] = (x[i] * scale) * w[i] }
}

/// cos/sin of every rotated pair at one position, as ggml's `ggml_rope_cache_init` (theta multiplied
/// by `base^(-2/n_rot)` pair after pair, in Float; linear scaling multiplies theta by `freqScale`).
///
/// `freqFactors` (`rope_freqs.weight`, n_rot/2 values: Llama 3's rope scaling as the converter writes it) divide
/// each pair's angle before the frequency scale, as ggml's `rope_cache_init`: `freq_scale * (theta / ff)`.
///
/// `attnFactor` (llama.cpp's `yarn_attn_factor`: phi3's `rope.scaling.attn_factor`, else 1) multiplies cos and sin,
/// as `rope_yarn`'s `mscale` (a multiplication by 1 changes nothing).
func ropeCache(position: Int, nRot: Int, freqBase: Float, freqScale: Float, freqFactors: [Float]? = nil,
               attnFactor: Float = 1) -> [Float] {
    let thetaScale = powf(freqBase, -2 / Float(nRot))
    var cache = [Float](repeating: 0, count: nRot)
    var theta = Float(position)
    for i0 in stride(from: 0, to: nRot, by: 2) {
        let t = freqFactors.map { freqScale * (theta / $0[i0 / 2]) } ?? freqScale * theta
        cache[i0] = cosf(t) * attnFactor
        cache[i0 + 1] = sinf(t) * attnFactor
        theta *= thetaScale
    }
    return cache
}

/// Rotates adjacent pairs (x[2i], x[2i+1]) of the first `nRot` values of each head (llama's "normal"
/// RoPE mode); the rest of the head is left as is.
@inline(__always)
func applyRope(_ x: UnsafeMutablePointer<Float>, heads: Int, headSize: Int, nRot: Int, cache: UnsafePointer<Float>) {
    for h in 0..<heads {
        let p = x + h * headSize
        for i0 in stride(from: 0, to: nRot, by: 2) {
            let c = cache[i0], s = cache[i0 + 1]
            let x0 = p[i0], x1 = p[i0 + 1]
            // As GCC contracts ggml's `x0*cos - x1*sin`, `x0*sin + x1*cos` (-ffp-contract=fast, checked in
            // the disassembly of ggml_compute_forward_rope_flt): the x0 products fused.
            p[i0] = (-(x1 * s)).addingProduct(x0, c)
            p[i0 + 1] = (x1 * c).addingProduct(x0, s)
        }
    }
}

/// Rotates pairs (x[i], x[i + nRot/2]) of each head (llama.cpp's NEOX RoPE mode: qwen2, qwen3); pair i
/// takes the angle of cache entry 2i, and the same fused products as ``applyRope`` (one `rotate_pairs`).
@inline(__always)
func applyRopeNeox(_ x: UnsafeMutablePointer<Float>, heads: Int, headSize: Int, nRot: Int, cache: UnsafePointer<Float>) {
    let half = nRot / 2
    for h in 0..<heads {
        let p = x + h * headSize
        for i in 0..<half {
            let c = cache[2 * i], s = cache[2 * i + 1]
            let x0 = p[i], x1 = p[i + half]
            p[i] = (-(x1 * s)).addingProduct(x0, c)
            p[i + half] = (x1 * c).addingProduct(x0, s)
        }
    }
}

/// `silu(g) · u` (ggml_vec_swiglu_f32): on x86 AVX2 with ggml's vectorized exp (`CKernels/ops`), else libm's.
@inline(__always)
func swiglu(_ g: UnsafeMutablePointer<Float>, _ u: UnsafePointer<Float>, _ n: Int) {
    #if arch(x86_64)
    if let ops = floatOps { ops.pointee.swiglu(n, g, u); return }
    #endif
    for i in 0..<n {
        let x = g[i]
        g[i] = x / (1 + expf(-x)) * u[i]
    }
}
