import Foundation

/// llama-imatrix's `--show-statistics` (tools/imatrix/imatrix.cpp: `compute_statistics`, `compute_cossim`,
/// `show_statistics`): per tensor, over the mean squared activations `sum/count` of its matrices with a
/// non-zero count, Σ, min, max, mean, standard deviation, share above 1e-5, count, entropy (bits and % of the
/// maximum), share with a z-score above 1 and the cosine similarity of its raw sums with the same tensor one
/// layer before; then weighted averages per layer. All in float, in llama-imatrix's order.
public struct ImatrixStatistics: Sendable {
    public struct Tensor: Sendable {
        public var name: String
        public var values: [Float]
        public var total: Float = 0, mean: Float = 0, max: Float = 0, min: Float = 0
        public var elements = 0
        public var stddev: Float = 0, active: Float = 0, entropy: Float = 0, zd: Float = 0, cossim: Float = 0
    }

    /// Tensors in llama-imatrix's print order.
    public var tensors: [Tensor] = []

    public init(_ stats: [String: ImatrixCollector.Stats]) {
        for (name, e) in stats {
            guard !e.counts.isEmpty, e.values.count % e.counts.count == 0 else { continue }
            let n = e.values.count / e.counts.count
            var acts: [Float] = []
            for i in e.counts.indices where e.counts[i] != 0 {
                for j in 0..<n { acts.append(e.values[i * n + j] / Float(e.counts[i])) }
            }
            guard !acts.isEmpty else { continue }
            var t = Tensor(name: name, values: e.values)
            var total: Float = 0, sq: Float = 0
            for a in acts { total += a }
            for a in acts { sq += a * a }
            let count = Float(acts.count)
            t.total = total
            t.max = acts.max()!
            t.min = acts.min()!
            t.mean = total / count
            let variance = sq / count - t.mean * t.mean
            t.stddev = Swift.max(0, variance).squareRoot()
            t.active = 1 - Float(acts.filter { abs($0) <= 1e-5 }.count) / count
            if total > 0 {
                for a in acts {
                    let p = a / total
                    if p > 0 { t.entropy -= p * log2f(p) }
                }
            }
            var z = 0
            if t.stddev > 0 { for a in acts where (a - t.mean) / t.stddev > 1 { z += 1 } }
            t.elements = acts.count
            t.zd = Float(z) / Float(t.elements)
            tensors.append(t)
        }
        // Cosine similarity with the previous layer's tensor of the same name.
        let byName = Dictionary(tensors.map { ($0.name, $0.values) }, uniquingKeysWith: { a, _ in a })
        for i in tensors.indices {
            let (layer, _) = Self.split(tensors[i].name)
            guard let blk = Int(layer), let r = tensors[i].name.range(of: "blk.\(layer).") else { continue }
            let prevName = tensors[i].name.replacingCharacters(in: r, with: "blk.\(blk - 1).")
            guard let prev = byName[prevName] else { continue }
            let cur = tensors[i].values
            var dp: Float = 0, cm: Float = 0, pm: Float = 0
            for j in cur.indices { dp += cur[j] * (j < prev.count ? prev[j] : 0) }
            for v in cur { cm += v * v }
            for v in prev { pm += v * v }
            tensors[i].cossim = dp / (cm.squareRoot() * pm.squareRoot())
        }
        tensors.sort { a, b in
            let na = Self.split(a.name).1, nb = Self.split(b.name).1
            return na < nb || (na == nb && a.total > b.total)
        }
    }

    /// `process_tensor_name`: the layer (after `blk`, else "-") and the short name (before `weight`, else all).
    static func split(_ name: String) -> (String, String) {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        var layer = "", tensor = ""
        for i in parts.indices where parts[i] == "blk" && i + 1 < parts.count { layer = parts[i + 1]; break }
        for i in parts.indices where parts[i] == "weight" && i > 0 { tensor = parts[i - 1]; break }
        return (layer.isEmpty ? "-" : layer, tensor.isEmpty ? name : tensor)
    }

    /// The report as llama-imatrix prints it (empty when there are no tensors).
    public func report(file: String) -> String {
        guard !tensors.isEmpty else { return "" }
        var s = "\nComputing statistics for \(file) (\(tensors.count) tensors)\n"
        s += "\n Layer\t       Tensor\t          Σ(Act²)\t  Min\t            Max\t           μ\t   σ\t % Active\tN\t   Entropy\tE (norm)\tZD\t  CosSim\n"
        s += String(repeating: "=", count: 169) + "\n"
        var ws: [Int: (bias: Float, zd: Float, cos: Float, n: Int)] = [:]
        for t in tensors {
            let (layer, name) = Self.split(t.name)
            let blk = Int(layer) ?? -1
            let en: Float = t.elements > 0 ? 100 * (t.entropy / log2f(Float(t.elements))) : 0
            // %5s and %-20s (String(format:) does not pad %@).
            let lpad = String(repeating: " ", count: Swift.max(0, 5 - layer.utf8.count)) + layer
            let npad = name + String(repeating: " ", count: Swift.max(0, 20 - name.utf8.count))
            s += String(format: "%@\t%@\t%10.2f\t%8.4f\t%11.4f\t%6.2f\t%6.2f\t%8.2f%%\t%6d\t%10.4f\t%6.2f%%\t%10.2f%%\t%8.4f\n",
                        lpad, npad, Double(t.total), Double(t.min), Double(t.max), Double(t.mean), Double(t.stddev),
                        Double(t.active * 100), t.elements, Double(t.entropy), Double(en), Double(100 * t.zd), Double(t.cossim))
            let e = Float(t.elements)
            var w = ws[blk] ?? (0, 0, 0, 0)
            w.bias += e * t.total; w.zd += e * t.zd; w.cos += e * t.cossim; w.n += t.elements
            ws[blk] = w
        }
        s += "\nComputing weighted average statistics per layer (\(ws.keys.filter { $0 >= 0 }.count) layers)\n"
        s += "\n  Layer\t     μΣ(Act²)\t      μZD\tμCosSim\n"
        s += String(repeating: "=", count: 48) + "\n"
        for k in ws.keys.sorted() where k >= 0 {
            let w = ws[k]!
            guard w.n > 0 else { continue }
            let n = Float(w.n)
            s += String(format: "%5d\t%14.2f\t%10.4f%%\t%6.4f\n", k, Double(w.bias / n), Double(100 * (w.zd / n)), Double(w.cos / n))
        }
        return s + "\n"
    }
}
