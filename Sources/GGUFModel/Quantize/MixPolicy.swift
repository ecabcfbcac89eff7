import GGUFFormat

/// One tensor of the input model: name, dimensions in ggml order (`ne[0]` = row length) and current type.
public struct MixTensor: Sendable, Equatable {
    public var name: String
    public var ne: [Int]
    public var type: GGMLType

    public init(name: String, ne: [Int], type: GGMLType) {
        self.name = name
        self.ne = ne
        self.type = type
    }

    /// `ggml_n_dims`: the number of dimensions without trailing 1s (at least 1).
    public var nDims: Int {
        var n = ne.count
        while n > 1 && ne[n - 1] == 1 { n -= 1 }
        return max(n, 1)
    }
}

/// A `--tensor-type PATTERN=TYPE` override: tensors whose name the regular expression matches anywhere
/// (`std::regex_search`) get `type`; the first matching override wins.
public struct TensorTypeOverride: Sendable, Equatable {
    public var pattern: String
    public var type: GGMLType

    /// An override with the pattern used as given (the `llama_model_quantize` API).
    public init(pattern: String, type: GGMLType) {
        self.pattern = pattern
        self.type = type
    }

    /// Parses a `--tensor-type` argument as `llama-quantize` does: split at the first `=`, the pattern
    /// **lower-cased** (so `\D` becomes `\d`), the type any ggml type name, case-insensitively.
    ///
    /// - Throws: ``QuantizeMixError/malformedOverride(_:)`` without `=`, with an empty side, or an unknown type.
    public init(parsing argument: String) throws(QuantizeMixError) {
        guard let eq = argument.firstIndex(of: "=") else { throw .malformedOverride(argument) }
        let name = argument[..<eq], typeName = argument[argument.index(after: eq)...]
        guard !name.isEmpty, !typeName.isEmpty, let type = GGMLType(name: String(typeName)) else {
            throw .malformedOverride(argument)
        }
        // std::transform(..., tolower): ASCII only, byte by byte.
        self.pattern = String(String.UnicodeScalarView(name.unicodeScalars.map {
            $0.isASCII ? Unicode.Scalar(UInt8(ascii: $0) | (("A"..."Z").contains($0) ? 0x20 : 0)) : $0
        }))
        self.type = type
    }
}

/// The options of `llama-quantize` that change tensor types.
public struct MixOptions: Sendable, Equatable {
    /// `--pure`: no mix rules, every eligible tensor gets the default type (fallbacks still apply). Current only.
    public var pure: Bool = false
    /// `--leave-output-tensor`: copy `output.weight` unchanged.
    public var leaveOutputTensor: Bool = false
    /// `--output-tensor-type`: type of `output.weight` (and of tied token embeddings); no fallback. Current only.
    public var outputTensorType: GGMLType? = nil
    /// `--token-embedding-type`: type of `token_embd.weight`; wins over everything, no fallback. Current only.
    public var tokenEmbeddingType: GGMLType? = nil
    /// `--tensor-type`, in order; first match wins, instead of the mix rules (fallbacks still apply). Current only.
    public var tensorTypeOverrides: [TensorTypeOverride] = []
    /// `--allow-requantize`: whether already-quantized tensors may be converted. Informative here: see
    /// ``MixPlan/requantizeViolation``.
    public var allowRequantize: Bool = false
    /// Whether an importance matrix is given (changes a few rules, e.g. IQ3_XXS's `attn_v`).
    public var hasImatrix: Bool = false

    public init(pure: Bool = false, leaveOutputTensor: Bool = false, outputTensorType: GGMLType? = nil,
                tokenEmbeddingType: GGMLType? = nil, tensorTypeOverrides: [TensorTypeOverride] = [],
                allowRequantize: Bool = false) {
        self.pure = pure
        self.leaveOutputTensor = leaveOutputTensor
        self.outputTensorType = outputTensorType
        self.tokenEmbeddingType = tokenEmbeddingType
        self.tensorTypeOverrides = tensorTypeOverrides
        self.allowRequantize = allowRequantize
    }
}

