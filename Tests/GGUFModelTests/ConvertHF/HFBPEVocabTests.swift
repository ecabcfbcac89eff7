import Foundation
import GGUFFormat
import GGUFIO
import GGUFTestSupport
import XCTest
@testable import GGUFModel

/// Checkpoints whose vocabulary is a BPE tokenizer.json only (Llama 3, Qwen2, Qwen3 as they ship), rebuilt
/// in a temp folder from llama.cpp's real vocabularies (Fixtures/tokenizer/vocab/ggml-vocab-*.gguf) as
/// Fixtures/convert-hf/bpe/make_bpe.py builds them, converted and compared with convert_hf_to_gguf.py's
/// sha256 (Fixtures/convert-hf/expected-bpe.txt). The pre-tokenizer is detected from the chktxt hash.
final class HFBPEVocabTests: XCTestCase {
    var dir = ""
    override func setUp() { dir = makeTempDir() }

    static let qwen2Pattern = #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
    static let llama3Pattern = #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#

    /// A JSON string literal (UTF-8 kept, quotes, backslashes and control characters escaped).
    func js(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = [0x22]
        for b in bytes {
            switch b {
            case 0x22: out += [0x5c, 0x22]
            case 0x5c: out += [0x5c, 0x5c]
            case 0..<0x20: out += Array(String(format: "\\u%04x", b).utf8)
            default: out.append(b)
            }
        }
        out.append(0x22)
        return String(decoding: out, as: UTF8.self)
    }
    func js(_ s: String) -> String { js(Array(s.utf8)) }

