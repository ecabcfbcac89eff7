import GGUFFormat
import GGUFIO

/// What `ggufkit inspect` shows: the header, its summaries, the mix match, a RAM estimate and,
/// when asked, checksums.
public struct InspectReport: Sendable {
    public var header: ModelHeader
    public var summary: TensorSummary
    public var mix: MixMatch
    /// The estimate for the requested settings.
    public var memory: MemoryEstimate
    /// Estimates at 512, 2048, 4096 and the model's context length (those up to it).
    public var memoryByContext: [MemoryEstimate]
    public var checksums: Checksums?

    /// The context length estimates default to: the model's, else 2048 (GGML files do not store it).
    public static func defaultContext(_ h: ModelHeader) -> Int { h.hparams.contextLength ?? 2048 }

    public init(header: ModelHeader, settings: MemorySettings, checksums: Checksums? = nil) {
        self.header = header
        summary = TensorSummary(header.tensors)
        mix = MixMatch(header)
        memory = MemoryEstimate(header: header, settings: settings)
        let maxCtx = Self.defaultContext(header)
        var ctxs = [512, 2048, 4096].filter { $0 < maxCtx }
        ctxs.append(maxCtx)
        memoryByContext = ctxs.map { c in
            var s = settings
            s.ctx = c
            return MemoryEstimate(header: header, settings: s)
        }
        self.checksums = checksums
    }

    // MARK: - JSON

    /// The JSON document (schema: docs/inspect.md). `full`: every array element of the metadata.
    public func json(full: Bool) -> JSONValue {
        let h = header, hp = h.hparams
        func opt(_ v: Int?) -> JSONValue { v.map { .int($0) } ?? .null }
        var doc: [(String, JSONValue)] = [
            ("file", .string(h.path)),
            ("format", .string(h.format.rawValue)),
            ("version", .int(Int(h.version))),
            ("compression", h.compression.map { .string($0) } ?? .null),
            ("file_size", opt(h.fileSize)),
            ("alignment", opt(h.alignment)),
            ("data_offset", opt(h.dataOffset)),
            ("split", h.isSplit ? .array(h.parts.map { p in
                .object([("file", .string(p.path)), ("file_size", opt(p.fileSize)), ("data_offset", .int(p.dataOffset)),
                         ("tensor_count", .int(p.tensorCount))])
            }) : .null),
            ("architecture", .string(hp.architecture)),
            ("hparams", .object([
                ("context_length", opt(hp.contextLength)),
                ("embedding_length", .int(hp.nEmbd)),
                ("block_count", .int(hp.nLayer)),
                ("feed_forward_length", .int(hp.nFF)),
                ("head_count", .int(hp.nHead)),
                ("head_count_kv", .int(hp.nHeadKV)),
                ("key_length", .int(hp.headDimK)),
                ("value_length", .int(hp.headDimV)),
                ("vocab_size", .int(hp.nVocab)),
                ("rope_dimension_count", opt(hp.ropeDimensions)),
                ("rms_epsilon", hp.rmsEpsilon.map { .float(Float($0)) } ?? .null),
            ])),
            ("file_type", .object([
                ("stored", h.storedFileType.map { .int(Int($0.rawValue)) } ?? .null),
                ("stored_name", h.storedFileType.map { .string($0.description) } ?? .null),
                ("mix", .string(mix.matches.isEmpty ? "custom" : (mix.matches.first { $0.target.fileType == h.storedFileType } ?? mix.matches[0]).target.name)),
                ("matches", .array(mix.matches.map { .object([("type", .string($0.target.name)), ("era", .string($0.era.rawValue))]) })),
                ("label", .string(mix.label)),
            ])),
            ("parameters", .int(summary.parameters)),
            ("tensor_bytes", .int(summary.bytes)),
            ("bits_per_weight", .double(round4(summary.bitsPerWeight))),
            ("types", .array(summary.types.map {
                .object([("type", .string($0.typeName)), ("tensors", .int($0.tensors)), ("bytes", .int($0.bytes)),
                         ("parameters", .int($0.parameters)), ("bits_per_weight", .double(round4($0.bitsPerWeight)))])
            })),
            ("metadata", .object(h.metadata.entries.map { ($0.key, $0.value.json(arrayLimit: full ? nil : 16)) })),
            ("metadata_types", .object(h.metadata.entries.map { ($0.key, .string($0.value.typeName)) })),
            ("tensor_count", .int(h.tensors.count)),
            ("tensors", .array(h.tensors.enumerated().map { i, t in
                var o: [(String, JSONValue)] = [("name", .string(t.name)), ("type", .string(t.typeName)),
                                                ("shape", .array(t.ne.map { .int($0) })), ("offset", .int(t.offset)),
                                                ("bytes", .int(t.bytes))]
                if h.isSplit { o.append(("part", .int(t.part + 1))) }
                if let c = checksums { o.append(("crc32", .string(hex32(c.tensors[i])))) }
                return .object(o)
            })),
            ("memory", memoryJSON(memory, table: true)),
        ]
        if let c = checksums {
            doc.append(("checksums", .object([("data_section_crc32", .string(hex32(c.dataSection))), ("bytes", .int(c.bytes))])))
        }
        return .object(doc)
    }