/// The decision for one tensor.
public struct TensorPlan: Sendable, Equatable {
    public var name: String
    public var ne: [Int]
    public var sourceType: GGMLType
    /// The type written to the output.
    public var targetType: GGMLType
    /// Whether the row shape forced a fallback type (a warning in llama-quantize).
    public var fellBack: Bool
    /// Whether llama-quantize refuses to make this tensor without an importance matrix.
    public var requiresImatrix: Bool = false

    /// `true` when the bytes are copied unchanged (the target is the source type).
    public var isCopy: Bool { sourceType == targetType }
    /// `true` when an already-quantized tensor is converted (needs `--allow-requantize`).
    public var isRequantize: Bool { !isCopy && sourceType.isQuantized }
}

/// The result of the policy: every tensor, in the order `llama-quantize` writes them.
public struct MixPlan: Sendable, Equatable {
    public var target: QuantizeTarget
    public var era: MixEra
    public var tensors: [TensorPlan]
    public var allowRequantize: Bool
    /// Whether `llama-quantize` knows the model's architecture (if not, the generic rules planned it and
    /// nothing says llama-quantize would give the same).
    public var knownArchitecture: Bool = true
    /// The model's `general.architecture`.
    public var architecture: String = "llama"

    /// The first tensor that needs an importance matrix ("this quantization requires an importance matrix!").
    public var imatrixViolation: TensorPlan? { tensors.first(where: \.requiresImatrix) }

    /// How many tensors fell back to another type because of their shape.
    public var fallbackCount: Int { tensors.filter(\.fellBack).count }

    /// The first tensor `llama-quantize` would refuse ("requantizing from type X is disabled") when
    /// `--allow-requantize` is not given, else `nil`.
    public var requantizeViolation: TensorPlan? {
        allowRequantize ? nil : tensors.first(where: \.isRequantize)
    }

    /// The chosen type of a tensor by name.
    public subscript(name: String) -> GGMLType? { tensors.first { $0.name == name }?.targetType }
}

/// In which order the current rules visit the tensors (their counters depend on it).
public enum TensorOrdering: Sendable {
    /// `llama-quantize`'s default: the loader's sorted map (``TensorOrder/quantizerOrder(_:)``).
    case quantizer
    /// As given: `--keep-split` sorts by part and offset in the part, which the caller has done.
    case asGiven
}

/// The per-tensor type policy of `llama-quantize` ("k-quant mixes").
///
/// Current era: ``CurrentRules`` (`llama_tensor_get_type_impl` for every architecture and target), after
/// the eligibility checks and overrides, then the shape fallbacks. 2023 era: one table (``MixTable``) gives
/// each target's rules for `attn_v`, `attn_output` and `ffn_down` of the GGML-era llama quantizer. Pure: no
/// file access.
public struct MixPolicy: Sendable {
    public let target: QuantizeTarget
    public let era: MixEra
    public let options: MixOptions

    /// Checks that the target and options exist in the era and that the override patterns compile.
    public init(target: QuantizeTarget, era: MixEra = .current, options: MixOptions = MixOptions()) throws(QuantizeMixError) {
        if era == .v2023 {
            if !target.existedIn2023 { throw .targetNotInEra(target, era: era) }
            if options.pure { throw .optionNotInEra(option: "--pure", era: era) }
            if options.outputTensorType != nil { throw .optionNotInEra(option: "--output-tensor-type", era: era) }
            if options.tokenEmbeddingType != nil { throw .optionNotInEra(option: "--token-embedding-type", era: era) }
            if !options.tensorTypeOverrides.isEmpty { throw .optionNotInEra(option: "--tensor-type", era: era) }
        }
        for o in options.tensorTypeOverrides {
            guard (try? Regex(o.pattern)) != nil else { throw .invalidPattern(o.pattern) }
        }
        self.target = target
        self.era = era
        self.options = options
    }

    /// Decides every tensor's type and returns them in write order (current: sorted by layer then name, or
    /// as given for `--keep-split`; 2023: input order).
    ///
    /// - Throws: ``QuantizeMixError/unsupportedTensorSize(name:ne:type:)`` (2023) or
    ///   ``QuantizeMixError/noFallback(name:type:)`` (current) where llama.cpp stops.
    public func plan(model: MixModel, tensors: [MixTensor], order: TensorOrdering = .quantizer) throws(QuantizeMixError) -> MixPlan {
        switch era {
        case .current: return try planCurrent(model: model, tensors: tensors, order: order)
        case .v2023: return try plan2023(model: model, tensors: tensors)
        }
    }

