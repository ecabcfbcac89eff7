import GGUFModel

/// Collects an importance matrix during the forward pass, as llama-imatrix's `collect_imatrix` callback does
/// (tools/imatrix/imatrix.cpp): for every matrix multiplication of a weight, the sum over activation rows of the
/// squared F32 input (`acc[j] += x[j]·x[j]` in float, row after row) and the number of rows summed.
///
/// - `MUL_MAT` (dense weights, the MoE router, the shared expert): only batches of 16 or more rows, only weights
///   whose name starts with `blk.` (plus `output.weight` with `processOutput`); one count per tensor, raised by
///   the batch's rows.
/// - `MUL_MAT_ID` (3-D expert tensors): every batch; one set of sums and one count per expert, the routed rows
///   added slot after slot, token after token within a slot (llama-imatrix's loop order, which fixes the float
///   sums' rounding).
///
/// llama-imatrix evaluates `n_batch / n_ctx` chunks in one llama_decode when the context is under its batch
/// (2048): open a group (``beginGroup()``/``endGroup()``) around those chunks so that expert rows are added in its
/// order. Attach it to a ``Session`` (``Session/collector``); a session without one does no extra work. After each
/// batch, ``error`` holds llama-imatrix's fatal conditions (non-finite sums, sizes that disagree with loaded files).
public final class ImatrixCollector: @unchecked Sendable {
    /// One tensor's sums (`columns × matrices`) and counts (one per matrix; one for a dense tensor).
    public struct Stats: Sendable, Equatable {
        public var values: [Float] = []
        public var counts: [Int64] = []
    }

    /// Statistics by weight name.
    public private(set) var stats: [String: Stats] = [:]
    /// Whether `output.weight` is collected too (`--process-output`).
    public let processOutput: Bool
    /// Tokens per chunk (llama-imatrix: `n_ctx / n_parallel`), the unit of ``lastChunk``.
    public let chunkSize: Int
    /// The chunk count recorded in the file: the largest `count / chunkSize` seen so far.
    public private(set) var lastChunk = 0
    /// Dataset names of loaded files, in load order.
    public private(set) var datasets: [String] = []
    /// The first fatal problem met while collecting (llama-imatrix exits on it), if any.
    public private(set) var error: String?

    public init(chunkSize: Int, processOutput: Bool = false) {
        self.chunkSize = max(1, chunkSize)
        self.processOutput = processOutput
    }

    /// Whether llama-imatrix asks for this `MUL_MAT`'s activations.
    @inline(__always)
    func wantsDense(_ name: String, rows: Int) -> Bool {
        rows >= 16 && (name.hasPrefix("blk.") || (processOutput && name == "output.weight"))
    }

    private func noteChunk(_ count: Int64) {
        let n = Int(count / Int64(chunkSize))
        if n > lastChunk { lastChunk = n }
    }

    /// A `MUL_MAT` of `name` (`cols` columns, one matrix) on `rows` activation rows of `x`.
    func addDense(_ name: String, _ x: UnsafePointer<Float>, rows: Int, cols: Int) {
        guard wantsDense(name, rows: rows) else { return }
        var e = stats.removeValue(forKey: name) ?? Stats()
        defer { stats[name] = e }
        if e.counts.count > 1, e.counts.allSatisfy({ $0 == e.counts[0] }) { e.counts = [e.counts[0]] }
        if e.values.isEmpty {
            e.values = [Float](repeating: 0, count: cols)
            e.counts = [0]
        } else if e.values.count != cols {
            fail("inconsistent size for \(name) (\(e.values.count) vs \(cols))")
            return
        }
        e.values.withUnsafeMutableBufferPointer { acc in
            for r in 0..<rows {
                let row = x + r * cols
                for j in 0..<cols { acc[j] += row[j] * row[j] }
            }
        }
        if !e.values.allSatisfy({ $0.isFinite }) { fail("non-finite values detected in \(name)") }
        for i in e.counts.indices {
            e.counts[i] += Int64(rows)
            noteChunk(e.counts[i])
        }
    }

    /// A `MUL_MAT_ID` of `name` (`experts` matrices of `cols` columns): `ids[t·used + j]` is token t's j-th expert;
    /// its input row is `x[t]` (`perSlot` false: up and gate) or `x[t·used + j]` (down).
    func addExperts(_ name: String, _ x: UnsafePointer<Float>, perSlot: Bool, ids: [Int32], used: Int, tokens: Int,
                    experts: Int, cols: Int) {
        if grouping {
            let n = (perSlot ? tokens * used : tokens) * cols
            pending[name, default: []].append(Pending(rows: Array(UnsafeBufferPointer(start: x, count: n)), perSlot: perSlot,
                                                       ids: ids, used: used, tokens: tokens, experts: experts, cols: cols))
            if pendingOrder.last != name && !pendingOrder.contains(name) { pendingOrder.append(name) }
            return
        }
        addExperts(name, [Pending(rows: [], perSlot: perSlot, ids: ids, used: used, tokens: tokens, experts: experts, cols: cols)],
                   single: x)
    }

    /// Expert rows held back while a group is open.
    struct Pending {
        var rows: [Float]
        var perSlot: Bool
        var ids: [Int32]
        var used, tokens, experts, cols: Int
    }
    private var grouping = false
    private var pending: [String: [Pending]] = [:]
    private var pendingOrder: [String] = []

