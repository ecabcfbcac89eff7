/// Maps GGML-era llama tensor names to GGUF names (gguf-py's "llama-pth" mapping).
public enum LlamaTensorNames {
    static let fixed: [String: String] = [
        "tok_embeddings.weight": "token_embd.weight",
        "norm.weight": "output_norm.weight",
        "output.weight": "output.weight",
    ]
    static let perLayer: [String: String] = [
        "attention.wq.weight": "attn_q.weight",
        "attention.wk.weight": "attn_k.weight",
        "attention.wv.weight": "attn_v.weight",
        "attention.wo.weight": "attn_output.weight",
        "attention_norm.weight": "attn_norm.weight",
        "feed_forward.w1.weight": "ffn_gate.weight",
        "feed_forward.w2.weight": "ffn_down.weight",
        "feed_forward.w3.weight": "ffn_up.weight",
        "ffn_norm.weight": "ffn_norm.weight",
    ]

    /// The GGUF name for a GGML name, or `nil` if the name is not a llama tensor.
    public static func gguf(fromGGML name: String) -> String? {
        if let n = fixed[name] { return n }
        guard name.hasPrefix("layers.") else { return nil }
        let rest = name.dropFirst("layers.".count)
        guard let dot = rest.firstIndex(of: "."), let layer = Int(rest[..<dot]), layer >= 0,
              String(layer) == rest[..<dot] else { return nil }
        guard let suffix = perLayer[String(rest[rest.index(after: dot)...])] else { return nil }
        return "blk.\(layer).\(suffix)"
    }

    /// The layer number of a GGUF `blk.N.` name, or `nil`.
    public static func layer(ofGGUF name: String) -> Int? {
        guard name.hasPrefix("blk.") else { return nil }
        let rest = name.dropFirst(4)
        guard let dot = rest.firstIndex(of: ".") else { return nil }
        return Int(rest[..<dot])
    }
}