    func tokenizerJSON(vocab name: String, llama3: Bool, pairs: Bool = false) throws -> String {
        let md = try GGUFReader.read(path: fixturesDir + "/tokenizer/vocab/ggml-vocab-\(name).gguf").metadata
        guard case .array(_, let toks)? = md["tokenizer.ggml.tokens"], case .array(_, let types)? = md["tokenizer.ggml.token_type"],
              case .array(_, let merges)? = md["tokenizer.ggml.merges"] else { throw XCTSkip("vocabulary without tokens") }
        var vocab: [String] = [], added: [String] = []
        for (i, (t, ty)) in zip(toks, types).enumerated() {
            guard case .string(let b) = t, let type = ty.intValue else { continue }
            if type == 1 { vocab.append("\(js(b)):\(i)") }
            if type == 3 {
                added.append(#"{"id":\#(i),"content":\#(js(b)),"single_word":false,"lstrip":false,"rstrip":false,"normalized":false,"special":true}"#)
            }
        }
        let mergeList = merges.compactMap { m -> String? in
            guard case .string(let b) = m else { return nil }
            guard pairs, let sp = b.firstIndex(of: 0x20) else { return js(b) }
            return "[\(js(Array(b[..<sp]))),\(js(Array(b[(sp + 1)...])))]"
        }
        let byteLevel = #"{"type":"ByteLevel","add_prefix_space":false,"trim_offsets":false,"use_regex":false}"#
        let pre = #"{"type":"Sequence","pretokenizers":[{"type":"Split","pattern":{"Regex":\#(js(llama3 ? Self.llama3Pattern : Self.qwen2Pattern))},"behavior":"Isolated","invert":false},\#(byteLevel)]}"#
        let post = llama3
            ? #"{"type":"Sequence","processors":[{"type":"ByteLevel","add_prefix_space":true,"trim_offsets":false,"use_regex":true},{"type":"TemplateProcessing","single":[{"SpecialToken":{"id":"<|begin_of_text|>","type_id":0}},{"Sequence":{"id":"A","type_id":0}}],"pair":[{"SpecialToken":{"id":"<|begin_of_text|>","type_id":0}},{"Sequence":{"id":"A","type_id":0}},{"SpecialToken":{"id":"<|begin_of_text|>","type_id":1}},{"Sequence":{"id":"B","type_id":1}}],"special_tokens":{"<|begin_of_text|>":{"id":"<|begin_of_text|>","ids":[128000],"tokens":["<|begin_of_text|>"]}}}]}"#
            : byteLevel
        return #"{"version":"1.0","truncation":null,"padding":null,"added_tokens":[\#(added.joined(separator: ","))],"normalizer":\#(llama3 ? "null" : #"{"type":"NFC"}"#),"pre_tokenizer":\#(pre),"post_processor":\#(post),"decoder":{"type":"ByteLevel","add_prefix_space":true,"trim_offsets":true,"use_regex":true},"model":{"type":"BPE","dropout":null,"unk_token":null,"continuing_subword_prefix":null,"end_of_word_suffix":null,"fuse_unk":false,"byte_fallback":false,"ignore_merges":\#(llama3),"vocab":{\#(vocab.joined(separator: ","))},"merges":[\#(mergeList.joined(separator: ","))]}}"#
    }

    /// make_bpe.py's `weights` + `write_safetensors`: F16, element k of tensor N is
    /// ((k * 7919 + len(N) * 104729) % 2001 - 1000) / 1024, tensors in sorted name order.
    func writeSafetensors(_ path: String, arch: String, vocabSize: Int) throws {
        let (h, ff, nh, nkv, hd) = (32, 64, 2, 1, 16)
        let p = "model.layers.0."
        var shapes: [String: [Int]] = [
            "model.embed_tokens.weight": [vocabSize, h], "model.norm.weight": [h],
            p + "input_layernorm.weight": [h], p + "post_attention_layernorm.weight": [h],
            p + "self_attn.q_proj.weight": [nh * hd, h], p + "self_attn.k_proj.weight": [nkv * hd, h],
            p + "self_attn.v_proj.weight": [nkv * hd, h], p + "self_attn.o_proj.weight": [h, nh * hd],
            p + "mlp.gate_proj.weight": [ff, h], p + "mlp.up_proj.weight": [ff, h], p + "mlp.down_proj.weight": [h, ff],
        ]
        if arch == "qwen2" {
            shapes[p + "self_attn.q_proj.bias"] = [nh * hd]
            shapes[p + "self_attn.k_proj.bias"] = [nkv * hd]
            shapes[p + "self_attn.v_proj.bias"] = [nkv * hd]
        }
        if arch == "qwen3" {
            shapes[p + "self_attn.q_norm.weight"] = [hd]
            shapes[p + "self_attn.k_norm.weight"] = [hd]
        }
        var header: [String] = [], data: [UInt8] = []
        for name in shapes.keys.sorted() {
            let shape = shapes[name]!
            let count = shape.reduce(1, *)
            let start = data.count
            let salt = name.utf8.count * 104729
            for k in 0..<count {
                let v = Float16(Float((k * 7919 + salt) % 2001 - 1000) / 1024)
                let bits = v.bitPattern
                data.append(UInt8(bits & 0xff)); data.append(UInt8(bits >> 8))
            }
            header.append(#""\#(name)":{"dtype":"F16","shape":[\#(shape.map(String.init).joined(separator: ","))],"data_offsets":[\#(start),\#(data.count)]}"#)
        }
        var hj = Array(("{" + header.joined(separator: ",") + "}").utf8)
        while hj.count % 8 != 0 { hj.append(0x20) }
        var out: [UInt8] = []
        var n = UInt64(hj.count)
        for _ in 0..<8 { out.append(UInt8(n & 0xff)); n >>= 8 }
        out += hj
        out += data
        try Data(out).write(to: URL(fileURLWithPath: path))
    }

    func makeCheckpoint(_ nameAndVariant: String) throws -> String {
        // "NAME+add_prefix_space": NAME in a subfolder, tokenizer_config.json with "add_prefix_space": false
        let parts = nameAndVariant.split(separator: "+").map(String.init)
        // "NAME+pairs": merges written as pairs ([["a","b"], ...]) instead of "a b" strings
        let name = parts[0], prefixSpace = parts.contains("add_prefix_space"), pairs = parts.contains("pairs")
        let (arch, vocab): (String, String) = name.hasPrefix("Llama") ? ("llama3", "llama-bpe") : (name.hasPrefix("Qwen2") ? ("qwen2", "qwen2") : ("qwen3", "qwen2"))
        let d = dir + (prefixSpace ? "/apc/" : pairs ? "/pairs/" : "/") + name
        try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        let llama3 = arch == "llama3"
        try tokenizerJSON(vocab: vocab, llama3: llama3, pairs: pairs).write(toFile: d + "/tokenizer.json", atomically: false, encoding: .utf8)
        let apc = prefixSpace ? #""add_prefix_space": false, "# : ""
        let tc = "{" + apc + (llama3
            ? #""bos_token": "<|begin_of_text|>", "eos_token": "<|end_of_text|>", "tokenizer_class": "PreTrainedTokenizerFast", "model_max_length": 4096}"#
            : #""bos_token": null, "eos_token": "<|im_end|>", "pad_token": "<|endoftext|>", "tokenizer_class": "Qwen2Tokenizer", "model_max_length": 4096}"#)
        try tc.write(toFile: d + "/tokenizer_config.json", atomically: false, encoding: .utf8)
        let base = #""hidden_size": 32, "intermediate_size": 64, "num_attention_heads": 2, "num_key_value_heads": 1, "num_hidden_layers": 1, "max_position_embeddings": 4096, "rms_norm_eps": 1e-06, "tie_word_embeddings": true, "torch_dtype": "float16", "hidden_act": "silu""#
        let vocabSize = llama3 ? 128256 : 151936
        let cfg: String
        switch arch {
        case "llama3": cfg = #"{\#(base), "rope_theta": 500000.0, "architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": 128256, "bos_token_id": 128000, "eos_token_id": 128001}"#
        case "qwen2": cfg = #"{\#(base), "rope_theta": 1000000.0, "architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "vocab_size": 151936, "bos_token_id": 151643, "eos_token_id": 151645}"#
        default: cfg = #"{\#(base), "rope_theta": 1000000.0, "architectures": ["Qwen3ForCausalLM"], "model_type": "qwen3", "vocab_size": 151936, "head_dim": 16, "bos_token_id": 151643, "eos_token_id": 151645}"#
        }
        try cfg.write(toFile: d + "/config.json", atomically: false, encoding: .utf8)
        try writeSafetensors(d + "/model.safetensors", arch: arch, vocabSize: vocabSize)
        return d
    }

    func testBPECheckpointsMatchConvertHF() throws {
        let text = try String(contentsOfFile: fixturesDir + "/convert-hf/expected-bpe.txt", encoding: .utf8)
        var folders: [String: String] = [:]
        var checked = 0
        for line in text.split(separator: "\n") {
            let f = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            let (hash, name, args) = (f[0], f[1], Array(f[2...]))
            if folders[name] == nil { folders[name] = try makeCheckpoint(name) }
            var o = HFConvertOptions()
            o.outType = HFOutType(rawValue: args[1])!
            o.vocabOnly = args.contains("--vocab-only")
            let out = dir + "/\(checked).gguf"
            let plan = try HFConverter.plan(folder: folders[name]!, options: o)
            XCTAssertEqual(plan.metadata.string("tokenizer.ggml.pre"), name.hasPrefix("Llama") ? "llama-bpe" : "qwen2")
            _ = try HFConverter.write(plan: plan, output: out, force: false, progress: false, threads: 2)
            XCTAssertEqual(try sha256File(out), hash, "\(name) \(args.joined(separator: " "))")
            checked += 1
        }
        XCTAssertEqual(checked, 11)
    }

    func testUnknownPreTokenizerIsRefused() throws {
        // the Qwen2 vocabulary under the Llama 3 post-processor adds a BOS: a hash no model has
        let d = try makeCheckpoint("Qwen2-bpe-tiny")
        var tj = try String(contentsOfFile: d + "/tokenizer.json", encoding: .utf8)
        tj = tj.replacingOccurrences(of: #""post_processor":{"type":"ByteLevel","add_prefix_space":false,"trim_offsets":false,"use_regex":false}"#,
                                     with: #""post_processor":{"type":"TemplateProcessing","single":[{"SpecialToken":{"id":"<|endoftext|>","type_id":0}},{"Sequence":{"id":"A","type_id":0}}],"special_tokens":{"<|endoftext|>":{"id":"<|endoftext|>","ids":[151643],"tokens":["<|endoftext|>"]}}}"#)
        try tj.write(toFile: d + "/tokenizer.json", atomically: false, encoding: .utf8)
        XCTAssertThrowsError(try HFConverter.plan(folder: d, options: HFConvertOptions())) { e in
            XCTAssertTrue("\(e)".contains("pre-tokenizer was not recognized"), "\(e)")
        }
    }

    func testSHA256() {
        XCTAssertEqual(SHA256.hex([]), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(SHA256.hex(Array("abc".utf8)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(SHA256.hex(Array(HFVocab.preTokenizerCheckText.utf8)), "a36179c1e2b1cfcfbfad1dc779addad2ffc778201e4cf0d538bddeafa2c526da")
    }
}
