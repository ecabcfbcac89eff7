import CKernels
import Foundation
import GGUFFormat
import GGUFKernels

/// How rows of one weight type are multiplied with activations, as ggml-cpu does it.
///
/// `activationType` is ggml's `vec_dot_type` for the weight type: activations are converted to it
/// once per row (`quantize`), then every weight row is dotted with the converted activations.
protocol WeightKernel: Sendable {
    /// The weight type.
    var type: GGMLType { get }
    /// ggml's `vec_dot_type`: what activations are converted to before the dot products.
    var activationType: GGMLType { get }
    /// Converts `n` floats to `activationType` (`from_float` of the vec_dot type).
    func quantize(_ x: UnsafePointer<Float>, _ out: UnsafeMutableRawPointer, _ n: Int)
    /// The dot product of one weight row with one converted activation row.
    func dot(_ n: Int, _ row: UnsafeRawPointer, _ act: UnsafeRawPointer) -> Float
    /// One weight row to floats (embedding lookup).
    func dequantize(_ row: UnsafeRawPointer, _ out: UnsafeMutablePointer<Float>, _ n: Int)
    /// `out[r] = dot(n, W[r], act)` for rows `r0 ..< r1` of `w` (rows `rowBytes` apart): one token's matmul.
    func dotRows(_ n: Int, _ w: UnsafeRawPointer, rowBytes: Int, _ r0: Int, _ r1: Int, _ act: UnsafeRawPointer,
                 _ out: UnsafeMutablePointer<Float>)
}

extension WeightKernel {
    func dotRows(_ n: Int, _ w: UnsafeRawPointer, rowBytes: Int, _ r0: Int, _ r1: Int, _ act: UnsafeRawPointer,
                 _ out: UnsafeMutablePointer<Float>) {
        for r in r0..<r1 { out[r] = dot(n, w + r * rowBytes, act) }
    }
}

/// The kernel for each weight type the runner computes with.
enum KernelTable {
    /// Quantized types: the shared GGUFKernels (every type they have a dot product for). F32/F16: the
    /// runner's own loops (same numerics as ggml: F16 activations rounded to nearest even, F32 sums; a
    /// table lookup for F16 → F32, faster than the shared bit recipe without F16C). With
    /// `GGUFKIT_RUNNER_KERNELS=shared` F32/F16 too (a cross-check).
    static func kernel(for type: GGMLType) -> (any WeightKernel)? {
        let mode = ProcessInfo.processInfo.environment["GGUFKIT_RUNNER_KERNELS"]
        if mode != "shared" {
            switch type {
            case .f32: return F32Kernel()
            case .f16: return F16Kernel()
            default: break
            }
        }
        return sharedKernel(for: type)
    }

}

// MARK: - F32 and F16

/// F32 weights: activations stay F32 (`ggml_vec_dot_f32`).
struct F32Kernel: WeightKernel {
    var type: GGMLType { .f32 }
    var activationType: GGMLType { .f32 }
    func quantize(_ x: UnsafePointer<Float>, _ out: UnsafeMutableRawPointer, _ n: Int) {
        out.copyMemory(from: x, byteCount: n * 4)
    }
    /// ggml_vec_dot_f32's order with the C kernel of the active level (x86), else the Swift loop.
    func dot(_ n: Int, _ row: UnsafeRawPointer, _ act: UnsafeRawPointer) -> Float {
        let a = row.assumingMemoryBound(to: Float.self), b = act.assumingMemoryBound(to: Float.self)
        #if arch(x86_64)
        if let ops = floatOps { return ops.pointee.dot_f32_vd(n, a, b) }
        #endif
        return dotF32(n, a, b)
    }
    func dequantize(_ row: UnsafeRawPointer, _ out: UnsafeMutablePointer<Float>, _ n: Int) {
        UnsafeMutableRawPointer(out).copyMemory(from: row, byteCount: n * 4)
    }
    /// One token's matmul: the level's kernel looked up once for all rows.
    func dotRows(_ n: Int, _ w: UnsafeRawPointer, rowBytes: Int, _ r0: Int, _ r1: Int, _ act: UnsafeRawPointer,
                 _ out: UnsafeMutablePointer<Float>) {
        let b = act.assumingMemoryBound(to: Float.self)
        guard let ops = floatOps else {
            for r in r0..<r1 { out[r] = dotF32(n, (w + r * rowBytes).assumingMemoryBound(to: Float.self), b) }
            return
        }
        let f = ops.pointee.dot_f32_vd
        for r in r0..<r1 { out[r] = f(n, (w + r * rowBytes).assumingMemoryBound(to: Float.self), b) }
    }
}

