#if arch(x86_64)
import CKernels
#endif

// The AVX2 C kernels (Sources/CKernels) by ggml type name. They exist on x86-64 only and are handed out only
// when the CPU has AVX2, FMA and F16C; elsewhere the table keeps the Swift kernels.

enum CKernelTable {
    #if arch(x86_64)
    /// The CPU can run the C kernels.
    static let available = ckernels_have_avx2() != 0
    /// The table uses them: available, and `GGUFKIT_KERNELS` is not `swift`.
    static let enabled = ckernels_enabled() != 0

    /// The C dot product of a weight type at `level` (AVX2's by default), if the CPU can run it.
    static func vecDot(_ name: String, level: KernelLevel = .avx2) -> VecDotFn? {
        guard let f = vecDotFunction(name, level: level) else { return nil }
        return { n, x, y in f(n, x, y) }
    }

    /// The same as a C function pointer. The quant types' dot products are the same at every C level (their
    /// AVX-512/VNNI variants in llama.cpp change only exact integer sums); F32, F16 and BF16 follow the level.
    static func vecDotFunction(_ name: String, level: KernelLevel = .avx2) -> CVecDotFn? {
        guard available, level > .swift, level.isSupported else { return nil }
        let wide = level >= .avx512
        switch name {
        case "F32": return wide ? ckernels512_dot_f32 : ckernels_dot_f32
        case "F16": return wide ? ckernels512_dot_f16 : ckernels_dot_f16
        case "BF16":
            if !wide { return ckernels_dot_bf16 }
            if ckernels_have_avx512bf16() != 0 { return ckernels512bf16_dot_bf16 }
            return ckernels512_dot_bf16
        case "Q4_0": return ckernels_dot_q4_0_q8_0
        case "Q4_1": return ckernels_dot_q4_1_q8_1
        case "Q5_0": return ckernels_dot_q5_0_q8_0
        case "Q5_1": return ckernels_dot_q5_1_q8_1
        case "Q8_0": return ckernels_dot_q8_0_q8_0
        case "Q2_K": return ckernels_dot_q2_K_q8_K
        case "Q3_K": return ckernels_dot_q3_K_q8_K
        case "Q4_K": return ckernels_dot_q4_K_q8_K
        case "Q5_K": return ckernels_dot_q5_K_q8_K
        case "Q6_K": return ckernels_dot_q6_K_q8_K
        case "IQ2_XXS": return ckernels_dot_iq2_xxs_q8_K
        case "IQ2_XS": return ckernels_dot_iq2_xs_q8_K
        case "IQ2_S": return ckernels_dot_iq2_s_q8_K
        case "IQ3_XXS": return ckernels_dot_iq3_xxs_q8_K
        case "IQ3_S": return ckernels_dot_iq3_s_q8_K
        case "IQ1_S": return ckernels_dot_iq1_s_q8_K
        case "IQ1_M": return ckernels_dot_iq1_m_q8_K
        case "IQ4_NL": return ckernels_dot_iq4_nl_q8_0
        case "IQ4_XS": return ckernels_dot_iq4_xs_q8_K
        case "MXFP4": return ckernels_dot_mxfp4_q8_0
        case "TQ1_0": return ckernels_dot_tq1_0_q8_K
        case "TQ2_0": return ckernels_dot_tq2_0_q8_K
        default: return nil
        }
    }

    /// The C activation quantizer of an activation type, if the CPU can run it.
    static func fromFloat(_ name: String) -> QuantizeRowFn? {
        guard available else { return nil }
        switch name {
        case "Q8_0": return { x, y, n in ckernels_quantize_q8_0(x, y, n) }
        case "Q8_1": return { x, y, n in ckernels_quantize_q8_1(x, y, n) }
        case "Q8_K": return { x, y, n in ckernels_quantize_q8_K(x, y, n) }
        case "F16": return { x, y, n in Half.fp16CPU(x, y.assumingMemoryBound(to: UInt16.self), count: n) }
        // ggml's CPU from_float for BF16 is the reference rounding unless the CPU has AVX512-BF16
        case "BF16": return { x, y, n in ckernels_fp32_to_bf16(x, y.assumingMemoryBound(to: UInt16.self), n) }
        default: return nil
        }
    }

