import GGUFFormat

/// Everything a GGML → GGUF conversion will write, decided before a byte is written.
public struct ConversionPlan: Sendable {
    public var source: GGMLFile
    public var metadata: GGUFMetadata
    /// Output tensors in file order, each with the record its data is copied from.
    public var tensors: [(info: GGUFTensorInfo, record: GGMLTensorRecord)]
    /// Things the user should know (defaults taken, values detected).
    public var notes: [String]
    public var nHeadKV: Int
    public var nFF: Int

    /// Total bytes of tensor data.
    public var dataBytes: Int { tensors.reduce(0) { $0 + $1.record.byteCount } }

    /// Plans the conversion of a scanned GGML file; throws when the file cannot be converted faithfully.
    public init(file: GGMLFile, inputName: String, options o: ConvertOptions, vocabDir: VocabDirectory? = nil) throws(ModelError) {
        source = file
        notes = []
        let hp = file.hparams
        let headDim = hp.nEmbd / hp.nHead
        let cfg = vocabDir?.config

        // 1. Every tensor must be a llama tensor whose bytes mean the same in GGUF.
        var planned: [(GGUFTensorInfo, GGMLTensorRecord)] = []
        for t in file.tensors {
            let layout = GGMLLayouts.layout(typeID: t.typeID, container: file.container, version: file.version)!
            if let why = layout.refusal {
                throw .badData("cannot convert: tensor '\(t.name)' is \(layout.name) in a \(file.formatName) file: \(why). llama.cpp's converter refuses this file too; requantize it from an F16/F32 original")
            }
            let type = layout.gguf!
            if type.isQuantized && t.ne[0] % type.blockSize != 0 {
                throw .badData("cannot convert: tensor '\(t.name)' has rows of \(t.ne[0]) values, not a multiple of the \(type.name) block size \(type.blockSize) (at offset \(t.recordOffset)). The 2023 quantizer packed such tensors flat, so blocks straddle rows and the data cannot be used as \(type.name) rows; requantize from an F16/F32 file")
            }
            if [GGMLType.q2_K, .q3_K, .q4_K, .q5_K, .q6_K].contains(type) && t.ne[0] % 256 != 0 {
                throw .badData("cannot convert: k-quant tensor '\(t.name)' has rows of \(t.ne[0]) values: this file was made by a LLAMA_QKK_64 build, whose blocks GGUF cannot hold")
            }
            guard let name = LlamaTensorNames.gguf(fromGGML: t.name) else {
                throw .badData("cannot convert: tensor '\(t.name)' (at offset \(t.recordOffset)) is not a llama tensor name")
            }
            guard t.ne.count <= 2 else {
                throw .badData("cannot convert: tensor '\(t.name)' has \(t.ne.count) dimensions; llama tensors have 1 or 2")
            }
            planned.append((GGUFTensorInfo(name: name, ne: t.ne, type: type), t))
        }

        // 2. Shapes the hyper-parameters imply.
        guard let emb = file.tensor("tok_embeddings.weight") else {
            throw .badData("cannot convert: the file has no tok_embeddings.weight tensor")
        }
        guard emb.ne.count == 2, emb.ne[0] == hp.nEmbd else {
            throw .badData("cannot convert: tok_embeddings.weight has shape \(emb.ne), expected [\(hp.nEmbd), n_vocab]; a part of a multi-part (sharded) model? Those are not supported")
        }
        guard let w1 = file.tensor("layers.0.feed_forward.w1.weight"), w1.ne.count == 2 else {
            throw .badData("cannot convert: the file has no 2-D layers.0.feed_forward.w1.weight, which gives the feed-forward length")
        }
        nFF = w1.ne[1]

        var kvFromShape: Int?
        if let wk = file.tensor("layers.0.attention.wk.weight"), wk.ne.count == 2, wk.ne[1] % headDim == 0, wk.ne[1] > 0 {
            kvFromShape = wk.ne[1] / headDim
        }
        if let g = o.gqa {
            guard g > 0, hp.nHead % g == 0 else {
                throw .usage("--gqa \(g) does not divide n_head \(hp.nHead)")
            }
            nHeadKV = hp.nHead / g
            if let k = kvFromShape, k != nHeadKV {
                throw .usage("--gqa \(g) gives \(nHeadKV) KV heads, but layers.0.attention.wk.weight has rows for \(k) KV heads: use --gqa \(hp.nHead / k)")
            }
        } else if let k = cfg?.nHeadKV {
            nHeadKV = k
            if let s = kvFromShape, s != k {
                throw .badData("config.json says num_key_value_heads \(k), but layers.0.attention.wk.weight has rows for \(s) KV heads")
            }
        } else if let k = kvFromShape, k != hp.nHead {
            nHeadKV = k
            notes.append("grouped-query attention detected from layers.0.attention.wk.weight: \(k) KV heads (as --gqa \(hp.nHead / k))")
        } else {
            nHeadKV = hp.nHead
        }

        if let c = cfg {
            for (what, mine, theirs) in [("n_embd", hp.nEmbd, c.nEmbd), ("n_layer", hp.nLayer, c.nLayer), ("n_head", hp.nHead, c.nHead)] {
                if let t = theirs, t != mine {
                    throw .badData("the --vocab-dir configuration does not match the model: \(what) is \(t) there, \(mine) in the GGML file")
                }
            }
        }
        if hp.nRot != headDim {
            notes.append("n_rot in the file is \(hp.nRot), but n_embd/n_head is \(headDim); writing \(headDim) as llama.cpp does")
        }

        let eps: Double
        if let e = o.eps { eps = e } else if let e = cfg?.rmsNormEps { eps = e } else {
            eps = 5e-6
            notes.append("RMS-norm epsilon not given: using 5e-6 as llama.cpp's converter does (use --eps 1e-6 for LLaMA-1/OpenLLaMA, 1e-5 for Llama-2)")
        }
        let ctx: Int
        if let c = o.contextLength { ctx = c } else if let c = cfg?.contextLength { ctx = c } else {
            ctx = 2048
            notes.append("context length not given: using 2048 (use --context-length 4096 for Llama-2)")
        }

        // 3. Metadata, in the order llama.cpp's converter writes it; our additions at the end.
        var md = GGUFMetadata()
        md["general.architecture"] = .string("llama")
        md["general.name"] = .string(o.name ?? inputName)
        let ftypeName = hp.ftype.enumName ?? "ftype \(hp.ftype.rawValue)"
        md["general.description"] = .string(o.description ?? "converted from legacy \(file.formatName) \(ftypeName) format")
        md["general.file_type"] = .uint32(hp.ftype.rawValue)
        md["llama.context_length"] = .uint32(UInt32(clamping: ctx))
        md["llama.embedding_length"] = .uint32(UInt32(hp.nEmbd))
        md["llama.block_count"] = .uint32(UInt32(hp.nLayer))
        md["llama.feed_forward_length"] = .uint32(UInt32(clamping: nFF))
        md["llama.rope.dimension_count"] = .uint32(UInt32(headDim))
        md["llama.attention.head_count"] = .uint32(UInt32(hp.nHead))
        md["llama.attention.head_count_kv"] = .uint32(UInt32(nHeadKV))
        md["llama.attention.layer_norm_rms_epsilon"] = .float32(Float(eps))
        md["tokenizer.ggml.model"] = .string("llama")
        md["tokenizer.ggml.pre"] = .string("default")

        if let vd = vocabDir {
            let v = vd.vocabulary
            guard v.count == hp.nVocab else {
                throw .badData("the --vocab-dir tokenizer has \(v.count) tokens, the model has n_vocab \(hp.nVocab)")
            }
            md["tokenizer.ggml.tokens"] = .array(elementType: .string, values: v.tokens.map { .string($0) })
            md["tokenizer.ggml.scores"] = .array(elementType: .float32, values: v.scores.map { .float32($0) })
            md["tokenizer.ggml.token_type"] = .array(elementType: .int32, values: v.types.map { .int32($0) })
            let keyName = ["bos": "bos", "eos": "eos", "unk": "unknown", "sep": "seperator", "pad": "padding"]
            for (kind, id) in vd.special.ids {
                md["tokenizer.ggml.\(keyName[kind] ?? kind)_token_id"] = .uint32(UInt32(id))
            }
            if let b = vd.special.addBOS { md["tokenizer.ggml.add_bos_token"] = .bool(b) }
            if let b = vd.special.addEOS { md["tokenizer.ggml.add_eos_token"] = .bool(b) }
            if let t = vd.special.chatTemplate { md["tokenizer.chat_template"] = .string(t) }
        } else {
            guard file.vocab.count >= 3 else { throw .badData("the vocabulary has only \(file.vocab.count) entries") }
            var tokens: [GGUFValue] = [], scores: [GGUFValue] = [], types: [GGUFValue] = []
            tokens.reserveCapacity(file.vocab.count)
            for (i, tok) in file.vocab.enumerated() {
                let (text, type) = ConversionPlan.inferToken(id: i, bytes: tok.bytes)
                tokens.append(.string(text))
                scores.append(.float32(tok.score))
                types.append(.int32(type))
            }
            md["tokenizer.ggml.tokens"] = .array(elementType: .string, values: tokens)
            md["tokenizer.ggml.scores"] = .array(elementType: .float32, values: scores)
            md["tokenizer.ggml.token_type"] = .array(elementType: .int32, values: types)
            md["tokenizer.ggml.unknown_token_id"] = .uint32(0)
            md["tokenizer.ggml.bos_token_id"] = .uint32(1)
            md["tokenizer.ggml.eos_token_id"] = .uint32(2)
        }
        if let base = o.ropeFreqBase ?? cfg?.ropeTheta.flatMap({ $0 == 10000 ? nil : $0 }) {
            md["llama.rope.freq_base"] = .float32(Float(base))
        }
        if let scale = o.ropeFreqScale ?? cfg?.ropeScaleLinear.map({ 1 / $0 }), scale != 1 {
            guard scale > 0 else { throw .usage("--rope-freq-scale must be positive") }
            md["llama.rope.scaling.type"] = .string("linear")
            md["llama.rope.scaling.factor"] = .float32(Float(1 / scale))
        }
        if o.writeQuantizationVersion && planned.contains(where: { $0.0.type.isQuantized }) {
            md["general.quantization_version"] = .uint32(2)
        }
        metadata = md

        let laid = GGUFWriter.layout(planned.map(\.0))
        tensors = zip(laid, planned.map(\.1)).map { ($0, $1) }
    }

    /// Token text and type for a GGML vocabulary entry, as llama.cpp's converter infers them
    /// (LLaMA SentencePiece layout: `<unk>` `<s>` `</s>`, then 256 byte tokens).
    public static func inferToken(id: Int, bytes: [UInt8]) -> ([UInt8], Int32) {
        switch id {
        case 0: return (Array("<unk>".utf8), 2)
        case 1: return (Array("<s>".utf8), 3)
        case 2: return (Array("</s>".utf8), 3)
        default: break
        }
        if bytes.isEmpty { return (bytes, 3) }
        if id <= 258 && bytes.count == 1 {
            let hex = String(bytes[0], radix: 16, uppercase: true)
            return (Array("<0x\(hex.count == 1 ? "0" + hex : hex)>".utf8), 6)
        }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 8)
        for b in bytes {
            if b == 0x20 { out.append(contentsOf: [0xE2, 0x96, 0x81]) } else { out.append(b) }
        }
        return (out, 1)
    }
}
