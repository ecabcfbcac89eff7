/// An importance matrix, as `llama-imatrix` writes it and `llama-quantize --imatrix` reads it: for each
/// weight matrix (by tensor name), the sum over the calibration tokens of the squared activation of each
/// input column, with the number of tokens summed — one set per expert for a 3-D expert tensor.
///
/// Two file formats hold it (``ImatrixFile``): GGUF (`llama-imatrix --output-format gguf`, the default)
/// keeps the raw sums and the token counts per expert; the legacy `.dat` keeps per entry `sum/count · ncall`
/// and one call count (``isLegacy``). ``weights(_:)`` turns either into the weights the quantizer takes,
/// exactly as llama-quantize's `load_imatrix` does.
public struct ImportanceMatrix: Sendable, Equatable {
    /// One tensor's statistics.
    public struct Entry: Sendable, Equatable {
        /// `columns × matrices` values: matrix (expert) j's sums are `sums[j*columns ..< (j+1)*columns]`.
        public var sums: [Float]
        /// One count per matrix (GGUF: tokens summed; legacy: a single call count).
        public var counts: [Int64]

        public init(sums: [Float], counts: [Int64]) {
            self.sums = sums
            self.counts = counts
        }

        /// Values per matrix (the tensor's row length).
        public var columns: Int { counts.isEmpty ? sums.count : sums.count / counts.count }
    }

    /// Entries by tensor name (e.g. `blk.0.attn_q.weight`).
    public var entries: [String: Entry]
    /// The calibration texts (`imatrix.datasets`; legacy: the one name stored at the end).
    public var datasets: [String]
    /// Chunks the sums were collected on (`imatrix.chunk_count`; legacy: the trailing count, or 0).
    public var chunkCount: Int
    /// Tokens per chunk (`imatrix.chunk_size`; 0 in legacy files).
    public var chunkSize: Int
    /// Whether the sums are the legacy format's `sum/count · ncall` (from a `.dat` file).
    public var isLegacy: Bool

    public init(entries: [String: Entry] = [:], datasets: [String] = [], chunkCount: Int = 0, chunkSize: Int = 0, isLegacy: Bool = false) {
        self.entries = entries
        self.datasets = datasets
        self.chunkCount = chunkCount
        self.chunkSize = chunkSize
        self.isLegacy = isLegacy
    }

    /// The quantizer's weights for one entry, as llama-quantize's `load_imatrix` computes them: GGUF sums
    /// divided by their matrix's count (all 1 where the count is 0: an expert no token reached); legacy sums
    /// divided by the call count (as they are when it is 0).
    public func weights(_ e: Entry) -> [Float] {
        var w = [Float](repeating: 0, count: e.sums.count)
        if isLegacy {
            let ncall = e.counts.first ?? 0
            for i in w.indices { w[i] = ncall > 0 ? e.sums[i] / Float(ncall) : e.sums[i] }
        } else {
            let n = e.columns
            for j in e.counts.indices {
                let count = Float(e.counts[j])
                for i in 0..<n { w[j * n + i] = count > 0 ? e.sums[j * n + i] / count : 1 }
            }
        }
        return w
    }

    /// The entries that `--include-weights` / `--exclude-weights` leave, as llama-quantize filters them:
    /// every entry whose name contains an excluded string is dropped; then, when includes are given, only
    /// entries whose name contains one of them are kept.
    public func filtered(include: [String], exclude: [String]) -> ImportanceMatrix {
        var m = self
        if !exclude.isEmpty {
            m.entries = m.entries.filter { e in !exclude.contains { Self.contains(e.key, $0) } }
        }
        if !include.isEmpty {
            m.entries = m.entries.filter { e in include.contains { Self.contains(e.key, $0) } }
        }
        return m
    }

    /// `std::string::find(part) != npos`: a byte-wise substring test.
    static func contains(_ s: String, _ part: String) -> Bool {
        let a = Array(s.utf8), b = Array(part.utf8)
        if b.isEmpty { return true }
        guard a.count >= b.count else { return false }
        for i in 0...(a.count - b.count) where a[i] == b[0] && Array(a[i..<(i + b.count)]) == b { return true }
        return false
    }
}
