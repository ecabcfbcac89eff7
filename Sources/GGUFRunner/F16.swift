/// Fast F16 → F32 without F16C: a 64 K-entry table (F32 → F16 is GGUFKernels' `Half`).
enum F16 {
    /// F32 value of every F16 bit pattern.
    nonisolated(unsafe) static let table: UnsafeMutablePointer<Float> = {
        let p = UnsafeMutablePointer<Float>.allocate(capacity: 65536)
        for i in 0..<65536 { p[i] = Float(Float16(bitPattern: UInt16(i))) }
        return p
    }()
}
