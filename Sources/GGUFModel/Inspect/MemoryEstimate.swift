import GGUFFormat

/// The settings a RAM estimate depends on.
public struct MemorySettings: Sendable, Equatable {
    /// Context length (tokens in the KV cache).
    public var ctx: Int
    /// Tokens per forward pass (llama.cpp's `n_ubatch`, default 512).
    public var batch: Int = 512
    /// Worker threads (each gets a small work buffer).
    public var threads: Int = 4
    /// KV cache element type: `.f16` or `.q8_0`.
    public var kvType: GGMLType = .f16

    public init(ctx: Int, batch: Int = 512, threads: Int = 4, kvType: GGMLType = .f16) {
        self.ctx = ctx
        self.batch = batch
        self.threads = threads
        self.kvType = kvType
    }
}

/// Bytes of RAM one runner needs, by term.
public struct MemoryBreakdown: Sendable, Equatable {
    /// Model weights: the mapped tensor data (plus repacked copies for llama.cpp).
    public var weights: Int
    /// The KV cache.
    public var kv: Int
    /// Compute buffers: activations and scratch of one batch.
    public var compute: Int
    /// The logits output buffer.
    public var output: Int
    /// The vocabulary in memory: token text, scores, lookup maps (about 150 bytes a token).
    public var vocab: Int
    /// The process itself (code, libraries) and work buffers.
    public var overhead: Int

    public var total: Int { weights + kv + compute + output + vocab + overhead }
}

/// RAM needed to run a model: GGUFKit's runner and llama.cpp's CPU backend side by side.
///
/// How each term is derived (and measured against llama.cpp) is in docs/inspect.md. GGUFKit's runner
/// does not exist yet: its column is a planning figure to be recalibrated once it runs.
public struct MemoryEstimate: Sendable, Equatable {
    public var settings: MemorySettings
    public var ggufkit: MemoryBreakdown
    public var llamacpp: MemoryBreakdown

    public init(header h: ModelHeader, settings s: MemorySettings) {
        settings = s
        let hp = h.hparams
        let ctx = max(s.ctx, 1)
        let weights = h.tensors.reduce(0) { $0 + $1.bytes }
        let kvBytesPerElement = Double(s.kvType.typeSize) / Double(s.kvType.blockSize)
        let kvRow = Double(hp.nEmbdKGQA + hp.nEmbdVGQA) * kvBytesPerElement
        // GGUFKit: weights mapped, K and V of every layer, one batch of scratch, 20 MB.
        let b = max(min(s.batch, ctx), 1)
        let scratch = b * (hp.nEmbd * 4 + hp.nFF * 2 + hp.nVocab) * 4 + hp.nHead * ctx * b * 4
        ggufkit = MemoryBreakdown(weights: weights, kv: Int(Double(hp.nLayer * ctx) * kvRow), compute: scratch,
                                  output: hp.nVocab * 4, vocab: hp.nVocab * Self.bytesPerToken, overhead: 20_000_000)
        llamacpp = Self.llamaCpp(h, s)
    }

    /// llama.cpp 0c1e570, CPU backend, one sequence, as `llama-completion -c CTX -ub BATCH` allocates.
    static func llamaCpp(_ h: ModelHeader, _ s: MemorySettings) -> MemoryBreakdown {
        let hp = h.hparams
        // n_ctx is padded to 256 (llama-context.cpp); n_batch = min(n_ctx, n_batch); n_ubatch <= n_batch.
        let nCtx = (max(s.ctx, 1) + 255) / 256 * 256
        let ub = max(min(s.batch, nCtx), 1)
        let kvElem = Double(s.kvType.typeSize) / Double(s.kvType.blockSize)
        let kv = Int(Double(hp.nLayer * nCtx * (hp.nEmbdKGQA + hp.nEmbdVGQA)) * kvElem)
        // Weights: the mapped file data, plus an anonymous copy of the tensors the CPU backend repacks
        // (Q4_0, Q4_K, IQ4_NL, Q2_K weight matrices whose rows suit its interleaved kernels). The mapped
        // pages of a repacked tensor are read once and stay resident, so both count.
        let mapped = h.tensors.reduce(0) { $0 + $1.bytes }
        let repacked = h.tensors.filter(Self.isRepacked).reduce(0) { $0 + $1.bytes }
        // Compute buffer: ggml-alloc's peak over the graph reserved for a full ubatch, with flash
        // attention (what `auto` resolves to on the CPU, so the n_head x n_ctx scores are never
        // materialized). Two phases compete: the output, where the logits of every ubatch token sit next
        // to two n_embd activations (exact); and the FFN, where gate, up and their product sit next to
        // 3-4 n_embd-sized blocks the allocator has not merged (fitted, 3.5) and the F16 attention mask
        // n_ctx x ubatch, live through every layer (within 5 % on four shapes: docs/inspect.md).
        let outputPhase = (hp.nVocab + 2 * hp.nEmbd) * ub * 4
        let ffnPhase = (6 * hp.nFF + 7 * hp.nEmbd) * ub * 2 + nCtx * ub * 2
        let compute = max(outputPhase, ffnPhase)
        // Output buffer: n_vocab floats per sequence (llama_context::output_reserve).
        let output = hp.nVocab * 4
        // The process (code, libraries: 12 MB measured with a 512-token model) and the CPU backend's
        // per-thread work buffers.
        let overhead = 12_000_000 + s.threads * 64 * 1024
        return MemoryBreakdown(weights: mapped + repacked, kv: kv, compute: compute, output: output,
                               vocab: hp.nVocab * bytesPerToken, overhead: overhead)
    }

    /// Memory a vocabulary entry takes (text, score, type, maps), both runners.
    static let bytesPerToken = 150

    /// Whether llama.cpp's CPU backend copies the tensor into its CPU_REPACK buffer.
    static func isRepacked(_ t: TensorEntry) -> Bool {
        guard let type = t.type, t.ne.count == 2, t.name != "token_embd.weight", t.name != "tok_embeddings.weight" else { return false }
        switch type {
        // x86 with AVX2 (Q2_K: AVX-512), as ggml_repack_get_optimal_repack_type chooses.
        case .q4_0, .q4_K, .iq4_NL, .mxfp4, .q2_K: return t.ne[1] % 8 == 0
        default: return false
        }
    }
}
