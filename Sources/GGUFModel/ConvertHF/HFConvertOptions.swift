import GGUFFormat

/// The tensor type of a Hugging Face conversion (`--outtype`).
public enum HFOutType: String, Sendable, CaseIterable {
    case f32, f16, bf16, q8_0, auto

    /// The file type, for a type other than `auto`.
    var fileType: LlamaFileType? {
        switch self {
        case .f32: return .allF32
        case .f16: return .mostlyF16
        case .bf16: return .mostlyBF16
        case .q8_0: return .mostlyQ8_0
        case .auto: return nil
        }
    }
}

/// What a Hugging Face conversion writes, as `convert_hf_to_gguf.py`'s options.
public struct HFConvertOptions: Sendable {
    /// `--outtype`; `auto` picks BF16 or F16 from the first matrix's dtype (F16 when it is F32).
    public var outType: HFOutType = .auto
    /// `--vocab-only`: metadata and vocabulary, no tensors.
    public var vocabOnly = false
    /// `--model-name`: `general.name`.
    public var modelName: String?
    /// `--split-max-tensors`: at most this many tensors per part (0: no limit).
    public var splitMaxTensors = 0
    /// `--split-max-size`: at most this many bytes of tensor data per part (0: no limit).
    public var splitMaxSize = 0

    /// Parses a `--split-max-size` value as convert_hf_to_gguf.py does: `N`, `NK`, `NM` or `NG` (powers of 1000).
    public static func parseSize(_ s: String) -> Int? {
        let mult: [Character: Int] = ["K": 1000, "M": 1000 * 1000, "G": 1000 * 1000 * 1000]
        if let last = s.last, let m = mult[last], let n = Int(s.dropLast()), n >= 0 { return n * m }
        if !s.isEmpty, s.allSatisfy(\.isASCII), s.allSatisfy(\.isNumber) { return Int(s) }
        return nil
    }

    public init() {}
}