    func memoryJSON(_ m: MemoryEstimate, table: Bool) -> JSONValue {
        func b(_ x: MemoryBreakdown) -> JSONValue {
            .object([("weights", .int(x.weights)), ("kv", .int(x.kv)), ("compute", .int(x.compute)),
                     ("output", .int(x.output)), ("vocab", .int(x.vocab)), ("overhead", .int(x.overhead)), ("total", .int(x.total))])
        }
        var o: [(String, JSONValue)] = [
            ("ctx", .int(m.settings.ctx)), ("batch", .int(m.settings.batch)), ("threads", .int(m.settings.threads)),
            ("kv_type", .string(m.settings.kvType.name.lowercased())),
            ("ggufkit", b(m.ggufkit)), ("llamacpp", b(m.llamacpp)),
        ]
        if table {
            o.append(("by_ctx", .array(memoryByContext.map {
                .object([("ctx", .int($0.settings.ctx)), ("ggufkit", .int($0.ggufkit.total)), ("llamacpp", .int($0.llamacpp.total))])
            })))
        }
        return .object(o)
    }

    // MARK: - Text

    /// The human-readable report. `full`: every metadata array element; `tensors`: the tensor table.
    public func text(full: Bool, tensors showTensors: Bool) -> String {
        let h = header, hp = h.hparams
        var out = ""
        func line(_ s: String = "") { out += s + "\n" }
        var size = h.fileSize.map { formatBytes($0) } ?? "size unknown"
        if let c = h.compression { size += ", \(c)-compressed" + (h.diskSize.map { " to \(formatBytes($0))" } ?? "") }
        if h.isSplit {
            line("file:          \(h.path) (split model, \(h.parts.count) parts, \(size) in all)")
            for (i, p) in h.parts.enumerated() {
                let ps = p.fileSize.map { formatBytes($0) } ?? "size unknown"
                line("  part \(i + 1)/\(h.parts.count):    \(p.path) (\(ps), \(p.tensorCount) tensors)")
            }
        } else {
            line("file:          \(h.path) (\(size))")
        }
        var fmt = h.formatName
        if let a = h.alignment { fmt += ", alignment \(a)" }
        if let d = h.dataOffset { fmt += ", data at offset \(d)" }
        line("format:        \(fmt)")
        line("architecture:  \(hp.architecture)")
        var shape = "context \(hp.contextLength.map(String.init) ?? "not stored"), embedding \(hp.nEmbd), layers \(hp.nLayer), "
        shape += "heads \(hp.nHead) (KV \(hp.nHeadKV)), head dim \(hp.headDimK), feed-forward \(hp.nFF), vocabulary \(hp.nVocab)"
        if let r = hp.ropeDimensions { shape += ", rope dims \(r)" }
        if let e = hp.rmsEpsilon { shape += ", rms eps \(Float(e))" }
        if let f = hp.ropeFreqBase { shape += ", rope base \(Float(f))" }
        line("hyper-params:  \(shape)")
        line("parameters:    \(formatCount(summary.parameters)) (\(summary.parameters))")
        line("tensors:       \(h.tensors.count), \(formatBytes(summary.bytes)) of data, \(fixed(summary.bitsPerWeight, 2)) bits per weight")
        let stored = h.storedFileType.map { "\($0.shortName ?? $0.description) (stored \(h.format == .gguf ? "general.file_type" : "ftype") = \($0.rawValue))" } ?? "not stored"
        line("file type:     \(stored)")
        line("tensor types:  \(mix.label)")
        if mix.matches.isEmpty, !mix.differences.isEmpty {
            line("               differs from the stored type's current mix at: " +
                 mix.differences.map { "\($0.name) \($0.actual) (mix: \($0.planned))" }.joined(separator: ", "))
        }
        line()
        line("by type:")
        for t in summary.types {
            line("  " + pad(t.typeName, 8) + lpad("\(t.tensors)", 5) + " tensors " + lpad(formatBytes(t.bytes), 10)
                 + lpad(formatCount(t.parameters), 10) + " params " + lpad(fixed(t.bitsPerWeight, 2), 6) + " bpw")
        }
        line()
        line("metadata (\(h.metadata.count) keys):")
        for (k, v) in h.metadata.entries {
            let value = full ? v.json().rendered(pretty: false) : v.summary()
            line("  \(k) [\(v.typeName)] = \(value)")
        }
        line()
        let s = memory.settings
        line("RAM estimate (ctx \(s.ctx), batch \(s.batch), KV \(s.kvType.name.lowercased()), \(s.threads) threads):")
        line("  " + pad("", 18) + lpad("ggufkit", 12) + lpad("llama.cpp", 12))
        let rows: [(String, (MemoryBreakdown) -> Int)] = [
            ("weights (mapped)", { $0.weights }), ("KV cache", { $0.kv }), ("compute", { $0.compute }),
            ("logits output", { $0.output }), ("vocabulary", { $0.vocab }), ("overhead", { $0.overhead }),
            ("total", { $0.total }),
        ]
        for (name, f) in rows {
            line("  " + pad(name, 18) + lpad(formatBytes(f(memory.ggufkit)), 12) + lpad(formatBytes(f(memory.llamacpp)), 12))
        }
        line("  by context:     " + memoryByContext.map { "\($0.settings.ctx): \(formatBytes($0.ggufkit.total)) / \(formatBytes($0.llamacpp.total))" }.joined(separator: ", "))
        line("  (both columns fitted to measured peak RSS, within 4 % on a 1.7 GB model: docs/inspect.md)")
        if let c = checksums {
            line()
            line("checksums:     data section crc32 \(hex32(c.dataSection)) (\(formatBytes(c.bytes)) in \(fixed(c.seconds, 2)) s, \(fixed(Double(c.bytes) / max(c.seconds, 1e-9) / 1e9, 2)) GB/s)")
        }
        if showTensors {
            line()
            let w = (h.tensors.map(\.name.count).max() ?? 20) + 1
            line("  " + pad("name", w) + " " + pad("type", 8) + pad("shape", 22) + lpad("offset", 14) + lpad("bytes", 14) + (checksums == nil ? "" : "  crc32"))
            for (i, t) in h.tensors.enumerated() {
                var l = "  " + pad(t.name, w) + " " + pad(t.typeName, 8) + pad(t.ne.map(String.init).joined(separator: " x "), 22)
                l += lpad(h.isSplit ? "\(t.part + 1):\(t.offset)" : "\(t.offset)", 14) + lpad("\(t.bytes)", 14)
                if let c = checksums { l += "  " + hex32(c.tensors[i]) }
                line(l)
            }
        }
        return out
    }
}

