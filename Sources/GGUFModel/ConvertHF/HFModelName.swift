import Foundation

/// The `general.*` naming keys llama.cpp's converter derives (gguf-py `Metadata`): from the model's
/// `_name_or_path` in config.json and from the folder name, with its heuristics for the base name, size
/// label, fine-tune and version; and the size label computed from the parameter count.
public struct HFModelName: Sendable, Equatable {
    public var name: String?
    public var organization: String?
    public var basename: String?
    public var finetune: String?
    public var version: String?
    public var sizeLabel: String?

    public init() {}

    /// Fills the fields as `Metadata.apply_metadata_heuristic` does without a model card: first from
    /// `nameOrPath` (config.json's `_name_or_path`, when it has at most one `/`), then from the folder name.
    public static func derive(from start: HFModelName = HFModelName(), nameOrPath: String?, directoryName: String,
                              totalParams: Int) -> HFModelName {
        var m = start
        func apply(_ id: String) {
            let c = components(of: id, totalParams: totalParams)
            if m.name == nil, let n = c.fullName { m.name = title(n) }
            if m.organization == nil, let o = c.org { m.organization = title(o) }
            if m.basename == nil { m.basename = c.basename }
            if m.finetune == nil { m.finetune = c.finetune }
            if m.version == nil { m.version = c.version }
            if m.sizeLabel == nil { m.sizeLabel = c.sizeLabel }
        }
        if let p = nameOrPath, p.filter({ $0 == "/" }).count <= 1 { apply(p) }
        apply(directoryName)
        return m
    }

    struct Components { var fullName, org, basename, finetune, version, sizeLabel: String? }

