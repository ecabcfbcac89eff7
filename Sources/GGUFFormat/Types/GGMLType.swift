/// A tensor element type of ggml, numbered as in `enum ggml_type`.
///
/// Every id that current ggml defines is listed so that any GGUF file can be read and sized,
/// even when GGUFKit has no kernel for the type. Removed ids (4, 5, 31–33, 36–38) are not cases:
/// ``init(rawValue:)`` returns `nil` for them and for anything unknown.
public enum GGMLType: UInt32, Sendable, CaseIterable, CustomStringConvertible {
    case f32 = 0, f16 = 1
    case q4_0 = 2, q4_1 = 3
    case q5_0 = 6, q5_1 = 7
    case q8_0 = 8, q8_1 = 9
    case q2_K = 10, q3_K = 11, q4_K = 12, q5_K = 13, q6_K = 14, q8_K = 15
    case iq2_XXS = 16, iq2_XS = 17, iq3_XXS = 18, iq1_S = 19, iq4_NL = 20, iq3_S = 21, iq2_S = 22, iq4_XS = 23
    case i8 = 24, i16 = 25, i32 = 26, i64 = 27, f64 = 28
    case iq1_M = 29
    case bf16 = 30
    case tq1_0 = 34, tq2_0 = 35
    case mxfp4 = 39, nvfp4 = 40, q1_0 = 41, q2_0 = 42

    /// Size facts of one type: elements per block and bytes per block.
    public struct Traits: Sendable, Equatable {
        public let name: String
        public let blockSize: Int
        public let typeSize: Int
        /// Whether the type is block-quantized (as opposed to a plain scalar type).
        public let isQuantized: Bool
    }

    /// The table that drives everything: name, block size and bytes per block (ggml-common.h).
    public var traits: Traits {
        switch self {
        case .f32: return Traits(name: "F32", blockSize: 1, typeSize: 4, isQuantized: false)
        case .f16: return Traits(name: "F16", blockSize: 1, typeSize: 2, isQuantized: false)
        case .q4_0: return Traits(name: "Q4_0", blockSize: 32, typeSize: 18, isQuantized: true)
        case .q4_1: return Traits(name: "Q4_1", blockSize: 32, typeSize: 20, isQuantized: true)
        case .q5_0: return Traits(name: "Q5_0", blockSize: 32, typeSize: 22, isQuantized: true)
        case .q5_1: return Traits(name: "Q5_1", blockSize: 32, typeSize: 24, isQuantized: true)
        case .q8_0: return Traits(name: "Q8_0", blockSize: 32, typeSize: 34, isQuantized: true)
        case .q8_1: return Traits(name: "Q8_1", blockSize: 32, typeSize: 36, isQuantized: true)
        case .q2_K: return Traits(name: "Q2_K", blockSize: 256, typeSize: 84, isQuantized: true)
        case .q3_K: return Traits(name: "Q3_K", blockSize: 256, typeSize: 110, isQuantized: true)
        case .q4_K: return Traits(name: "Q4_K", blockSize: 256, typeSize: 144, isQuantized: true)
        case .q5_K: return Traits(name: "Q5_K", blockSize: 256, typeSize: 176, isQuantized: true)
        case .q6_K: return Traits(name: "Q6_K", blockSize: 256, typeSize: 210, isQuantized: true)
        case .q8_K: return Traits(name: "Q8_K", blockSize: 256, typeSize: 292, isQuantized: true)
        case .iq2_XXS: return Traits(name: "IQ2_XXS", blockSize: 256, typeSize: 66, isQuantized: true)
        case .iq2_XS: return Traits(name: "IQ2_XS", blockSize: 256, typeSize: 74, isQuantized: true)
        case .iq3_XXS: return Traits(name: "IQ3_XXS", blockSize: 256, typeSize: 98, isQuantized: true)
        case .iq1_S: return Traits(name: "IQ1_S", blockSize: 256, typeSize: 50, isQuantized: true)
        case .iq4_NL: return Traits(name: "IQ4_NL", blockSize: 32, typeSize: 18, isQuantized: true)
        case .iq3_S: return Traits(name: "IQ3_S", blockSize: 256, typeSize: 110, isQuantized: true)
        case .iq2_S: return Traits(name: "IQ2_S", blockSize: 256, typeSize: 82, isQuantized: true)
        case .iq4_XS: return Traits(name: "IQ4_XS", blockSize: 256, typeSize: 136, isQuantized: true)
        case .i8: return Traits(name: "I8", blockSize: 1, typeSize: 1, isQuantized: false)
        case .i16: return Traits(name: "I16", blockSize: 1, typeSize: 2, isQuantized: false)
        case .i32: return Traits(name: "I32", blockSize: 1, typeSize: 4, isQuantized: false)
        case .i64: return Traits(name: "I64", blockSize: 1, typeSize: 8, isQuantized: false)
        case .f64: return Traits(name: "F64", blockSize: 1, typeSize: 8, isQuantized: false)
        case .iq1_M: return Traits(name: "IQ1_M", blockSize: 256, typeSize: 56, isQuantized: true)
        case .bf16: return Traits(name: "BF16", blockSize: 1, typeSize: 2, isQuantized: false)
        case .tq1_0: return Traits(name: "TQ1_0", blockSize: 256, typeSize: 54, isQuantized: true)
        case .tq2_0: return Traits(name: "TQ2_0", blockSize: 256, typeSize: 66, isQuantized: true)
        case .mxfp4: return Traits(name: "MXFP4", blockSize: 32, typeSize: 17, isQuantized: true)
        case .nvfp4: return Traits(name: "NVFP4", blockSize: 64, typeSize: 36, isQuantized: true)
        case .q1_0: return Traits(name: "Q1_0", blockSize: 128, typeSize: 18, isQuantized: true)
        case .q2_0: return Traits(name: "Q2_0", blockSize: 64, typeSize: 18, isQuantized: true)
        }
    }

    /// The ggml name, e.g. `Q4_K`.
    public var name: String { traits.name }
    public var blockSize: Int { traits.blockSize }
    public var typeSize: Int { traits.typeSize }
    public var isQuantized: Bool { traits.isQuantized }
    public var description: String { name }

    /// Bits per weight: 8 × bytes per block / elements per block.
    public var bitsPerWeight: Double { 8.0 * Double(typeSize) / Double(blockSize) }

    /// Looks a type up by its ggml name, case-insensitively (`q4_k`, `Q4_K`, `bf16`).
    public init?(name: String) {
        let upper = name.uppercased()
        guard let t = GGMLType.allCases.first(where: { $0.name == upper }) else { return nil }
        self = t
    }

    /// Bytes of one row of `count` elements, or `nil` when `count` is not a multiple of the block size
    /// or the size overflows.
    public func rowBytes(_ count: Int) -> Int? {
        guard count >= 0, count % blockSize == 0 else { return nil }
        let (r, o) = (count / blockSize).multipliedReportingOverflow(by: typeSize)
        return o ? nil : r
    }

    /// Bytes of a tensor with dimensions `ne` (ggml order, `ne[0]` the row length), or `nil` when the
    /// row length is not a multiple of the block size or the size overflows.
    public func tensorBytes(_ ne: [Int]) -> Int? {
        guard let first = ne.first, var total = rowBytes(first) else { return ne.isEmpty ? typeSize : nil }
        for d in ne.dropFirst() {
            guard d >= 0 else { return nil }
            let (r, o) = total.multipliedReportingOverflow(by: d)
            if o { return nil }
            total = r
        }
        return total
    }
}
