import GGUFFormat

/// A 2-D weight in the mapped file: `rows` rows of `cols` values of `type`, rows `rowBytes` apart.
struct Weight: @unchecked Sendable {
    let name: String
    let type: GGMLType
    let cols: Int
    let rows: Int
    let rowBytes: Int
    let data: UnsafeRawPointer
    let kernel: any WeightKernel

    func row(_ r: Int) -> UnsafeRawPointer { data + r * rowBytes }
}

/// A 1-D F32 weight (norms), copied out of the file.
struct NormWeight: Sendable {
    let values: [Float]
}

/// One transformer block's weights.
struct LayerWeights: Sendable {
    let attnNorm: NormWeight
    let wq, wk, wv, wo: Weight
    let ffnNorm: NormWeight
    let gate, up, down: Weight
}
