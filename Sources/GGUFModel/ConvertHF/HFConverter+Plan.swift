import Foundation
import GGUFFormat
import GGUFIO

/// Converts a Hugging Face checkpoint folder (config.json, safetensors, tokenizer) to GGUF as llama.cpp's
/// `convert_hf_to_gguf.py` does, byte for byte: the same tensors, types, metadata and vocabulary.
public enum HFConverter {
    /// Reads the folder's config, tokenizer and safetensors headers and decides the whole output.
    public static func plan(folder path: String, options: HFConvertOptions) throws -> HFConversionPlan {
        let folder = try HFFolder(path: path)
        let archName = folder.config["architectures"]?.array?.first?.string
        guard let archName else {
            throw ModelError.badData("\(folder.file("config.json")): no 'architectures' list naming the model class")
        }
        guard let arch = HFArchitecture.named(archName) else {
            throw ModelError.usage("\(folder.file("config.json")): architecture \(archName) is not supported; supported: \(HFArchitecture.supportedNames.joined(separator: ", "))")
        }
        var notes: [String] = []
        let hp = HParams(raw: folder.config, arch: arch)
        if arch.hfName == "Qwen3ForCausalLM" {
            let hints = [folder.directoryName, folder.config["_name_or_path"]?.string ?? "", folder.config["model_type"]?.string ?? ""].map { $0.lowercased() }
            let readme = (try? folder.text("README.md"))??.lowercased() ?? ""
            if hints.contains(where: { $0.contains("qwen3-reranker") || $0.contains("qwen3-vl-reranker") }) || readme.contains("# qwen3-reranker") || readme.contains("# qwen3-vl-reranker") {
                throw ModelError.usage("\(folder.path): Qwen3 reranker models are not supported")
            }
        }
        if folder.exists("modules.json") || hp.find(["classifier_pooling"]) != nil {
            throw ModelError.usage("\(folder.path): sentence-transformers pooling (modules.json) / classifier pooling is not supported")
        }
        let checkpoint = try SafetensorsCheckpoint(directory: path)

        // ModelBase/TextModel/LlamaModel.filter_tensors, in the order the parts are indexed.
        var named: [(String, SafetensorsTensor)] = []
        var position: [String: Int] = [:]
        for t in checkpoint.tensors {
            var name = t.name
            if name.hasSuffix("e_score_correction_bias") { name = name.replacingOccurrences(of: "e_score_correction_bias", with: "e_score_correction.bias") }
            if name.contains("language_model.") { name = name.replacingOccurrences(of: "language_model.", with: "") }
            if name.contains("text_model.") { name = name.replacingOccurrences(of: "text_model.", with: "") }
            if isMultimodal(name) { continue }
            if arch.gemma && name == "lm_head.weight" { continue }
            if let i = position[name] { named[i].1 = t } else { position[name] = named.count; named.append((name, t)) }
        }

        // --outtype auto: the dtype of the first tensor with two or more dimensions.
        var fileType: LlamaFileType
        if let ft = options.outType.fileType {
            fileType = ft
        } else {
            fileType = .mostlyF16
            for (_, t) in named where t.shape.count >= 2 {
                if t.dtypeName == "BF16" { fileType = .mostlyBF16; break }
                if t.dtypeName == "F16" { fileType = .mostlyF16; break }
            }
        }
        let outputTypeName: String
        switch fileType {
        case .allF32: outputTypeName = "F32"
        case .mostlyBF16: outputTypeName = "BF16"
        case .mostlyQ8_0: outputTypeName = "Q8_0"
        default: outputTypeName = "F16"
        }

        var tensors: [HFOutputTensor] = []
        if !options.vocabOnly {
            tensors = try planTensors(named, hp: hp, arch: arch, fileType: fileType, folder: folder)
        }

        // Parameter counts for the size label (gguf-py's get_total_parameter_count).
        var total = 0, shared = 0, expert = 0, expertSum = 0, nExpertTensors = 0
        for t in tensors {
            let size = t.elementCount
            let shape = Array(t.ne.reversed())
            if t.name.contains("_exps."), shape.count >= 3 {
                let ec = shape[shape.count - (t.name.contains(".bias") ? 2 : 3)]
                expert += size / max(ec, 1)
                expertSum += ec
                nExpertTensors += 1
            } else {
                shared += size
            }
            total += size
        }
        let expertCount = nExpertTensors > 0 ? expertSum / nExpertTensors : 0

        var md = GGUFMetadata()
        md["general.architecture"] = .string(arch.ggufName)
        md["general.type"] = .string("model")
        if (options.splitMaxTensors != 0 || options.splitMaxSize != 0) && options.vocabOnly {
            notes.append("a vocabulary-only file is not split")
        }
        var card: HFModelCard?
        if let text = try folder.text("README.md") { card = HFModelCard.parse(text) }
        let used = ["name", "author", "version", "organization", "description", "finetune", "basename", "size_label", "url", "doi",
                    "uuid", "repo_url", "model_name", "model_author", "model_version", "model_organization", "model_description",
                    "model_finetune", "model_basename", "model_size_label", "model_url", "model_doi", "model_uuid", "model_repo_url",
                    "model_creator", "model_type", "base_model", "base_models", "base_model_sources", "datasets", "dataset",
                    "dataset_sources", "license", "license_name", "license_link", "tags", "pipeline_tag", "languages", "language"]
        if let c = card, let bad = used.filter({ c.unreadable.contains($0) }).first {
            notes.append("README.md: the model card's '\(bad)' is not in a form this reader understands; the keys convert_hf_to_gguf.py derives from it are left out")
        }
        // generation_config.json: sampling defaults.
        if let gen = try? folder.json("generation_config.json"), gen.members != nil {
            func f32(_ key: String, _ v: JSONNode?) { if let d = v?.number { md[key] = .float32(Float(d)) } }
            func i32(_ key: String, _ v: JSONNode?) { if let i = v?.int { md[key] = .int32(Int32(truncatingIfNeeded: i)) } }
            if let s = gen["sequence"]?.string, !s.isEmpty { md["general.sampling.sequence"] = .string(s) }
            i32("general.sampling.top_k", gen["top_k"])
            f32("general.sampling.top_p", gen["top_p"])
            f32("general.sampling.min_p", gen["min_p"])
            f32("general.sampling.xtc_probability", gen["xtc_probability"])
            f32("general.sampling.xtc_threshold", gen["xtc_threshold"])
            f32("general.sampling.temp", gen["temperature"])
            i32("general.sampling.penalty_last_n", gen["penalty_last_n"])
            let rep = gen["penalty_repeat"] ?? gen["repetition_penalty"]
            f32("general.sampling.penalty_repeat", rep)
            i32("general.sampling.mirostat", gen["mirostat"])
            f32("general.sampling.mirostat_tau", gen["mirostat_tau"])
            f32("general.sampling.mirostat_eta", gen["mirostat_eta"])
        }
        var general = HFGeneral()
        if let c = card { general.apply(card: c, totalParams: total) }
        var names = HFModelName.derive(from: general.names, nameOrPath: folder.config["_name_or_path"]?.string,
                                       directoryName: folder.directoryName, totalParams: total)
        if let n = options.modelName { names.name = n }
        if names.name == nil { names.name = folder.directoryName }
        if names.sizeLabel == nil && total > 0 {
            names.sizeLabel = HFModelName.sizeLabel(total: total, shared: shared, expert: expert, expertCount: expertCount)
        }
        general.names = names
        general.write(into: &md)

        try hp.write(into: &md, arch: arch, fileType: fileType)
        md["general.quantization_version"] = .uint32(2)
        try writeVocabulary(folder, hp: hp, arch: arch, into: &md)

        let defaultName = namingConvention(names, outputType: options.vocabOnly ? nil : outputTypeName,
                                           sizeLabel: options.vocabOnly ? nil : names.sizeLabel, vocabOnly: options.vocabOnly)
        return HFConversionPlan(folder: folder, architecture: arch, checkpoint: checkpoint, fileType: fileType,
                                outputTypeName: outputTypeName, metadata: md, tensors: tensors, vocabOnly: options.vocabOnly,
                                defaultFileName: defaultName + ".gguf", notes: notes,
                                parts: HFConversionPlan.splitParts(tensors, maxTensors: options.splitMaxTensors, maxSize: options.splitMaxSize))
    }

