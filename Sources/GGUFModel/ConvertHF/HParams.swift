import Foundation
import GGUFFormat

/// A model's hyper-parameters as the converter sees them: config.json completed the way transformers'
/// `AutoConfig(...).to_dict()` completes it (defaults of the config class, `head_dim`, `rope_parameters`).
struct HParams {
    var values: [(String, JSONNode)]
    /// `rope_parameters` (transformers ≥ 5: `rope_scaling` and `rope_theta` folded together).
    var rope: [(String, JSONNode)]

    init(raw: JSONNode, arch: HFArchitecture) {
        var v = raw.members ?? []
        func has(_ k: String) -> Bool { v.contains { $0.0 == k && !$0.1.isNull } }
        func set(_ k: String, _ x: JSONNode) {
            if let i = v.firstIndex(where: { $0.0 == k }) { v[i].1 = x } else { v.append((k, x)) }
        }
        if let tc = raw["text_config"]?.members { for (k, x) in tc { set(k, x) } }
        for (k, d) in arch.defaults where !has(k) && k != "rope_theta" { set(k, d) }
        let hidden = v.first { $0.0 == "hidden_size" }?.1.int
        let heads = v.first { $0.0 == "num_attention_heads" }?.1.int
        if !has("num_key_value_heads"), let h = heads { set("num_key_value_heads", .int(h)) }
        if !has("head_dim") {
            if arch.fillsHeadDim, let e = hidden, let h = heads, h > 0 { set("head_dim", .int(e / h)) } else { set("head_dim", .null) }
        }
        // rope_parameters: the rope_scaling dictionary (or rope_parameters) with rope_theta and rope_type.
        var rope: [(String, JSONNode)] = raw["rope_parameters"]?.members ?? raw["rope_scaling"]?.members ?? []
        func ropeSet(_ k: String, _ x: JSONNode) {
            if let i = rope.firstIndex(where: { $0.0 == k }) { rope[i].1 = x } else { rope.append((k, x)) }
        }
        if !rope.contains(where: { $0.0 == "rope_theta" }) {
            ropeSet("rope_theta", raw["rope_theta"] ?? arch.defaults.first { $0.0 == "rope_theta" }?.1 ?? .double(10000))
        }
        if !rope.contains(where: { $0.0 == "rope_type" }) {
            ropeSet("rope_type", rope.first { $0.0 == "type" }?.1 ?? .string("default"))
        }
        v.removeAll { $0.0 == "rope_scaling" || $0.0 == "rope_theta" }
        set("rope_parameters", .object(rope))
        values = v
        self.rope = rope
    }

    /// `find_hparam`: the value of the first of `keys` present (nil when none is; `.null` when it is null).
    func find(_ keys: [String]) -> JSONNode? {
        for k in keys { if let x = values.first(where: { $0.0 == k }) { return x.1 } }
        return nil
    }

    func int(_ keys: [String]) -> Int? { find(keys)?.int }

    func ropeValue(_ k: String) -> JSONNode? { rope.first { $0.0 == k }?.1 }

