import Foundation
import GGUFFormat
import GGUFIO
import GGUFTestSupport
import XCTest
@testable import GGUFModel

/// Conversions of the synthetic checkpoints of Fixtures/convert-hf compared with llama.cpp's
/// convert_hf_to_gguf.py (expected.txt: the sha256 of its output for each option set).
final class HFConverterTests: XCTestCase {
    var dir = ""
    override func setUp() { dir = makeTempDir() }

    static let checkpoints = fixturesDir + "/convert-hf/checkpoints"

    func options(_ args: [String]) -> HFConvertOptions {
        var o = HFConvertOptions()
        var i = 0
        while i < args.count {
            switch args[i] {
            case "--outtype": o.outType = HFOutType(rawValue: args[i + 1])!; i += 1
            case "--vocab-only": o.vocabOnly = true
            default: XCTFail("unknown option \(args[i])")
            }
            i += 1
        }
        return o
    }

    func testEveryOutTypeMatchesConvertHF() throws {
        let text = try String(contentsOfFile: fixturesDir + "/convert-hf/expected.txt", encoding: .utf8)
        var checked = 0
        for line in text.split(separator: "\n") {
            let f = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            let (hash, name, args) = (f[0], f[1], Array(f[2...]))
            let out = dir + "/\(checked).gguf"
            let plan = try HFConverter.plan(folder: Self.checkpoints + "/" + name, options: options(args))
            _ = try HFConverter.write(plan: plan, output: out, force: false, progress: false, threads: 2)
            XCTAssertEqual(try sha256File(out), hash, "\(name) \(args.joined(separator: " "))")
            checked += 1
        }
        XCTAssertEqual(checked, 36)
    }

    func testPlanOfLlama3() throws {
        let plan = try HFConverter.plan(folder: Self.checkpoints + "/Llama-3.2-1B-Instruct", options: options(["--outtype", "auto"]))
        XCTAssertEqual(plan.fileType, .mostlyBF16)
        XCTAssertEqual(plan.tensors.first?.name, "rope_freqs.weight")
        XCTAssertEqual(plan.tensors.first?.ne, [8])
        XCTAssertEqual(plan.metadata.string("general.basename"), "Llama-3.2")
        XCTAssertEqual(plan.metadata.string("general.finetune"), "1b-Instruct")
        XCTAssertEqual(plan.metadata.string("general.size_label"), "103K")
        XCTAssertEqual(plan.defaultFileName, "Llama-3.2-103K-1b-Instruct-BF16.gguf")
        let q8 = try HFConverter.plan(folder: Self.checkpoints + "/Llama-3.2-1B-Instruct", options: options(["--outtype", "q8_0"]))
        // ffn_down rows are 96 long: a multiple of 32, quantized; norms stay F32.
        XCTAssertEqual(q8.tensors.first { $0.name == "blk.0.ffn_down.weight" }?.type, .q8_0)
        XCTAssertEqual(q8.tensors.first { $0.name == "blk.0.attn_norm.weight" }?.type, .f32)
    }

    func testTensorTypes() {
        XCTAssertEqual(HFConverter.tensorType("blk.0.ffn_down.weight", shape: [64, 40], fileType: .mostlyQ8_0), .f16)
        XCTAssertEqual(HFConverter.tensorType("blk.0.ffn_down.weight", shape: [64, 96], fileType: .mostlyQ8_0), .q8_0)
        XCTAssertEqual(HFConverter.tensorType("blk.0.attn_norm.weight", shape: [64], fileType: .mostlyBF16), .f32)
        XCTAssertEqual(HFConverter.tensorType("blk.0.ffn_gate_inp.weight", shape: [8, 64], fileType: .mostlyF16), .f32)
        XCTAssertEqual(HFConverter.tensorType("blk.0.attn_q.bias", shape: [64, 1], fileType: .mostlyF16), .f32)
        XCTAssertEqual(HFConverter.tensorType("token_embd.weight", shape: [320, 64], fileType: .allF32), .f32)
    }

