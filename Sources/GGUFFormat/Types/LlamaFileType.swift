/// A `llama_ftype` value: the whole-file type stored in a GGML header and in GGUF `general.file_type`.
///
/// It names the requested mix; the tensor types themselves are authoritative.
public struct LlamaFileType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let allF32 = Self(rawValue: 0)
    public static let mostlyF16 = Self(rawValue: 1)
    public static let mostlyQ4_0 = Self(rawValue: 2)
    public static let mostlyQ4_1 = Self(rawValue: 3)
    public static let mostlyQ4_1SomeF16 = Self(rawValue: 4)
    public static let mostlyQ8_0 = Self(rawValue: 7)
    public static let mostlyQ5_0 = Self(rawValue: 8)
    public static let mostlyQ5_1 = Self(rawValue: 9)
    public static let mostlyQ2_K = Self(rawValue: 10)
    public static let mostlyQ3_K_S = Self(rawValue: 11)
    public static let mostlyQ3_K_M = Self(rawValue: 12)
    public static let mostlyQ3_K_L = Self(rawValue: 13)
    public static let mostlyQ4_K_S = Self(rawValue: 14)
    public static let mostlyQ4_K_M = Self(rawValue: 15)
    public static let mostlyQ5_K_S = Self(rawValue: 16)
    public static let mostlyQ5_K_M = Self(rawValue: 17)
    public static let mostlyQ6_K = Self(rawValue: 18)
    public static let mostlyBF16 = Self(rawValue: 32)

    /// llama.cpp's enum names (`llama.h`), without the `LLAMA_FTYPE_` prefix.
    static let names: [UInt32: String] = [
        0: "ALL_F32", 1: "MOSTLY_F16", 2: "MOSTLY_Q4_0", 3: "MOSTLY_Q4_1", 4: "MOSTLY_Q4_1_SOME_F16",
        5: "MOSTLY_Q4_2", 6: "MOSTLY_Q4_3",
        7: "MOSTLY_Q8_0", 8: "MOSTLY_Q5_0", 9: "MOSTLY_Q5_1", 10: "MOSTLY_Q2_K", 11: "MOSTLY_Q3_K_S",
        12: "MOSTLY_Q3_K_M", 13: "MOSTLY_Q3_K_L", 14: "MOSTLY_Q4_K_S", 15: "MOSTLY_Q4_K_M",
        16: "MOSTLY_Q5_K_S", 17: "MOSTLY_Q5_K_M", 18: "MOSTLY_Q6_K", 19: "MOSTLY_IQ2_XXS",
        20: "MOSTLY_IQ2_XS", 21: "MOSTLY_Q2_K_S", 22: "MOSTLY_IQ3_XS", 23: "MOSTLY_IQ3_XXS",
        24: "MOSTLY_IQ1_S", 25: "MOSTLY_IQ4_NL", 26: "MOSTLY_IQ3_S", 27: "MOSTLY_IQ3_M",
        28: "MOSTLY_IQ2_S", 29: "MOSTLY_IQ2_M", 30: "MOSTLY_IQ4_XS", 31: "MOSTLY_IQ1_M",
        32: "MOSTLY_BF16", 36: "MOSTLY_TQ1_0", 37: "MOSTLY_TQ2_0", 38: "MOSTLY_MXFP4_MOE",
        39: "MOSTLY_NVFP4", 40: "MOSTLY_Q1_0", 41: "MOSTLY_Q2_0",
    ]

    /// The enum name, e.g. `MOSTLY_Q4_K_M`, or `nil` for an unknown value.
    public var enumName: String? { Self.names[rawValue] }

    /// The short name the quantize tools use, e.g. `Q4_K_M`, `F16`, `F32`.
    public var shortName: String? {
        guard let n = enumName else { return nil }
        if n == "ALL_F32" { return "F32" }
        return n.hasPrefix("MOSTLY_") ? String(n.dropFirst(7)) : n
    }

    public var description: String { enumName ?? "ftype \(rawValue)" }
}
