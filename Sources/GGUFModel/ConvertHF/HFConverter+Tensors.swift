import Foundation
import GGUFFormat

extension HFConverter {
    /// LlamaModel's prepare_tensors: rope_freqs for llama3 RoPE first, then every checkpoint tensor in order,
    /// Q/K rows permuted, experts stacked, names mapped, each given its output type.
    static func planTensors(_ named: [(String, SafetensorsTensor)], hp: HParams, arch: HFArchitecture,
                            fileType: LlamaFileType, folder: HFFolder) throws -> [HFOutputTensor] {
        var out: [HFOutputTensor] = []
        if let rf = llama3RopeFactors(hp) {
            out.append(HFOutputTensor(name: "rope_freqs.weight", ne: [rf.count], type: .f32, pieces: [], generated: rf))
        }
        guard let nHead = hp.int(["n_heads", "num_attention_heads"]), nHead > 0 else {
            throw ModelError.badData("\(folder.file("config.json")): no num_attention_heads")
        }
        let nKV = hp.int(["n_kv_heads", "num_key_value_heads"]) ?? nHead
        let blockCount = hp.int(["n_layers", "num_hidden_layers", "n_layer", "num_layers"]) ?? 0
        let nExperts = hp.int(["num_local_experts"])
        var experts: [Int: [String: HFPiece]] = [:]
        let check = ShapeCheck(hp: hp, folder: folder)

        for (name, t) in named {
            if name.hasSuffix(".attention.masked_bias") || name.hasSuffix(".attention.bias") || name.hasSuffix(".rotary_emb.inv_freq") { continue }
            guard let dtype = t.dtype else {
                throw ModelError.badData("\(t.path): tensor '\(t.name)' has dtype \(t.dtypeName); only F32, F16 and BF16 checkpoints are converted")
            }
            let bid = name.split(separator: ".").first { !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } }.flatMap { Int($0) }
            let rows = t.shape.first ?? 1
            let rowLength = t.shape.dropFirst().reduce(1, *)
            var piece = HFPiece(tensor: t, dtype: dtype, rows: rows, rowLength: rowLength, permuteHeads: nil)
            if arch.gemma && name.hasSuffix("norm.weight") { piece.addOne = true }
            if arch.permuteQK {
                if name.hasSuffix("q_proj.weight") || name.hasSuffix("q_proj.bias") { piece.permuteHeads = nHead }
                if name.hasSuffix("k_proj.weight") || name.hasSuffix("k_proj.bias") { piece.permuteHeads = nKV }
                if let h = piece.permuteHeads, t.shape.isEmpty || rows % (2 * h) != 0 {
                    throw ModelError.badData("\(t.path): tensor '\(t.name)' of shape \(t.shape) cannot hold \(h) heads of even size (config.json)")
                }
            }
            if name.contains("block_sparse_moe.experts") {
                guard let ne = nExperts, let bid, bid >= 0, bid < max(blockCount, 1) else {
                    throw ModelError.badData("\(t.path): expert tensor '\(t.name)' but config.json has no num_local_experts or the layer is out of range")
                }
                experts[bid, default: [:]][name] = piece
                if experts[bid]!.count >= ne * 3 {
                    for wid in ["w1", "w2", "w3"] {
                        var pieces: [HFPiece] = []
                        for x in 0..<ne {
                            let en = "model.layers.\(bid).block_sparse_moe.experts.\(x).\(wid).weight"
                            guard let p = experts[bid]!.removeValue(forKey: en) else {
                                throw ModelError.badData("\(folder.path): expert tensor '\(en)' is missing")
                            }
                            pieces.append(p)
                        }
                        let first = pieces[0].tensor.shape
                        if let bad = pieces.first(where: { $0.tensor.shape != first }) {
                            throw ModelError.badData("\(bad.tensor.path): expert tensor '\(bad.tensor.name)' has shape \(bad.tensor.shape), expected \(first) as the other experts")
                        }
                        let merged = "layers.\(bid).feed_forward.experts.\(wid).weight"
                        let shape = [ne] + first
                        out.append(try outputTensor(merged, shape: shape, pieces: pieces, bid: bid, fileType: fileType, check: check))
                    }
                }
                continue
            }
            out.append(try outputTensor(name, shape: t.shape, pieces: [piece], bid: bid, fileType: fileType, check: check))
        }
        let left = experts.values.flatMap(\.keys).sorted()
        if let first = left.first { throw ModelError.badData("\(folder.path): Unprocessed experts: \(first) and \(left.count - 1) more") }
        return out
    }

    /// One output tensor: mapped name, shape checked against config.json, type as prepare_tensors picks it.
    static func outputTensor(_ name: String, shape: [Int], pieces: [HFPiece], bid: Int?, fileType: LlamaFileType,
                             check: ShapeCheck) throws -> HFOutputTensor {
        var mapped = HFArchitecture.llamaTensorName(name)
        if mapped == nil {
            for s in [".weight", ".bias"] where name.hasSuffix(s) {
                mapped = HFArchitecture.llamaTensorName(String(name.dropLast(s.count))).map { $0 + s }
                break
            }
        }
        guard let newName = mapped else {
            throw ModelError.badData("\(pieces.first?.tensor.path ?? ""): Can not map tensor '\(pieces.first?.tensor.name ?? name)'")
        }
        let ne = Array(shape.reversed())
        try check.check(newName, ne: ne, source: pieces[0].tensor)
        let type = tensorType(newName, shape: shape, fileType: fileType)
        return HFOutputTensor(name: newName, ne: ne, type: type, pieces: pieces, generated: nil)
    }

    /// The type prepare_tensors gives a tensor: F32 for vectors, norms, the expert router and non-weights;
    /// else the file type's, with F16 for Q8_0 rows that are not a multiple of 32.
    static func tensorType(_ newName: String, shape: [Int], fileType: LlamaFileType) -> GGMLType {
        if shape.count <= 1 || newName.hasSuffix("_norm.weight") { return .f32 }
        if newName.hasSuffix(".ffn_gate_inp.weight") || !newName.hasSuffix(".weight") { return .f32 }
        switch fileType {
        case .allF32: return .f32
        case .mostlyBF16: return .bf16
        case .mostlyQ8_0: return (shape.last ?? 0) % 32 == 0 ? .q8_0 : .f16
        default: return .f16
        }
    }

    /// LlamaModel.generate_extra_tensors: the llama3 RoPE frequency factors, in float32 as torch computes them.
    static func llama3RopeFactors(_ hp: HParams) -> [Float]? {
        guard hp.ropeValue("rope_type")?.string?.lowercased() == "llama3" else { return nil }
        let base = Float(hp.ropeValue("rope_theta")?.number ?? 10000)
        var dim = hp.int(["head_dim"]) ?? 0
        if dim == 0, let e = hp.int(["hidden_size"]), let h = hp.int(["num_attention_heads"]), h > 0 { dim = e / h }
        guard dim > 0 else { return nil }
        let factor = Float(hp.ropeValue("factor")?.number ?? 8)
        let lowFreqFactor = Float(hp.ropeValue("low_freq_factor")?.number ?? 1)
        let highFreqFactor = Float(hp.ropeValue("high_freq_factor")?.number ?? 4)
        let oldContext = hp.ropeValue("original_max_position_embeddings")?.number ?? 8192
        let lowWavelen = oldContext / Double(lowFreqFactor)
        let highWavelen = oldContext / Double(highFreqFactor)
        var out: [Float] = []
        for i in stride(from: 0, to: dim, by: 2) {
            let e = Float(i) / Float(dim)
            let freq: Float = 1.0 / powf(base, e)
            let wavelen: Float = Float(2 * Double.pi) / freq
            if Double(wavelen) < highWavelen {
                out.append(1)
            } else if Double(wavelen) > lowWavelen {
                out.append(factor)
            } else {
                let smooth: Float = (Float(oldContext) / wavelen - lowFreqFactor) / (highFreqFactor - lowFreqFactor)
                out.append(1 / ((1 - smooth) / factor + smooth))
            }
        }
        return out
    }
}

