import GGUFFormat

/// A JSON value with ordered object keys, written without Foundation so that the output is stable.
///
/// Numbers: integers exactly; `Float` values in their shortest round-trip form (`1e-05`); non-finite
/// numbers as the strings `"NaN"`, `"Infinity"`, `"-Infinity"` (JSON has no literal for them).
public indirect enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case uint(UInt64)
    case float(Float)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func == (a: JSONValue, b: JSONValue) -> Bool { a.rendered() == b.rendered() }

    /// The text: compact, or indented by two spaces.
    public func rendered(pretty: Bool = true) -> String {
        var out = ""
        write(to: &out, indent: pretty ? 0 : nil)
        return out
    }

    private func write(to out: inout String, indent: Int?) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .uint(let u): out += String(u)
        case .float(let f):
            out += f.isFinite ? Self.number(f.description) : Self.quote(f.isNaN ? "NaN" : f < 0 ? "-Infinity" : "Infinity")
        case .double(let d):
            out += d.isFinite ? Self.number(d.description) : Self.quote(d.isNaN ? "NaN" : d < 0 ? "-Infinity" : "Infinity")
        case .string(let s): out += Self.quote(s)
        case .array(let items):
            if items.isEmpty { out += "[]"; return }
            // Arrays of scalars stay on one line.
            let flat = indent == nil || items.allSatisfy { if case .array = $0 { return false }; if case .object = $0 { return false }; return true }
            out += "["
            for (i, v) in items.enumerated() {
                if i > 0 { out += flat ? (indent == nil ? "," : ", ") : "," }
                if !flat, let n = indent { out += "\n" + String(repeating: "  ", count: n + 1) }
                v.write(to: &out, indent: flat ? nil : indent.map { $0 + 1 })
            }
            if !flat, let n = indent { out += "\n" + String(repeating: "  ", count: n) }
            out += "]"
        case .object(let pairs):
            if pairs.isEmpty { out += "{}"; return }
            out += "{"
            for (i, (k, v)) in pairs.enumerated() {
                if i > 0 { out += "," }
                if let n = indent { out += "\n" + String(repeating: "  ", count: n + 1) }
                out += Self.quote(k) + (indent == nil ? ":" : ": ")
                v.write(to: &out, indent: indent.map { $0 + 1 })
            }
            if let n = indent { out += "\n" + String(repeating: "  ", count: n) }
            out += "}"
        }
    }

    /// Swift prints `1e-05` and `5.0`; both are valid JSON numbers. `inf`-free by the caller's check.
    static func number(_ s: String) -> String { s }

    static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 || u.value == 0x7F {
                    let h = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - h.count) + h
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }
}

extension GGUFValue {
    /// The value as JSON: numbers, booleans, strings (invalid UTF-8 repaired with U+FFFD) and arrays.
    ///
    /// Arrays longer than `arrayLimit` elements become `{"type": "ARRAY[T]", "count": N, "head": [first 8]}`.
    public func json(arrayLimit: Int? = nil) -> JSONValue {
        switch self {
        case .uint8(let v): return .int(Int(v))
        case .int8(let v): return .int(Int(v))
        case .uint16(let v): return .int(Int(v))
        case .int16(let v): return .int(Int(v))
        case .uint32(let v): return .int(Int(v))
        case .int32(let v): return .int(Int(v))
        case .uint64(let v): return .uint(v)
        case .int64(let v): return .int(Int(v))
        case .float32(let v): return .float(v)
        case .float64(let v): return .double(v)
        case .bool(let v): return .bool(v)
        case .string(let b): return .string(String(decoding: b, as: UTF8.self))
        case .array(_, let values):
            if let limit = arrayLimit, values.count > limit {
                return .object([("type", .string(typeName)), ("count", .int(values.count)),
                                ("head", .array(values.prefix(8).map { $0.json(arrayLimit: limit) }))])
            }
            return .array(values.map { $0.json(arrayLimit: arrayLimit) })
        }
    }

    /// A one-line rendering for text output: `"llama"`, `4096`, `[STRING × 32000] "<unk>", "<s>", ...`.
    public func summary(limit: Int = 6) -> String {
        switch self {
        case .string(let b):
            let s = String(decoding: b, as: UTF8.self)
            let cut = s.count > 120 ? String(s.prefix(117)) + "..." : s
            return JSONValue.quote(cut)
        case .array(_, let values):
            let head = values.prefix(limit).map { $0.summary(limit: 3) }.joined(separator: ", ")
            let more = values.count > limit ? ", ..." : ""
            return "[\(typeName.dropFirst(6).dropLast()) × \(values.count)] \(head)\(more)"
        case .float32(let v): return v.description
        case .float64(let v): return v.description
        case .bool(let v): return v ? "true" : "false"
        default: return json().rendered(pretty: false)
        }
    }
}
