import GGUFFormat

/// Today's per-tensor mix rules: `llama_tensor_get_type_impl` of src/llama-quant.cpp at 0c1e570, for every
/// target and architecture (experts, Falcon, GLM5-next, BailingMoE3, the 70B and GQA bumps).
///
/// The rules keep counters across tensors (the how-manieth `attn_v`, `ffn_down`, ... this is), so one value
/// plans one model, its tensors visited in write order.
struct CurrentRules {
    let target: QuantizeTarget
    let model: MixModel
    let outputTensorType: GGMLType?
    let tokenEmbeddingType: GGMLType?
    let hasImatrix: Bool
    /// No `output.weight` in the model: the token embeddings are typed like the output.
    let tiedEmbeddings: Bool
    /// `n_attention_wv`: how many `attn_v`-like tensors the model has.
    let nAttentionV: Int

    private var iAttentionV = 0, iFFNDown = 0, iFFNGate = 0, iFFNUp = 0

    init(target: QuantizeTarget, model: MixModel, outputTensorType: GGMLType?, tokenEmbeddingType: GGMLType?,
         hasImatrix: Bool, tiedEmbeddings: Bool, nAttentionV: Int) {
        self.target = target
        self.model = model
        self.outputTensorType = outputTensorType
        self.tokenEmbeddingType = tokenEmbeddingType
        self.hasImatrix = hasImatrix
        self.tiedEmbeddings = tiedEmbeddings
        self.nAttentionV = nAttentionV
    }

    /// The targets of the IQ1/IQ2 branch.
    private static let veryLowBit: Set<QuantizeTarget> = [.iq2_XXS, .iq2_XS, .iq1_S, .iq2_S, .iq2_M, .iq1_M]

