import GGUFFormat

/// A `--override-kv KEY=TYPE:VALUE` metadata override, parsed as llama.cpp's `string_parse_kv_override`.
///
/// Types: `int` (written as UINT32 of the absolute value, as llama-quantize does), `float` (FLOAT32),
/// `bool` (`true`/`false`), `str` (at most 127 bytes).
public struct KVOverride: Sendable, Equatable {
    public var key: String
    public var value: GGUFValue

    public init(key: String, value: GGUFValue) {
        self.key = key
        self.value = value
    }

    public init(parsing text: String) throws(ModelError) {
        guard let eq = text.firstIndex(of: "="), text.distance(from: text.startIndex, to: eq) < 128, eq != text.startIndex else {
            throw .usage("malformed --override-kv '\(text)': expected KEY=TYPE:VALUE")
        }
        key = String(text[..<eq])
        let rest = text[text.index(after: eq)...]
        if rest.hasPrefix("int:"), let v = Int64(rest.dropFirst(4)) {
            value = .uint32(UInt32(truncatingIfNeeded: v.magnitude))
        } else if rest.hasPrefix("float:"), let v = Double(rest.dropFirst(6)) {
            value = .float32(Float(v))
        } else if rest.hasPrefix("bool:"), rest.dropFirst(5) == "true" || rest.dropFirst(5) == "false" {
            value = .bool(rest.dropFirst(5) == "true")
        } else if rest.hasPrefix("str:"), rest.dropFirst(4).utf8.count <= 127 {
            value = .string(String(rest.dropFirst(4)))
        } else {
            throw .usage("malformed --override-kv '\(text)': expected TYPE int, float, bool (true/false) or str (at most 127 bytes)")
        }
    }
}
