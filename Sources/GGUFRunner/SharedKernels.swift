import GGUFFormat
import GGUFKernels

extension Kernels {
    /// Quantized types computed by the shared GGUFKernels (none until the kernels branch lands).
    static func sharedKernel(for type: GGMLType) -> (any WeightKernel)? { nil }
}