    func testModelNameHeuristicsMatchGGUFPy() {
        // Values printed by gguf-py's Metadata.get_model_id_components / id_to_title (see the test's comment).
        let cases: [(String, Int, [String?], String)] = [
            ("Llama-3.2-1B-Instruct", 103000, ["Llama-3.2-1B-Instruct", nil, "Llama-3.2", "1b-Instruct", nil, nil], "Llama 3.2 1B Instruct"),
            ("mistralai/Mistral-7B-Instruct-v0.3", 7_200_000_000, ["Mistral-7B-Instruct-v0.3", "mistralai", "Mistral", "Instruct", "v0.3", "7B"], "Mistral 7B Instruct v0.3"),
            ("Qwen2.5-Coder-32B-Instruct-GPTQ-Int4", 32_000_000_000, ["Qwen2.5-Coder-32B-Instruct-GPTQ-Int4", nil, "Qwen2.5-Coder", "Instruct-GPTQ-Int4", nil, "32B"], "Qwen2.5 Coder 32B Instruct GPTQ Int4"),
            ("bloom-7b1", 7_000_000_000, ["bloom-7b1", nil, "bloom", nil, nil, "7.1B"], "Bloom 7b1"),
            ("Mixtral-8x7B-v0.1", 46_000_000_000, ["Mixtral-8x7B-v0.1", nil, "Mixtral", nil, "v0.1", "8x7B"], "Mixtral 8x7B v0.1"),
            ("tiny-mistral", 76000, ["tiny-mistral", nil, nil, nil, nil, nil], "Tiny Mistral"),
            ("SmolLM2-135M", 135_000_000, ["SmolLM2-135M", nil, "SmolLM2", nil, nil, "135M"], "SmolLM2 135M"),
            ("phi-3-mini-128k-instruct", 3_800_000_000, ["phi-3-mini-128k-instruct", nil, "phi-3", "128k-instruct", nil, "mini"], "Phi 3 Mini 128k Instruct"),
            ("gemma-2-9b-it", 9_000_000_000, ["gemma-2-9b-it", nil, "gemma-2", "it", nil, "9B"], "Gemma 2 9b It"),
            ("Meta-Llama-3.1-8B-Instruct-f16", 8_000_000_000, ["Meta-Llama-3.1-8B-Instruct-f16", nil, "Meta-Llama-3.1", "Instruct", nil, "8B"], "Meta Llama 3.1 8B Instruct F16"),
        ]
        for (id, params, want, title) in cases {
            let c = HFModelName.components(of: id, totalParams: params)
            XCTAssertEqual([c.fullName, c.org, c.basename, c.finetune, c.version, c.sizeLabel], want, id)
            XCTAssertEqual(HFModelName.title(c.fullName!), title, id)
        }
        XCTAssertEqual(HFModelName.sizeLabel(total: 103000, shared: 103000, expert: 0, expertCount: 0), "103K")
        XCTAssertEqual(HFModelName.sizeLabel(total: 999_500, shared: 999_500, expert: 0, expertCount: 0), "1000K")
        XCTAssertEqual(HFModelName.sizeLabel(total: 1_234_567_890, shared: 1_234_567_890, expert: 0, expertCount: 0), "1.2B")
        XCTAssertEqual(HFModelName.sizeLabel(total: 46_700_000_000, shared: 1_600_000_000, expert: 5_600_000_000, expertCount: 8), "8x7.2B")
        XCTAssertEqual(HFModelName.sizeLabel(total: 7_500_000, shared: 7_500_000, expert: 0, expertCount: 0), "7.5M")
    }

    // MARK: refusals

    func copyCheckpoint(_ name: String) -> String {
        let d = dir + "/" + name
        try! FileManager.default.copyItem(atPath: Self.checkpoints + "/" + name, toPath: d)
        return d
    }

