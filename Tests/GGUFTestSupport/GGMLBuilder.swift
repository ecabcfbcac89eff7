/// Writes small GGML-era llama files (any container and version) for tests.
public struct GGMLBuilder {
    public enum Container { case ggml, ggmf, ggjt(UInt32) }
    public var container: Container
    public var hparams: [UInt32]  // n_vocab, n_embd, n_mult, n_head, n_layer, n_rot, ftype
    public var vocab: [([UInt8], Float)]
    public var tensors: [(name: String, ne: [UInt32], type: UInt32, data: [UInt8])] = []

    public init(container: Container, nVocab: Int = 260, nEmbd: Int = 64, nHead: Int = 4, nLayer: Int = 1, ftype: UInt32 = 0) {
        self.container = container
        hparams = [UInt32(nVocab), UInt32(nEmbd), 256, UInt32(nHead), UInt32(nLayer), UInt32(nEmbd / nHead), ftype]
        vocab = (0..<nVocab).map { i in
            if i == 0 { return (Array(" \u{2047} ".utf8), 0) }
            if i < 3 { return ([], 0) }
            if i < 259 { return ([UInt8(i - 3)], 0) }
            return (Array(" tok\(i)".utf8), -Float(i))
        }
    }

    /// A complete llama model: embeddings, norm, output and `nLayer` layers, F32 data of a fixed pattern.
    public mutating func addLlamaTensors(type: UInt32 = 0, bytesPerElement: Double = 4, nFF: Int = 128, kvRows: Int? = nil) {
        let e = Int(hparams[1]), v = Int(hparams[0])
        func add(_ name: String, _ ne: [Int], _ t: UInt32) {
            let count = ne.reduce(1, *)
            let size = t == 0 ? count * 4 : Int(Double(count) * bytesPerElement)
            tensors.append((name, ne.map(UInt32.init), t, (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ name.count) }))
        }
        add("tok_embeddings.weight", [e, v], type)
        add("norm.weight", [e], 0)
        add("output.weight", [e, v], type)
        for l in 0..<Int(hparams[4]) {
            add("layers.\(l).attention.wq.weight", [e, e], type)
            add("layers.\(l).attention.wk.weight", [e, kvRows ?? e], type)
            add("layers.\(l).attention.wv.weight", [e, kvRows ?? e], type)
            add("layers.\(l).attention.wo.weight", [e, e], type)
            add("layers.\(l).attention_norm.weight", [e], 0)
            add("layers.\(l).feed_forward.w1.weight", [e, nFF], type)
            add("layers.\(l).feed_forward.w2.weight", [nFF, e], type)
            add("layers.\(l).feed_forward.w3.weight", [e, nFF], type)
            add("layers.\(l).ffn_norm.weight", [e], 0)
        }
    }

    public func bytes() -> [UInt8] {
        var out: [UInt8] = []
        func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { out += $0 } }
        var aligned = false
        switch container {
        case .ggml: u32(0x6767_6D6C)
        case .ggmf: u32(0x6767_6D66); u32(1)
        case .ggjt(let v): u32(0x6767_6A74); u32(v); aligned = true
        }
        for h in hparams { u32(h) }
        for (t, s) in vocab {
            u32(UInt32(t.count)); out += t
            if case .ggml = container {} else { u32(s.bitPattern) }
        }
        for t in tensors {
            u32(UInt32(t.ne.count)); u32(UInt32(t.name.utf8.count)); u32(t.type)
            for d in t.ne { u32(d) }
            out += Array(t.name.utf8)
            if aligned { while out.count % 32 != 0 { out.append(0) } }
            out += t.data
        }
        return out
    }
}
