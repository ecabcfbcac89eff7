import GGUFFormat

/// A target of the quantizer: one `llama_ftype` that `llama-quantize` accepts.
///
/// The name is what `llama-quantize` accepts (`Q4_K_M`, `IQ4_XS`, ...). ``defaultType`` is the type every
/// eligible tensor gets before the mix rules run (`llama_ftype_get_default_type`). Every target can be
/// planned (`--dry-run`, `inspect`'s mix match); ``isProducible`` says whether GGUFKit has the kernels to
/// write it.
public enum QuantizeTarget: String, CaseIterable, Sendable, CustomStringConvertible {
    case q4_0 = "Q4_0", q4_1 = "Q4_1", q5_0 = "Q5_0", q5_1 = "Q5_1", q8_0 = "Q8_0"
    case q2_K = "Q2_K", q2_K_S = "Q2_K_S"
    case q3_K_S = "Q3_K_S", q3_K_M = "Q3_K_M", q3_K_L = "Q3_K_L"
    case q4_K_S = "Q4_K_S", q4_K_M = "Q4_K_M"
    case q5_K_S = "Q5_K_S", q5_K_M = "Q5_K_M"
    case q6_K = "Q6_K"
    case f16 = "F16", bf16 = "BF16", f32 = "F32"
    case iq2_XXS = "IQ2_XXS", iq2_XS = "IQ2_XS", iq2_S = "IQ2_S", iq2_M = "IQ2_M"
    case iq1_S = "IQ1_S", iq1_M = "IQ1_M"
    case iq3_XXS = "IQ3_XXS", iq3_XS = "IQ3_XS", iq3_S = "IQ3_S", iq3_M = "IQ3_M"
    case iq4_NL = "IQ4_NL", iq4_XS = "IQ4_XS"
    case tq1_0 = "TQ1_0", tq2_0 = "TQ2_0"
    case mxfp4_MOE = "MXFP4_MOE"
    case q1_0 = "Q1_0", q2_0 = "Q2_0"

    /// The name `llama-quantize` prints and accepts, e.g. `Q4_K_M`.
    public var name: String { rawValue }
    public var description: String { rawValue }

    /// The `llama_ftype` written to `general.file_type`.
    public var fileType: LlamaFileType {
        switch self {
        case .f32: return .allF32
        case .f16: return .mostlyF16
        case .q4_0: return .mostlyQ4_0
        case .q4_1: return .mostlyQ4_1
        case .q8_0: return .mostlyQ8_0
        case .q5_0: return .mostlyQ5_0
        case .q5_1: return .mostlyQ5_1
        case .q2_K: return .mostlyQ2_K
        case .q3_K_S: return .mostlyQ3_K_S
        case .q3_K_M: return .mostlyQ3_K_M
        case .q3_K_L: return .mostlyQ3_K_L
        case .q4_K_S: return .mostlyQ4_K_S
        case .q4_K_M: return .mostlyQ4_K_M
        case .q5_K_S: return .mostlyQ5_K_S
        case .q5_K_M: return .mostlyQ5_K_M
        case .q6_K: return .mostlyQ6_K
        case .bf16: return .mostlyBF16
        case .iq2_XXS: return LlamaFileType(rawValue: 19)
        case .iq2_XS: return LlamaFileType(rawValue: 20)
        case .q2_K_S: return LlamaFileType(rawValue: 21)
        case .iq3_XS: return LlamaFileType(rawValue: 22)
        case .iq3_XXS: return LlamaFileType(rawValue: 23)
        case .iq1_S: return LlamaFileType(rawValue: 24)
        case .iq4_NL: return LlamaFileType(rawValue: 25)
        case .iq3_S: return LlamaFileType(rawValue: 26)
        case .iq3_M: return LlamaFileType(rawValue: 27)
        case .iq2_S: return LlamaFileType(rawValue: 28)
        case .iq2_M: return LlamaFileType(rawValue: 29)
        case .iq4_XS: return LlamaFileType(rawValue: 30)
        case .iq1_M: return LlamaFileType(rawValue: 31)
        case .tq1_0: return LlamaFileType(rawValue: 36)
        case .tq2_0: return LlamaFileType(rawValue: 37)
        case .mxfp4_MOE: return LlamaFileType(rawValue: 38)
        case .q1_0: return LlamaFileType(rawValue: 40)
        case .q2_0: return LlamaFileType(rawValue: 41)
        }
    }

