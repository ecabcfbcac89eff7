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

/// The per-tensor type policy of `llama-quantize` for llama models ("k-quant mixes").
///
/// One table (``MixTable``) per era gives each target's rules for `attn_v`, `attn_output` and `ffn_down`;
/// shared rules handle the output and token-embedding tensors, the 70B `attn_v` bump and the shape
/// fallbacks. Pure: no file access.
public struct MixPolicy: Sendable {
    public let target: QuantizeTarget
    public let era: MixEra
    public let options: MixOptions

    /// Checks that the target and options exist in the era and that the override patterns compile.
    public init(target: QuantizeTarget, era: MixEra = .current, options: MixOptions = MixOptions()) throws(QuantizeMixError) {
        if era == .v2023 {
            if target == .bf16 { throw .targetNotInEra(target, era: era) }
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

    /// Decides every tensor's type and returns them in write order (current: sorted by layer then name;
    /// 2023: input order).
    ///
    /// - Throws: ``QuantizeMixError/unsupportedTensorSize(name:ne:type:)`` (2023) or
    ///   ``QuantizeMixError/noFallback(name:type:)`` (current) where llama.cpp stops.
    public func plan(model: MixModel, tensors: [MixTensor]) throws(QuantizeMixError) -> MixPlan {
        switch era {
        case .current: return try planCurrent(model: model, tensors: tensors)
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

    func allowsQuantizationCurrent(_ t: MixTensor, bytes: [UInt8]) -> Bool {
        guard t.nDims >= 2, Self.endsInWeight(t.name) else { return false }
        if options.leaveOutputTensor && t.name == "output.weight" { return false }
        if Self.neverQuantizedNames.contains(t.name) { return false }
        return !Self.neverQuantized.contains { bytes.containsBytes($0) }
    }

    // MARK: - current

    private func planCurrent(model: MixModel, tensors input: [MixTensor]) throws(QuantizeMixError) -> MixPlan {
        let byName = Dictionary(input.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let ordered = TensorOrder.quantizerOrder(input.map(\.name)).map { byName[$0]! }
        let bytes = ordered.map { Array($0.name.utf8) }
        let roles = bytes.map { TensorRole(bytes: $0) }
        let nAttentionV = roles.filter { $0 == .attentionV }.count
        let tied = !roles.contains(.output)
        let patterns: [Regex<AnyRegexOutput>] = options.tensorTypeOverrides.compactMap { try? Regex($0.pattern) }
        let row = MixTable.row(target, era: .current)
        let d = target.defaultType
        var iAttentionV = 0, iFFNDown = 0
        var out: [TensorPlan] = []
        out.reserveCapacity(ordered.count)

        for (k, t) in ordered.enumerated() {
            let role = roles[k]
            var type = t.type
            var fellBack = false
            if allowsQuantizationCurrent(t, bytes: bytes[k]) {
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
                            type = ruleCurrent(type, tensor: t, role: role, tied: tied, row: row, model: model,
                                               iAttentionV: &iAttentionV, nAttentionV: nAttentionV, iFFNDown: &iFFNDown)
                        }
                        (type, fellBack) = try Fallback.current(type, ne0: t.ne.first ?? 1, name: t.name)
                    }
                }
            }
            out.append(TensorPlan(name: t.name, ne: t.ne, sourceType: t.type, targetType: type, fellBack: fellBack))
        }
        return MixPlan(target: target, era: .current, tensors: out, allowRequantize: options.allowRequantize)
    }

    /// `llama_tensor_get_type_impl` for llama: the shared output rule, then the table row.
    private func ruleCurrent(_ type: GGMLType, tensor t: MixTensor, role: TensorRole, tied: Bool, row: MixRow,
                             model: MixModel, iAttentionV: inout Int, nAttentionV: Int,
                             iFFNDown: inout Int) -> GGMLType {
        // Tied models (no output.weight) type the token embeddings like the output.
        if role == .output || (tied && role == .tokenEmbedding) {
            if let o = options.outputTensorType { return o }
            if (t.ne.first ?? 1) % type.blockSize != 0 { return .q8_0 }
            return type == .q8_0 ? type : .q6_K
        }
        switch role {
        case .tokenEmbedding:
            return options.tokenEmbeddingType ?? type
        case .attentionV:
            var v = row.attentionV.apply(to: type, i: iAttentionV, n: nAttentionV, model: model)
            if model.is70B && (v == .q3_K || v == .q4_K) { v = .q5_K }
            iAttentionV += 1
            return v
        case .ffnDown:
            defer { iFFNDown += 1 }
            return row.ffnDown.apply(to: type, i: iFFNDown, n: model.nLayer, model: model)
        case .attentionOutput:
            return row.attentionOutput.apply(to: type, i: 0, n: model.nLayer, model: model)
        default:
            return type
        }
    }

    // MARK: - 2023

    private func plan2023(model: MixModel, tensors: [MixTensor]) throws(QuantizeMixError) -> MixPlan {
        let roles = tensors.map { TensorRole(name: $0.name) }
        let nAttentionV = roles.filter { $0 == .attentionV }.count
        let nFFNDown = roles.filter { $0 == .ffnDown }.count
        let row = MixTable.row(target, era: .v2023)
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
                    type = row.attentionV.apply(to: type, i: iAttentionV, n: nAttentionV, model: model)
                    iAttentionV += 1
                case .ffnDown:
                    type = row.ffnDown.apply(to: type, i: iFFNDown, n: nFFNDown, model: model)
                    iFFNDown += 1
                case .attentionOutput:
                    type = row.attentionOutput.apply(to: type, i: 0, n: nAttentionV, model: model)
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