/// Checks that a tensor's shape agrees with config.json (the converter would otherwise write a file that
/// does not load, or crash on a reshape).
struct ShapeCheck {
    var hidden, vocab, ff, heads, kvHeads, headDim, experts: Int?
    var configPath: String

    init(hp: HParams, folder: HFFolder) {
        hidden = hp.int(["hidden_size"])
        vocab = hp.int(["vocab_size"])
        ff = hp.int(["intermediate_size"])
        heads = hp.int(["num_attention_heads"])
        kvHeads = hp.int(["num_key_value_heads"])
        headDim = hp.int(["head_dim"])
        experts = hp.int(["num_local_experts"])
        configPath = folder.file("config.json")
    }

    func check(_ name: String, ne: [Int], source: SafetensorsTensor) throws {
        let parts = name.split(separator: ".")
        let kind = parts.count >= 3 && parts[0] == "blk" ? String(parts[2]) : String(parts[0])
        let isBias = name.hasSuffix(".bias")
        var expected: [Int?]?
        let q = heads.flatMap { h in headDim.map { h * $0 } }
        let kv = kvHeads.flatMap { h in headDim.map { h * $0 } }
        switch kind {
        case "token_embd", "output": expected = [hidden, vocab]
        case "output_norm", "attn_norm", "ffn_norm": expected = [hidden]
        case "attn_q": expected = isBias ? [q] : [hidden, q]
        case "attn_k", "attn_v": expected = isBias ? [kv] : [hidden, kv]
        case "attn_output": expected = isBias ? [hidden] : [q, hidden]
        case "attn_q_norm", "attn_k_norm": expected = [headDim]
        case "ffn_gate", "ffn_up": expected = [hidden, ff]
        case "ffn_down": expected = [ff, hidden]
        case "ffn_gate_inp": expected = [hidden, experts]
        case "ffn_gate_exps", "ffn_up_exps": expected = [hidden, ff, experts]
        case "ffn_down_exps": expected = [ff, hidden, experts]
        default: expected = nil
        }
        guard let expected else { return }
        let ok = expected.count == ne.count && zip(expected, ne).allSatisfy { $0 == nil || $0! == $1 }
        if !ok {
            let want = expected.map { $0.map(String.init) ?? "?" }.joined(separator: ", ")
            throw ModelError.badData("\(source.path): tensor '\(source.name)' has shape \(source.shape), but \(configPath) implies \(name) of ggml shape [\(want)]")
        }
    }
}
