import GGUFFormat

/// What happens when a chosen type does not fit a tensor's shape.
enum Fallback {
    /// Current `tensor_type_fallback@0c1e570`: only the row length `ne0` matters.
    ///
    /// A type whose block does not divide `ne0` is replaced (Q2_K/Q3_K → Q4_0, Q4_K → Q5_0, Q5_K → Q5_1,
    /// Q6_K → Q8_0, IQ types → IQ4_NL, 32-block types stay); if the replacement does not divide `ne0` either
    /// the tensor becomes F16 ("must use F16 due to unusual shape").
    static func current(_ type: GGMLType, ne0: Int, name: String) throws(QuantizeMixError) -> (GGMLType, fellBack: Bool) {
        guard ne0 % type.blockSize != 0 else { return (type, false) }
        var result: GGMLType
        switch type {
        case .iq1_S, .iq1_M, .iq2_XXS, .iq2_XS, .iq2_S, .iq3_XXS, .iq3_S, .iq4_XS: result = .iq4_NL
        case .q2_0, .q2_K, .q3_K, .tq1_0, .tq2_0: result = .q4_0
        case .q4_K: result = .q5_0
        case .q5_K: result = .q5_1
        case .q6_K: result = .q8_0
        default:
            guard type.blockSize <= 32 else { throw .noFallback(name: name, type: type) }
            result = type
        }
        if ne0 % result.blockSize != 0 { result = .f16 }
        return (result, true)
    }

    /// The k-quants of the GGML era (QK_K = 256).
    static let kQuants2023: Set<GGMLType> = [.q2_K, .q3_K, .q4_K, .q5_K, .q6_K]

    /// 2023 (`@dadbed9`): a k-quant needs both `ne0` and `ne1` divisible by 256; otherwise `output.weight`
    /// becomes F16, the token embeddings Q4_0, and any other tensor is an error.
    static func v2023(_ type: GGMLType, ne: [Int], role: TensorRole, name: String) throws(QuantizeMixError) -> (GGMLType, fellBack: Bool) {
        guard kQuants2023.contains(type) else { return (type, false) }
        let nx = ne.count > 0 ? ne[0] : 1, ny = ne.count > 1 ? ne[1] : 1
        guard nx % 256 != 0 || ny % 256 != 0 else { return (type, false) }
        switch role {
        case .output: return (.f16, true)
        case .tokenEmbedding: return (.q4_0, true)
        default: throw .unsupportedTensorSize(name: name, ne: ne, type: type)
        }
    }
}
