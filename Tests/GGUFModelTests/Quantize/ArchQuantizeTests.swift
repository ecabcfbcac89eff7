import Foundation
import GGUFTestSupport
import XCTest
@testable import GGUFFormat
import GGUFIO
@testable import GGUFModel

/// Whole-file byte identity with llama-quantize for synthetic models of many architectures
/// (Fixtures/quantize/archs: `*.spec` from make_specs.py, `expected.tsv` from make_expected.sh).
final class ArchQuantizeTests: XCTestCase {
    static let archDir = fixturesDir + "/quantize/archs"

    var dir = ""
    override func setUp() { dir = makeTempDir() }

    func sha(_ path: String) -> String { sha256Hex([UInt8](FileManager.default.contents(atPath: path)!)) }

    /// Quantizes one model to each of `types` (no fsync: hundreds of throwaway files) and returns the sha256s.
    func quantizeAll(_ input: String, _ types: [String], name: String) throws -> [String] {
        AtomicOutput.syncToDisk = false
        defer { AtomicOutput.syncToDisk = true }
        var o = QuantizeOptions()
        o.progress = false
        o.force = true
        let source = try QuantizeSource.open(input)
        return try types.map { type in
            let out = dir + "/\(name)-out.gguf"
            let plan: QuantizePlan
            do { plan = try QuantizePlan(source: source, target: try QuantizeTarget(parsing: type), options: o) } catch {
                return "REFUSED \(error)"   // as llama-quantize refuses (expected-grid.tsv: Q1_0 without a fallback)
            }
            XCTAssertTrue(plan.mix.knownArchitecture, name)
            _ = try Quantizer.run(plan: plan, output: out, options: o)
            return sha(out)
        }
    }

    /// The spec's model, written once per test into the test folder.
    func model(_ name: String) throws -> String {
        let path = dir + "/\(name).gguf"
        if !FileManager.default.fileExists(atPath: path) {
            let text = try String(contentsOfFile: Self.archDir + "/\(name).spec", encoding: .utf8)
            try ModelSpec(parsing: text, name: name).write(to: path)
        }
        return path
    }

    static func expectedLines(_ file: String = "expected.tsv") throws -> [[String]] {
        try String(contentsOfFile: archDir + "/" + file, encoding: .utf8)
            .split(separator: "\n").filter { !$0.hasPrefix("#") }
            .map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
    }

    /// Every architecture to all 17 types, through the library.
    func testEveryArchitectureEveryType() throws { try checkEveryArchitecture("expected.tsv") }

    /// Every architecture to IQ4_NL, IQ4_XS, TQ1_0, TQ2_0, MXFP4_MOE, IQ3_S and IQ3_M (expected-iq.tsv), through the library.
    func testEveryArchitectureIQ4TernaryMXFP4() throws { try checkEveryArchitecture("expected-iq.tsv") }

    func checkEveryArchitecture(_ file: String) throws {
        let lines = try Self.expectedLines(file).filter { $0[3].isEmpty }
        let archs = Set(lines.map { $0[0] })
        XCTAssertGreaterThanOrEqual(archs.count, 20, "architectures covered")
        var same = 0
        for name in archs.sorted() {
            let rows = lines.filter { $0[0] == name }
            let input = try model(name)
            XCTAssertEqual(sha(input), rows[0][1], "the synthetic model \(name) is deterministic")
            let got = try quantizeAll(input, rows.map { $0[2] }, name: name)
            for (f, g) in zip(rows, got) {
                if f[4].hasPrefix("REFUSED") {   // the same refusal: "failed to quantize: REASON" in llama-quantize's words
                    let reason = f[4].components(separatedBy: "failed to quantize: ").last!.lowercased()
                    XCTAssertTrue(g.hasPrefix("REFUSED") && g.lowercased().contains(reason), "\(name) \(f[2]): \(g) vs \(f[4])")
                    if g.hasPrefix("REFUSED") && g.lowercased().contains(reason) { same += 1 }
                    continue
                }
                XCTAssertEqual(g, f[4], "\(name) \(f[2])")
                if g == f[4] { same += 1 }
            }
        }
        XCTAssertEqual(same, lines.count)
        print("\(file): architectures: \(archs.count), files byte-identical to llama-quantize: \(same)/\(lines.count)")
    }

    /// Every architecture to Q1_0 and Q2_0 (expected-grid.tsv), through the library.
    func testEveryArchitectureQ1Q2() throws { try checkEveryArchitecture("expected-grid.tsv") }

    /// IQ2_S, IQ3_XXS, IQ1_M (without an importance matrix) and Q1_0/Q2_0 on token_embd/output
    /// (`--token-embedding-type`, `--output-tensor-type`; expected-grid.tsv), through the CLI.
    func testGridTypesOnEmbeddingsThroughTheCLI() throws { try checkOptions("expected-grid.tsv", atLeast: 12) }

