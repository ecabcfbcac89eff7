/// The order in which `llama-quantize` processes and writes tensors, and where it puts its two KV pairs.
public enum TensorOrder {
    /// The layer number of a name as `sscanf(name, "blk.%d.", &layer)` reads it, or -1 without one.
    public static func layerIndex(_ name: String) -> Int {
        var s = Substring(name)
        guard s.hasPrefix("blk.") else { return -1 }
        s = s.dropFirst(4)
        s = s.drop(while: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\u{0B}" || $0 == "\u{0C}" })
        var negative = false
        if let c = s.first, c == "+" || c == "-" {
            negative = c == "-"
            s = s.dropFirst()
        }
        let digits = s.prefix(while: { $0.isASCII && $0.isNumber })
        guard !digits.isEmpty else { return -1 }
        let v = Int(digits.prefix(18)) ?? -1
        return negative ? -v : v
    }

    /// `weight_name_comparer`: by layer number (names without `blk.N.` count as -1), then byte-wise by name.
    public static func precedes(_ a: String, _ b: String) -> Bool {
        let la = layerIndex(a), lb = layerIndex(b)
        if la != lb { return la < lb }
        return a.utf8.lexicographicallyPrecedes(b.utf8)
    }

    /// Names in the order current `llama-quantize` writes them (the loader's sorted `weights_map`, since
    /// `ab3d71f`, October 2024): `output.weight`, `output_norm.weight`, `token_embd.weight`, then `blk.0.*`,
    /// `blk.1.*`, ... with names sorted within a layer. Duplicate names are kept once (a map).
    public static func quantizerOrder(_ names: [String]) -> [String] {
        var seen = Set<String>()
        let keyed = names.filter { seen.insert($0).inserted }.map { (layer: layerIndex($0), bytes: Array($0.utf8), name: $0) }
        return keyed.sorted {
            $0.layer != $1.layer ? $0.layer < $1.layer : $0.bytes.lexicographicallyPrecedes($1.bytes)
        }.map(\.name)
    }

    /// The keys of the KV pairs that `llama-quantize` writes, in order: the input's keys, then
    /// `general.quantization_version` and `general.file_type` removed and appended in that order
    /// (`gguf_set_val_u32` since `53ff6b9`), then the `split.*` keys removed, then each `--override-kv` key
    /// removed and appended.
    public static func quantizedKeyOrder(_ inputKeys: [String], overrides: [String] = []) -> [String] {
        var keys = inputKeys
        func set(_ k: String) {
            keys.removeAll { $0 == k }
            keys.append(k)
        }
        set("general.quantization_version")
        set("general.file_type")
        keys.removeAll { $0 == "split.no" || $0 == "split.count" || $0 == "split.tensors.count" }
        for k in overrides { set(k) }
        return keys
    }
}
