/// What `ggml_validate_row_data` finds wrong with a row of quantized (or F32/F16/BF16) data.
///
/// llama-quantize checks every chunk it writes and refuses the model ("quantized data validation failed")
/// when a block's scale, or a float value, is infinite or NaN: input values too large for the type, or
/// NaN/inf in the input.
public struct RowDataProblem: Error, Equatable, Sendable, CustomStringConvertible {
    /// What the bad field holds.
    public enum Kind: String, Sendable { case nan, inf, invalidExponent = "invalid e8m0" }
    public let kind: Kind
    /// The block (the element, for F32/F16/BF16) from the start of the data checked.
    public let block: Int

    public init(_ kind: Kind, block: Int) { self.kind = kind; self.block = block }

    /// ggml's wording: "found inf value at block 3".
    public var description: String { "found \(kind.rawValue) value at block \(block)" }
}

extension Kernels {
    /// The first block of `data` (`byteCount` bytes of `type`) that llama.cpp's `ggml_validate_row_data`
    /// rejects, or nil when it would accept all of it.
    ///
    /// The fields checked are ggml's: every value of F32/F16/BF16; the fp16 scale `d` (and `m`/`dmin`
    /// where the block has one) of the legacy, K-quant, IQ and ternary types; Q8_K's float `d`; MXFP4's
    /// exponent. A `byteCount` that is not whole blocks is checked up to its last whole block.
    public static func validate(_ type: QuantType, _ data: UnsafeRawPointer, byteCount: Int) -> RowDataProblem? {
        let bb = type.bytesPerBlock, blocks = byteCount / bb
        // F32/F16/BF16: one vectorized pass over every value first; the element loops below only run on
        // data that has a bad value
        switch type {
        case .f32 where !anyExponentAllOnes(data, count: blocks, as: UInt32.self, mask: 0x7f80_0000): return nil
        case .f16 where !anyExponentAllOnes(data, count: blocks, as: UInt16.self, mask: 0x7c00): return nil
        case .bf16 where !anyExponentAllOnes(data, count: blocks, as: UInt16.self, mask: 0x7f80): return nil
        default: break
        }
        switch type {
        case .f32, .q8_K:   // the value itself; Q8_K's float d, first in its block
            for i in 0..<blocks {
                let f = data.loadUnaligned(fromByteOffset: i * bb, as: Float.self)
                if !f.isFinite { return RowDataProblem(f.isNaN ? .nan : .inf, block: i) }
            }
            return nil
        case .bf16:
            for i in 0..<blocks {
                let h = data.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self) & 0x7fff
                if h >= 0x7f80 { return RowDataProblem(h > 0x7f80 ? .nan : .inf, block: i) }
            }
            return nil
        case .mxfp4:
            for i in 0..<blocks where data.load(fromByteOffset: i * bb, as: UInt8.self) == 0xff {
                return RowDataProblem(.invalidExponent, block: i)
            }
            return nil
        case .iq1_M:
            for i in 0..<blocks {
                let sc = { (j: Int) in data.loadUnaligned(fromByteOffset: i * bb + 48 + 2 * j, as: UInt16.self) }
                let s = (sc(0) >> 12) | ((sc(1) >> 8) & 0x00f0) | ((sc(2) >> 4) & 0x0f00) | (sc(3) & 0xf000)
                if let k = fp16Problem(s) { return RowDataProblem(k, block: i) }
            }
            return nil
        default:
            let fields = fp16ScaleOffsets(type)
            for i in 0..<blocks {
                for o in fields {
                    if let k = fp16Problem(data.loadUnaligned(fromByteOffset: i * bb + o, as: UInt16.self)) {
                        return RowDataProblem(k, block: i)
                    }
                }
            }
            return nil
        }
    }

    /// Byte offsets of the fp16 fields ggml validates in one block (F16: the value itself).
    static func fp16ScaleOffsets(_ type: QuantType) -> [Int] {
        switch type {
        case .f16: return [0]
        case .q4_1, .q5_1, .q8_1, .q4_K, .q5_K: return [0, 2]   // d, m / s / dmin
        case .q2_K: return [80, 82]                              // after scales[16], qs[64]
        case .q3_K: return [108]                                 // after hmask[32], qs[64], scales[12]
        case .q6_K: return [208]                                 // after ql[128], qh[64], scales[16]
        case .tq1_0: return [52]                                 // after qs[48], qh[4]
        case .tq2_0: return [64]                                 // after qs[64]
        default: return [0]                                      // Q4_0, Q5_0, Q8_0, IQ*: d first
        }
    }

    /// Whether any of `count` values has all the bits of `mask` (its exponent field) set: `(v & mask) + lowest
    /// bit of mask` reaches the sign bit exactly then, so the loop is an OR the compiler vectorizes.
    @inline(__always)
    static func anyExponentAllOnes<T: FixedWidthInteger & UnsignedInteger>(_ data: UnsafeRawPointer, count: Int, as: T.Type, mask: T) -> Bool {
        let low = mask & (~mask &+ 1), sign = T(1) << (T.bitWidth - 1)
        guard Int(bitPattern: data) % MemoryLayout<T>.alignment == 0 else {
            for i in 0..<count where data.loadUnaligned(fromByteOffset: i * MemoryLayout<T>.size, as: T.self) & mask == mask { return true }
            return false
        }
        let p = data.assumingMemoryBound(to: T.self)
        var acc: T = 0
        for i in 0..<count { acc |= (p[i] & mask) &+ low }
        return acc & sign != 0
    }

    @inline(__always) static func fp16Problem(_ h: UInt16) -> RowDataProblem.Kind? {
        h & 0x7c00 != 0x7c00 ? nil : (h & 0x03ff == 0 ? .inf : .nan)
    }
}