    // MARK: - eligibility

    /// `name.rfind("weight") == name.size() - 6`, including its quirk: a 5-byte name passes (npos == -1).
    static func endsInWeight(_ name: String) -> Bool {
        name.hasSuffix("weight") || name.utf8.count == 5
    }

    /// Name fragments that current llama.cpp never quantizes (`tensor_allows_quantization`), llama or not.
    static let neverQuantized: [[UInt8]] = [
        "_norm.weight", "ffn_gate_inp.weight", "ffn_gate_tid2eid.weight", "altup", "laurel", "per_layer_model_proj",
        "ssm_conv1d", "shortconv.conv.weight", "indexer.k_proj.weight", "indexer.q_proj.weight",
        "time_mix_first.weight", "time_mix_w0.weight", "time_mix_w1.weight", "time_mix_w2.weight",
        "time_mix_v0.weight", "time_mix_v1.weight", "time_mix_v2.weight", "time_mix_a0.weight",
        "time_mix_a1.weight", "time_mix_a2.weight", "time_mix_g1.weight", "time_mix_g2.weight",
        "time_mix_decay_w1.weight", "time_mix_decay_w2.weight", "time_mix_lerp_fused.weight",
        "attn_rel_b.weight", ".position_embd", "sam.pos_embd", "sam.neck.", "sam.net_", ".rel_pos",
        ".patch_embd", ".patch_merger", "a.rvq.codebook", "mm.a.code_embd",
    ].map { Array($0.utf8) }
    /// Exact names never quantized (`LLM_TN(arch)(POS_EMBD / TOKEN_TYPES)`).
    static let neverQuantizedNames: Set<String> = ["position_embd.weight", "token_types.weight"]

    /// Name fragments that glm5-next models never quantize (besides ``neverQuantized``).
    static let neverQuantizedGLM5Next: [[UInt8]] = [
        "hc_", "indexer.attn_q_b", "indexer.attn_k", "indexer.proj", "indexer_compressor_gate",
        "indexer_compressor_ape", "ssm_f_a.weight", "ssm_f_b.weight", "ssm_g_a.weight", "ssm_g_b.weight",
        "ssm_beta.weight", "attn_kv_a_mqa.weight", "attn_k_b.weight", "attn_v_b.weight",
    ].map { Array($0.utf8) }

    /// `tensor_allows_quantization`: 2-D and larger tensors named `...weight`, less the never-quantized ones.
    func allowsQuantizationCurrent(_ t: MixTensor, bytes: [UInt8], architecture: String) -> Bool {
        guard t.nDims >= 2, Self.endsInWeight(t.name) else { return false }
        if options.leaveOutputTensor && t.name == "output.weight" { return false }
        if Self.neverQuantizedNames.contains(t.name) { return false }
        if architecture == "glm5-next" && Self.neverQuantizedGLM5Next.contains(where: { bytes.containsBytes($0) }) { return false }
        return !Self.neverQuantized.contains { bytes.containsBytes($0) }
    }

    /// `tensor_requires_imatrix`: tensors going to IQ1/IQ2/IQ3_XXS, or Q2_K in a Q2_K_S file, need an
    /// importance matrix (the token embeddings and the output never do).
    func requiresImatrix(_ name: String, type: GGMLType) -> Bool {
        if name == "output.weight" || name == "token_embd.weight" || name == "per_layer_token_embd.weight" { return false }
        switch type {
        case .iq3_XXS, .iq2_XXS, .iq2_XS, .iq2_S, .iq1_M, .iq1_S: return true
        case .q2_K: return target == .q2_K_S
        default: return false
        }
    }

    // MARK: - current