    static func fullMatch(_ pattern: String, _ s: String) -> Bool {
        guard let re = try? NSRegularExpression(pattern: "^(?:" + pattern + ")$", options: [.caseInsensitive]) else { return false }
        return re.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) != nil
    }

    static func isDecimal(_ c: Character) -> Bool { c.unicodeScalars.count == 1 && c.unicodeScalars.first!.properties.numericType == .decimal }

    /// `Metadata.get_model_id_components`.
    static func components(of modelID: String, totalParams: Int) -> Components {
        if modelID.contains(" ") { return Components(fullName: modelID) }
        var org: String?
        var full: String
        if let slash = modelID.firstIndex(of: "/") {
            org = String(modelID[..<slash])
            full = String(modelID[modelID.index(after: slash)...])
        } else {
            full = modelID
        }
        if let o = org, o.first == "." { org = nil }
        var parts = full.split(separator: "-", omittingEmptySubsequences: true).map(String.init)
        var types: [Set<String>] = Array(repeating: [], count: parts.count)
        for i in 0..<parts.count {
            var part = parts[i]
            if fullMatch(#"(v|iter)?\d+([.]\d+)*"#, part) {
                types[i].insert("version")
            } else if fullMatch(#"i?q\d(_\w)*|b?fp?(16|32)"#, part) {
                types[i].insert("type")
                parts[i] = part.uppercased()
            } else if i > 0 && fullMatch(#"(([A]|\d+[x])?\d+([._]\d+)?[KMBT][\d]?|small|mini|medium|large|x?xl)"#, part) {
                part = part.replacingOccurrences(of: "_", with: ".")
                var chars = Array(part)
                if let last = chars.last, isDecimal(last), chars.count >= 2 {
                    chars = Array(chars.dropLast(2)) + ["."] + [chars[chars.count - 1], chars[chars.count - 2]]
                }
                if chars.count > 1, isDecimal(chars[chars.count - 2]), "kmbt".contains(chars[chars.count - 1]) {
                    chars[chars.count - 1] = Character(chars[chars.count - 1].uppercased())
                }
                part = String(chars)
                if totalParams != 0, let last = chars.last, let num = Double(String(chars.dropLast())),
                   !String(chars.dropLast()).contains(where: { $0 == "e" || $0 == "E" || $0 == "n" || $0 == "i" }) {
                    let idx = Array(" KMBT").firstIndex(of: last).map { $0 } ?? -1
                    let label = num * pow(1000, Double(idx))
                    let t = Double(totalParams)
                    let far = (totalParams < 0 && label < Double(abs(totalParams) / 8))
                        || (totalParams > 0 && abs(label - t) > Double(7 * totalParams / 8))
                    if far {
                        types[i].insert("finetune")
                        chars[chars.count - 1] = Character(chars[chars.count - 1].lowercased())
                        part = String(chars)
                    }
                }
                if types[i].isEmpty { types[i].insert("size_label") }
                parts[i] = part
            } else if i > 0 && fullMatch("chat|instruct|vision|lora", part) {
                if totalParams < 0 && part.lowercased() == "lora" { types[i].insert("type") } else { types[i].insert("finetune") }
            }
        }
        if zip(parts, types).contains(where: { $1.contains("size_label") && $0.contains(where: isDecimal) }) {
            for i in 0..<parts.count where types[i].contains("size_label") && parts[i].allSatisfy({ $0.isLetter }) {
                types[i].remove("size_label")
            }
        }
        var atStart = true
        for i in 0..<parts.count {
            if atStart && ((types[i].isEmpty && (parts[i].first?.isLetter ?? false)) || types[i].contains("version")) {
                types[i].insert("basename")
            } else {
                if atStart { atStart = false }
                if types[i].isEmpty { types[i].insert("finetune") }
            }
        }
        for i in stride(from: parts.count - 1, through: 0, by: -1) {
            if types[i].contains("basename") && types[i].count > 1 { types[i].remove("basename") } else { break }
        }
        func join(_ tag: String, excluding: String? = nil) -> String? {
            var s: [String] = []
            for (p, t) in zip(parts, types) where t.contains(tag) {
                if let x = excluding, t.contains(x) { continue }
                s.append(p)
            }
            return s.isEmpty ? nil : s.joined(separator: "-")
        }
        var basename = join("basename")
        var sizes: [String] = []
        for (p, t) in zip(parts, types) where t.contains("size_label") && !sizes.contains(p) { sizes.append(p) }
        let size = sizes.isEmpty ? nil : sizes.joined(separator: "-")
        let finetune = join("finetune")
        let version = join("version", excluding: "basename")
        if size == nil && finetune == nil && version == nil { basename = nil }
        return Components(fullName: full, org: org, basename: basename, finetune: finetune, version: version, sizeLabel: size)
    }

    /// `Metadata.id_to_title`: words title-cased unless they hold capitals, or are versions or start with a digit.
    static func title(_ s: String) -> String {
        let words = s.trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "-", with: " ")
            .split(whereSeparator: { $0.isWhitespace }).map(String.init)
        return words.map { w in
            let isLower = w.contains(where: { $0.isCased }) && !w.contains(where: { $0.isUppercase })
            if isLower && !fullMatch(#"v\d+(?:\.\d+)*|\d.*"#, w) && !(w.first.map(isDecimal) ?? false) { return pythonTitle(w) }
            return w
        }.joined(separator: " ")
    }

    /// Python's `str.title()`: a cased letter after an uncased character is upper-cased, others lower-cased.
    static func pythonTitle(_ w: String) -> String {
        var out = ""
        var prevCased = false
        for c in w {
            if c.isCased {
                out += prevCased ? c.lowercased() : c.uppercased()
                prevCased = true
            } else {
                out.append(c)
                prevCased = false
            }
        }
        return out
    }

    /// `size_label(...)` of gguf-py: `NxSIZE` for models with experts, else the rounded parameter count.
    public static func sizeLabel(total: Int, shared: Int, expert: Int, expertCount: Int) -> String {
        if expertCount > 0 { return "\(expertCount)x\(roundedCount(abs(shared) + abs(expert)))" }
        return roundedCount(abs(total))
    }

    /// `model_weight_count_rounded_notation(n, min_digits=2)`.
    static func roundedCount(_ n: Int) -> String {
        let d = Double(n)
        let (scaled, suffix): (Double, String) = d > 1e12 ? (d * 1e-12, "T") : d > 1e9 ? (d * 1e-9, "B") : d > 1e6 ? (d * 1e-6, "M") : (d * 1e-3, "K")
        // Python's round() rounds halves to even.
        let r = scaled.rounded(.toNearestOrEven)
        var digits = String(Int(r))
        while digits.hasPrefix("0") { digits.removeFirst() }
        let fix = max(2 - digits.count, 0)
        return String(format: "%.\(fix)f", scaled) + suffix
    }
}

extension Character {
    /// Whether the character has case (Python's "cased").
    var isCased: Bool { isUppercase || isLowercase }
}