    /// TextModel.set_gguf_parameters followed by LlamaModel.set_gguf_parameters.
    func write(into md: inout GGUFMetadata, arch: HFArchitecture, fileType: LlamaFileType) throws {
        let a = arch.ggufName
        if arch.gemma { try writeGemma(into: &md, arch: arch, fileType: fileType); return }
        func u32(_ key: String, _ v: JSONNode?) throws {
            guard let v, !v.isNull else { return }
            guard let i = v.int, i >= 0, i <= Int(UInt32.max) else {
                throw ModelError.badData("config.json: \(key) = \(v) is not an unsigned 32-bit integer")
            }
            md[key] = .uint32(UInt32(i))
        }
        func f32(_ key: String, _ v: JSONNode?) throws {
            guard let v, !v.isNull else { return }
            guard let d = v.number else { throw ModelError.badData("config.json: \(key) = \(v) is not a number") }
            md[key] = .float32(Float(d))
        }
        guard let blocks = int(["n_layers", "num_hidden_layers", "n_layer", "num_layers"]) else {
            throw ModelError.badData("config.json: no num_hidden_layers")
        }
        md["\(a).block_count"] = .uint32(UInt32(blocks))
        try u32("\(a).context_length", find(["max_position_embeddings", "n_ctx", "n_positions", "max_length", "max_sequence_length", "model_max_length"]))
        try u32("\(a).embedding_length", find(["hidden_size", "n_embd", "dim"]))
        try u32("\(a).feed_forward_length", find(["prefix_dense_intermediate_size", "dense_intermediate_size", "intermediate_size", "n_inner", "hidden_dim"]))
        try u32("\(a).attention.head_count", find(["num_attention_heads", "n_head", "n_heads"]))
        try u32("\(a).attention.head_count_kv", find(["num_key_value_heads", "n_kv_heads"]))
        if find(["is_causal"])?.bool == false { md["\(a).attention.causal"] = .bool(false) }

        if let type = ropeValue("rope_type")?.string {
            let factor = ropeValue("factor")
            if type == "linear", let f = factor, !f.isNull {
                md["\(a).rope.scaling.type"] = .string("linear")
                try f32("\(a).rope.scaling.factor", f)
            } else if type == "yarn", let f = factor, !f.isNull {
                md["\(a).rope.scaling.type"] = .string("yarn")
                try f32("\(a).rope.scaling.factor", f)
                guard let orig = ropeValue("original_max_position_embeddings") else {
                    throw ModelError.badData("config.json: yarn rope scaling without original_max_position_embeddings")
                }
                try u32("\(a).rope.scaling.original_context_length", orig)
                try f32("\(a).rope.scaling.yarn_ext_factor", ropeValue("extrapolation_factor"))
                try f32("\(a).rope.scaling.yarn_attn_factor", ropeValue("attention_factor") ?? ropeValue("attn_factor"))
                try f32("\(a).rope.scaling.yarn_beta_fast", ropeValue("beta_fast"))
                try f32("\(a).rope.scaling.yarn_beta_slow", ropeValue("beta_slow"))
            } else if type == "su" || type == "longrope" {
                md["\(a).rope.scaling.type"] = .string("longrope")
            }
        }
        try f32("\(a).rope.freq_base", ropeValue("rope_theta"))
        try f32("\(a).attention.layer_norm_rms_epsilon", find(["rms_norm_eps", "norm_eps"]))
        try f32("\(a).attention.layer_norm_epsilon", find(["layer_norm_eps", "layer_norm_epsilon", "norm_epsilon"]))
        try u32("\(a).expert_count", find(["num_local_experts", "num_experts", "n_routed_experts"]))
        try u32("\(a).expert_used_count", find(["num_experts_per_tok", "num_experts_per_token", "top_k_experts"]))
        try u32("\(a).expert_group_count", find(["n_group"]))
        try u32("\(a).expert_group_used_count", find(["topk_group"]))
        if let sf = find(["score_function", "scoring_func", "score_func", "moe_router_activation", "moe_router_activation_func", "expert_selection_fn"]), !sf.isNull {
            switch sf.string {
            case "softmax": md["\(a).expert_gating_func"] = .uint32(1)
            case "sigmoid": md["\(a).expert_gating_func"] = .uint32(2)
            case "sqrtsoftplus": md["\(a).expert_gating_func"] = .uint32(4)
            default: throw ModelError.badData("config.json: Unsupported expert score gating function value: \(sf)")
            }
        }
        if let hd = find(["head_dim"]), !hd.isNull {
            try u32("\(a).attention.key_length", hd)
            try u32("\(a).attention.value_length", hd)
        }
        md["general.file_type"] = .uint32(fileType.rawValue)
        guard arch.llamaKeys else { return }
        // LlamaModel
        try u32("\(a).vocab_size", find(["vocab_size"]))
        var ropeDim = find(["head_dim"])
        if ropeDim == nil || ropeDim!.isNull, let e = int(["hidden_size"]), let h = int(["num_attention_heads"]), h > 0 { ropeDim = .int(e / h) }
        try u32("\(a).rope.dimension_count", ropeDim)
    }

    /// GemmaModel.set_gguf_parameters: a fixed list, read straight from the (completed) config.
    func writeGemma(into md: inout GGUFMetadata, arch: HFArchitecture, fileType: LlamaFileType) throws {
        let a = arch.ggufName
        func need(_ k: String) throws -> Int {
            guard let v = find([k])?.int, v >= 0, v <= Int(UInt32.max) else { throw ModelError.badData("config.json: no integer \(k)") }
            return v
        }
        md["\(a).context_length"] = .uint32(UInt32(try need("max_position_embeddings")))
        md["\(a).embedding_length"] = .uint32(UInt32(try need("hidden_size")))
        guard let blocks = int(["n_layers", "num_hidden_layers", "n_layer", "num_layers"]) else { throw ModelError.badData("config.json: no num_hidden_layers") }
        md["\(a).block_count"] = .uint32(UInt32(blocks))
        md["\(a).feed_forward_length"] = .uint32(UInt32(try need("intermediate_size")))
        md["\(a).attention.head_count"] = .uint32(UInt32(try need("num_attention_heads")))
        md["\(a).attention.head_count_kv"] = .uint32(UInt32(try need("num_key_value_heads")))
        guard let eps = find(["rms_norm_eps"])?.number else { throw ModelError.badData("config.json: no rms_norm_eps") }
        md["\(a).attention.layer_norm_rms_epsilon"] = .float32(Float(eps))
        md["\(a).attention.key_length"] = .uint32(UInt32(try need("head_dim")))
        md["\(a).attention.value_length"] = .uint32(UInt32(try need("head_dim")))
        md["general.file_type"] = .uint32(fileType.rawValue)
    }
}