    private func planCurrent(model: MixModel, tensors input: [MixTensor], order: TensorOrdering) throws(QuantizeMixError) -> MixPlan {
        let ordered: [MixTensor]
        switch order {
        case .quantizer:
            let byName = Dictionary(input.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
            ordered = TensorOrder.quantizerOrder(input.map(\.name)).map { byName[$0]! }
        case .asGiven:
            ordered = input
        }
        let bytes = ordered.map { Array($0.name.utf8) }
        let roles = bytes.map { TensorRole(bytes: $0) }
        let patterns: [Regex<AnyRegexOutput>] = options.tensorTypeOverrides.compactMap { try? Regex($0.pattern) }
        var rules = CurrentRules(target: target, model: model, outputTensorType: options.outputTensorType,
                                 tokenEmbeddingType: options.tokenEmbeddingType, hasImatrix: options.hasImatrix,
                                 tiedEmbeddings: !roles.contains(.output),
                                 nAttentionV: roles.filter { $0 == .attentionV }.count)
        let d = target.defaultType
        var out: [TensorPlan] = []
        out.reserveCapacity(ordered.count)

        for (k, t) in ordered.enumerated() {
            let role = roles[k]
            var type = t.type
            var fellBack = false
            var needsImatrix = false
            if allowsQuantizationCurrent(t, bytes: bytes[k], architecture: model.architecture) {
                // llama_tensor_get_type: explicit output / embedding types win and skip the fallback.
                if let e = options.tokenEmbeddingType, role == .tokenEmbedding,
                   !(t.name == "per_layer_token_embd.weight" && patterns.contains(where: { t.name.contains($0) })) {
                    type = e
                } else if let o = options.outputTensorType, role == .output {
                    type = o
                } else {
                    type = d
                    if d.isQuantized {
                        var manual = false
                        for (p, o) in zip(patterns, options.tensorTypeOverrides) where t.name.contains(p) {
                            type = o.type
                            manual = true
                            break
                        }
                        if !manual && !options.pure {
                            type = try rules.type(type, tensor: t, role: role)
                        }
                        (type, fellBack) = try Fallback.current(type, ne0: t.ne.first ?? 1, name: t.name)
                    }
                }
                needsImatrix = requiresImatrix(t.name, type: type)
            }
            out.append(TensorPlan(name: t.name, ne: t.ne, sourceType: t.type, targetType: type, fellBack: fellBack,
                                  requiresImatrix: needsImatrix))
        }
        return MixPlan(target: target, era: .current, tensors: out, allowRequantize: options.allowRequantize,
                       knownArchitecture: model.isKnownArchitecture, architecture: model.architecture)
    }

    // MARK: - 2023

    private func plan2023(model: MixModel, tensors: [MixTensor]) throws(QuantizeMixError) -> MixPlan {
        let roles = tensors.map { TensorRole(name: $0.name) }
        let nAttentionV = roles.filter { $0 == .attentionV }.count
        let nFFNDown = roles.filter { $0 == .ffnDown }.count
        let row = MixTable.v2023[target] ?? .plain
        let d = target.defaultType
        var iAttentionV = 0, iFFNDown = 0
        var out: [TensorPlan] = []
        out.reserveCapacity(tensors.count)

        for (t, role) in zip(tensors, roles) {
            var type = t.type
            var fellBack = false
            let quantize = Self.endsInWeight(t.name) && t.ne.count == 2
                && !(options.leaveOutputTensor && t.name == "output.weight") && d != t.type
            if quantize {
                type = d
                switch role {
                case .output:
                    if t.ne[0] % 256 == 0 && t.ne[1] % 256 == 0 { type = .q6_K }
                case .attentionV:
                    type = row.attentionV.apply(to: type, i: iAttentionV, n: nAttentionV)
                    iAttentionV += 1
                case .ffnDown:
                    type = row.ffnDown.apply(to: type, i: iFFNDown, n: nFFNDown)
                    iFFNDown += 1
                case .attentionOutput:
                    type = row.attentionOutput.apply(to: type, i: 0, n: nAttentionV)
                default:
                    break
                }
                (type, fellBack) = try Fallback.v2023(type, ne: t.ne, role: role, name: t.name)
            }
            out.append(TensorPlan(name: t.name, ne: t.ne, sourceType: t.type, targetType: type, fellBack: fellBack))
        }
        return MixPlan(target: target, era: .v2023, tensors: out, allowRequantize: options.allowRequantize)
    }
}
