import GGUFFormat
import GGUFKernels

/// Converts tensor data to `Float` for `diff --values`, with GGUFKernels' dequantizers (ggml's
/// `to_float`, bit-identical): F32, F16, BF16 and every type GGUFKernels can dequantize.
public enum Dequantize {
    /// Whether `type` can be converted.
    public static func supports(_ type: GGMLType) -> Bool {
        QuantType(rawValue: type.rawValue)?.traits.dequantizeRow != nil
    }

    /// Converts `rows` rows of `rowLength` elements of `type` at `src` into `dst`.
    public static func toFloat(_ type: GGMLType, _ src: UnsafeRawPointer, rows: Int, rowLength: Int, into dst: UnsafeMutablePointer<Float>) {
        guard let q = QuantType(rawValue: type.rawValue) else { preconditionFailure("no dequantizer for \(type)") }
        do {
            try Kernels.dequantize(q, src: src, dst: dst, rows: rows, rowLength: rowLength)
        } catch {
            // The reader has checked that rows are whole blocks, and supports() that the kernel exists.
            preconditionFailure("\(error)")
        }
    }
}
