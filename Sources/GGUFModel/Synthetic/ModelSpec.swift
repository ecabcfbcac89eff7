import GGUFFormat

/// A synthetic model of any architecture, described in a small text file: its metadata and tensor list.
///
/// One entry a line, tab-separated; `#` starts a comment line:
///
///     kv      qwen2moe.block_count    u32     4
///     kv      general.name            str     tiny
///     kv      qwen2moe.attention.head_count   arr_u32 4,4,4,4
///     tensor  blk.0.ffn_up_exps.weight        256,32,8        f16
///
/// Value types: `u8 i8 u16 i16 u32 i32 u64 i64 f32 f64 bool str`, and `arr_T` with comma-separated
/// values. Tensor shapes are in ggml order (`ne0` first); types F32, F16 or BF16. ``SyntheticModel/write(metadata:tensors:seed:scale:to:force:)``
/// fills the weights deterministically, so a spec and a seed give the same bytes everywhere.
public struct ModelSpec: Sendable {
    public var metadata = GGUFMetadata()
    public var tensors: [GGUFTensorInfo] = []

    public init() {}

    /// Parses the text format above.
    ///
    /// - Throws: ``ModelError/badData(_:)`` naming the line for anything malformed.
    public init(parsing text: String, name: String = "spec") throws(ModelError) {
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw
            if line.isEmpty || line.hasPrefix("#") { continue }
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            func bad(_ what: String) -> ModelError { .badData("\(name): line \(n + 1): \(what)") }
            switch f.first {
            case "kv":
                guard f.count == 4 else { throw bad("expected kv, key, type, value") }
                guard let v = Self.value(f[2], f[3]) else { throw bad("cannot read a \(f[2]) from '\(f[3])'") }
                metadata[f[1]] = v
            case "tensor":
                guard f.count == 4 else { throw bad("expected tensor, name, shape, type") }
                let ne = f[2].split(separator: ",").compactMap { Int($0) }
                guard !ne.isEmpty, ne.count == f[2].split(separator: ",").count, ne.allSatisfy({ $0 > 0 }),
                      let type = GGMLType(name: f[3]), [.f32, .f16, .bf16].contains(type) else {
                    throw bad("bad shape '\(f[2])' or type '\(f[3])' (F32, F16, BF16)")
                }
                tensors.append(GGUFTensorInfo(name: f[1], ne: ne, type: type))
            default:
                throw bad("expected 'kv' or 'tensor'")
            }
        }
    }

    static func value(_ type: String, _ text: String) -> GGUFValue? {
        if type.hasPrefix("arr_") {
            let element = String(type.dropFirst(4))
            let items = text.isEmpty ? [] : text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            let values = items.compactMap { value(element, $0) }
            guard values.count == items.count, let et = scalarType(element) else { return nil }
            return .array(elementType: et, values: values)
        }
        switch type {
        case "u8": return UInt8(text).map { .uint8($0) }
        case "i8": return Int8(text).map { .int8($0) }
        case "u16": return UInt16(text).map { .uint16($0) }
        case "i16": return Int16(text).map { .int16($0) }
        case "u32": return UInt32(text).map { .uint32($0) }
        case "i32": return Int32(text).map { .int32($0) }
        case "u64": return UInt64(text).map { .uint64($0) }
        case "i64": return Int64(text).map { .int64($0) }
        case "f32": return Float(text).map { .float32($0) }
        case "f64": return Double(text).map { .float64($0) }
        case "bool": return text == "true" ? .bool(true) : text == "false" ? .bool(false) : nil
        case "str": return .string(text)
        default: return nil
        }
    }

    static func scalarType(_ t: String) -> GGUFValueType? {
        let map: [String: GGUFValueType] = ["u8": .uint8, "i8": .int8, "u16": .uint16, "i16": .int16, "u32": .uint32,
                                            "i32": .int32, "u64": .uint64, "i64": .int64, "f32": .float32,
                                            "f64": .float64, "bool": .bool, "str": .string]
        return map[t]
    }

    /// Writes the model with deterministic weights (see ``SyntheticModel/write(metadata:tensors:seed:scale:to:force:)``).
    public func write(to path: String, seed: UInt64 = 1, scale: Float = 0.04, force: Bool = true) throws {
        try SyntheticModel.write(metadata: metadata, tensors: tensors, seed: seed, scale: scale, to: path, force: force)
    }
}
