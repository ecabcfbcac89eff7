/// A JSON value as Python's `json` module reads it: integers and floats kept apart, object keys in file order.
///
/// Hugging Face checkpoints are described by JSON files (`config.json`, safetensors headers, tokenizer files);
/// llama.cpp's converter reads them with Python, whose behaviour (an `int` is not a `float`, `True` is not `1`,
/// dictionaries keep their order) decides the bytes it writes. This parser reproduces that.
public indirect enum JSONNode: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONNode])
    /// Members in file order; a repeated key keeps its first place and its last value, as Python's `dict`.
    case object([(String, JSONNode)])

    public static func == (a: JSONNode, b: JSONNode) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case let (.bool(x), .bool(y)): return x == y
        case let (.int(x), .int(y)): return x == y
        case let (.double(x), .double(y)): return x == y
        case let (.string(x), .string(y)): return x == y
        case let (.array(x), .array(y)): return x == y
        case let (.object(x), .object(y)): return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    /// A member of an object (nil for other values or a missing key).
    public subscript(key: String) -> JSONNode? {
        if case .object(let m) = self { return m.first { $0.0 == key }?.1 }
        return nil
    }

    public var isNull: Bool { if case .null = self { return true }; return false }
    /// The value of an integer (not of a bool or a float).
    public var int: Int? { if case .int(let v) = self { return v }; return nil }
    /// The value of a number, integer or float.
    public var number: Double? {
        switch self {
        case .int(let v): return Double(v)
        case .double(let v): return v
        default: return nil
        }
    }
    public var bool: Bool? { if case .bool(let v) = self { return v }; return nil }
    public var string: String? { if case .string(let v) = self { return v }; return nil }
    public var array: [JSONNode]? { if case .array(let v) = self { return v }; return nil }
    public var members: [(String, JSONNode)]? { if case .object(let v) = self { return v }; return nil }
    /// Python truthiness: `None`, `False`, `0`, `""`, `[]`, `{}` are false.
    public var truthy: Bool {
        switch self {
        case .null: return false
        case .bool(let b): return b
        case .int(let v): return v != 0
        case .double(let v): return v != 0
        case .string(let s): return !s.isEmpty
        case .array(let a): return !a.isEmpty
        case .object(let o): return !o.isEmpty
        }
    }

    /// An error with the byte offset where the text stopped being JSON.
    public struct ParseError: Error, CustomStringConvertible, Sendable {
        public var offset: Int
        public var message: String
        public var description: String { "at offset \(offset): \(message)" }
    }

    /// Parses UTF-8 JSON text. Nesting deeper than 256 levels is refused.
    public static func parse<C: Collection>(_ bytes: C) throws(ParseError) -> JSONNode where C.Element == UInt8 {
        var p = JSONParser(bytes: Array(bytes))
        p.skipSpace()
        let v = try p.value(depth: 0)
        p.skipSpace()
        guard p.i == p.b.count else { throw ParseError(offset: p.i, message: "unexpected text after the JSON value") }
        return v
    }
}

struct JSONParser {
    let b: [UInt8]
    var i = 0

    init(bytes: [UInt8]) { b = bytes }

    func fail(_ m: String) -> JSONNode.ParseError { JSONNode.ParseError(offset: i, message: m) }

    mutating func skipSpace() {
        while i < b.count, b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09 { i += 1 }
    }

    mutating func literal(_ s: String, _ v: JSONNode) throws(JSONNode.ParseError) -> JSONNode {
        let u = Array(s.utf8)
        guard b.count - i >= u.count, Array(b[i..<i + u.count]) == u else { throw fail("invalid literal") }
        i += u.count
        return v
    }