    func editConfig(_ d: String, _ edit: (inout [String: Any]) -> Void) throws {
        let p = d + "/config.json"
        var c = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: p))) as! [String: Any]
        edit(&c)
        try JSONSerialization.data(withJSONObject: c).write(to: URL(fileURLWithPath: p))
    }

    func expectRefusal(_ d: String, _ fragment: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try HFConverter.plan(folder: d, options: options(["--outtype", "f16"])), file: file, line: line) { e in
            XCTAssertTrue("\(e)".contains(fragment), "\(e) lacks '\(fragment)'", file: file, line: line)
        }
    }

    func testRefusesUnknownArchitectureNamingTheSupported() throws {
        let d = copyCheckpoint("Llama-3.2-1B-Instruct")
        try editConfig(d) { $0["architectures"] = ["FalconForCausalLM"] }
        expectRefusal(d, "FalconForCausalLM is not supported; supported: LlamaForCausalLM, MistralForCausalLM")
    }

    func testRefusesShapeContradictingConfig() throws {
        let d = copyCheckpoint("Llama-3.2-1B-Instruct")
        try editConfig(d) { $0["intermediate_size"] = 128 }
        expectRefusal(d, "implies blk.0.ffn_down.weight")
        let d2 = copyCheckpoint("tiny-mistral")
        try editConfig(d2) { $0["num_attention_heads"] = 3 }
        expectRefusal(d2, "heads")
    }

    func testRefusesPickleCheckpoints() throws {
        let d = copyCheckpoint("Llama-3.2-1B-Instruct")
        try FileManager.default.removeItem(atPath: d + "/model.safetensors")
        FileManager.default.createFile(atPath: d + "/pytorch_model.bin", contents: Data([0x80, 0x02, 0x63]))
        expectRefusal(d, "pickle")
    }

    func testRefusesTruncatedShard() throws {
        let d = copyCheckpoint("tiny-mistral")
        let p = d + "/model-00002-of-00002.safetensors"
        let data = try Data(contentsOf: URL(fileURLWithPath: p))
        try data.prefix(data.count - 100).write(to: URL(fileURLWithPath: p))
        expectRefusal(d, "truncated")
    }

    func testRefusesMissingShard() throws {
        let d = copyCheckpoint("tiny-mistral")
        try FileManager.default.removeItem(atPath: d + "/model-00002-of-00002.safetensors")
        expectRefusal(d, "model-00002-of-00002.safetensors")
    }

    func testRefusesUnsupportedDType() throws {
        let d = copyCheckpoint("Llama-3.2-1B-Instruct")
        let p = d + "/model.safetensors"
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: p)))
        // Rename the dtype of one tensor in the header: "BF16" -> "I16 " keeps the header length.
        let header = Array(bytes[8..<(8 + Int(bytes[0]) + Int(bytes[1]) << 8)])
        let text = String(decoding: header, as: UTF8.self).replacingOccurrences(of: "\"BF16\"", with: "\"I16\" ")
        bytes.replaceSubrange(8..<(8 + header.count), with: Array(text.utf8))
        try Data(bytes).write(to: URL(fileURLWithPath: p))
        expectRefusal(d, "has dtype I16")
    }

    func testRefusesExistingOutputWithoutForce() throws {
        let out = dir + "/o.gguf"
        FileManager.default.createFile(atPath: out, contents: Data([1]))
        let plan = try HFConverter.plan(folder: Self.checkpoints + "/tiny-mistral", options: options(["--outtype", "f16"]))
        XCTAssertThrowsError(try HFConverter.write(plan: plan, output: out, force: false, progress: false))
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: out)), Data([1]))
    }
}

/// Split outputs compared with convert_hf_to_gguf.py's (expected-split.txt: the sha256 of each part).
final class HFConverterSplitTests: XCTestCase {
    func testSplitPartsMatchConvertHF() throws {
        let dir = makeTempDir()
        let text = try String(contentsOfFile: fixturesDir + "/convert-hf/expected-split.txt", encoding: .utf8)
        var byRun: [String: [(Int, String)]] = [:]
        var order: [String] = []
        for line in text.split(separator: "\n") {
            let f = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            let key = ([f[1]] + f[3...]).joined(separator: " ")
            if byRun[key] == nil { order.append(key) }
            byRun[key, default: []].append((Int(f[2].split(separator: "/")[0])!, f[0]))
        }
        for (k, key) in order.enumerated() {
            let f = key.split(separator: " ").map(String.init)
            var o = HFConvertOptions()
            var i = 1
            while i < f.count {
                switch f[i] {
                case "--outtype": o.outType = HFOutType(rawValue: f[i + 1])!
                case "--split-max-tensors": o.splitMaxTensors = Int(f[i + 1])!
                case "--split-max-size": o.splitMaxSize = HFConvertOptions.parseSize(f[i + 1])!
                default: XCTFail(f[i])
                }
                i += 2
            }
            let plan = try HFConverter.plan(folder: HFConverterTests.checkpoints + "/" + f[0], options: o)
            let out = dir + "/\(k)/model.gguf"
            try FileManager.default.createDirectory(atPath: dir + "/\(k)", withIntermediateDirectories: true)
            _ = try HFConverter.write(plan: plan, output: out, force: false, progress: false)
            let paths = plan.partPaths(out)
            XCTAssertEqual(paths.count, byRun[key]!.count, key)
            for (part, hash) in byRun[key]! {
                XCTAssertEqual(try sha256File(paths[part - 1]), hash, "\(key) part \(part)")
            }
        }
        XCTAssertEqual(HFConvertOptions.parseSize("60K"), 60000)
        XCTAssertEqual(HFConvertOptions.parseSize("2G"), 2_000_000_000)
        XCTAssertNil(HFConvertOptions.parseSize("2X"))
    }
}

