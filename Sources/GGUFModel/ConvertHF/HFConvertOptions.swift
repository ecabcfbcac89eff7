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

    public init() {}
}
