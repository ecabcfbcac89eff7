/// The file names of a split GGUF set, as llama.cpp makes and parses them (`llama_split_path`,
/// `llama_split_prefix` in `src/llama.cpp`): part `i` (0-based) of `n` of prefix `P` is
/// `P-0000{i+1}-of-0000{n}.gguf`, numbers zero-padded to five digits.
public enum SplitNaming {
    /// The path of part `index` (0-based) of a `count`-part set whose name prefix is `prefix`.
    public static func path(prefix: String, index: Int, count: Int) -> String {
        prefix + suffix(index: index, count: count)
    }

    /// `-00002-of-00003.gguf` for part 1 (0-based) of 3.
    public static func suffix(index: Int, count: Int) -> String {
        "-" + pad5(index + 1) + "-of-" + pad5(count) + ".gguf"
    }

    /// The prefix of `path` when it is named as part `index` of `count`, else `nil` (also when nothing
    /// would be left of the name: llama.cpp wants a non-empty prefix).
    public static func prefix(of path: String, index: Int, count: Int) -> String? {
        let s = Array(suffix(index: index, count: count).utf8)
        let p = Array(path.utf8)
        guard p.count > s.count, p.suffix(s.count).elementsEqual(s) else { return nil }
        return String(decoding: p.dropLast(s.count), as: UTF8.self)
    }

    /// `printf("%05d")` of a non-negative number.
    public static func pad5(_ v: Int) -> String {
        let s = String(v)
        return s.count >= 5 ? s : String(repeating: "0", count: 5 - s.count) + s
    }
}
