/// Everything `ggufkit quantize` can be asked, besides input, output and target.
public struct QuantizeOptions: Sendable {
    public var mix = MixOptions()
    /// `.current` (today's llama.cpp) or `.v2023` (`--mix 2023`).
    public var era: MixEra = .current
    /// Metadata to set after the standard keys (`--override-kv`).
    public var overrides: [KVOverride] = []
    /// Worker threads (default: all cores).
    public var threads: Int = 0
    public var force = false
    /// Show a progress bar (`nil`: when standard error is a terminal).
    public var progress: Bool? = nil
    /// Called once per tensor when there is no progress bar (llama.cpp prints one line per tensor).
    public var log: (@Sendable (String) -> Void)? = nil
    /// `--prune-layers`: layers (`blk.N.`) to leave out; the later ones are renumbered and `block_count` set.
    public var pruneLayers: [Int] = []
    /// Write one output per part of a split input, named by llama.cpp's rule from the output name less
    /// `.gguf` (`llama-quantize --keep-split`); otherwise a split input gives one whole file.
    public var keepSplit = false
    /// `--imatrix`: the importance matrix, already filtered by `--include-weights`/`--exclude-weights`
    /// (``ImportanceMatrix/filtered(include:exclude:)``). An empty one counts as none, as in llama-quantize.
    public var imatrix: ImportanceMatrix? = nil
    /// The imatrix file name as given on the command line (`quantize.imatrix.file`, at most 127 bytes kept).
    public var imatrixFile: String = ""
    /// For GGML inputs: the options of `convert`.
    public var convert = ConvertOptions()

    public init() {}
}
