import GGUFFormat
import GGUFKernels

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
/// How each term is derived, and how both columns compare with the measured peak RSS of `ggufkit run`
/// and `llama-completion`, is in docs/inspect.md.
public struct MemoryEstimate: Sendable, Equatable {
    public var settings: MemorySettings
    public var ggufkit: MemoryBreakdown
    public var llamacpp: MemoryBreakdown

    public init(header h: ModelHeader, settings s: MemorySettings) {
        settings = s
        ggufkit = Self.ggufkit(h, s)
        llamacpp = Self.llamaCpp(h, s)
    }

    /// GGUFKit's runner (`ggufkit run`, one sequence), as Session allocates; fitted to its peak RSS.
    static func ggufkit(_ h: ModelHeader, _ s: MemorySettings) -> MemoryBreakdown {
        let hp = h.hparams
        let ctx = max(s.ctx, 1)
        let tokens = max(min(s.batch, ctx), 1)   // tokens in one forward pass
        // Weights: mapped, every matrix read whole for each token, except the token embedding table when
        // the model has its own output matrix: then only the rows of the tokens used are read (at most
        // ctx distinct tokens).
        var weights = h.tensors.reduce(0) { $0 + $1.bytes }
        if let emb = h.tensors.first(where: { $0.name == "token_embd.weight" }), emb.ne.count >= 2, emb.ne[1] > 0,
           h.tensors.contains(where: { $0.name == "output.weight" }) {
            weights -= emb.bytes - min(emb.bytes, min(ctx, emb.ne[1]) * (emb.bytes / emb.ne[1]))
        }
        // K and V of every layer for the whole context, always F16 (the runner has no other cache type).
        let kv = 2 * hp.nLayer * ctx * hp.nEmbdKGQA * 2
        // One forward pass: nine activation arrays of the batch (x, norm, q, attention out, projection: n_embd;
        // k, v: n_embd_gqa; gate, up: n_ff; F32), the activations converted for the widest matrix, and per
        // thread the attention scores of one row.
        let actRow = h.tensors.filter { $0.ne.count == 2 && $0.name != "token_embd.weight" }
            .compactMap { t in Self.activationRowBytes(t) }.max() ?? 0
        var compute = tokens * (5 * hp.nEmbd + 2 * hp.nEmbdKGQA + 2 * hp.nFF) * 4 + tokens * actRow
            + s.threads * (ctx + 2 * hp.headDimK) * 4
        // Experts (MoE.swift): router probabilities, gate and up of every (token, slot) pair, their down outputs.
        if hp.nExpert > 0 {
            let k = max(hp.nExpertUsed, 1)
            compute += tokens * (hp.nExpert + k * (2 * hp.nFFExp + hp.nEmbd)) * 4
        }
        // The last token's logits, and the copy returned to the caller.
        let output = 2 * hp.nVocab * 4
        return MemoryBreakdown(weights: weights, kv: kv, compute: compute, output: output,
                               vocab: hp.nVocab * ggufkitBytesPerToken, overhead: ggufkitOverhead)
    }

    /// Bytes one activation row takes once converted to the matrix's `vec_dot_type`.
    static func activationRowBytes(_ t: TensorEntry) -> Int? {
        guard let type = t.type, let q = QuantType(rawValue: type.rawValue), let vt = q.traits.vecDotType else { return nil }
        return try? vt.rowSize(t.ne[0])
    }

    /// The runner's vocabulary (metadata strings, tokenizer tables), per token: fitted.
    static let ggufkitBytesPerToken = 400
    /// The runner process before it loads anything (Swift runtime, Foundation, code): fitted.
    static let ggufkitOverhead = 24_000_000

    /// llama.cpp 0c1e570, CPU backend, one sequence, as `llama-completion -c CTX -ub BATCH` allocates.
    static func llamaCpp(_ h: ModelHeader, _ s: MemorySettings) -> MemoryBreakdown {
        let hp = h.hparams
        // n_ctx is padded to 256 (llama-context.cpp); n_batch = min(n_ctx, n_batch); n_ubatch <= n_batch.
        let nCtx = (max(s.ctx, 1) + 255) / 256 * 256
        let ub = max(min(s.batch, nCtx), 1)
        let kvElem = Double(s.kvType.typeSize) / Double(s.kvType.blockSize)
        // Sliding-window layers get their own cache (llama_kv_cache_iswa): n_swa + n_ubatch cells, at most n_ctx,
        // padded to 256 (one sequence).
        let swaCells = (min(nCtx, hp.slidingWindow + ub) + 255) / 256 * 256
        let cells = (hp.nLayer - hp.slidingLayers) * nCtx + hp.slidingLayers * (hp.slidingWindow > 0 ? swaCells : 0)
        let kv = Int(Double(cells * (hp.nEmbdKGQA + hp.nEmbdVGQA)) * kvElem)
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
