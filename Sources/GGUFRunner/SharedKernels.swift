import GGUFFormat
import GGUFKernels

/// A weight type computed by the shared GGUFKernels: the type's `vecDotType` activation quantizer
/// (`fromFloat`, llama.cpp's x86 CPU variant), its `vecDot` and its dequantizer.
struct SharedKernel: WeightKernel {
    let type: GGMLType
    let activationType: GGMLType
    let fromFloat: QuantizeRowFn
    let vecDot: VecDotFn
    let toFloat: DequantizeRowFn

    init?(_ type: GGMLType) {
        guard let q = QuantType(rawValue: type.rawValue), let vt = q.traits.vecDotType,
              let ff = vt.traits.fromFloat, let vd = q.traits.vecDot, let dq = q.traits.dequantizeRow,
              let at = GGMLType(rawValue: vt.rawValue) else { return nil }
        self.type = type
        activationType = at
        fromFloat = ff
        vecDot = vd
        toFloat = dq
    }

    func quantize(_ x: UnsafePointer<Float>, _ out: UnsafeMutableRawPointer, _ n: Int) { fromFloat(x, out, n) }
    func dot(_ n: Int, _ row: UnsafeRawPointer, _ act: UnsafeRawPointer) -> Float { vecDot(n, row, act) }
    func dequantize(_ row: UnsafeRawPointer, _ out: UnsafeMutablePointer<Float>, _ n: Int) { toFloat(row, out, n) }
}

extension KernelTable {
    /// Types computed by the shared GGUFKernels (every type with a dot product there).
    static func sharedKernel(for type: GGMLType) -> (any WeightKernel)? { SharedKernel(type) }
}
