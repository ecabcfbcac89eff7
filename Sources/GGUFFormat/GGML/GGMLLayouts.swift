/// Block layouts of tensor types as they were stored in each GGML file version.
///
/// Q4_0, Q4_1 and Q8_0 kept f32 scales until ggjt v3 (#1508) and Q4_0/Q4_1/Q5_0/Q5_1 stored nibbles in
/// pair order until ggjt v2 (#1405); Q4_2 and Q4_3 existed only in ggjt v1 files. See
/// docs/formats.md and ../shared/reference/ggml-legacy-formats.md §9.
public struct GGMLLayout: Sendable, Equatable {
    public var name: String
    public var blockSize: Int
    public var typeSize: Int
    /// The GGUF type with the same bytes, or `nil` when the layout has no GGUF equivalent.
    public var gguf: GGMLType?
    /// Why the bytes cannot be copied into a GGUF file, when they cannot.
    public var refusal: String?
}

public enum GGMLLayouts {
    /// The layout of raw type id `id` in a file of the given container and version, or `nil` if unknown.
    public static func layout(typeID id: UInt32, container: GGMLContainer, version: UInt32) -> GGMLLayout? {
        // ggml/ggmf/ggjt v1 = pre-#1405; ggjt v2 = pre-#1508; ggjt v3 = today's layouts.
        let era = container == .ggjt ? Int(version) : 1
        func current(_ t: GGMLType) -> GGMLLayout {
            GGMLLayout(name: t.name, blockSize: t.blockSize, typeSize: t.typeSize, gguf: t, refusal: nil)
        }
        let pre1405 = "its blocks use the nibble order of before llama.cpp #1405 (ggjt v1 and older); only F32/F16 files of this version can be converted"
        let pre1508 = "its blocks have the f32 scales of before llama.cpp #1508 (ggjt v2); Q4_0, Q4_1 and Q8_0 changed in ggjt v3"
        switch id {
        case 0: return current(.f32)
        case 1: return current(.f16)
        case 2:
            if era >= 3 { return current(.q4_0) }
            return GGMLLayout(name: "Q4_0", blockSize: 32, typeSize: 20, gguf: nil, refusal: era == 2 ? pre1508 : pre1405)
        case 3:
            if era >= 3 { return current(.q4_1) }
            return GGMLLayout(name: "Q4_1", blockSize: 32, typeSize: 24, gguf: nil, refusal: era == 2 ? pre1508 : pre1405)
        case 4:
            guard era == 1 else { return nil }
            return GGMLLayout(name: "Q4_2", blockSize: 16, typeSize: 10, gguf: nil, refusal: "Q4_2 was removed from ggml in May 2023 and has no GGUF type")
        case 5:
            guard era == 1 else { return nil }
            return GGMLLayout(name: "Q4_3", blockSize: 16, typeSize: 12, gguf: nil, refusal: "Q4_3 was removed from ggml in April 2023 and has no GGUF type")
        case 6:
            if era >= 2 { return current(.q5_0) }
            return GGMLLayout(name: "Q5_0", blockSize: 32, typeSize: 22, gguf: nil, refusal: pre1405)
        case 7:
            if era >= 2 { return current(.q5_1) }
            return GGMLLayout(name: "Q5_1", blockSize: 32, typeSize: 24, gguf: nil, refusal: pre1405)
        case 8:
            if era >= 3 { return current(.q8_0) }
            return GGMLLayout(name: "Q8_0", blockSize: 32, typeSize: 36, gguf: nil, refusal: era == 2 ? pre1508 : pre1405)
        case 10, 11, 12, 13, 14:
            let t = GGMLType(rawValue: id)!
            if era >= 3 { return current(t) }
            return GGMLLayout(name: t.name, blockSize: t.blockSize, typeSize: t.typeSize, gguf: nil,
                              refusal: "k-quants exist only in ggjt v3 files; this \(container.rawValue)v\(version) file cannot hold them")
        default:
            return nil
        }
    }
}
