import Foundation
import GGUFTestSupport
import XCTest
@testable import GGUFFormat
import GGUFIO
@testable import GGUFModel

final class ConvertTests: XCTestCase {
    var dir = ""
    override func setUp() { dir = makeTempDir() }

    func convert(_ input: String, _ args: [String] = [], output: String? = nil, qv: Bool = false, force: Bool = true) throws -> (String, ConversionPlan) {
        var o = ConvertOptions()
        o.writeQuantizationVersion = qv
        var i = 0
        while i < args.count {
            let v = i + 1 < args.count ? args[i + 1] : ""
            switch args[i] {
            case "--gqa": o.gqa = Int(v)
            case "--eps": o.eps = Double(v)
            case "--context-length": o.contextLength = Int(v)
            case "--vocab-dir": o.vocabDir = v.hasPrefix("/") ? v : fixturesDir + "/convert/" + v
            case "--rope-freq-base": o.ropeFreqBase = Double(v)
            case "--rope-freq-scale": o.ropeFreqScale = Double(v)
            default: XCTFail("unknown flag \(args[i])")
            }
            i += 2
        }
        let out = output ?? dir + "/out.gguf"
        let plan = try Converter.plan(input: input, options: o)
        _ = try Converter.write(plan: plan, input: input, output: out, force: force, progress: false)
        return (out, plan)
    }

    func sha(_ path: String) -> String { sha256Hex([UInt8](FileManager.default.contents(atPath: path)!)) }

    func writeModel(_ b: GGMLBuilder) -> String {
        let p = dir + "/in-\(UUID().uuidString.prefix(8)).bin"
        try! Data(b.bytes()).write(to: URL(fileURLWithPath: p))
        return p
    }

    /// Committed fixtures (zstd-compressed GGMLv3 files): byte-identical to llama.cpp's own conversion.
    func testFixturesConvertByteIdenticalToLlamaCpp() throws {
        let lines = try String(contentsOfFile: fixturesDir + "/convert/expected.tsv", encoding: .utf8)
            .split(separator: "\n").filter { !$0.hasPrefix("#") }
        XCTAssertEqual(lines.count, 5)
        for line in lines {
            let f = line.split(separator: "\t").map(String.init)
            let (out, _) = try convert(fixturesDir + "/ggml/" + f[0], f[1].split(separator: " ").map(String.init))
            XCTAssertEqual(sha(out), f[2], "\(f[0]) \(f[1])")
        }
    }

    func testQuantizationVersionIsAppendedOnlyForQuantizedFiles() throws {
        let (plain, _) = try convert(fixturesDir + "/ggml/fortune-llama-q4_0.ggmlv3.bin.zst", ["--gqa", "1"], output: dir + "/a.gguf")
        let (withQV, _) = try convert(fixturesDir + "/ggml/fortune-llama-q4_0.ggmlv3.bin.zst", ["--gqa", "1"], output: dir + "/b.gguf", qv: true)
        let a = try GGUFReader.read(path: plain), b = try GGUFReader.read(path: withQV)
        XCTAssertEqual(b.metadata.keys, a.metadata.keys + ["general.quantization_version"])
        XCTAssertEqual(b.metadata["general.quantization_version"], .uint32(2))
        let (f16, _) = try convert(fixturesDir + "/ggml/fortune-llama-f16.ggmlv3.bin.zst", [], output: dir + "/c.gguf", qv: true)
        XCTAssertFalse(try GGUFReader.read(path: f16).metadata.contains("general.quantization_version"))
    }