    /// The type of every eligible tensor before the mix rules (`llama_ftype_get_default_type`).
    public var defaultType: GGMLType {
        switch self {
        case .q4_0: return .q4_0
        case .q4_1: return .q4_1
        case .q5_0: return .q5_0
        case .q5_1: return .q5_1
        case .q8_0: return .q8_0
        case .q2_K, .q2_K_S: return .q2_K
        case .q3_K_S, .q3_K_M, .q3_K_L: return .q3_K
        case .q4_K_S, .q4_K_M: return .q4_K
        case .q5_K_S, .q5_K_M: return .q5_K
        case .q6_K: return .q6_K
        case .f16: return .f16
        case .bf16: return .bf16
        case .f32: return .f32
        case .iq2_XXS: return .iq2_XXS
        case .iq2_XS, .iq2_S: return .iq2_XS
        case .iq2_M: return .iq2_S
        case .iq1_S: return .iq1_S
        case .iq1_M: return .iq1_M
        case .iq3_XXS: return .iq3_XXS
        case .iq3_XS, .iq3_S, .iq3_M: return .iq3_S
        case .iq4_NL: return .iq4_NL
        case .iq4_XS: return .iq4_XS
        case .tq1_0: return .tq1_0
        case .tq2_0: return .tq2_0
        case .mxfp4_MOE: return .mxfp4
        case .q1_0: return .q1_0
        case .q2_0: return .q2_0
        }
    }

    /// The types GGUFKit's kernels quantize to (weights, byte-identical to ggml's `ggml_quantize_chunk`). IQ2_XXS,
    /// IQ2_XS and IQ1_S only with an importance matrix (ggml requires one); the other IQ types take one too.
    public static let producibleTypes: Set<GGMLType> = [
        .f32, .f16, .bf16, .q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q2_K, .q3_K, .q4_K, .q5_K, .q6_K,
        .iq4_NL, .iq4_XS, .tq1_0, .tq2_0, .mxfp4, .iq3_S,
        .iq2_XXS, .iq2_XS, .iq2_S, .iq3_XXS, .iq1_S, .iq1_M, .q1_0, .q2_0,
    ]

    /// The targets GGUFKit writes: every `llama-quantize` target. Those whose plans need an importance matrix
    /// (IQ1_S, IQ1_M, IQ2_XXS, IQ2_XS, IQ2_S, IQ2_M, IQ3_XXS, IQ3_XS: `tensor_requires_imatrix`; Q2_K_S: its Q2_K
    /// tensors) are refused without one, as llama-quantize refuses them.
    public var isProducible: Bool { true }

    /// The targets the GGML-era (2023) quantizer had: the legacy types, the k-quant mixes, F16 and F32.
    public var existedIn2023: Bool {
        switch self {
        case .q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q2_K, .q3_K_S, .q3_K_M, .q3_K_L, .q4_K_S, .q4_K_M,
             .q5_K_S, .q5_K_M, .q6_K, .f16, .f32:
            return true
        default:
            return false
        }
    }

    /// The targets GGUFKit writes, in `llama-quantize`'s list order.
    public static var producible: [QuantizeTarget] { allCases.filter(\.isProducible) }

    /// The target for a `llama_ftype`, or `nil` when llama-quantize has no such target.
    public init?(fileType: LlamaFileType) {
        guard let t = QuantizeTarget.allCases.first(where: { $0.fileType == fileType }) else { return nil }
        self = t
    }

