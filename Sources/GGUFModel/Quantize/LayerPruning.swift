/// `--prune-layers`: which `blk.N.` layers are left out and how the others are renumbered
/// (`remap_layer` in src/llama-quant.cpp).
///
/// Layers are visited in the quantizer's order. A layer below the first pruned one keeps its number;
/// a pruned layer is dropped; every other layer gets the next free number. Tensors without a layer
/// are kept as they are.
public struct LayerPruning: Sendable {
    private var mapped: [Int: Int?] = [:]
    /// `block_count` after pruning: one past the last number given out.
    public private(set) var newLayerCount = 0

    /// - Parameters:
    ///   - prune: the layers to drop (any order, duplicates allowed).
    ///   - names: every tensor name of the model.
    public init(_ prune: [Int], names: [String]) {
        let list = Array(Set(prune)).sorted()
        guard let first = list.first else { return }
        var next = 0
        for name in TensorOrder.quantizerOrder(names) {
            let blk = TensorOrder.layerIndex(name)
            guard name.hasPrefix("blk."), blk >= 0, mapped[blk] == nil else { continue }
            if list.contains(blk) {
                mapped[blk] = .some(nil)
            } else if blk < first {
                mapped[blk] = blk
                next = blk + 1
            } else {
                mapped[blk] = next
                next += 1
            }
        }
        newLayerCount = next
    }

    /// The name of a tensor after pruning, or `nil` when its layer is dropped.
    public func newName(_ name: String) -> String? {
        let blk = TensorOrder.layerIndex(name)
        guard name.hasPrefix("blk."), blk >= 0, let m = mapped[blk] else { return name }
        guard let n = m else { return nil }
        // Replace the digits of "blk.N." (the first number after the prefix).
        let rest = name.dropFirst(4)
        let digits = rest.prefix { $0.isASCII && $0.isNumber }
        return "blk.\(n)" + rest.dropFirst(digits.count)
    }
}
