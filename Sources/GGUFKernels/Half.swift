#if arch(x86_64)
import CKernels
#endif

/// IEEE half (fp16) and bfloat16 conversions, bit-identical to ggml's.
///
/// `fp16(_:)` is ggml's `ggml_compute_fp32_to_fp16`: round to nearest even, overflow to ±Inf
/// (|x| ≥ 65520), correct subnormals, any NaN → `0x7E00 | sign`. `fp32(fp16:)` is exact.
/// `bf16(_:)` is `ggml_compute_fp32_to_bf16`: round to nearest even, NaN → `(bits >> 16) | 0x40`.
/// The bulk functions are plain loops the compiler vectorizes; they are what the quantizer and the
/// runner use for F16/BF16 rows.
public enum Half {
    /// Converts a Float to fp16 bits (ggml's branch-free routine, RNE).
    @inlinable @inline(__always)
    public static func fp16(_ f: Float) -> UInt16 {
        let scaleToInf = Float(bitPattern: 0x7780_0000)   // 2^112
        let scaleToZero = Float(bitPattern: 0x0880_0000)  // 2^-110
        var base = (abs(f) * scaleToInf) * scaleToZero
        let w = f.bitPattern
        let shl1 = w &+ w
        let sign = w & 0x8000_0000
        var bias = shl1 & 0xFF00_0000
        bias = bias < 0x7100_0000 ? 0x7100_0000 : bias
        base = Float(bitPattern: (bias >> 1) &+ 0x0780_0000) + base
        let bits = base.bitPattern
        let expBits = (bits >> 13) & 0x0000_7C00
        let mantissa = bits & 0x0000_0FFF
        let nonsign = expBits &+ mantissa
        return UInt16(truncatingIfNeeded: (sign >> 16) | (shl1 > 0xFF00_0000 ? 0x7E00 : nonsign))
    }

    /// Converts fp16 bits to Float (exact).
    @inlinable @inline(__always)
    public static func fp32(fp16 h: UInt16) -> Float {
        let w = UInt32(h) << 16
        let sign = w & 0x8000_0000
        let twoW = w &+ w
        let expOffset: UInt32 = 0xE0 << 23
        let expScale = Float(bitPattern: 0x0780_0000)  // 2^-112
        let normalized = Float(bitPattern: (twoW >> 4) &+ expOffset) * expScale
        let magicMask: UInt32 = 126 << 23
        let denormalized = Float(bitPattern: (twoW >> 17) | magicMask) - 0.5
        let cutoff: UInt32 = 1 << 27
        return Float(bitPattern: sign | (twoW < cutoff ? denormalized.bitPattern : normalized.bitPattern))
    }

    /// Converts a Float to bfloat16 bits (RNE; NaN made quiet).
    @inlinable @inline(__always)
    public static func bf16(_ f: Float) -> UInt16 {
        let u = f.bitPattern
        if (u & 0x7fff_ffff) > 0x7f80_0000 { return UInt16(truncatingIfNeeded: (u >> 16) | 64) }
        return UInt16(truncatingIfNeeded: (u &+ (0x7fff &+ ((u >> 16) & 1))) >> 16)
    }

    /// Converts bfloat16 bits to Float (exact).
    @inlinable @inline(__always)
    public static func fp32(bf16 h: UInt16) -> Float { Float(bitPattern: UInt32(h) << 16) }

    /// Converts `count` Floats to fp16.
    public static func fp16(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<UInt16>, count: Int) {
        for i in 0..<count { dst[i] = fp16(src[i]) }
    }

    /// Converts `count` Floats to fp16 as ggml's CPU backend converts activations and the KV cache
    /// (`ggml_cpu_fp32_to_fp16`): the F16C instruction where the CPU has it (the C kernel), else
    /// ``fp16(_:_:count:)``. The same bits but for NaN payloads (kept and quieted by F16C, 0x7E00 here).
    public static func fp16CPU(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<UInt16>, count: Int) {
        #if arch(x86_64)
        if CKernelTable.available { ckernels_fp32_to_fp16_cpu(src, dst, count); return }
        #endif
        fp16(src, dst, count: count)
    }

    /// Converts `count` fp16 values to Float.
    public static func fp32(fp16 src: UnsafePointer<UInt16>, _ dst: UnsafeMutablePointer<Float>, count: Int) {
        #if GGUFKIT_HW_F16 && !(os(macOS) && arch(x86_64))
        for i in 0..<count { dst[i] = Float(Float16(bitPattern: src[i])) }  // exact either way; F16C when built for it
        #else
        for i in 0..<count { dst[i] = fp32(fp16: src[i]) }
        #endif
    }

    /// Converts `count` Floats to bfloat16.
    public static func bf16(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<UInt16>, count: Int) {
        for i in 0..<count { dst[i] = bf16(src[i]) }
    }

    /// Converts `count` bfloat16 values to Float.
    public static func fp32(bf16 src: UnsafePointer<UInt16>, _ dst: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { dst[i] = fp32(bf16: src[i]) }
    }
}

// Little-endian field access inside blocks (blocks are byte-packed, fields may be unaligned).
@inline(__always) func loadF16(_ p: UnsafeRawPointer, _ off: Int) -> Float {
    Half.fp32(fp16: UInt16(p.load(fromByteOffset: off, as: UInt8.self)) | UInt16(p.load(fromByteOffset: off + 1, as: UInt8.self)) << 8)
}
@inline(__always) func storeF16(_ p: UnsafeMutableRawPointer, _ off: Int, _ v: Float) {
    let h = Half.fp16(v)
    p.storeBytes(of: UInt8(truncatingIfNeeded: h), toByteOffset: off, as: UInt8.self)
    p.storeBytes(of: UInt8(truncatingIfNeeded: h >> 8), toByteOffset: off + 1, as: UInt8.self)
}
/// fp16 field → Float for dot products: the F16C instruction when the build targets a CPU that has it
/// (GGUFKIT_CPU set, see Package.swift), else ggml's routine. Same value either way (the conversion is exact).
@inline(__always) func loadF16fast(_ p: UnsafeRawPointer, _ off: Int) -> Float {
    #if GGUFKIT_HW_F16 && !(os(macOS) && arch(x86_64))
    return Float(Float16(bitPattern: p.loadUnaligned(fromByteOffset: off, as: UInt16.self)))
    #else
    return loadF16(p, off)
    #endif
}
@inline(__always) func loadU16(_ p: UnsafeRawPointer, _ off: Int) -> UInt16 {
    UInt16(p.load(fromByteOffset: off, as: UInt8.self)) | UInt16(p.load(fromByteOffset: off + 1, as: UInt8.self)) << 8
}
@inline(__always) func loadU32(_ p: UnsafeRawPointer, _ off: Int) -> UInt32 {
    p.loadUnaligned(fromByteOffset: off, as: UInt32.self).littleEndian
}
@inline(__always) func storeU32(_ p: UnsafeMutableRawPointer, _ off: Int, _ v: UInt32) {
    p.storeBytes(of: v.littleEndian, toByteOffset: off, as: UInt32.self)
}
