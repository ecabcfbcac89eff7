import GGUFFormat

extension LayerWeights {
    /// Loads block `layer`'s weights for `hparams.architecture`, with the tensors and shapes llama.cpp's
    /// `load_arch_tensors` requires (src/models/llama.cpp, qwen2.cpp, qwen3.cpp, qwen3moe.cpp).
    static func load(layer i: Int, hparams hp: Hyperparameters, has: (String) -> Bool,
                     matrix: (String, Int, Int) throws -> Weight, vector: (String, Int) throws -> NormWeight,
                     experts: (String, Int, Int, Int) throws -> ExpertWeights) throws -> LayerWeights {
        let p = "blk.\(i).", a = hp.architecture
        let d = hp.embeddingLength, qd = hp.queryDimension, kv = hp.kvDimension, hs = hp.headSize
        // Optional tensors llama.cpp's graphs would use and this runner does not: refused rather than ignored.
        for name in ["attn_output.bias", "ffn_gate.bias", "ffn_up.bias", "ffn_down.bias", "ffn_gate_inp_shexp.weight",
                     "ffn_gate_shexp.weight", "ffn_up_shexp.weight", "ffn_down_shexp.weight", "ffn_gate_inp.bias",
                     "ffn_gate_exps.bias", "ffn_up_exps.bias", "ffn_down_exps.bias", "exp_probs_b.bias",
                     "attn_qkv.weight", "rope_freqs.weight"] where has(p + name) {
            throw RunnerError.unsupportedTensor(p + name)
        }
        if i == 0 {
            for name in ["rope_freqs.weight", "output.bias"] where has(name) && !(name == "rope_freqs.weight" && a == .llama) {
                throw RunnerError.unsupportedTensor(name)
            }
        }
        func optionalVector(_ name: String, _ n: Int) throws -> NormWeight? { has(name) ? try vector(name, n) : nil }
        // qwen2's Q/K/V biases (llama.cpp creates them optional for every architecture's QKV; llama's
        // graph adds them too when present).
        let qb = try optionalVector(p + "attn_q.bias", qd)
        let kb = try optionalVector(p + "attn_k.bias", kv)
        let vb = try optionalVector(p + "attn_v.bias", kv)
        let qn = a.hasQKNorm ? try vector(p + "attn_q_norm.weight", hs) : nil
        let kn = a.hasQKNorm ? try vector(p + "attn_k_norm.weight", hs) : nil
        let ffn: FeedForward
        if hp.expertCount > 0 {
            let n = hp.expertCount, ff = hp.expertFeedForwardLength
            // The 3-D tensors first: an expert_count that contradicts them is named as such.
            let gate = try experts(p + "ffn_gate_exps.weight", d, ff, n)
            let up = try experts(p + "ffn_up_exps.weight", d, ff, n)
            let down = try experts(p + "ffn_down_exps.weight", ff, d, n)
            ffn = .experts(MoEWeights(
                router: try matrix(p + "ffn_gate_inp.weight", d, n), gate: gate, up: up, down: down,
                used: hp.expertUsedCount,
                normalize: true))   // llama and qwen3moe both call build_moe_ffn with norm_w = true
        } else {
            if has(p + "ffn_gate_inp.weight") || has(p + "ffn_up_exps.weight") {
                throw RunnerError.badHyperparameter("\(a.rawValue).expert_count is missing or 0, but block \(i) has expert tensors")
            }
            let ff = hp.feedForwardLength
            ffn = .dense(gate: try matrix(p + "ffn_gate.weight", d, ff), up: try matrix(p + "ffn_up.weight", d, ff),
                         down: try matrix(p + "ffn_down.weight", ff, d))
        }
        return LayerWeights(
            attnNorm: try vector(p + "attn_norm.weight", d),
            wq: try matrix(p + "attn_q.weight", d, qd), wk: try matrix(p + "attn_k.weight", d, kv),
            wv: try matrix(p + "attn_v.weight", d, kv), wo: try matrix(p + "attn_output.weight", qd, d),
            qBias: qb, kBias: kb, vBias: vb, qNorm: qn, kNorm: kn,
            ffnNorm: try vector(p + "ffn_norm.weight", d), ffn: ffn)
    }
}