    /// Aliases `llama-quantize` accepts besides the names (`QUANT_OPTIONS` in `tools/quantize/quantize.cpp`).
    static let aliases: [String: QuantizeTarget] = ["Q3_K": .q3_K_M, "Q4_K": .q4_K_M, "Q5_K": .q5_K_M]

    /// Parses a target as `llama-quantize` does: a name, case-insensitively (`q4_k_m`, `Q4_K` = `Q4_K_M`,
    /// `Q3_K` = `Q3_K_M`, `Q5_K` = `Q5_K_M`), or a `llama_ftype` number (`15` = `Q4_K_M`).
    ///
    /// - Throws: ``QuantizeMixError/unknownTarget(_:)`` for anything else (`COPY` included).
    public init(parsing text: String) throws(QuantizeMixError) {
        let upper = text.uppercased()
        if let t = QuantizeTarget(rawValue: upper) ?? Self.aliases[upper] {
            self = t
            return
        }
        if !upper.isEmpty, upper.allSatisfy(\.isASCII), let n = UInt32(upper),
           let t = QuantizeTarget(fileType: LlamaFileType(rawValue: n)) {
            self = t
            return
        }
        throw .unknownTarget(text)
    }
}

/// Which llama.cpp quantizer's per-tensor choices to reproduce.
public enum MixEra: String, CaseIterable, Sendable, CustomStringConvertible {
    /// `src/llama-quant.cpp@0c1e570` (llama-cpp-python 0.3.36): the rules, fallbacks and sorted tensor order of
    /// today's `llama-quantize`.
    case current
    /// `llama_model_quantize_internal@dadbed9` (August 2023, the last GGML-era commit): `--mix 2023`.
    case v2023 = "2023"

    public var description: String { rawValue }
}

/// Errors of the mix policy.
public enum QuantizeMixError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The text names no target GGUFKit produces.
    case unknownTarget(String)
    /// A `--tensor-type` argument is not `PATTERN=TYPE` with a known ggml type.
    case malformedOverride(String)
    /// A `--tensor-type` pattern is not a valid regular expression.
    case invalidPattern(String)
    /// The option did not exist in that era's quantizer (e.g. `--pure` with `--mix 2023`).
    case optionNotInEra(option: String, era: MixEra)
    /// The target did not exist in that era's quantizer (BF16 in 2023).
    case targetNotInEra(QuantizeTarget, era: MixEra)
    /// 2023 only: a k-quant was chosen for a tensor whose dimensions are not multiples of 256 and that has no
    /// fallback ("Unsupported tensor size encountered").
    case unsupportedTensorSize(name: String, ne: [Int], type: GGMLType)
    /// Current only: the chosen type does not divide the row and has no fallback (`tensor_type_fallback`).
    case noFallback(name: String, type: GGMLType)
    /// A model with experts has an `ffn_*` tensor without a `blk.N.` layer in its name.
    case noLayer(name: String)
    /// A model with experts has an `ffn_*` tensor of a layer outside `[0, n_layer)`.
    case badLayer(layer: Int, name: String, nLayer: Int)

    public var description: String {
        switch self {
        case .unknownTarget(let s): return "unknown quantization target '\(s)'"
        case .malformedOverride(let s): return "malformed tensor type override '\(s)' (expected PATTERN=TYPE)"
        case .invalidPattern(let s): return "invalid tensor name pattern '\(s)'"
        case .optionNotInEra(let o, let e): return "option \(o) does not exist in the \(e) quantizer"
        case .targetNotInEra(let t, let e): return "target \(t) does not exist in the \(e) quantizer"
        case .unsupportedTensorSize(let n, let ne, let t):
            return "tensor \(n) \(ne) is not divisible by 256, required for \(t): unsupported tensor size"
        case .noFallback(let n, let t): return "no tensor type fallback is defined for type \(t) (tensor \(n))"
        case .noLayer(let n): return "failed to determine the layer of tensor \(n) (a model with experts needs blk.N. names)"
        case .badLayer(let l, let n, let nl): return "bad layer \(l) for tensor \(n): must be in [0, \(nl))"
        }
    }
}
