import CKernels
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
    /// The dot product as a C function (the AVX2 kernels), looped over rows in C by ``dotRows``.
    let vecDotC: CVecDotFn?

    init?(_ type: GGMLType) {
        guard let q = QuantType(rawValue: type.rawValue), let vt = q.traits.vecDotType,
              let ff = vt.traits.fromFloat, let vd = q.traits.vecDot, let dq = q.traits.dequantizeRow,
              let at = GGMLType(rawValue: vt.rawValue) else { return nil }
        self.type = type
        activationType = at
        fromFloat = ff
        vecDot = vd
        toFloat = dq
        vecDotC = q.traits.vecDotFunction
    }

    func quantize(_ x: UnsafePointer<Float>, _ out: UnsafeMutableRawPointer, _ n: Int) { fromFloat(x, out, n) }
    func dot(_ n: Int, _ row: UnsafeRawPointer, _ act: UnsafeRawPointer) -> Float { vecDot(n, row, act) }
    func dequantize(_ row: UnsafeRawPointer, _ out: UnsafeMutablePointer<Float>, _ n: Int) { toFloat(row, out, n) }
    func dotRows(_ n: Int, _ w: UnsafeRawPointer, rowBytes: Int, _ r0: Int, _ r1: Int, _ act: UnsafeRawPointer,
                 _ out: UnsafeMutablePointer<Float>) {
        #if arch(x86_64)
        if let f = vecDotC {
            rops_gemv(f, n, w, rowBytes, r0, r1, act, out)
            return
        }
        #endif
        for r in r0..<r1 { out[r] = vecDot(n, w + r * rowBytes, act) }
    }
}

extension KernelTable {
    /// Types computed by the shared GGUFKernels (every type with a dot product there).
    static func sharedKernel(for type: GGMLType) -> (any WeightKernel)? { SharedKernel(type) }
}