    /// The type of one tensor whose default type is `type` (already known to be quantized).
    mutating func type(_ type: GGMLType, tensor t: MixTensor, role: TensorRole) throws(QuantizeMixError) -> GGMLType {
        let ft = target
        let arch = model.architecture
        let name = t.name
        var new = type

        // glm5-next keeps these at Q8_0 or better.
        if arch == "glm5-next" && (name.contains("attn_q_a") || name.contains("attn_q_b") || name.contains("nextn.eh_proj")) {
            switch new {
            case .f32, .bf16, .f16: break
            default: return .q8_0
            }
        }

        if role == .output || (tiedEmbeddings && role == .tokenEmbedding) {
            if let o = outputTensorType { return o }
            let nx = t.ne.first ?? 1
            if ft == .mxfp4_MOE { return .q8_0 }
            if arch == "falcon" || nx % new.blockSize != 0 { return .q8_0 }
            if [.iq2_XXS, .iq2_XS, .iq3_XXS, .iq1_S, .iq2_S, .iq2_M, .iq1_M].contains(ft) { return .q5_K }
            return new != .q8_0 ? .q6_K : new
        }
        if ft == .mxfp4_MOE {
            // Expert tensors (3-D) to MXFP4, everything else to Q8_0; BailingMoE3's 3-D MLA projections are not experts.
            let isExpertRole = role == .ffnUp || role == .ffnGate || role == .ffnDown
            let ne2 = t.ne.count > 2 ? t.ne[2] : 1
            return ne2 > 1 && (arch != "bailingmoe3" || isExpertRole) ? .mxfp4 : .q8_0
        }
        if role == .tokenEmbedding {
            if let e = tokenEmbeddingType { return e }
            switch ft {
            case .iq2_XXS, .iq2_XS, .iq1_S, .iq1_M: return .q2_K
            case .iq2_S, .iq2_M, .iq3_XXS: return .iq3_S
            case .tq1_0, .tq2_0, .q2_0: return .q4_K
            default: return new
            }
        }
        if Self.veryLowBit.contains(ft) {
            let sOrM = ft == .iq2_S || ft == .iq2_M
            switch role {
            case .attentionV:
                new = model.nGQA >= 4 || model.nExpert >= 4 ? .q4_K : (sOrM ? .iq3_S : .q2_K)
                iAttentionV += 1
            case .attentionK where model.nExpert == 8:
                new = .q4_K
            case .ffnDown:
                if iFFNDown < model.nLayer / 8 { new = sOrM ? .iq3_S : .q2_K }
                iFFNDown += 1
            case .attentionOutput:
                if model.nExpert == 8 { new = .q5_K }
                else if ft == .iq1_S || ft == .iq1_M { new = .iq2_XXS }
                else if sOrM { new = .iq3_S }
            default:
                break
            }
            return new
        }
        switch role {
        case .attentionV:
            let gqa4 = model.nGQA >= 4
            switch ft {
            case .q2_K: new = gqa4 ? .q4_K : .q3_K
            case .q2_K_S where gqa4: new = .q4_K
            case .iq3_XXS: new = gqa4 ? .q4_K : !hasImatrix ? .iq3_S : .iq3_XXS
            case .iq3_XS where gqa4, .iq3_S where gqa4: new = .q4_K
            case .iq3_M: new = .q4_K
            case .q3_K_M: new = iAttentionV < 2 ? .q5_K : .q4_K
            case .q3_K_L: new = .q5_K
            case .iq4_NL where gqa4, .iq4_XS where gqa4: new = .q5_K
            case .q4_K_M where useMoreBits(iAttentionV, nAttentionV), .q5_K_M where useMoreBits(iAttentionV, nAttentionV):
                new = .q6_K
            case .q4_K_S where iAttentionV < 4: new = .q5_K
            default: break
            }
            if model.is70B && (new == .q3_K || new == .q4_K) { new = .q5_K }
            if model.nExpert == 8 { new = .q8_0 }
            iAttentionV += 1
        case .attentionK:
            if model.nExpert == 8 { new = .q8_0 }
            else if ft == .iq3_XS { new = .iq3_XXS }
            else if ft == .iq3_XXS { new = .iq2_S }
        case .attentionQ:
            if ft == .iq3_XS { new = .iq3_XXS }
            else if ft == .iq3_XXS { new = .iq2_S }
        case .ffnDown:
            let (i, n) = try layerInfo(iFFNDown, name: name)
            let falcon = arch == "falcon"
            switch ft {
            case .q2_K: new = .q3_K
            case .q2_K_S: if i < n / 8 { new = .q4_K }
            case .iq3_XXS where !hasImatrix: new = i < n / 8 ? .q4_K : .q3_K
            case .q3_K_M: new = i < n / 16 ? .q5_K : !falcon || useMoreBits(i, n) ? .q4_K : .q3_K
            case .iq3_M where i < n / 8 || (model.nExpert == 8 && useMoreBits(i, n)): new = .q4_K
            case .q3_K_L: new = falcon ? .q4_K : .q5_K
            case .q4_K_M:
                if falcon { new = i < n / 16 ? .q6_K : useMoreBits(i, n) ? .q5_K : .q4_K }
                else if useMoreBits(i, n) { new = .q6_K }
            case .iq4_NL where i < n / 8 && !hasImatrix, .iq4_XS where i < n / 8 && !hasImatrix: new = .q5_K
            case .q5_K_M where useMoreBits(i, n): new = .q6_K
            case .q4_K_S where !falcon && i < n / 8: new = .q5_K
            case .q4_0 where hasImatrix && i < n / 8: new = .q4_1
            case .q5_0 where hasImatrix && i < n / 8: new = .q5_1
            default: break
            }
            iFFNDown += 1
        case .attentionOutput:
            if arch != "falcon" {
                if model.nExpert == 8 {
                    if [.q2_K, .iq3_XS, .iq3_XXS, .q3_K_S, .q3_K_M, .iq4_NL, .q4_K_S, .q4_K_M, .iq3_S, .iq3_M, .iq4_XS].contains(ft) {
                        new = .q5_K
                    }
                } else {
                    switch ft {
                    case .q2_K: new = .q3_K
                    case .iq3_XXS: new = .iq3_S
                    case .q3_K_M, .iq3_M: new = .q4_K
                    case .q3_K_L: new = .q5_K
                    default: break
                    }
                }
            } else if ft == .q3_K_L {
                new = .q4_K
            }
        case .ffnGate:
            let (i, n) = try layerInfo(iFFNGate, name: name)
            if ft == .iq3_XS && i >= n / 8 && i < 7 * n / 8 { new = .iq3_XXS }
            iFFNGate += 1
        case .ffnUp:
            let (i, n) = try layerInfo(iFFNUp, name: name)
            if ft == .iq3_XS && i >= n / 8 && i < 7 * n / 8 { new = .iq3_XXS }
            iFFNUp += 1
        default:
            break
        }
        // (llama.cpp's own ATTENTION_QKV branch is unreachable there: attn_qkv takes the attn_v branch above.)
        return new
    }

    /// `layer_info`: with experts the layer comes from the name (`blk.N.`), as expert tensors of a layer
    /// are not consecutive; otherwise the running counter. `n` is always `n_layer_all`.
    private func layerInfo(_ counter: Int, name: String) throws(QuantizeMixError) -> (Int, Int) {
        let n = model.nLayer
        guard max(1, model.nExpert) > 1 else { return (counter, n) }
        let i = TensorOrder.layerIndex(name)
        guard name.hasPrefix("blk."), i != -1 || name.hasPrefix("blk.-1") else { throw .noLayer(name: name) }
        guard i >= 0, i < n else { throw .badLayer(layer: i, name: name, nLayer: n) }
        return (i, n)
    }
}