    /// Options (--prune-layers, --tensor-type-file, their order with --tensor-type), through the CLI.
    func testOptionsThroughTheCLI() throws { try checkOptions("expected.tsv", atLeast: 10) }

    func checkOptions(_ file: String, atLeast: Int) throws {
        let lines = try Self.expectedLines(file).filter { !$0[3].isEmpty }
        XCTAssertGreaterThanOrEqual(lines.count, atLeast)
        for f in lines {
            let (name, type, opts, expected) = (f[0], f[2], f[3], f[4])
            let input = try model(name)
            let out = dir + "/opt.gguf"
            let args = opts.split(separator: " ").map { $0 == "TTFILE" ? Self.archDir + "/tensor-types.txt" : String($0) }
            let r = try runGGUFKit(["quantize", input, out, type, "--no-progress", "--force"] + args, cwd: dir, timeout: 120)
            XCTAssertEqual(r.status, 0, "\(name) \(type) \(opts): \(r.stderr)")
            XCTAssertEqual(sha(out), expected, "\(name) \(type) \(opts)")
        }
    }

    /// llama-quantize refuses an architecture it does not know; ggufkit says so, uses the generic rules, and
    /// `inspect` does not claim llama.cpp's mix for the result.
    func testUnknownArchitecture() throws {
        let input = try model("unknown-arch")
        let out = dir + "/u.gguf"
        let r = try runGGUFKit(["quantize", input, out, "Q4_K_M", "--no-progress"], cwd: dir, timeout: 120)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("does not know architecture 'superllama'"), r.stderr)
        let i = try runGGUFKit(["inspect", out], cwd: dir, timeout: 60)
        XCTAssertTrue(i.stdout.contains("matches the generic rules; llama.cpp does not know architecture 'superllama'"), i.stdout)
        XCTAssertFalse(i.stdout.contains("matches llama.cpp's"), i.stdout)
    }

    /// `inspect` recognizes the mix of each architecture's quantized files (expert and Falcon rules included).
    func testInspectMatchesTheMix() throws {
        for (name, type) in [("llama-moe8", "Q4_K_M"), ("qwen3moe", "Q3_K_M"), ("falcon", "Q4_K_M"), ("deepseek2", "Q2_K"),
                             ("gemma3", "Q5_K_M"), ("phi3", "Q4_K_S")] {
            let input = try model(name)
            var o = QuantizeOptions()
            o.progress = false
            o.force = true
            let out = dir + "/\(name)-\(type).gguf"
            let plan = try QuantizePlan(source: try QuantizeSource.open(input), target: try QuantizeTarget(parsing: type), options: o)
            _ = try Quantizer.run(plan: plan, output: out, options: o)
            let h = try ModelHeader.read(path: out)
            let m = MixMatch(h)
            XCTAssertTrue(m.label.hasPrefix("\(type) (matches llama.cpp's current mix)"), "\(name) \(type): \(m.label)")
        }
    }

    /// Bad input: an expert count that disagrees with the expert tensors; an expert tensor without a layer.
    func testExpertMismatchesAreErrors() throws {
        var text = try String(contentsOfFile: Self.archDir + "/llama-moe8.spec", encoding: .utf8)
        text = text.replacingOccurrences(of: "kv\tllama.expert_count\tu32\t8", with: "kv\tllama.expert_count\tu32\t4")
        let bad = dir + "/bad-experts.gguf"
        try ModelSpec(parsing: text, name: "bad").write(to: bad)
        let r = try runGGUFKit(["quantize", bad, dir + "/o.gguf", "Q4_K_M", "--no-progress"], cwd: dir, timeout: 60)
        XCTAssertEqual(r.status, 65, r.stderr)
        XCTAssertEqual(r.errorLines.count, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("holds 8 experts") && r.stderr.contains("expert_count is 4"), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/o.gguf"))

        var policy = try MixPolicy(target: .q4_K_M)
        let t = [MixTensor(name: "ffn_down_exps.weight", ne: [256, 32, 8], type: .f16)]
        XCTAssertThrowsError(try policy.plan(model: MixModel(nLayer: 2, nHead: 4, nExpert: 8), tensors: t)) {
            XCTAssertEqual($0 as? QuantizeMixError, .noLayer(name: "ffn_down_exps.weight"))
        }
        policy = try MixPolicy(target: .q4_K_M)
        let t2 = [MixTensor(name: "blk.7.ffn_down_exps.weight", ne: [256, 32, 8], type: .f16)]
        XCTAssertThrowsError(try policy.plan(model: MixModel(nLayer: 2, nHead: 4, nExpert: 8), tensors: t2)) {
            XCTAssertEqual($0 as? QuantizeMixError, .badLayer(layer: 7, name: "blk.7.ffn_down_exps.weight", nLayer: 2))
        }
    }

    /// Bad input: a 3-D (expert) tensor whose rows are not whole blocks of its type is refused when the
    /// file is read, with one line naming the file, the offset and the tensor; nothing is written.
    func test3DTensorWithPartialBlocksIsRefused() throws {
        var m = GGUFMetadata()
        m["general.architecture"] = .string("llama")
        m["llama.block_count"] = .uint32(1)
        m["llama.expert_count"] = .uint32(8)
        let t = [GGUFTensorInfo(name: "blk.0.ffn_up_exps.weight", ne: [48, 4, 8], type: .q4_0),
                 GGUFTensorInfo(name: "blk.0.attn_q.weight", ne: [32, 4], type: .f32)]
        var bytes = GGUFWriter.header(metadata: m, tensors: GGUFWriter.layout(t))
        bytes += [UInt8](repeating: 0, count: 8 * 4 * 2 * 18 + 512)
        let bad = dir + "/partial-blocks.gguf"
        _ = FileManager.default.createFile(atPath: bad, contents: Data(bytes))
        let r = try runGGUFKit(["quantize", bad, dir + "/o.gguf", "Q8_0", "--no-progress", "--allow-requantize"], cwd: dir, timeout: 60)
        XCTAssertEqual(r.status, 65, r.stderr)
        XCTAssertEqual(r.errorLines.count, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("partial-blocks.gguf") && r.stderr.contains("offset")
                      && r.stderr.contains("rows of 48 elements, not a multiple of the Q4_0 block size 32"), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/o.gguf"))
    }

    /// Targets that need an importance matrix are planned (`--dry-run`) but refused without one (llama-quantize's refusal).
    func testPlannedButNotWritable() throws {
        let input = try model("qwen2")
        let d = try runGGUFKit(["quantize", input, dir + "/x.gguf", "IQ2_XXS", "--dry-run"], cwd: dir, timeout: 60)
        XCTAssertEqual(d.status, 0, d.stderr)
        XCTAssertTrue(d.stdout.contains("IQ2_XXS"), d.stdout)
        let i = try runGGUFKit(["quantize", input, dir + "/x.gguf", "IQ2_XXS", "--no-progress"], cwd: dir, timeout: 60)
        XCTAssertEqual(i.status, 64, i.stderr)
        XCTAssertTrue(i.stderr.contains("requires an importance matrix"), i.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/x.gguf"))
    }
}

/// The plans of the targets beyond the 17 of expected.tsv (IQ, TQ, MXFP4, Q1_0/Q2_0, Q2_K_S), against
/// `llama-quantize --dry-run` for every architecture (Fixtures/quantize/archs/plans.tsv, made by make_expected.sh).
final class ArchPlanTests: XCTestCase {
    func testDryRunPlansOfEveryTarget() throws {
        let lines = try String(contentsOfFile: ArchQuantizeTests.archDir + "/plans.tsv", encoding: .utf8)
            .split(separator: "\n").filter { !$0.hasPrefix("#") }
            .map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        var order: [String: [String]] = [:]
        var checked = 0, refused = 0
        var specs: [String: ModelSpec] = [:]
        for f in lines {
            if f[0] == "order" { order[f[1]] = f[2].split(separator: " ").map(String.init); continue }
            let (name, targetName, want) = (f[1], f[2], f[3])
            if specs[name] == nil {
                let text = try String(contentsOfFile: ArchQuantizeTests.archDir + "/\(name).spec", encoding: .utf8)
                specs[name] = try ModelSpec(parsing: text, name: name)
            }
            let spec = specs[name]!
            let target = try QuantizeTarget(parsing: targetName)
            let tensors = spec.tensors.map { MixTensor(name: $0.name, ne: $0.ne, type: $0.type) }
            let model = try LlamaArchitectures.mixModel(spec.metadata)
            let result = Result { try MixPolicy(target: target).plan(model: model, tensors: tensors) }
            if want.hasPrefix("REFUSED") {
                XCTAssertThrowsError(try result.get(), "\(name) \(targetName): llama-quantize refused: \(want)")
                refused += 1
                continue
            }
            let plan = try result.get()
            XCTAssertEqual(plan.tensors.map(\.name), order[name], "\(name): order")
            let got = plan.tensors.map { $0.targetType.name.lowercased() }
            let expected = want.split(separator: " ").map { $0.lowercased() }
            XCTAssertEqual(got, expected, "\(name) \(targetName)")
            if got == expected { checked += 1 }
        }
        XCTAssertGreaterThanOrEqual(checked + refused, 500)
        print("dry-run plans: \(checked) equal to llama-quantize's, \(refused) refused by both")
    }
}