/// `ggufkit convert HF_DIR` end to end on the built binary.
final class HFConvertCLITests: XCTestCase {
    func testDefaultNameTemplatesAndExitCodes() throws {
        let dir = makeTempDir()
        let src = HFConverterTests.checkpoints + "/tiny-mistral"
        var r = try runGGUFKit(["convert", src, dir, "--outtype", "q8_0", "--no-progress"])
        XCTAssertEqual(r.status, 0, r.stderr)
        // convert_hf_to_gguf.py's name for this folder: basename, size label, fine-tune, version, type.
        let listing = (try? FileManager.default.contentsOfDirectory(atPath: dir))?.joined(separator: ",") ?? ""
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/Mistral-76K-7b-Instruct-v0.3-Q8_0.gguf"), listing)
        r = try runGGUFKit(["convert", src, "--outfile", dir + "/m-{ftype}.gguf", "--no-progress"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/m-f16.gguf"))
        r = try runGGUFKit(["convert", src, "--outfile", dir + "/m-{ftype}.gguf", "--no-progress"])
        XCTAssertEqual(r.status, 64, "exists without --force")
        r = try runGGUFKit(["convert", src, dir + "/x.gguf", "--outtype", "q4_0"])
        XCTAssertEqual(r.status, 64)
        XCTAssertTrue(r.stderr.contains("--outtype q4_0"), r.stderr)
        let bad = dir + "/bad"
        try FileManager.default.createDirectory(atPath: bad, withIntermediateDirectories: true)
        try Data(#"{"architectures": ["GPT2LMHeadModel"]}"#.utf8).write(to: URL(fileURLWithPath: bad + "/config.json"))
        r = try runGGUFKit(["convert", bad, dir + "/y.gguf"])
        XCTAssertEqual(r.status, 64)
        XCTAssertEqual(r.errorLines.count, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("GPT2LMHeadModel is not supported; supported: LlamaForCausalLM"), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/y.gguf"))
    }
}

/// Checkpoints with extra files (variants/: model cards, a tokenizer.json with TemplateProcessing and a
/// chat_template.jinja) compared with convert-hf (expected-variants.txt).
final class HFModelCardTests: XCTestCase {
    func testVariantsMatchConvertHF() throws {
        let text = try String(contentsOfFile: fixturesDir + "/convert-hf/expected-variants.txt", encoding: .utf8)
        var checked = 0
        for line in text.split(separator: "\n") {
            let f = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            let dir = makeTempDir() + "/" + f[1]
            try FileManager.default.copyItem(atPath: HFConverterTests.checkpoints + "/" + f[1], toPath: dir)
            let variant = fixturesDir + "/convert-hf/variants/" + f[2]
            for file in try FileManager.default.contentsOfDirectory(atPath: variant) {
                try? FileManager.default.removeItem(atPath: dir + "/" + file)
                try FileManager.default.copyItem(atPath: variant + "/" + file, toPath: dir + "/" + file)
            }
            var o = HFConvertOptions()
            o.outType = .f16
            o.vocabOnly = true
            let plan = try HFConverter.plan(folder: dir, options: o)
            XCTAssertEqual(plan.notes, [])
            let out = dir + ".gguf"
            _ = try HFConverter.write(plan: plan, output: out, force: false, progress: false)
            XCTAssertEqual(try sha256File(out), f[0], f[2])
            checked += 1
        }
        XCTAssertEqual(checked, 4)
    }

    func testYAMLSubset() {
        let c = HFModelCard.parse("---\nlicense: mit\nlanguage: [en, 'fr']\ntags:\n- a\n- no\nn: 3\nf: 1.5\nb: yes\nnested:\n  x: 1\n---\n")!
        XCTAssertEqual(c["license"], .string("mit"))
        XCTAssertEqual(c["language"], .array([.string("en"), .string("fr")]))
        XCTAssertEqual(c["tags"], .array([.string("a"), .string("no")]))
        XCTAssertEqual(c["n"], .int(3))
        XCTAssertEqual(c["f"], .double(1.5))
        XCTAssertEqual(c["b"], .bool(true))
        XCTAssertTrue(c.unreadable.contains("nested"))
        XCTAssertNil(HFModelCard.parse("no front matter\n"))
    }
}
