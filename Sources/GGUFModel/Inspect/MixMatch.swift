import GGUFFormat

/// Which `llama-quantize` mix a file's tensor types are: the stored file type and the computed match.
///
/// For every target GGUFKit knows, the mix policy (``MixPolicy``) plans each tensor's type from the
/// file's own shapes, with the current rules and with the 2023 (GGML-era) rules; a target matches when
/// every tensor has exactly the planned type.
public struct MixMatch: Sendable, Equatable {
    /// A target whose planned types equal the file's, and the rules that planned them.
    public struct Match: Sendable, Equatable {
        public var target: QuantizeTarget
        public var era: MixEra
    }

    /// The stored `general.file_type` (GGML: `ftype`), if any.
    public var stored: LlamaFileType?
    /// Every matching target and era (current era first).
    public var matches: [Match]
    /// Tensors whose type differs from the stored file type's plan (current rules), at most 8.
    public var differences: [(name: String, planned: String, actual: String)]
    /// Whether llama-quantize knows the architecture; when not, matches are by the generic rules only.
    public var knownArchitecture = true
    /// The model's architecture.
    public var architecture = "llama"

    public static func == (a: MixMatch, b: MixMatch) -> Bool {
        a.stored == b.stored && a.matches == b.matches && a.differences.map(\.name) == b.differences.map(\.name)
    }

    /// `Q4_K_M (matches llama.cpp's current mix)`, `Q4_K_M (matches llama.cpp's 2023 mix)` or `custom`.
    public var label: String {
        guard !matches.isEmpty else { return "custom" }
        // Prefer the target named by the stored file type, then the first match.
        let best = matches.first { $0.target.fileType == stored } ?? matches[0]
        let eras = matches.filter { $0.target == best.target }.map { $0.era == .current ? "current" : "2023" }
        var s = knownArchitecture
            ? "\(best.target.name) (matches llama.cpp's \(eras.joined(separator: " and ")) mix)"
            : "\(best.target.name) (matches the generic rules; llama.cpp does not know architecture '\(architecture)')"
        let others = Array(Set(matches.map(\.target)).subtracting([best.target])).map(\.name).sorted()
        if !others.isEmpty { s += "; also the same types as \(others.joined(separator: ", "))" }
        return s
    }

    /// Compares the header's tensor types with every target's plan.
    public init(_ h: ModelHeader) {
        stored = h.storedFileType
        matches = []
        differences = []
        guard !h.tensors.isEmpty, h.tensors.allSatisfy({ $0.type != nil }) else { return }
        let ggml = h.format != .gguf
        // GGML-era names are mapped to GGUF names, which the rules read. The quantizer's input had
        // float matrices: planning from the file's own (quantized) types would skip tensors that already
        // have the default type, which shifts the per-layer counters of the attn_v/ffn_down rules.
        let names = h.tensors.map { ggml ? (LlamaTensorNames.gguf(fromGGML: $0.name) ?? $0.name) : $0.name }
        let tensors = zip(names, h.tensors).map { n, t in
            // Tensors the quantizer left unquantized (e.g. ffn_gate_inp) keep their float type.
            MixTensor(name: n, ne: t.ne, type: t.ne.count >= 2 && t.type!.isQuantized ? .f32 : t.type!)
        }
        let actual = Dictionary(zip(names, h.tensors.map { $0.type! }).map { ($0, $1) }, uniquingKeysWith: { a, _ in a })
        let model: MixModel
        if ggml {
            model = MixModel(nLayer: h.hparams.nLayer, nHead: h.hparams.nHead, nHeadKV: h.hparams.nHeadKV)
        } else if let m = try? LlamaArchitectures.mixModel(h.metadata) {
            model = m
        } else {
            return
        }
        knownArchitecture = model.isKnownArchitecture
        architecture = model.architecture
        var options = MixOptions()
        options.allowRequantize = true
        // A file made with an importance matrix (llama-quantize records it) follows the imatrix rules.
        options.hasImatrix = !ggml && h.metadata["quantize.imatrix.file"] != nil
        let present = Set(actual.values)
        // A target whose default type (or that type's shape fallback) appears in no tensor cannot match
        // a llama model (attn_q and attn_k always get it); skipping those saves most of the planning.
        // When no likely target matches, every target is tried.
        let likely = QuantizeTarget.allCases.filter { !present.isDisjoint(with: Self.defaultOrFallback($0.defaultType)) }
        for targets in [likely, QuantizeTarget.allCases.filter { !likely.contains($0) }] where matches.isEmpty {
            for era in [MixEra.current, .v2023] {
                for target in targets {
                    guard let policy = try? MixPolicy(target: target, era: era, options: options),
                          let plan = try? policy.plan(model: model, tensors: tensors) else { continue }
                    let diff = plan.tensors.filter { actual[$0.name] != $0.targetType }
                    if diff.isEmpty {
                        matches.append(Match(target: target, era: era))
                    } else if era == .current, target.fileType == stored {
                        differences = diff.prefix(8).map { ($0.name, $0.targetType.name, actual[$0.name]?.name ?? "?") }
                    }
                }
            }
        }
        matches.sort { ($0.era == .current ? 0 : 1) < ($1.era == .current ? 0 : 1) }
    }

    /// A target's default type and what it falls back to for rows that are not whole blocks.
    static func defaultOrFallback(_ t: GGMLType) -> Set<GGMLType> {
        switch t {
        case .q2_K, .q3_K, .tq1_0, .tq2_0, .q2_0: return [t, .q4_0]
        case .iq1_S, .iq1_M, .iq2_XXS, .iq2_XS, .iq2_S, .iq3_XXS, .iq3_S, .iq4_XS: return [t, .iq4_NL]
        case .q4_K: return [t, .q5_0]
        case .q5_K: return [t, .q5_1]
        case .q6_K: return [t, .q8_0]
        default: return [t]
        }
    }
}
