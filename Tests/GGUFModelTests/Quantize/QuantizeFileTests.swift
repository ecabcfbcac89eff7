import Foundation
import GGUFTestSupport
import XCTest
@testable import GGUFFormat
import GGUFIO
@testable import GGUFModel

/// Whole-file byte identity with llama-quantize (Fixtures/quantize/expected.tsv, made by make_expected.sh).
final class QuantizeFileTests: XCTestCase {
    static let models: [String: SyntheticModel] = {
        var gqa = SyntheticModel()
        (gqa.dim, gqa.layers, gqa.heads, gqa.kvHeads, gqa.ffn, gqa.vocab, gqa.type, gqa.seed) = (256, 8, 8, 1, 320, 512, .f16, 1)
        var tied = SyntheticModel()
        (tied.dim, tied.layers, tied.heads, tied.kvHeads, tied.ffn, tied.vocab, tied.type, tied.seed, tied.tied) = (256, 4, 4, 4, 512, 300, .f32, 2, true)
        var bf = SyntheticModel()
        (bf.dim, bf.layers, bf.heads, bf.kvHeads, bf.ffn, bf.vocab, bf.type, bf.seed) = (512, 2, 8, 2, 768, 512, .bf16, 3)
        return ["gqa8": gqa, "tied32": tied, "bf16": bf]
    }()

    var dir = ""
    // No fsync for the throwaway outputs (the durability of commit() is not what these tests check).
    override func setUp() { dir = makeTempDir(); AtomicOutput.syncToDisk = false }
    override func tearDown() { AtomicOutput.syncToDisk = true }

    func sha(_ path: String) -> String { sha256Hex([UInt8](FileManager.default.contents(atPath: path)!)) }

    /// The committed fortune-llama F16 GGMLv3 fixture, decompressed into the test folder (quantize needs
    /// an uncompressed input).
    func decompressedFortuneF16(named name: String) throws -> String {
        let src = try openSource(path: fixturesDir + "/ggml/fortune-llama-f16.ggmlv3.bin.zst")
        let r = Reader(src)
        var bytes: [UInt8] = []
        while try !r.isAtEnd() { bytes += try r.readBytes(min(1 << 20, (src.size ?? 0) - bytes.count), "data") }
        let bin = dir + "/" + name
        try Data(bytes).write(to: URL(fileURLWithPath: bin))
        return bin
    }

    /// Parses llama-quantize style options into our options.
    func options(_ text: String) throws -> QuantizeOptions {
        var o = QuantizeOptions()
        o.progress = false
        o.force = true
        let a = text.split(separator: " ").map(String.init)
        var i = 0
        while i < a.count {
            switch a[i] {
            case "--pure": o.mix.pure = true
            case "--leave-output-tensor": o.mix.leaveOutputTensor = true
            case "--allow-requantize": o.mix.allowRequantize = true
            case "--output-tensor-type": i += 1; o.mix.outputTensorType = GGMLType(name: a[i])
            case "--token-embedding-type": i += 1; o.mix.tokenEmbeddingType = GGMLType(name: a[i])
            case "--tensor-type": i += 1; o.mix.tensorTypeOverrides.append(try TensorTypeOverride(parsing: a[i]))
            case "--override-kv": i += 1; o.overrides.append(try KVOverride(parsing: a[i]))
            default: XCTFail("unknown option \(a[i])")
            }
            i += 1
        }
        return o
    }

    func quantize(_ input: String, _ type: String, _ opts: String, output: String) throws {
        let o = try options(opts)
        let plan = try QuantizePlan(source: try QuantizeSource.open(input), target: try QuantizeTarget(parsing: type), options: o)
        _ = try Quantizer.run(plan: plan, output: output, options: o)
    }

    func testByteIdenticalToLlamaQuantize() throws {
        let lines = try String(contentsOfFile: fixturesDir + "/quantize/expected.tsv", encoding: .utf8)
            .split(separator: "\n").filter { !$0.hasPrefix("#") }
        XCTAssertEqual(lines.count, 61)
        var written: Set<String> = []
        var same = 0
        for line in lines {
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            let (name, modelSHA, type, opts, expected) = (f[0], f[1], f[2], f[3], f[4])
            var input = dir + "/\(name).gguf"
            if name == "gqa8>Q8_0" {
                input = dir + "/gqa8-q8_0.gguf"
                if !written.contains(input) { try quantize(dir + "/gqa8.gguf", "Q8_0", "", output: input); written.insert(input) }
            } else if !written.contains(input) {
                try Self.models[name]!.write(to: input)
                written.insert(input)
            }
            XCTAssertEqual(sha(input), modelSHA, "the synthetic model \(name) is deterministic")
            let out = dir + "/out.gguf"
            try quantize(input, type, opts, output: out)
            XCTAssertEqual(sha(out), expected, "\(name) \(type) \(opts)")
            if sha(out) == expected { same += 1 }
        }
        XCTAssertEqual(same, 61)
    }