/// F16 weights: activations rounded to F16, products summed in F32 (`ggml_vec_dot_f16`).
struct F16Kernel: WeightKernel {
    var type: GGMLType { .f16 }
    var activationType: GGMLType { .f16 }
    func quantize(_ x: UnsafePointer<Float>, _ out: UnsafeMutableRawPointer, _ n: Int) {
        toF16(x, out.assumingMemoryBound(to: UInt16.self), n)
    }
    /// ggml_vec_dot_f16's order with the C kernel of the active level (x86), else the Swift loop.
    func dot(_ n: Int, _ row: UnsafeRawPointer, _ act: UnsafeRawPointer) -> Float {
        let a = row.assumingMemoryBound(to: UInt16.self), b = act.assumingMemoryBound(to: UInt16.self)
        #if arch(x86_64)
        if let ops = floatOps { return ops.pointee.dot_f16_vd(n, n & ~(ops.pointee.vd_step - 1), a, b) }
        #endif
        return dotF16(n, a, b)
    }
    func dequantize(_ row: UnsafeRawPointer, _ out: UnsafeMutablePointer<Float>, _ n: Int) {
        let p = row.assumingMemoryBound(to: UInt16.self), tab = F16.table
        for i in 0..<n { out[i] = tab[Int(p[i])] }
    }
    /// One token's matmul: the level's kernel looked up once for all rows.
    func dotRows(_ n: Int, _ w: UnsafeRawPointer, rowBytes: Int, _ r0: Int, _ r1: Int, _ act: UnsafeRawPointer,
                 _ out: UnsafeMutablePointer<Float>) {
        let b = act.assumingMemoryBound(to: UInt16.self)
        guard let ops = floatOps else {
            for r in r0..<r1 { out[r] = dotF16(n, (w + r * rowBytes).assumingMemoryBound(to: UInt16.self), b) }
            return
        }
        let f = ops.pointee.dot_f16_vd, np = n & ~(ops.pointee.vd_step - 1)
        for r in r0..<r1 { out[r] = f(n, np, (w + r * rowBytes).assumingMemoryBound(to: UInt16.self), b) }
    }
}

/// F32 → F16 as ggml-cpu converts activations and cache rows (F16C where the CPU has it).
@inline(__always)
func toF16(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<UInt16>, _ n: Int) {
    Half.fp16CPU(x, out, count: n)
}

/// Sum of products in 8 float lanes (the order differs from ggml's SIMD order only in rounding).
@inline(__always)
func dotF32(_ n: Int, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>) -> Float {
    var acc = SIMD8<Float>()
    var i = 0
    let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
    while i + 8 <= n {
        acc += ra.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            * rb.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
        i += 8
    }
    var s = acc.sum()
    while i < n { s += a[i] * b[i]; i += 1 }
    return s
}

@inline(__always)
func dotF16(_ n: Int, _ a: UnsafePointer<UInt16>, _ b: UnsafePointer<UInt16>) -> Float {
    let tab = F16.table
    var s0: Float = 0, s1: Float = 0, s2: Float = 0, s3: Float = 0
    var i = 0
    while i + 4 <= n {
        s0 += tab[Int(a[i])] * tab[Int(b[i])]
        s1 += tab[Int(a[i + 1])] * tab[Int(b[i + 1])]
        s2 += tab[Int(a[i + 2])] * tab[Int(b[i + 2])]
        s3 += tab[Int(a[i + 3])] * tab[Int(b[i + 3])]
        i += 4
    }
    while i < n { s0 += tab[Int(a[i])] * tab[Int(b[i])]; i += 1 }
    return (s0 + s1) + (s2 + s3)
}
