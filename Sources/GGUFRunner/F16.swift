/// Fast F16 ⇄ F32 without F16C: a 64 K-entry table for F16 → F32, ggml's bit recipe for F32 → F16
/// (round to nearest even, exactly as `_cvtss_sh(x, 0)`).
enum F16 {
    /// F32 value of every F16 bit pattern.
    nonisolated(unsafe) static let table: UnsafeMutablePointer<Float> = {
        let p = UnsafeMutablePointer<Float>.allocate(capacity: 65536)
        for i in 0..<65536 { p[i] = Float(Float16(bitPattern: UInt16(i))) }
        return p
    }()

    @inline(__always)
    static func fp16(_ f: Float) -> UInt16 {
        let scaleToInf = Float(bitPattern: 0x7780_0000)   // 0x1.0p+112
        let scaleToZero = Float(bitPattern: 0x0880_0000)  // 0x1.0p-110
        var base = (abs(f) * scaleToInf) * scaleToZero
        let w = f.bitPattern
        let shl1 = w &+ w
        let sign = w & 0x8000_0000
        var bias = shl1 & 0xFF00_0000
        if bias < 0x7100_0000 { bias = 0x7100_0000 }
        base = Float(bitPattern: (bias >> 1) &+ 0x0780_0000) + base
        let bits = base.bitPattern
        let nonsign = ((bits >> 13) & 0x0000_7C00) &+ (bits & 0x0000_0FFF)
        return UInt16(truncatingIfNeeded: (sign >> 16) | (shl1 > 0xFF00_0000 ? 0x7E00 : nonsign))
    }
}