    /// The fortune-llama F16 file (converted from the committed GGMLv3 fixture) to the four current-quantizer
    /// types shipped in ../shared, whose digests are in Fixtures/quantize/fortune-expected.tsv.
    func testFortuneLlamaFromGGMLInput() throws {
        let lines = try String(contentsOfFile: fixturesDir + "/quantize/fortune-expected.tsv", encoding: .utf8)
            .split(separator: "\n").filter { !$0.hasPrefix("#") }
        XCTAssertEqual(lines.count, 14)
        // A GGML .bin input goes through the converter's plan (here decompressed first: quantize needs a plain file).
        let bin = try decompressedFortuneF16(named: "fortune-llama-f16.ggmlv3.bin")
        var o = QuantizeOptions()
        o.progress = false
        o.convert.gqa = 1; o.convert.eps = 1e-5; o.convert.contextLength = 256
        o.convert.name = "fortune-llama-f16.ggmlv3.bin"
        for line in lines {
            let f = line.split(separator: "\t").map(String.init)
            let plan = try QuantizePlan(source: try QuantizeSource.open(bin, convertOptions: o.convert),
                                        target: try QuantizeTarget(parsing: f[0]), options: o)
            let out = dir + "/q.gguf"
            o.force = true
            _ = try Quantizer.run(plan: plan, output: out, options: o)
            XCTAssertEqual(sha(out), f[1], f[0])
        }
    }

    func testRefusals() throws {
        let m = dir + "/m.gguf"
        try Self.models["gqa8"]!.write(to: m)
        let q8 = dir + "/q8.gguf"
        try quantize(m, "Q8_0", "", output: q8)
        XCTAssertThrowsError(try quantize(q8, "Q4_K_M", "", output: dir + "/x.gguf")) { e in
            XCTAssertTrue("\(e)".contains("--allow-requantize"), "\(e)")
        }
        XCTAssertThrowsError(try QuantizeTarget(parsing: "Q9_K"))
        XCTAssertEqual(try QuantizeTarget(parsing: "q4_k"), .q4_K_M)
        XCTAssertEqual(try QuantizeTarget(parsing: "15"), .q4_K_M)
        XCTAssertThrowsError(try quantize(m, "Q4_0", "", output: m)) { e in XCTAssertTrue("\(e)".contains("same file")) }
        let zst = fixturesDir + "/ggml/fortune-llama-q4_0.ggmlv3.bin.zst"
        XCTAssertThrowsError(try QuantizeSource.open(zst)) { e in XCTAssertTrue("\(e)".contains("uncompressed"), "\(e)") }
        XCTAssertThrowsError(try KVOverride(parsing: "x=int")) { e in XCTAssertTrue("\(e)".contains("--override-kv")) }
        XCTAssertEqual(try KVOverride(parsing: "a.b=int:-7").value, .uint32(7))
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/x.gguf"))
    }

    /// Weights beyond fp16's range: llama-quantize refuses Q4_0 at token_embd and F16 at output.weight
    /// ("quantized data validation failed", checked with the oracle on this model); Q8_0's scales still fit.
    /// No output is left behind.
    func testRefusesNonFiniteScales() throws {
        var big = SyntheticModel()
        (big.layers, big.type, big.scale) = (1, .f32, 1e6)
        let m = dir + "/big.gguf"
        try big.write(to: m)
        for (type, tensor) in [("Q4_0", "token_embd.weight"), ("F16", "output.weight")] {
            let out = dir + "/big-\(type).gguf"
            XCTAssertThrowsError(try quantize(m, type, "", output: out)) { e in
                XCTAssertTrue("\(e)".hasPrefix("\(m): tensor '\(tensor)', row 0 (data at offset "), "\(e)")
                XCTAssertTrue("\(e)".contains("quantized data validation failed: found inf value at block 0"), "\(e)")
            }
            XCTAssertFalse(FileManager.default.fileExists(atPath: out))
        }
        XCTAssertNoThrow(try quantize(m, "Q8_0", "", output: dir + "/big-Q8_0.gguf"))
    }

    func testPlanSizesMatchTheWrittenFile() throws {
        let m = dir + "/m.gguf"
        try Self.models["tied32"]!.write(to: m)
        var o = QuantizeOptions()
        o.progress = false
        let plan = try QuantizePlan(source: try QuantizeSource.open(m), target: .q4_K_M, options: o)
        let out = dir + "/o.gguf"
        _ = try Quantizer.run(plan: plan, output: out, options: o)
        let size = try FileManager.default.attributesOfItem(atPath: out)[.size] as! Int
        XCTAssertEqual(plan.outputFileBytes, size)
        let g = try GGUFReader.read(path: out)
        XCTAssertEqual(Array(g.metadata.keys.suffix(2)), ["general.quantization_version", "general.file_type"])
        XCTAssertEqual(g.metadata["general.file_type"], .uint32(15))
        XCTAssertEqual(g.tensors.first?.name, "output_norm.weight", "llama-quantize's sorted order")
    }

    /// `--mix 2023` gives the per-tensor types of the 2023 tool's own Q4_K_M file (bytes differ: the
    /// k-quant search loops changed since).
    func testMix2023MatchesTheGGMLv3File() throws {
        let bin = try decompressedFortuneF16(named: "f16.bin")
        var o = QuantizeOptions()
        o.era = .v2023
        o.convert.gqa = 1
        let plan = try QuantizePlan(source: try QuantizeSource.open(bin, convertOptions: o.convert), target: .q4_K_M, options: o)
        let ref = try GGMLReader.scan(path: fixturesDir + "/ggml/fortune-llama-q4_K_M.ggmlv3.bin.zst")
        var checked = 0
        for rec in ref.tensors {
            let name = LlamaTensorNames.gguf(fromGGML: rec.name)!
            XCTAssertEqual(plan.mix[name]?.rawValue, rec.typeID, name)
            checked += 1
        }
        XCTAssertEqual(checked, 39)
    }
}
