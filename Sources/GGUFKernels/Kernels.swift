/// An error a kernel entry point reports instead of crashing.
public enum KernelError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The row length is not a multiple of the type's block size (e.g. 100 elements of Q4_K).
    case rowLengthNotMultiple(type: QuantType, rowLength: Int, blockSize: Int)
    /// GGUFKernels has no such kernel for the type (e.g. quantizing to IQ2_XXS).
    case unsupported(type: QuantType, operation: String)
    /// A negative number of rows.
    case negativeRowCount(Int)

    public var description: String {
        switch self {
        case let .rowLengthNotMultiple(type, n, bs): return "row length \(n) is not a multiple of the \(type) block size \(bs)"
        case let .unsupported(type, op): return "no \(op) kernel for \(type)"
        case let .negativeRowCount(n): return "negative row count \(n)"
        }
    }
}

/// Quantize, dequantize and dot-product entry points over raw memory.
///
/// Kernels are pure functions of their inputs and single-threaded; split work by rows to use threads.
/// Rows are contiguous: row `r` of the source starts at `src + r * rowLength` floats, row `r` of the
/// destination at `r * type.rowSize(rowLength)` bytes.
public enum Kernels {
    /// Quantizes `rows` rows of `rowLength` floats to `type` as llama.cpp's `ggml_quantize_chunk` does
    /// (bit-identical for the verified types): without an imatrix when `weights` is nil; else with `weights`,
    /// `rowLength` importance weights (a float per column, the same for every row), as with an imatrix.
    /// Weights are supported for the IQ types, and ignored as by ggml for F32/F16/BF16, TQ1_0, TQ2_0, MXFP4, Q1_0 and
    /// Q2_0; other types throw `unsupported` (ggml's weighted legacy/K-quant algorithms are not implemented).
    /// IQ2_XXS, IQ2_XS and IQ1_S quantize only with weights (ggml asserts them): without, they throw
    /// `unsupported(type:operation: "quantize without importance weights")`.
    public static func quantize(_ type: QuantType, src: UnsafePointer<Float>, dst: UnsafeMutableRawPointer,
                                rows: Int, rowLength: Int, weights: UnsafePointer<Float>? = nil) throws(KernelError) {
        let rowBytes = try type.rowSize(rowLength)
        guard rows >= 0 else { throw .negativeRowCount(rows) }
        if let weights {
            guard let fn = type.traits.quantizeRowWeighted else {
                throw .unsupported(type: type, operation: type.traits.quantizeRow == nil ? "quantize" : "quantize with importance weights")
            }
            for r in 0..<rows { fn(src + r * rowLength, dst + r * rowBytes, rowLength, weights) }
            return
        }
        guard let fn = type.traits.quantizeRow else {
            throw .unsupported(type: type, operation: type.traits.requiresImportanceWeights ? "quantize without importance weights" : "quantize")
        }
        for r in 0..<rows { fn(src + r * rowLength, dst + r * rowBytes, rowLength) }
    }

    /// Dequantizes `rows` rows of `rowLength` elements of `type` to floats (ggml's `to_float`, bit-identical).
    public static func dequantize(_ type: QuantType, src: UnsafeRawPointer, dst: UnsafeMutablePointer<Float>,
                                  rows: Int, rowLength: Int) throws(KernelError) {
        let rowBytes = try type.rowSize(rowLength)
        guard rows >= 0 else { throw .negativeRowCount(rows) }
        guard let fn = type.traits.dequantizeRow else { throw .unsupported(type: type, operation: "dequantize") }
        for r in 0..<rows { fn(src + r * rowBytes, dst + r * rowLength, rowLength) }
    }

    /// Quantizes an activation row of `count` floats to `type`'s ``QuantTraits/vecDotType`` as llama.cpp's x86
    /// CPU matmul does (`from_float`); `dst` needs `type.traits.vecDotType!.rowSize(count)` bytes.
    public static func quantizeActivations(for type: QuantType, src: UnsafePointer<Float>, dst: UnsafeMutableRawPointer,
                                           count: Int) throws(KernelError) {
        guard let vt = type.traits.vecDotType, let fn = vt.traits.fromFloat else {
            throw .unsupported(type: type, operation: "dot product")
        }
        _ = try vt.rowSize(count)
        _ = try type.rowSize(count)
        fn(src, dst, count)
    }

    /// The dot product of `count` elements: `x` a row of `type`, `y` a row of `type`'s vecDotType
    /// (made by ``quantizeActivations(for:src:dst:count:)``).
    public static func vecDot(_ type: QuantType, count: Int, x: UnsafeRawPointer, y: UnsafeRawPointer) throws(KernelError) -> Float {
        _ = try type.rowSize(count)
        guard let fn = type.traits.vecDot else { throw .unsupported(type: type, operation: "dot product") }
        return fn(count, x, y)
    }
}