    /// The C weight quantizer of a type, if there is one and the CPU can run it.
    static func quantize(_ name: String) -> QuantizeRowFn? {
        guard available else { return nil }
        switch name {
        case "Q4_1": return { x, y, n in ckernels_quantize_q4_1(x, y, n) }
        case "Q3_K": return { x, y, n in Q3_K.quantize(x, y, n, cGroups: true) }
        case "MXFP4": return { x, y, n in MXFP4.quantize(x, y, n, cCodes: true) }
        case "IQ4_NL": return { x, y, n in IQ4_NL.quantize(x, y, n, weights: nil, cPasses: true) }
        case "IQ4_XS": return { x, y, n in IQ4_XS.quantize(x, y, n, weights: nil, cPasses: true) }
        case "BF16": return { x, y, n in ckernels_fp32_to_bf16(x, y.assumingMemoryBound(to: UInt16.self), n) }
        default: return nil
        }
    }

    /// The C dequantizer of a type, if there is one and the CPU can run it.
    static func dequantize(_ name: String) -> DequantizeRowFn? {
        guard available else { return nil }
        switch name {
        case "Q8_0": return { x, y, n in ckernels_dequantize_q8_0(x, y, n) }
        case "Q4_K": return { x, y, n in ckernels_dequantize_q4_K(x, y, n) }
        case "Q5_K": return { x, y, n in ckernels_dequantize_q5_K(x, y, n) }
        default: return nil
        }
    }

    /// make_q3_quants(16, 4, …) in C; only when ``available``.
    @inline(__always) static func makeQ3Quants(_ x: UnsafePointer<Float>, _ L: UnsafeMutablePointer<Int8>) -> Float {
        ckernels_make_q3_quants(x, L)
    }

    /// The weighted make_qx_quants (rmse_type 1) in C with AVX2 lanes; the caller checks ``enabled``.
    @inline(__always) static func makeQxQuants(_ n: Int, _ nmax: Int32, _ x: UnsafePointer<Float>, _ L: UnsafeMutablePointer<Int8>,
                                               _ qw: UnsafePointer<Float>) -> Float {
        ckernels_make_qx_quants_w(Int32(n), nmax, x, L, qw)
    }

    /// make_qkx3_quants (use_mad false) in C with AVX2 lanes; the caller checks ``enabled``.
    @inline(__always) static func makeQkx3Quants(_ n: Int, _ nmax: Int32, _ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>,
                                                 _ L: UnsafeMutablePointer<UInt8>, _ theMin: inout Float,
                                                 _ rmin: Float, _ rdelta: Float, _ nstep: Int) -> Float {
        ckernels_make_qkx3_quants(Int32(n), nmax, x, w, L, &theMin, rmin, rdelta, Int32(nstep))
    }
    #else
    static let available = false
    static let enabled = false
    static func vecDot(_ name: String, level: KernelLevel = .avx2) -> VecDotFn? { nil }
    static func vecDotFunction(_ name: String, level: KernelLevel = .avx2) -> CVecDotFn? { nil }
    static func fromFloat(_ name: String) -> QuantizeRowFn? { nil }
    static func quantize(_ name: String) -> QuantizeRowFn? { nil }
    static func dequantize(_ name: String) -> DequantizeRowFn? { nil }
    static func makeQ3Quants(_ x: UnsafePointer<Float>, _ L: UnsafeMutablePointer<Int8>) -> Float { fatalError("no C kernels") }
    static func makeQkx3Quants(_ n: Int, _ nmax: Int32, _ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>,
                               _ L: UnsafeMutablePointer<UInt8>, _ theMin: inout Float,
                               _ rmin: Float, _ rdelta: Float, _ nstep: Int) -> Float { fatalError("no C kernels") }
    static func makeQxQuants(_ n: Int, _ nmax: Int32, _ x: UnsafePointer<Float>, _ L: UnsafeMutablePointer<Int8>,
                             _ qw: UnsafePointer<Float>) -> Float { fatalError("no C kernels") }
    #endif
}
