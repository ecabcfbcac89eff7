import GGUFFormat

/// The parts `llama-gguf-split --split` makes of a model, before anything is written.
///
/// As `split_strategy` in `tools/gguf-split/gguf-split.cpp`: tensors in the model's order are dealt to
/// parts, a new part starting when the tensor limit is reached (every N tensors) or when the padded
/// data would pass the size limit; the first part gets all the model's metadata, every part
/// `split.no` (u16), `split.tensors.count` (i32) and `split.count` (u16) appended in that order (the
/// count is set last, once known). Parts are named `PREFIX-00001-of-0000N.gguf`.
public enum SplitPlan {
    /// Plans the parts of `model` (one file or a whole split set) under `prefix`.
    public static func parts(of model: GGUFSplitSet, prefix: String, options: SplitOptions) throws(ModelError) -> [OutputPart] {
        let n = model.tensors.count
        if case .tensors(let k) = options.limit, k < 1 {
            throw .usage("--split-max-tensors must be at least 1")
        }
        var groups: [[GGUFSplitSet.Tensor]] = [[]]
        func newPart(allowEmpty: Bool) throws(ModelError) {
            if groups[groups.count - 1].isEmpty && !allowEmpty {
                throw .usage("one of the parts would have no tensors: the size or tensor limit is too small (llama-gguf-split stops here too)")
            }
            groups.append([])
        }
        if options.noTensorFirstSplit { try newPart(allowEmpty: true) }
        var current = 0
        for (i, t) in model.tensors.enumerated() {
            let padded = (t.info.byteCount + 31) / 32 * 32
            let next = current + padded
            let split: Bool
            switch options.limit {
            case .bytes(let max): split = next > max
            case .tensors(let k): split = i > 0 && i < n && i % k == 0
            }
            if split {
                try newPart(allowEmpty: false)
                current = padded
            } else {
                current = next
            }
            groups[groups.count - 1].append(t)
        }
        let count = groups.count
        guard count <= Int(UInt16.max) else { throw .usage("the model would be split into \(count) parts; at most \(UInt16.max) are possible") }
        return groups.enumerated().map { i, g in
            var m = i == 0 ? model.metadata : GGUFMetadata()
            m.setAppending(SplitKeys.number, .uint16(UInt16(i)))
            m.setAppending(SplitKeys.tensorCount, .int32(Int32(clamping: n)))
            m.setAppending(SplitKeys.count, .uint16(UInt16(count)))
            return OutputPart(path: SplitNaming.path(prefix: prefix, index: i, count: count), metadata: m, sources: g)
        }
    }

    /// The merged file of a split set (`llama-gguf-split --merge`): the first part's metadata with
    /// `split.count` set to 0 (moved last, as `gguf_set_val_u16` does), then every part's tensors in
    /// order. `split.no` and `split.tensors.count` stay, as llama-gguf-split leaves them.
    public static func merged(_ model: GGUFSplitSet, output: String) -> OutputPart {
        var m = model.metadata
        m.setAppending(SplitKeys.count, .uint16(0))
        return OutputPart(path: output, metadata: m, sources: model.tensors)
    }

    /// llama-gguf-split's plan lines: `n_split: N`, then per part
    /// `split 00001: n_tensors = T, total_size = SM` (header plus unpadded data, in whole 10^6 bytes).
    public static func describe(_ parts: [OutputPart]) -> [String] {
        ["n_split: \(parts.count)"] + parts.enumerated().map { i, p in
            "split \(SplitNaming.pad5(i + 1)): n_tensors = \(p.tensors.count), total_size = \((p.header.count + p.dataBytes) / 1_000_000)M"
        }
    }
}
