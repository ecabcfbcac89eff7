import Foundation
import GGUFModel

/// The `--tensor-type`, `--tensor-type-file` and `--prune-layers` arguments of `quantize`, read as
/// llama-quantize reads them.
enum TensorTypeArguments {
    /// The overrides in command-line order (the first match wins, so the order of `--tensor-type` and
    /// `--tensor-type-file` entries matters as in llama-quantize); a file holds entries separated by
    /// whitespace.
    static func overrides(tensorType: [String], files: [String], arguments: [String]) throws -> [TensorTypeOverride] {
        // Recover the interleaving of the two options from the raw arguments.
        var order: [(isFile: Bool, value: String)] = []
        var i = 1
        while i < arguments.count {
            let a = arguments[i]
            if a == "--tensor-type" || a == "--tensor-type-file", i + 1 < arguments.count {
                order.append((a == "--tensor-type-file", arguments[i + 1]))
                i += 2
                continue
            }
            if a.hasPrefix("--tensor-type=") { order.append((false, String(a.dropFirst(14)))) }
            if a.hasPrefix("--tensor-type-file=") { order.append((true, String(a.dropFirst(19)))) }
            i += 1
        }
        if order.filter({ !$0.isFile }).map(\.value) != tensorType || order.filter(\.isFile).map(\.value) != files {
            order = tensorType.map { (false, $0) } + files.map { (true, $0) }
        }
        var out: [TensorTypeOverride] = []
        for (isFile, value) in order {
            if !isFile {
                out.append(try parse(value, from: "--tensor-type"))
                continue
            }
            guard let data = FileManager.default.contents(atPath: value), let text = String(data: data, encoding: .utf8) else {
                throw ModelError.usage("--tensor-type-file: cannot read '\(value)'")
            }
            for entry in text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }) {
                out.append(try parse(String(entry), from: "--tensor-type-file \(value)"))
            }
        }
        return out
    }

    static func parse(_ entry: String, from source: String) throws -> TensorTypeOverride {
        do { return try TensorTypeOverride(parsing: entry) } catch {
            throw ModelError.usage("\(source): '\(entry)': expected PATTERN=TYPE with a known type")
        }
    }

    /// `--prune-layers L0,L1,...`: non-negative integers, sorted and deduplicated.
    static func pruneList(_ text: String) throws -> [Int] {
        var ids: [Int] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard let id = Int(part.trimmingCharacters(in: .whitespaces)), id >= 0 else {
                throw ModelError.usage("--prune-layers: invalid layer id '\(part)'")
            }
            ids.append(id)
        }
        return Array(Set(ids)).sorted()
    }
}