func round4(_ x: Double) -> Double { (x * 10000).rounded() / 10000 }

/// `x` with `digits` decimals.
public func fixed(_ x: Double, _ digits: Int) -> String {
    guard x.isFinite else { return x.description }
    var p = 1.0
    for _ in 0..<digits { p *= 10 }
    let r = (x * p).rounded() / p
    var s = String(r)
    if s.contains("e") { return s }
    let parts = s.split(separator: ".", omittingEmptySubsequences: false)
    let dec = parts.count > 1 ? String(parts[1]) : ""
    if digits == 0 { return String(parts[0]) }
    s = String(parts[0]) + "." + (dec + String(repeating: "0", count: max(0, digits - dec.count))).prefix(digits)
    return s
}

/// `6.74 B`, `3.41 M`, `512 K`-style parameter counts.
public func formatCount(_ n: Int) -> String {
    let d = Double(n)
    if d >= 1e9 { return fixed(d / 1e9, 2) + " B" }
    if d >= 1e6 { return fixed(d / 1e6, 2) + " M" }
    if d >= 1e3 { return fixed(d / 1e3, 1) + " K" }
    return "\(n)"
}

func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s + " " : s + String(repeating: " ", count: n - s.count) }
func lpad(_ s: String, _ n: Int) -> String { s.count >= n ? " " + s : String(repeating: " ", count: n - s.count) + s }
