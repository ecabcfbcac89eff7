import GGUFFormat
import GGUFIO
import GGUFKernels

/// Writes llama GGUF files with deterministic pseudo-random weights, for tests and benchmarks.
///
/// The same parameters give the same bytes on every machine: weights come from a 64-bit xorshift
/// generator mapped to floats with exact arithmetic only (no libm), uniform in ±`scale`; norms are
/// 1 ± `scale`. The vocabulary is SentencePiece-shaped (`<unk>`, `<s>`, `</s>`, 256 byte tokens, then
/// `▁t<i>` pieces), so llama.cpp loads the file.
public struct SyntheticModel: Sendable {
    public var dim = 256
    public var layers = 2
    public var heads = 4
    public var kvHeads = 4
    public var ffn = 768
    public var vocab = 512
    public var context = 256
    public var type: GGMLType = .f16
    public var seed: UInt64 = 1
    public var tied = false
    public var scale: Float = 0.04

    public init() {}

    /// Tensors in llama.cpp's converter order.
    public var tensors: [GGUFTensorInfo] {
        let kv = dim / heads * kvHeads
        var t = [GGUFTensorInfo(name: "token_embd.weight", ne: [dim, vocab], type: type),
                 GGUFTensorInfo(name: "output_norm.weight", ne: [dim], type: .f32)]
        if !tied { t.append(GGUFTensorInfo(name: "output.weight", ne: [dim, vocab], type: type)) }
        for l in 0..<layers {
            t += [GGUFTensorInfo(name: "blk.\(l).attn_norm.weight", ne: [dim], type: .f32),
                  GGUFTensorInfo(name: "blk.\(l).attn_q.weight", ne: [dim, dim], type: type),
                  GGUFTensorInfo(name: "blk.\(l).attn_k.weight", ne: [dim, kv], type: type),
                  GGUFTensorInfo(name: "blk.\(l).attn_v.weight", ne: [dim, kv], type: type),
                  GGUFTensorInfo(name: "blk.\(l).attn_output.weight", ne: [dim, dim], type: type),
                  GGUFTensorInfo(name: "blk.\(l).ffn_norm.weight", ne: [dim], type: .f32),
                  GGUFTensorInfo(name: "blk.\(l).ffn_gate.weight", ne: [dim, ffn], type: type),
                  GGUFTensorInfo(name: "blk.\(l).ffn_down.weight", ne: [ffn, dim], type: type),
                  GGUFTensorInfo(name: "blk.\(l).ffn_up.weight", ne: [dim, ffn], type: type)]
        }
        return t
    }

    public var metadata: GGUFMetadata {
        var m = GGUFMetadata()
        m["general.architecture"] = .string("llama")
        m["general.name"] = .string("synthetic-\(dim)x\(layers)")
        m["general.file_type"] = .uint32(type == .f32 ? 0 : type == .bf16 ? 32 : 1)
        m["llama.context_length"] = .uint32(UInt32(context))
        m["llama.embedding_length"] = .uint32(UInt32(dim))
        m["llama.block_count"] = .uint32(UInt32(layers))
        m["llama.feed_forward_length"] = .uint32(UInt32(ffn))
        m["llama.rope.dimension_count"] = .uint32(UInt32(dim / heads))
        m["llama.attention.head_count"] = .uint32(UInt32(heads))
        m["llama.attention.head_count_kv"] = .uint32(UInt32(kvHeads))
        m["llama.attention.layer_norm_rms_epsilon"] = .float32(1e-5)
        m["tokenizer.ggml.model"] = .string("llama")
        var tokens: [GGUFValue] = [.string("<unk>"), .string("<s>"), .string("</s>")]
        var types: [GGUFValue] = [.int32(2), .int32(3), .int32(3)]
        for b in 0..<256 {
            let hex = String(b, radix: 16, uppercase: true)
            tokens.append(.string("<0x\(hex.count == 1 ? "0" + hex : hex)>"))
            types.append(.int32(6))
        }
        var i = 0
        while tokens.count < vocab { tokens.append(.string("▁t\(i)")); types.append(.int32(1)); i += 1 }
        m["tokenizer.ggml.tokens"] = .array(elementType: .string, values: Array(tokens.prefix(vocab)))
        m["tokenizer.ggml.scores"] = .array(elementType: .float32, values: (0..<vocab).map { .float32($0 < 259 ? 0 : -Float($0)) })
        m["tokenizer.ggml.token_type"] = .array(elementType: .int32, values: Array(types.prefix(vocab)))
        m["tokenizer.ggml.bos_token_id"] = .uint32(1)
        m["tokenizer.ggml.eos_token_id"] = .uint32(2)
        m["tokenizer.ggml.unknown_token_id"] = .uint32(0)
        return m
    }

    /// Writes the model to `path` (temp file + rename).
    public func write(to path: String, force: Bool = true) throws {
        guard dim % heads == 0, heads % max(kvHeads, 1) == 0, vocab >= 3 else {
            throw ModelError.usage("inconsistent shape: dim \(dim), heads \(heads), kv heads \(kvHeads), vocab \(vocab)")
        }
        try SyntheticModel.write(metadata: metadata, tensors: tensors, seed: seed, scale: scale, to: path, force: force)
    }

    /// Writes any tensor list with deterministic weights: one xorshift stream over all tensors in order
    /// (seeded by `seed`), uniform in ±`scale`; 1-D tensors are 1 ± `scale`. F32, F16 and BF16 tensors.
    public static func write(metadata: GGUFMetadata, tensors: [GGUFTensorInfo], seed: UInt64, scale: Float,
                             to path: String, force: Bool = true) throws {
        let laid = GGUFWriter.layout(tensors)
        let out = try AtomicOutput(path: path, force: force)
        do {
            try out.write(GGUFWriter.header(metadata: metadata, tensors: laid))
            var rng = seed &* 0x9E37_79B9_7F4A_7C15 | 1
            for t in laid {
                guard [.f32, .f16, .bf16].contains(t.type) else {
                    throw ModelError.usage("synthetic tensor \(t.name): type \(t.type.name) (only F32, F16, BF16)")
                }
                let n = t.elementCount
                var f = [Float](repeating: 0, count: n)
                let isNorm = t.ne.count == 1
                for i in 0..<n {
                    rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17
                    // 24 random bits → [-1, 1) exactly.
                    let u = Float(Int32(truncatingIfNeeded: rng >> 40) - (1 << 23)) / Float(1 << 23)
                    f[i] = isNorm ? 1 + u * scale : u * scale
                }
                var bytes = [UInt8](repeating: 0, count: t.byteCount)
                f.withUnsafeBufferPointer { src in
                    bytes.withUnsafeMutableBytes { dst in
                        switch t.type {
                        case .f16: Half.fp16(src.baseAddress!, dst.baseAddress!.assumingMemoryBound(to: UInt16.self), count: n)
                        case .bf16: Half.bf16(src.baseAddress!, dst.baseAddress!.assumingMemoryBound(to: UInt16.self), count: n)
                        default: dst.copyMemory(from: UnsafeRawBufferPointer(src))
                        }
                    }
                }
                try out.write(bytes)
                try out.pad(to: 32)
            }
            try out.commit()
        } catch {
            out.discard()
            throw error
        }
    }
}
