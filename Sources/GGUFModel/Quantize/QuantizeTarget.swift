import GGUFFormat

/// A target of the quantizer: one `llama_ftype` that GGUFKit can produce.
///
/// The name is what `llama-quantize` accepts (`Q4_K_M`, `F16`, ...). ``defaultType`` is the type every
/// eligible tensor gets before the mix rules run (`llama_ftype_get_default_type`).
public enum QuantizeTarget: String, CaseIterable, Sendable, CustomStringConvertible {
    case q4_0 = "Q4_0", q4_1 = "Q4_1", q5_0 = "Q5_0", q5_1 = "Q5_1", q8_0 = "Q8_0"
    case q2_K = "Q2_K"
    case q3_K_S = "Q3_K_S", q3_K_M = "Q3_K_M", q3_K_L = "Q3_K_L"
    case q4_K_S = "Q4_K_S", q4_K_M = "Q4_K_M"
    case q5_K_S = "Q5_K_S", q5_K_M = "Q5_K_M"
    case q6_K = "Q6_K"
    case f16 = "F16", bf16 = "BF16", f32 = "F32"

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
        case .q2_K: return .q2_K
        case .q3_K_S, .q3_K_M, .q3_K_L: return .q3_K
        case .q4_K_S, .q4_K_M: return .q4_K
        case .q5_K_S, .q5_K_M: return .q5_K
        case .q6_K: return .q6_K
        case .f16: return .f16
        case .bf16: return .bf16
        case .f32: return .f32
        }
    }

    /// The target for a `llama_ftype`, or `nil` when GGUFKit does not produce it.
    public init?(fileType: LlamaFileType) {
        guard let t = QuantizeTarget.allCases.first(where: { $0.fileType == fileType }) else { return nil }
        self = t
    }

    /// Aliases `llama-quantize` accepts besides the names (`QUANT_OPTIONS` in `tools/quantize/quantize.cpp`).
    static let aliases: [String: QuantizeTarget] = ["Q3_K": .q3_K_M, "Q4_K": .q4_K_M, "Q5_K": .q5_K_M]

    /// Parses a target as `llama-quantize` does: a name, case-insensitively (`q4_k_m`, `Q4_K` = `Q4_K_M`,
    /// `Q3_K` = `Q3_K_M`, `Q5_K` = `Q5_K_M`), or a `llama_ftype` number (`15` = `Q4_K_M`).
    ///
    /// - Throws: ``QuantizeMixError/unknownTarget(_:)`` for anything else, including ftypes llama.cpp
    ///   knows but GGUFKit does not produce (IQ types, `Q2_K_S`, `COPY`).
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
        }
    }
}
