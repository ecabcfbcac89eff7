/// How `ggufkit split` cuts a model: `llama-gguf-split --split`'s options.
public struct SplitOptions: Sendable, Equatable {
    /// When a part is full.
    public enum Limit: Sendable, Equatable {
        /// At most this many tensors a part (`--split-max-tensors`, default 128).
        case tensors(Int)
        /// At most this many bytes of padded tensor data a part (`--split-max-size`; the header not counted).
        case bytes(Int)
    }

    public var limit: Limit = .tensors(128)
    /// The first part holds only the metadata (`--no-tensor-first-split`).
    public var noTensorFirstSplit = false

    public init(limit: Limit = .tensors(128), noTensorFirstSplit: Bool = false) {
        self.limit = limit
        self.noTensorFirstSplit = noTensorFirstSplit
    }

    /// Parses a `--split-max-size` value: a positive whole number followed by `M` (10^6 bytes) or `G` (10^9).
    public static func parseSize(_ s: String) throws(ModelError) -> Int {
        guard let unit = s.last, unit == "M" || unit == "G" else {
            throw .usage("--split-max-size '\(s)': supported units are M (megabytes) or G (gigabytes)")
        }
        guard let n = Int(s.dropLast()), n > 0, n <= Int.max / 1_000_000_000 else {
            throw .usage("--split-max-size '\(s)': the size must be a positive whole number of \(unit == "M" ? "megabytes" : "gigabytes")")
        }
        return n * (unit == "M" ? 1_000_000 : 1_000_000_000)
    }
}
