import Foundation
import GGUFFormat

/// The YAML front matter of a model card (`README.md`), read as gguf-py's `Metadata.load_model_card` reads
/// it with `yaml.safe_load` — for the subset model cards use: top-level `key: value` scalars (plain or
/// quoted), block sequences (`- item`) and flow sequences (`[a, b]`). Keys whose values are nested mappings
/// are kept as ``JSONNode/null``-free placeholders and reported by ``unreadable`` when the converter needs them.
struct HFModelCard {
    var values: [(String, JSONNode)] = []
    /// Keys whose value this reader does not understand.
    var unreadable: Set<String> = []

    subscript(_ key: String) -> JSONNode? { values.first { $0.0 == key }?.1 }
    func has(_ key: String) -> Bool { values.contains { $0.0 == key } }

    /// Reads `README.md` text; nil when it has no front matter.
    static func parse(_ text: String) -> HFModelCard? {
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }).map(String.init)
        guard let first = lines.first, first == "---" else { return nil }
        var yaml: [String] = []
        for l in lines.dropFirst() {
            if l == "---" { break }
            yaml.append(l)
        }
        var joined = yaml.joined(separator: "\n") + "\n"
        joined = joined.replacingOccurrences(of: "- no\n", with: "- \"no\"\n").replacingOccurrences(of: "\t", with: "  ")
        var card = HFModelCard()
        let ls = joined.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var i = 0
        func indent(_ s: String) -> Int { s.prefix { $0 == " " }.count }
        func isBlank(_ s: String) -> Bool { let t = s.trimmingCharacters(in: .whitespaces); return t.isEmpty || t.hasPrefix("#") }
        while i < ls.count {
            let line = ls[i]
            if isBlank(line) || indent(line) > 0 { i += 1; continue }
            guard let colon = keyColon(line) else { i += 1; continue }
            let key = unquote(String(line[..<colon]).trimmingCharacters(in: .whitespaces))
            let rest = stripComment(String(line[line.index(after: colon)...])).trimmingCharacters(in: .whitespaces)
            i += 1
            var block: [String] = []
            while i < ls.count && (isBlank(ls[i]) || indent(ls[i]) > 0 || ls[i].hasPrefix("- ") || ls[i] == "-") {
                if !isBlank(ls[i]) { block.append(ls[i]) }
                i += 1
            }
            var value: JSONNode?
            if !rest.isEmpty {
                if rest.hasPrefix("[") { value = flowList(rest) }
                else if rest.hasPrefix("{") || rest.hasPrefix("|") || rest.hasPrefix(">") || rest.hasPrefix("&") || rest.hasPrefix("*") { value = nil }
                else if block.isEmpty { value = scalar(rest) }
            } else if block.isEmpty {
                value = .null
            } else if block.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).hasPrefix("-") }) {
                var items: [JSONNode] = []
                var ok = true
                for b in block {
                    let item = stripComment(String(b.trimmingCharacters(in: .whitespaces).dropFirst())).trimmingCharacters(in: .whitespaces)
                    if item.isEmpty || item.hasPrefix("[") || item.hasPrefix("{") || keyColon(item) != nil { ok = false; break }
                    items.append(scalar(item))
                }
                value = ok ? .array(items) : nil
            }
            if let v = value {
                card.values.removeAll { $0.0 == key }
                card.values.append((key, v))
            } else {
                card.unreadable.insert(key)
                card.values.removeAll { $0.0 == key }
                card.values.append((key, .null))
            }
        }
        return card
    }

    /// The position of a `key:` separator (a colon followed by a space or the end), outside quotes.
    static func keyColon(_ s: String) -> String.Index? {
        var quote: Character?
        var idx = s.startIndex
        while idx < s.endIndex {
            let c = s[idx]
            if let q = quote { if c == q { quote = nil } }
            else if c == "\"" || c == "'" { if idx == s.startIndex { quote = c } }
            else if c == "#" { return nil }
            else if c == ":" {
                let next = s.index(after: idx)
                if next == s.endIndex || s[next] == " " { return idx }
            }
            idx = s.index(after: idx)
        }
        return nil
    }

    static func stripComment(_ s: String) -> String {
        if s.trimmingCharacters(in: .whitespaces).hasPrefix("\"") || s.trimmingCharacters(in: .whitespaces).hasPrefix("'") { return s }
        if let r = s.range(of: " #") { return String(s[..<r.lowerBound]) }
        return s
    }

    static func unquote(_ s: String) -> String {
        if s.count >= 2, (s.hasPrefix("\"") && s.hasSuffix("\"")) || (s.hasPrefix("'") && s.hasSuffix("'")) {
            var inner = String(s.dropFirst().dropLast())
            if s.hasPrefix("'") { inner = inner.replacingOccurrences(of: "''", with: "'") }
            else { inner = inner.replacingOccurrences(of: "\\\"", with: "\"").replacingOccurrences(of: "\\\\", with: "\\") }
            return inner
        }
        return s
    }

    /// A YAML 1.1 scalar as safe_load types it: null, bool, int, float or string.
    static func scalar(_ raw: String) -> JSONNode {
        let s = raw.trimmingCharacters(in: .whitespaces)
        if s.hasPrefix("\"") || s.hasPrefix("'") { return .string(unquote(s)) }
        switch s {
        case "", "~", "null", "Null", "NULL": return .null
        case "true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON", "y", "Y": return s.count == 1 ? .string(s) : .bool(true)
        case "false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF", "n", "N": return s.count == 1 ? .string(s) : .bool(false)
        default: break
        }
        if s.range(of: #"^[-+]?(0|[1-9][0-9_]*)$"#, options: .regularExpression) != nil, let v = Int(s.replacingOccurrences(of: "_", with: "")) { return .int(v) }
        if s.range(of: #"^[-+]?([0-9][0-9_]*)?\.[0-9_]*([eE][-+][0-9]+)?$"#, options: .regularExpression) != nil,
           s != ".", let v = Double(s.replacingOccurrences(of: "_", with: "")) { return .double(v) }
        return .string(s)
    }

    static func flowList(_ s: String) -> JSONNode? {
        guard s.hasSuffix("]") else { return nil }
        let inner = s.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
        if inner.isEmpty { return .array([]) }
        if inner.contains("[") || inner.contains("{") { return nil }
        var items: [JSONNode] = []
        var cur = ""
        var quote: Character?
        for c in inner {
            if let q = quote { cur.append(c); if c == q { quote = nil }; continue }
            if c == "\"" || c == "'" { quote = c; cur.append(c); continue }
            if c == "," { items.append(scalar(cur)); cur = ""; continue }
            cur.append(c)
        }
        items.append(scalar(cur))
        return .array(items)
    }
}