    mutating func value(depth: Int) throws(JSONNode.ParseError) -> JSONNode {
        guard depth < 256 else { throw fail("nesting deeper than 256 levels") }
        guard i < b.count else { throw fail("unexpected end of the JSON text") }
        switch b[i] {
        case UInt8(ascii: "{"):
            i += 1
            var members: [(String, JSONNode)] = []
            var index: [String: Int] = [:]
            skipSpace()
            if i < b.count, b[i] == UInt8(ascii: "}") { i += 1; return .object([]) }
            while true {
                skipSpace()
                guard i < b.count, b[i] == UInt8(ascii: "\"") else { throw fail("expected a string key") }
                let k = try string()
                skipSpace()
                guard i < b.count, b[i] == UInt8(ascii: ":") else { throw fail("expected ':'") }
                i += 1
                skipSpace()
                let v = try value(depth: depth + 1)
                if let j = index[k] { members[j].1 = v } else { index[k] = members.count; members.append((k, v)) }
                skipSpace()
                guard i < b.count else { throw fail("unterminated object") }
                if b[i] == UInt8(ascii: ",") { i += 1; continue }
                if b[i] == UInt8(ascii: "}") { i += 1; return .object(members) }
                throw fail("expected ',' or '}'")
            }
        case UInt8(ascii: "["):
            i += 1
            var items: [JSONNode] = []
            skipSpace()
            if i < b.count, b[i] == UInt8(ascii: "]") { i += 1; return .array([]) }
            while true {
                skipSpace()
                items.append(try value(depth: depth + 1))
                skipSpace()
                guard i < b.count else { throw fail("unterminated array") }
                if b[i] == UInt8(ascii: ",") { i += 1; continue }
                if b[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
                throw fail("expected ',' or ']'")
            }
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .null)
        case UInt8(ascii: "N"): return try literal("NaN", .double(.nan))
        case UInt8(ascii: "I"): return try literal("Infinity", .double(.infinity))
        default: return try number()
        }
    }

    mutating func number() throws(JSONNode.ParseError) -> JSONNode {
        let start = i
        if i < b.count, b[i] == UInt8(ascii: "-") {
            i += 1
            if i < b.count, b[i] == UInt8(ascii: "I") { _ = try literal("Infinity", .null); return .double(-.infinity) }
        }
        var isFloat = false
        var digits = 0
        while i < b.count {
            let c = b[i]
            if c >= 0x30 && c <= 0x39 { digits += 1; i += 1 }
            else if c == UInt8(ascii: ".") || c == UInt8(ascii: "e") || c == UInt8(ascii: "E") { isFloat = true; i += 1 }
            else if (c == UInt8(ascii: "+") || c == UInt8(ascii: "-")) && i > start && (b[i - 1] | 0x20) == UInt8(ascii: "e") { i += 1 }
            else { break }
        }
        guard digits > 0 else { i = start; throw fail("expected a JSON value") }
        let text = String(decoding: b[start..<i], as: UTF8.self)
        if !isFloat {
            if let v = Int(text) { return .int(v) }
            // Python keeps big integers exact; they only occur in fields read as floats here.
            if let d = Double(text) { return .double(d) }
        } else if let d = Double(text) {
            return .double(d)
        }
        i = start
        throw fail("invalid number '\(text)'")
    }

    mutating func hex4() throws(JSONNode.ParseError) -> UInt32 {
        guard b.count - i >= 4 else { throw fail("truncated \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = b[i]
            let d: UInt32
            switch c {
            case 0x30...0x39: d = UInt32(c - 0x30)
            case 0x41...0x46: d = UInt32(c - 0x41 + 10)
            case 0x61...0x66: d = UInt32(c - 0x61 + 10)
            default: throw fail("invalid \\u escape")
            }
            v = v << 4 | d
            i += 1
        }
        return v
    }

    mutating func string() throws(JSONNode.ParseError) -> String {
        i += 1
        var out: [UInt8] = []
        var runStart = i
        while true {
            guard i < b.count else { throw fail("unterminated string") }
            let c = b[i]
            if c == UInt8(ascii: "\"") {
                out.append(contentsOf: b[runStart..<i])
                i += 1
                return String(decoding: out, as: UTF8.self)
            }
            if c == UInt8(ascii: "\\") {
                out.append(contentsOf: b[runStart..<i])
                i += 1
                guard i < b.count else { throw fail("unterminated escape") }
                let e = b[i]
                i += 1
                switch e {
                case UInt8(ascii: "\""): out.append(0x22)
                case UInt8(ascii: "\\"): out.append(0x5C)
                case UInt8(ascii: "/"): out.append(0x2F)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var u = try hex4()
                    if u >= 0xD800 && u < 0xDC00, b.count - i >= 6, b[i] == 0x5C, b[i + 1] == UInt8(ascii: "u") {
                        let save = i
                        i += 2
                        let lo = try hex4()
                        if lo >= 0xDC00 && lo < 0xE000 { u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00) } else { i = save }
                    }
                    // A lone surrogate cannot be UTF-8; it becomes U+FFFD.
                    let scalar = Unicode.Scalar(u) ?? "\u{FFFD}"
                    out.append(contentsOf: Array(String(Character(scalar)).utf8))
                default: throw fail("invalid escape")
                }
                runStart = i
                continue
            }
            if c < 0x20 { throw fail("control character in a string") }
            i += 1
        }
    }
}