    /// TextModel.filter_tensors: names of vision/audio towers and projectors.
    static func isMultimodal(_ name: String) -> Bool {
        let prefixes = ["mlp", "vit.", "vpm.", "siglip2.", "conformer.", "merger.", "resampler.", "sound_encoder.", "sound_projection.", "speech_embeddings."]
        if prefixes.contains(where: { name.hasPrefix($0) }) { return true }
        let parts = ["visual.", "vision.", "audio.", "talker.", "vision_", "audio_", "token2wav.", "code2wav.", "projector.",
                     "pre_mm_projector_norm", "image_newline", "view_seperator", "patch_embed", "patch_embedding",
                     "patch_merger.", "patch_merge_mlp.", "model.connector."]
        return parts.contains { name.contains($0) }
    }

    /// gguf-py's `naming_convention`.
    static func namingConvention(_ n: HFModelName, outputType: String?, sizeLabel: String?, vocabOnly: Bool) -> String {
        func clean(_ s: String) -> String { s.trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: " ", with: "-") }
        let name = n.basename.map { clean($0).replacingOccurrences(of: "/", with: "-") }
            ?? n.name.map { clean($0).replacingOccurrences(of: "/", with: "-") } ?? "ggml-model"
        var s = name
        if let p = sizeLabel { s += "-\(p)" }
        if let f = n.finetune { s += "-\(clean(f))" }
        if let v = n.version { s += "-\(clean(v))" }
        if let t = outputType { s += "-\(clean(t).uppercased())" }
        if vocabOnly { s += "-vocab" }
        return s
    }

    /// The vocabulary as LlamaModel.set_vocab writes it.
    static func writeVocabulary(_ folder: HFFolder, hp: HParams, arch: HFArchitecture, into md: inout GGUFMetadata) throws {
        // LlamaModel.set_vocab only (Llama, Mistral, Mixtral): tekken, add_prefix_space, HybridDNA, 49152 rule
        let isLlama = arch.ggufName == "llama"
        if isLlama && folder.exists("tekken.json") && !folder.exists("tokenizer.json") {
            throw ModelError.usage("\(folder.file("tekken.json")): Mistral tekken vocabularies are not supported")
        }
        if isLlama, let tc = try folder.json("tokenizer_config.json") {
            if let b = tc["add_prefix_space"], !b.isNull {
                md["tokenizer.ggml.add_space_prefix"] = .bool(b.bool ?? b.truthy)
            }
            if tc["tokenizer_class"]?.string == "HybridDNATokenizer" {
                throw ModelError.usage("\(folder.file("tokenizer_config.json")): HybridDNATokenizer vocabularies are not supported")
            }
        }
        if !folder.exists("tokenizer.model") {
            // Gemma has no fallback; Llama tries LlamaHfVocab first, Qwen2/Qwen3 go straight to gpt2
            if arch.gemma {
                throw ModelError.usage("\(folder.path): no tokenizer.model (Gemma's vocabulary is SentencePiece)")
            }
            if try HFVocab.isLlamaHFVocab(folder) {
                throw ModelError.usage("\(folder.file("tokenizer.json")): SentencePiece-style BPE vocabularies (LlamaHfVocab) are not converted yet")
            }
            try HFVocab.gpt2(folder, vocabSize: hp.find(["vocab_size"])?.int, into: &md)
            if isLlama && hp.find(["vocab_size"])?.int == 49152 { md["tokenizer.ggml.add_bos_token"] = .bool(false) }
            return
        }
        try HFVocab.sentencePiece(folder, vocabSize: hp.find(["vocab_size"])?.int, into: &md)
        if arch.gemma {
            try HFVocab.special(folder, nVocab: nil, loadMerges: false, into: &md,
                                types: ["prefix", "suffix", "middle", "fsep", "eot"],
                                forced: [("prefix", 67), ("suffix", 69), ("middle", 68), ("fsep", 70), ("eot", 107)], noChatTemplate: true)
            md["tokenizer.ggml.add_space_prefix"] = .bool(false)
            return
        }
        if isLlama && hp.find(["vocab_size"])?.int == 49152 { md["tokenizer.ggml.add_bos_token"] = .bool(false) }
    }
}

extension HFConverter {
    /// gguf-py's `fill_templated_filename`: `{ftype}`/`{outtype}` (lower case), `{FTYPE}`/`{OUTTYPE}` (upper case).
    public static func fillTemplate(_ name: String, outputType: String) -> String {
        let lower = outputType.lowercased(), upper = outputType.uppercased()
        return name.replacingOccurrences(of: "{ftype}", with: lower).replacingOccurrences(of: "{outtype}", with: lower)
            .replacingOccurrences(of: "{FTYPE}", with: upper).replacingOccurrences(of: "{OUTTYPE}", with: upper)
            .replacingOccurrences(of: "{}", with: lower)
    }
}