    /// Every case of ../shared/fixtures/refs/convert_cases.tsv (skipped without ../shared).
    func testSharedConvertCases() throws {
        guard let shared = sharedFixturesDir else { throw XCTSkip("../shared not present") }
        let manifest = try String(contentsOfFile: shared + "/MANIFEST.tsv", encoding: .utf8).split(separator: "\n")
            .reduce(into: [String: String]()) { m, l in let f = l.split(separator: "\t"); if f.count == 5 { m[String(f[0])] = String(f[4]) } }
        var same = 0, refused = 0
        for line in try String(contentsOfFile: shared + "/refs/convert_cases.tsv", encoding: .utf8).split(separator: "\n") {
            var text = String(line)
            var v1 = false
            if text.hasPrefix("#trained/ggml/fortune-llama-f16.convertpy") { text.removeFirst(); v1 = true }
            if text.hasPrefix("#trained/ggml/fortune-llama-q4_K_M.ggmlv3.bin\t--vocab-dir") { text.removeFirst() }
            if text.hasPrefix("#") { continue }
            let f = text.split(separator: "\t").map(String.init)
            var args = f[1].split(separator: " ").map(String.init)
            if let i = args.firstIndex(of: "--vocab-dir") { args[i + 1] = shared + "/" + args[i + 1] }
            if f[3] == "refuse" {
                XCTAssertThrowsError(try convert(shared + "/" + f[0], args, output: dir + "/refused.gguf")) { e in
                    XCTAssertTrue("\(e)".contains("not a multiple of the"), "\(e)")
                }
                XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/refused.gguf"), "no output after a refusal")
                refused += 1
            } else {
                let (out, _) = try convert(shared + "/" + f[0], args)
                if v1 {
                    // The v1 reference is not shipped; its digest is in refs/gguf_tensors.json.
                    let refs = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: shared + "/refs/gguf_tensors.json"))) as! [String: Any]
                    let ref = refs["trained/gguf/fortune-llama-f16.convertpy.ggjtv1.gguf"] as? [String: Any]
                    XCTAssertEqual(sha(out), ref?["sha256"] as? String)
                } else {
                    XCTAssertEqual(sha(out), manifest[f[2]], f[0])
                }
                same += 1
            }
        }
        XCTAssertEqual(same, 21)
        XCTAssertEqual(refused, 2)
    }

    func testOlderContainersConvertUnquantizedFiles() throws {
        for c in [GGMLBuilder.Container.ggml, .ggmf, .ggjt(1), .ggjt(2)] {
            var b = GGMLBuilder(container: c, ftype: 0)
            b.addLlamaTensors()
            let (out, plan) = try convert(writeModel(b), ["--eps", "1e-6"])
            let g = try GGUFReader.read(path: out)
            XCTAssertEqual(g.tensors.count, 12)
            XCTAssertEqual(g.metadata.string("general.description"), "converted from legacy \(plan.source.formatName) ALL_F32 format")
            let tokens = g.metadata["tokenizer.ggml.tokens"]!.arrayValue!
            XCTAssertEqual(tokens[0].stringValue, "<unk>")
            XCTAssertEqual(tokens[13].stringValue, "<0x0A>")
            XCTAssertEqual(tokens[259].stringValue, "▁tok259")
            XCTAssertEqual(g.metadata["tokenizer.ggml.token_type"]!.arrayValue![13], .int32(6))
            XCTAssertEqual(g.metadata["llama.attention.layer_norm_rms_epsilon"], .float32(1e-6))
            // Data copied byte for byte.
            let src = [UInt8](FileManager.default.contents(atPath: writeModel(b))!)
            let dst = [UInt8](FileManager.default.contents(atPath: out)!)
            let rec = plan.source.tensors[3], t = g.tensors[3]
            XCTAssertEqual(Array(src[rec.dataOffset..<(rec.dataOffset + rec.byteCount)]),
                           Array(dst[(g.dataOffset + t.offset)..<(g.dataOffset + t.offset + t.byteCount)]))
        }
    }

    func testRefusesOldQuantLayoutsLikeLlamaCpp() {
        for (v, why) in [(UInt32(1), "#1405"), (2, "#1508")] {
            var b = GGMLBuilder(container: .ggjt(v), ftype: 2)
            b.addLlamaTensors(type: 2, bytesPerElement: 20.0 / 32)
            XCTAssertThrowsError(try convert(writeModel(b))) { e in
                XCTAssertTrue("\(e)".contains(why) && "\(e)".contains("cannot convert"), "\(e)")
            }
        }
        var q5 = GGMLBuilder(container: .ggjt(2), ftype: 8)
        q5.addLlamaTensors(type: 6, bytesPerElement: 22.0 / 32)
        XCTAssertNoThrow(try convert(writeModel(q5)), "ggjt v2 Q5_0 has today's layout")
    }

    func testRefusesMisPackedRows() {
        var b = GGMLBuilder(container: .ggjt(3), ftype: 2)
        b.addLlamaTensors(type: 2, bytesPerElement: 18.0 / 32, nFF: 172)
        XCTAssertThrowsError(try convert(writeModel(b))) { e in
            XCTAssertTrue("\(e)".contains("'layers.0.feed_forward.w2.weight' has rows of 172 values"), "\(e)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/out.gguf"))
    }

    func testGQADetectedFromShapesAndCheckedAgainstFlag() throws {
        var b = GGMLBuilder(container: .ggjt(3), nEmbd: 64, nHead: 8)
        b.addLlamaTensors(kvRows: 8)  // head dim 8 → 1 KV head: n_gqa 8
        let input = writeModel(b)
        let (out, plan) = try convert(input)
        XCTAssertEqual(plan.nHeadKV, 1)
        XCTAssertTrue(plan.notes.contains { $0.contains("--gqa 8") }, "\(plan.notes)")
        XCTAssertEqual(try GGUFReader.read(path: out).metadata["llama.attention.head_count_kv"], .uint32(1))
        XCTAssertThrowsError(try convert(input, ["--gqa", "2"])) { e in
            XCTAssertTrue("\(e)".contains("use --gqa 8"), "\(e)")
        }
        XCTAssertNoThrow(try convert(input, ["--gqa", "8"]))
        XCTAssertThrowsError(try convert(input, ["--gqa", "3"])) { e in XCTAssertTrue("\(e)".contains("does not divide")) }
    }

    func testRopeAndContextOptions() throws {
        var b = GGMLBuilder(container: .ggjt(3))
        b.addLlamaTensors()
        let (out, plan) = try convert(writeModel(b), ["--rope-freq-base", "1000000", "--rope-freq-scale", "0.25", "--context-length", "16384"])
        let m = try GGUFReader.read(path: out).metadata
        XCTAssertEqual(m["llama.rope.freq_base"], .float32(1e6))
        XCTAssertEqual(m["llama.rope.scaling.type"], .string("linear"))
        XCTAssertEqual(m["llama.rope.scaling.factor"], .float32(4))
        XCTAssertEqual(m["llama.context_length"], .uint32(16384))
        XCTAssertEqual(Array(m.keys.suffix(3)), ["llama.rope.freq_base", "llama.rope.scaling.type", "llama.rope.scaling.factor"], "additions go last")
        XCTAssertTrue(plan.notes.contains { $0.contains("5e-6") }, "default epsilon is announced")
    }

    func testTruncatedInputIsRefusedAndNothingIsWritten() throws {
        var b = GGMLBuilder(container: .ggjt(3))
        b.addLlamaTensors()
        let p = dir + "/short.bin"
        try Data(b.bytes().dropLast()).write(to: URL(fileURLWithPath: p))
        XCTAssertThrowsError(try convert(p)) { e in XCTAssertTrue("\(e)".contains("truncated"), "\(e)") }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), ["short.bin"])
    }

    func testOutputSafety() throws {
        var b = GGMLBuilder(container: .ggjt(3))
        b.addLlamaTensors()
        let input = writeModel(b)
        let before = sha(input)
        _ = try convert(input)
        XCTAssertThrowsError(try convert(input, force: false)) { e in XCTAssertTrue("\(e)".contains("--force")) }
        XCTAssertThrowsError(try convert(input, output: input)) { e in XCTAssertTrue("\(e)".contains("same file as the input")) }
        XCTAssertEqual(sha(input), before, "input untouched")
    }

    func testVocabDirectoryReadsSentencePieceModel() throws {
        let vd = try VocabDirectory.load(fixturesDir + "/convert/fortune-hf")
        XCTAssertEqual(vd.vocabulary.count, 512)
        XCTAssertEqual(vd.vocabulary.tokens[13], Array("<0x0A>".utf8))
        XCTAssertEqual(vd.vocabulary.types[0], 2)
        XCTAssertEqual(vd.special.ids.map(\.kind), ["bos", "eos"])
        XCTAssertEqual(vd.config?.contextLength, 256)
        XCTAssertThrowsError(try VocabDirectory.load(dir)) { e in XCTAssertTrue("\(e)".contains("no tokenizer.model")) }
    }
}
