import GGUFFormat

/// Converts tensor data to `Float` for `diff --values`.
///
/// F32, F16 and BF16 only for now; the quantized types come with the GGUFKernels dequantizers.
public enum Dequantize {
    /// Whether `type` can be converted.
    public static func supports(_ type: GGMLType) -> Bool {
        switch type {
        case .f32, .f16, .bf16: return true
        default: return false
        }
    }

    /// Converts `count` elements of `type` at `src` into `dst` (which holds `count` floats).
    public static func toFloat(_ type: GGMLType, _ src: UnsafeRawPointer, count: Int, into dst: UnsafeMutablePointer<Float>) {
        switch type {
        case .f32:
            dst.update(from: src.assumingMemoryBound(to: Float.self), count: count)
        case .f16:
            for i in 0..<count { dst[i] = Float(Float16(bitPattern: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) }
        case .bf16:
            for i in 0..<count {
                dst[i] = Float(bitPattern: UInt32(src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)) << 16)
            }
        default:
            preconditionFailure("no dequantizer for \(type)")
        }
    }
}
