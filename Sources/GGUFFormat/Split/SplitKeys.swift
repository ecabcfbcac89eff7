/// The metadata keys of a split GGUF set (`LLM_KV_SPLIT_*` in llama.cpp), present in every part.
public enum SplitKeys {
    /// UINT16: this part's index, 0-based.
    public static let number = "split.no"
    /// UINT16: how many parts the set has (0 in a file `llama-gguf-split --merge` wrote).
    public static let count = "split.count"
    /// INT32: how many tensors the whole set holds.
    public static let tensorCount = "split.tensors.count"
    /// All three, in the order llama.cpp's tools write them.
    public static let all = [number, count, tensorCount]
}
