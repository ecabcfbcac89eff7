// Lane tricks for int8 dot products with same-width SIMD operations only. (Swift's widening SIMD
// conversions such as SIMD16<Int16>(truncatingIfNeeded: SIMD16<Int8>) compile to scalar code; shifts,
// masks and wrapping multiplies on SIMD16<Int16> compile to single vector instructions.)
//
// 32 bytes read as SIMD16<Int16>: lane k holds byte 2k (low half) and byte 2k+1 (high half).

/// Sign-extended even and odd bytes of 32 int8 values.
@inline(__always) func evenOddI8(_ v: SIMD16<Int16>) -> (SIMD16<Int16>, SIMD16<Int16>) {
    ((v &<< 8) &>> 8, v &>> 8)
}

/// Adds neighbouring Int16 lanes into Int32 lanes (sign-correct): lane k = p[2k] + p[2k+1].
@inline(__always) func pairSum32(_ p: SIMD16<Int16>) -> SIMD8<Int32> {
    let q = unsafeBitCast(p, to: SIMD8<Int32>.self)
    return ((q &<< 16) &>> 16) &+ (q &>> 16)
}

@inline(__always) func load16x16(_ p: UnsafeRawPointer, _ off: Int) -> SIMD16<Int16> {
    p.loadUnaligned(fromByteOffset: off, as: SIMD16<Int16>.self)
}

/// Σ a·b over 32 int8 pairs (|a|,|b| ≤ 127 so each pair of products fits Int16), as eight Int32 lanes.
@inline(__always) func dot32xI8(_ a: SIMD16<Int16>, _ b: SIMD16<Int16>) -> SIMD8<Int32> {
    let (ae, ao) = evenOddI8(a), (be, bo) = evenOddI8(b)
    return pairSum32(ae &* be &+ ao &* bo)
}

/// Σ code·b over 32 elements whose small unsigned codes (≤ 127) are given as even/odd lanes.
@inline(__always) func dot32Codes(_ ce: SIMD16<Int16>, _ co: SIMD16<Int16>, _ b: SIMD16<Int16>) -> SIMD8<Int32> {
    let (be, bo) = evenOddI8(b)
    return pairSum32(ce &* be &+ co &* bo)
}
