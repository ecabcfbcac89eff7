import GGUFFormat

extension LayerWeights {
    /// Loads block `layer`'s weights for `hparams.architecture`, with the tensors and shapes llama.cpp's
    /// `load_arch_tensors` requires (src/models/llama.cpp, qwen2.cpp, qwen3.cpp, qwen3moe.cpp, qwen2moe.cpp, gemma.cpp,
    /// gemma2.cpp, gemma3.cpp, phi3.cpp).
    static func load(layer i: Int, hparams hp: Hyperparameters, has: (String) -> Bool,
                     matrix: (String, Int, Int) throws -> Weight, vector: (String, Int) throws -> NormWeight,
                     experts: (String, Int, Int, Int) throws -> ExpertWeights) throws -> LayerWeights {
        let p = "blk.\(i).", a = hp.architecture
        let d = hp.embeddingLength, qd = hp.queryDimension, kv = hp.kvDimension, hs = hp.headSize
        // Optional tensors llama.cpp's graphs would use and this runner does not: refused rather than ignored.
        var refused = ["attn_output.bias", "ffn_gate.bias", "ffn_up.bias", "ffn_down.bias", "ffn_gate_inp.bias",
                       "ffn_gate_exps.bias", "ffn_up_exps.bias", "ffn_down_exps.bias", "exp_probs_b.bias", "rope_freqs.weight"]
        if a != .qwen2moe {
            refused += ["ffn_gate_inp_shexp.weight", "ffn_gate_shexp.weight", "ffn_up_shexp.weight", "ffn_down_shexp.weight"]
        }
        for name in refused where has(p + name) { throw RunnerError.unsupportedTensor(p + name) }
        if i == 0 {
            for name in ["rope_freqs.weight", "output.bias"] where has(name) && !(name == "rope_freqs.weight" && a == .llama) {
                throw RunnerError.unsupportedTensor(name)
            }
            for name in ["rope_factors_long.weight", "rope_factors_short.weight"] where has(name) && a != .phi3 {
                throw RunnerError.unsupportedTensor(name)
            }
            // gemma and gemma2 always use token_embd as the output (llama.cpp refuses a file with an extra output.weight).
            if (a == .gemma || a == .gemma2) && has("output.weight") {
                throw RunnerError.unexpectedTensor("output.weight", architecture: a.rawValue)
            }
        }
        func optionalVector(_ name: String, _ n: Int) throws -> NormWeight? { has(name) ? try vector(name, n) : nil }
        // Q, K, V: llama.cpp's create_tensor_qkv takes a fused attn_qkv when present (phi3), else the three
        // matrices; biases optional (qwen2's), one fused bias or three.
        let qkv: QKVWeights
        var qb: NormWeight?, kb: NormWeight?, vb: NormWeight?
        if has(p + "attn_qkv.weight") {
            qkv = .fused(try matrix(p + "attn_qkv.weight", d, qd + 2 * kv))
            if let b = try optionalVector(p + "attn_qkv.bias", qd + 2 * kv) {
                qb = NormWeight(values: Array(b.values[0 ..< qd]))
                kb = NormWeight(values: Array(b.values[qd ..< qd + kv]))
                vb = NormWeight(values: Array(b.values[(qd + kv)...]))
            }
        } else {
            qkv = .separate(q: try matrix(p + "attn_q.weight", d, qd), k: try matrix(p + "attn_k.weight", d, kv),
                            v: try matrix(p + "attn_v.weight", d, kv))
        }
        if qb == nil {
            qb = try optionalVector(p + "attn_q.bias", qd)
            kb = try optionalVector(p + "attn_k.bias", kv)
            vb = try optionalVector(p + "attn_v.bias", kv)
        }
        let qn = a.hasQKNorm ? try vector(p + "attn_q_norm.weight", hs) : nil
        let kn = a.hasQKNorm ? try vector(p + "attn_k_norm.weight", hs) : nil
        let ffn: FeedForward
        if hp.expertCount > 0 {
            let n = hp.expertCount, ff = hp.expertFeedForwardLength
            // The 3-D tensors first: an expert_count that contradicts them is named as such.
            let gate = try experts(p + "ffn_gate_exps.weight", d, ff, n)
            let up = try experts(p + "ffn_up_exps.weight", d, ff, n)
            let down = try experts(p + "ffn_down_exps.weight", ff, d, n)
            var shared: SharedExpert?
            if a == .qwen2moe {
                let sff = hp.sharedExpertFeedForwardLength
                shared = SharedExpert(gateInp: try matrix(p + "ffn_gate_inp_shexp.weight", d, 1),
                                      gate: try matrix(p + "ffn_gate_shexp.weight", d, sff),
                                      up: try matrix(p + "ffn_up_shexp.weight", d, sff),
                                      down: try matrix(p + "ffn_down_shexp.weight", sff, d))
            }
            ffn = .experts(MoEWeights(
                router: try matrix(p + "ffn_gate_inp.weight", d, n), gate: gate, up: up, down: down,
                used: hp.expertUsedCount,
                // llama and qwen3moe call build_moe_ffn with norm_w = true, qwen2moe with false.
                normalize: a != .qwen2moe, shared: shared))
        } else {
            if has(p + "ffn_gate_inp.weight") || has(p + "ffn_up_exps.weight") {
                throw RunnerError.badHyperparameter("\(a.rawValue).expert_count is missing or 0, but block \(i) has expert tensors")
            }
            let ff = hp.feedForwardLength
            if a == .phi3 {
                ffn = .fusedGateUp(gateUp: try matrix(p + "ffn_up.weight", d, 2 * ff), down: try matrix(p + "ffn_down.weight", ff, d))
            } else {
                ffn = .dense(gate: try matrix(p + "ffn_gate.weight", d, ff), up: try matrix(p + "ffn_up.weight", d, ff),
                             down: try matrix(p + "ffn_down.weight", ff, d))
            }
        }
        return LayerWeights(
            attnNorm: try vector(p + "attn_norm.weight", d), qkv: qkv,
            wo: try matrix(p + "attn_output.weight", qd, d),
            qBias: qb, kBias: kb, vBias: vb, qNorm: qn, kNorm: kn,
            postAttnNorm: a.hasPostNorms ? try vector(p + "post_attention_norm.weight", d) : nil,
            ffnNorm: try vector(p + "ffn_norm.weight", d), ffn: ffn,
            postFFNNorm: a.hasPostNorms ? try vector(p + "post_ffw_norm.weight", d) : nil)
    }
}