    /// Starts a group of batches that llama-imatrix evaluates as one `MUL_MAT_ID` call (several chunks in one
    /// llama_decode): expert rows are held (a copy of the inputs) until ``endGroup()`` adds them in its order — slot
    /// after slot, and within a slot the batches' tokens in order. Dense sums do not depend on it.
    public func beginGroup() { grouping = true }

    /// Adds the rows held since ``beginGroup()``.
    public func endGroup() {
        grouping = false
        for name in pendingOrder { addExperts(name, pending[name]!, single: nil) }
        pending = [:]
        pendingOrder = []
    }

    /// Adds batches `parts` (their rows, or `single` for one batch given by pointer) slot-major across the batches.
    private func addExperts(_ name: String, _ parts: [Pending], single: UnsafePointer<Float>?) {
        guard let p0 = parts.first else { return }
        let experts = p0.experts, cols = p0.cols, used = p0.used
        var e = stats.removeValue(forKey: name) ?? Stats()
        defer { stats[name] = e }
        if e.counts.count == 1 && experts > 1 { e.counts = [Int64](repeating: e.counts[0], count: experts) }
        if e.values.isEmpty {
            e.values = [Float](repeating: 0, count: cols * experts)
            e.counts = [Int64](repeating: 0, count: experts)
        } else if e.values.count != cols * experts {
            fail("inconsistent size for \(name) (\(e.values.count) vs \(cols * experts))")
            return
        } else if e.counts.count != experts {
            fail("inconsistent expert count for \(name) (\(e.counts.count) vs \(experts))")
            return
        }
        var touched = [Bool](repeating: false, count: experts)
        e.values.withUnsafeMutableBufferPointer { vp in
            for j in 0..<used {
                for part in parts {
                    part.rows.withUnsafeBufferPointer { rp in
                        let x = single ?? UnsafePointer(rp.baseAddress!)
                        for t in 0..<part.tokens {
                            let ex = Int(part.ids[t * used + j])
                            let row = x + (part.perSlot ? t * used + j : t) * cols
                            let acc = vp.baseAddress! + ex * cols
                            e.counts[ex] += 1
                            touched[ex] = true
                            for c in 0..<cols { acc[c] += row[c] * row[c] }
                        }
                    }
                }
            }
        }
        for ex in 0..<experts where touched[ex] {
            if !e.values[ex * cols ..< (ex + 1) * cols].allSatisfy({ $0.isFinite }) {
                fail("non-finite values detected in \(name)")
                break
            }
        }
        for c in e.counts { noteChunk(c) }
    }

    private func fail(_ message: String) { if error == nil { error = message } }

    /// Adds a loaded imatrix, as llama-imatrix's `load_imatrix` (`--in-file`): GGUF sums and counts are added as
    /// they are; a legacy `.dat`'s values (`sum/count · ncall`) and call count are multiplied by ``chunkSize``
    /// first (one count for the tensor). Its datasets are appended, and ``lastChunk`` becomes the largest count
    /// over ``chunkSize``. Throws a description of a size mismatch with what is already collected.
    public func load(_ m: ImportanceMatrix) throws(RunnerError) {
        let chunk = Float(chunkSize)
        for name in m.entries.keys.sorted() {
            let entry = m.entries[name]!
            var e = stats[name] ?? Stats()
            if m.isLegacy {
                if e.values.isEmpty {
                    e.values = [Float](repeating: 0, count: entry.sums.count)
                    e.counts = [0]
                } else if e.values.count != entry.sums.count {
                    throw .usage("mismatched sums size for \(name): \(entry.sums.count) != \(e.values.count)")
                }
                for j in entry.sums.indices { e.values[j] += entry.sums[j] * chunk }
                let add = (entry.counts.first ?? 0) * Int64(chunkSize)
                for j in e.counts.indices { e.counts[j] += add }
            } else {
                if e.values.isEmpty {
                    e.values = [Float](repeating: 0, count: entry.sums.count)
                } else if e.values.count != entry.sums.count {
                    throw .usage("mismatched sums size for \(name): \(entry.sums.count) != \(e.values.count)")
                }
                if e.counts.isEmpty {
                    e.counts = [Int64](repeating: 0, count: entry.counts.count)
                } else if e.counts.count == 1 && entry.counts.count > 1 {
                    e.counts = [Int64](repeating: e.counts[0], count: entry.counts.count)
                } else if e.counts.count != entry.counts.count {
                    throw .usage("mismatched counts size for \(name): \(entry.counts.count) != \(e.counts.count)")
                }
                for j in entry.sums.indices { e.values[j] += entry.sums[j] }
                for j in entry.counts.indices { e.counts[j] += entry.counts[j] }
            }
            stats[name] = e
        }
        datasets += m.datasets
        let maxCount = stats.values.flatMap(\.counts).max() ?? 0
        lastChunk = Int(maxCount / Int64(chunkSize))
    }

    /// The collected statistics as an importance matrix (GGUF form: raw sums and counts), with the loaded
    /// datasets followed by `dataset` (the text file as given, when there is one).
    public func matrix(dataset: String?) -> ImportanceMatrix {
        var entries: [String: ImportanceMatrix.Entry] = [:]
        for (name, s) in stats where !s.values.isEmpty && !s.counts.isEmpty {
            entries[name] = .init(sums: s.values, counts: s.counts)
        }
        return ImportanceMatrix(entries: entries, datasets: datasets + (dataset.map { [$0] } ?? []),
                                chunkCount: lastChunk, chunkSize: chunkSize)
    }
}
