import GGUFFormat
import GGUFIO

/// The differences between two model files: metadata, tensor table, data and, optionally, values.
///
/// Tensors are matched by name (GGML-era names are mapped to GGUF names when one file is GGUF). Data
/// is compared by CRC32 for tensors with the same shape and type; with `values`, tensors with the same
/// shape are dequantized and compared element by element (RMSE and largest absolute difference),
/// whatever their types.
public struct ModelDiff: Sendable {
    /// A metadata key whose value differs (`a` or `b` is `nil` when the key is only in one file).
    public struct KeyChange: Sendable, Equatable {
        public var key: String
        public var a: GGUFValue?
        public var b: GGUFValue?
    }

    /// A tensor present in both files with a different shape or type.
    public struct TensorChange: Sendable, Equatable {
        public var name: String
        public var a: TensorEntry
        public var b: TensorEntry
    }

    /// Element-wise comparison of one tensor (or of the whole model).
    public struct ValueStats: Sendable, Equatable {
        public var name: String
        public var elements: Int
        /// Σ (a − b)², in double precision.
        public var sumSquaredError: Double
        /// Σ a², for the relative error.
        public var sumSquaresA: Double
        public var maxAbs: Double

        public var rmse: Double { elements == 0 ? 0 : (sumSquaredError / Double(elements)).squareRoot() }
        /// RMSE divided by the RMS of the first file's values.
        public var relativeRMSE: Double { sumSquaresA == 0 ? 0 : (sumSquaredError / sumSquaresA).squareRoot() }
    }

    public var a: ModelHeader
    public var b: ModelHeader
    public var keysAdded: [KeyChange] = []
    public var keysRemoved: [KeyChange] = []
    public var keysChanged: [KeyChange] = []
    public var tensorsAdded: [TensorEntry] = []
    public var tensorsRemoved: [TensorEntry] = []
    public var reshaped: [TensorChange] = []
    public var retyped: [TensorChange] = []
    /// Same shape and type, different bytes (by CRC32). Empty when checksums were not computed.
    public var dataChanged: [String] = []
    /// Same shape, type and bytes.
    public var sameData = 0
    /// With `values`: per tensor (both files' order of A), and tensors that could not be compared.
    public var values: [ValueStats] = []
    public var skipped: [(name: String, reason: String)] = []

    /// Whether the files differ in anything compared.
    public var isEmpty: Bool {
        keysAdded.isEmpty && keysRemoved.isEmpty && keysChanged.isEmpty && tensorsAdded.isEmpty && tensorsRemoved.isEmpty
            && reshaped.isEmpty && retyped.isEmpty && dataChanged.isEmpty
    }

    /// All compared values together.
    public var total: ValueStats {
        values.reduce(ValueStats(name: "total", elements: 0, sumSquaredError: 0, sumSquaresA: 0, maxAbs: 0)) { s, v in
            ValueStats(name: "total", elements: s.elements + v.elements, sumSquaredError: s.sumSquaredError + v.sumSquaredError,
                       sumSquaresA: s.sumSquaresA + v.sumSquaresA, maxAbs: max(s.maxAbs, v.maxAbs))
        }
    }

    /// Compares two files' headers, then (for `checksums`) their tensor data, then (for `values`) their values.
    public static func compare(_ a: ModelHeader, _ b: ModelHeader, checksums: Bool = true, values: Bool = false) throws -> ModelDiff {
        var d = ModelDiff(a: a, b: b)
        for (k, v) in a.metadata.entries {
            if let w = b.metadata[k] {
                if w != v { d.keysChanged.append(KeyChange(key: k, a: v, b: w)) }
            } else {
                d.keysRemoved.append(KeyChange(key: k, a: v, b: nil))
            }
        }
        for (k, w) in b.metadata.entries where !a.metadata.contains(k) {
            d.keysAdded.append(KeyChange(key: k, a: nil, b: w))
        }
        let mapNames = (a.format == .gguf) != (b.format == .gguf)
        func key(_ h: ModelHeader, _ t: TensorEntry) -> String {
            mapNames && h.format != .gguf ? (LlamaTensorNames.gguf(fromGGML: t.name) ?? t.name) : t.name
        }
        let bIndex = Dictionary(b.tensors.enumerated().map { (key(b, $1), $0) }, uniquingKeysWith: { x, _ in x })
        let aNames = Set(a.tensors.map { key(a, $0) })
        var pairs: [(Int, Int)] = []
        for (i, t) in a.tensors.enumerated() {
            guard let j = bIndex[key(a, t)] else { d.tensorsRemoved.append(t); continue }
            let u = b.tensors[j]
            if t.ne != u.ne { d.reshaped.append(TensorChange(name: key(a, t), a: t, b: u)) }
            if t.typeName != u.typeName { d.retyped.append(TensorChange(name: key(a, t), a: t, b: u)) }
            pairs.append((i, j))
        }
        d.tensorsAdded = b.tensors.filter { !aNames.contains(key(b, $0)) }
        if checksums {
            let ca = try Checksums.compute(a), cb = try Checksums.compute(b)
            for (i, j) in pairs where a.tensors[i].ne == b.tensors[j].ne && a.tensors[i].typeName == b.tensors[j].typeName {
                if ca.tensors[i] == cb.tensors[j] { d.sameData += 1 } else { d.dataChanged.append(key(a, a.tensors[i])) }
            }
        }
        if values {
            try d.compareValues(pairs: pairs, name: { key(a, a.tensors[$0]) })
        }
        return d
    }
}
