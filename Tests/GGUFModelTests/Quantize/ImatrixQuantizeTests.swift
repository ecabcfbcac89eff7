import Foundation
import GGUFTestSupport
import XCTest
import GGUFFormat
import GGUFIO
@testable import GGUFModel

/// `quantize --imatrix`: whole-file sha256 equal to `llama-quantize --imatrix` for every type GGUFKit writes,
/// with each imatrix format, on two runnable synthetic models (Fixtures/quantize/imatrix, make_expected.sh);
/// the options; the refusals.
final class ImatrixQuantizeTests: XCTestCase {
    static let dir = fixturesDir + "/quantize/imatrix"
    var tmp = ""
    override func setUp() { tmp = makeTempDir() }

    func sha(_ path: String) -> String { sha256Hex([UInt8](FileManager.default.contents(atPath: path)!)) }

    static func expectedLines() throws -> [[String]] {
        try String(contentsOfFile: dir + "/expected.tsv", encoding: .utf8)
            .split(separator: "\n").filter { !$0.hasPrefix("#") }
            .map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
    }

    /// The runnable synthetic model of Fixtures/runner/archs (seed 1, scale 0.08, as make_expected.sh).
    func model(_ name: String) throws -> String {
        let path = tmp + "/\(name).gguf"
        if !FileManager.default.fileExists(atPath: path) {
            let text = try String(contentsOfFile: fixturesDir + "/runner/archs/\(name).spec", encoding: .utf8)
            try ModelSpec(parsing: text, name: name).write(to: path, seed: 1, scale: 0.08)
        }
        return path
    }

    func options(imatrix file: String?) throws -> QuantizeOptions {
        var o = QuantizeOptions()
        o.progress = false
        o.force = true
        if let file {
            o.imatrix = try ImatrixFile.read(path: Self.dir + "/" + file)
            o.imatrixFile = file   // as llama-quantize was given it (run in the fixtures folder)
        }
        return o
    }

    /// Every type × both formats × both models, through the library.
    func testEveryTypeWithEachFormat() throws {
        AtomicOutput.syncToDisk = false
        defer { AtomicOutput.syncToDisk = true }
        let lines = try Self.expectedLines().filter { $0[4].isEmpty }
        XCTAssertEqual(lines.count, 2 * 2 * QuantizeTarget.producible.count)
        var same = 0
        for (name, file) in Set(lines.map { [$0[0], $0[2]] }).sorted(by: { $0.lexicographicallyPrecedes($1) }).map({ ($0[0], $0[1]) }) {
            let input = try model(name)
            let rows = lines.filter { $0[0] == name && $0[2] == file }
            XCTAssertEqual(sha(input), rows[0][1], "the synthetic model \(name) is deterministic")
            let o = try options(imatrix: file)
            let source = try QuantizeSource.open(input)
            for row in rows {
                let out = tmp + "/out.gguf"
                let plan = try QuantizePlan(source: source, target: try QuantizeTarget(parsing: row[3]), options: o)
                try plan.checkWritable()
                _ = try Quantizer.run(plan: plan, output: out, options: o)
                XCTAssertEqual(sha(out), row[5], "\(name) \(file) \(row[3])")
                if sha(out) == row[5] { same += 1 }
            }
        }
        print("imatrix: files byte-identical to llama-quantize --imatrix: \(same)/\(lines.count)")
    }

    /// The synthetic legacy imatrix of make_synthetic.sh, built in memory: every blk.* matrix, values
    /// ((37·i + 11·len(name) + Σ name bytes) mod 101 + 1) / 8 over columns × experts, call count 3.
    static func syntheticImatrix(for source: QuantizeSource) -> ImportanceMatrix {
        var m = ImportanceMatrix(datasets: ["synthetic.txt"], chunkCount: 5, isLegacy: true)
        for t in source.tensors where t.info.name.hasPrefix("blk.") && t.info.ne.count >= 2 {
            let n = t.info.ne[0] * (t.info.ne.count > 2 ? t.info.ne[2] : 1)
            let base = 11 * t.info.name.utf8.count + t.info.name.utf8.reduce(0) { $0 + Int($1) }
            m.entries[t.info.name] = .init(sums: (0..<n).map { Float((37 * $0 + base) % 101 + 1) / 8 }, counts: [3])
        }
        return m
    }

    /// Deeper models (80 layers: the first n/8 layers' imatrix rules; 8 experts) with a synthetic imatrix
    /// (expected-synthetic.tsv, make_synthetic.sh), through the library.
    func testDeepAndExpertModelsWithSyntheticImatrix() throws {
        AtomicOutput.syncToDisk = false
        defer { AtomicOutput.syncToDisk = true }
        let lines = try String(contentsOfFile: Self.dir + "/expected-synthetic.tsv", encoding: .utf8)
            .split(separator: "\n").filter { !$0.hasPrefix("#") }.map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        XCTAssertEqual(lines.count, 18)
        for name in ["qwen2-80l", "llama-moe8"] {
            let input = tmp + "/\(name).gguf"
            try ModelSpec(parsing: try String(contentsOfFile: fixturesDir + "/quantize/archs/\(name).spec", encoding: .utf8), name: name).write(to: input)
            let rows = lines.filter { $0[0] == name }
            XCTAssertEqual(sha(input), rows[0][1], "the synthetic model \(name) is deterministic")
            let source = try QuantizeSource.open(input)
            var o = QuantizeOptions()
            o.progress = false
            o.force = true
            o.imatrix = Self.syntheticImatrix(for: source)
            o.imatrixFile = rows[0][2]
            for row in rows {
                let plan = try QuantizePlan(source: source, target: try QuantizeTarget(parsing: row[3]), options: o)
                try plan.checkWritable()
                _ = try Quantizer.run(plan: plan, output: tmp + "/out.gguf", options: o)
                XCTAssertEqual(sha(tmp + "/out.gguf"), row[5], "\(name) \(row[3])")
            }
        }
    }

    /// --include-weights, --exclude-weights (repeated), --prune-layers with an imatrix, through the CLI, run
    /// where the imatrix is (so that quantize.imatrix.file is the bare name, as in make_expected.sh).
    func testOptionsThroughTheCLI() throws {
        let lines = try Self.expectedLines().filter { !$0[4].isEmpty }
        XCTAssertGreaterThanOrEqual(lines.count, 8)
        for f in lines {
            let (name, file, type, opts, expected) = (f[0], f[2], f[3], f[4], f[5])
            let input = try model(name)
            try? FileManager.default.copyItem(atPath: Self.dir + "/" + file, toPath: tmp + "/" + file)
            let r = try runGGUFKit(["quantize", "--imatrix", file] + opts.split(separator: " ").map(String.init)
                                   + [input, tmp + "/o.gguf", type, "--no-progress", "--force"], cwd: tmp, timeout: 120)
            XCTAssertEqual(r.status, 0, "\(name) \(type) \(opts): \(r.stderr)")
            XCTAssertEqual(sha(tmp + "/o.gguf"), expected, "\(name) \(type) \(opts)")
        }
    }

    /// The metadata llama-quantize writes, in its order and types.
    func testMetadata() throws {
        let input = try model("llama3")
        let o = try options(imatrix: "llama3.imatrix.dat")
        let plan = try QuantizePlan(source: try QuantizeSource.open(input), target: .q4_K_M, options: o)
        let keys = plan.metadata.keys.suffix(6)
        XCTAssertEqual(Array(keys), ["general.quantization_version", "general.file_type", "quantize.imatrix.file",
                                     "quantize.imatrix.dataset", "quantize.imatrix.entries_count", "quantize.imatrix.chunks_count"])
        XCTAssertEqual(plan.metadata["quantize.imatrix.file"], .string("llama3.imatrix.dat"))
        XCTAssertEqual(plan.metadata["quantize.imatrix.dataset"], .string("eval.txt"))
        XCTAssertEqual(plan.metadata["quantize.imatrix.entries_count"], .uint32(UInt32(o.imatrix!.entries.count)))
        XCTAssertEqual(plan.metadata["quantize.imatrix.chunks_count"], .uint32(6))
        XCTAssertFalse(plan.weights.isEmpty)
    }

    /// Q2_K_S without an imatrix: refused as llama-quantize refuses it, nothing written (a dry run says so).
    func testRefusalWithoutImatrix() throws {
        let input = try model("qwen3moe")
        let out = tmp + "/o.gguf"
        let r = try runGGUFKit(["quantize", input, out, "Q2_K_S", "--no-progress"], cwd: tmp, timeout: 60)
        XCTAssertEqual(r.status, 64, r.stderr)
        XCTAssertEqual(r.errorLines.count, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("this quantization requires an importance matrix (tensor 'blk.0.attn_output.weight' would be Q2_K)"), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
        let d = try runGGUFKit(["quantize", input, out, "Q2_K_S", "--dry-run"], cwd: tmp, timeout: 60)
        XCTAssertEqual(d.status, 0, d.stderr)
        XCTAssertTrue(d.stdout.contains("requires an importance matrix"), d.stdout)
    }

    /// An imatrix of another model: a tensor Q2_K_S needs it for has no entry; an entry of the wrong length;
    /// a bad file; include and exclude together. Each one line, nothing written.
    func testImatrixOfAnotherModel() throws {
        let input = try model("qwen3moe")
        let out = tmp + "/o.gguf"
        for f in ["llama3.imatrix.gguf", "llama3.imatrix.dat"] {
            try? FileManager.default.copyItem(atPath: Self.dir + "/" + f, toPath: tmp + "/" + f)
        }
        // llama3's imatrix has no expert tensors: Q2_K_S needs them
        var r = try runGGUFKit(["quantize", "--imatrix", "llama3.imatrix.gguf", input, out, "Q2_K_S", "--no-progress"], cwd: tmp, timeout: 60)
        XCTAssertEqual(r.status, 64, r.stderr)
        XCTAssertEqual(r.errorLines.count, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("Missing importance matrix for tensor blk.0.ffn_down_exps.weight in a very low-bit quantization (the imatrix has no entry 'blk.0.ffn_down_exps.weight')"), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
        // ... and the other types quantize the tensors it lacks without weights, as llama-quantize does
        r = try runGGUFKit(["quantize", "--imatrix", "llama3.imatrix.dat", input, out, "Q4_K_M", "--no-progress"], cwd: tmp, timeout: 60)
        XCTAssertEqual(r.status, 0, r.stderr)
        try FileManager.default.removeItem(atPath: out)
        // an entry of the wrong length
        var m = try ImatrixFile.read(path: Self.dir + "/qwen3moe.imatrix.gguf")
        m.entries["blk.1.attn_v.weight"]!.sums.removeLast(32)
        try ImatrixFile.write(m, format: .gguf, to: tmp + "/short.gguf", force: true)
        r = try runGGUFKit(["quantize", "--imatrix", "short.gguf", input, out, "Q4_K_M", "--no-progress"], cwd: tmp, timeout: 60)
        XCTAssertEqual(r.status, 64, r.stderr)
        XCTAssertEqual(r.errorLines.count, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("imatrix size 224 is different from tensor size 256 for blk.1.attn_v.weight"), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
        // a file that is not an imatrix
        r = try runGGUFKit(["quantize", "--imatrix", input, input, out, "Q4_K_M", "--no-progress"], cwd: tmp, timeout: 60)
        XCTAssertNotEqual(r.status, 0)
        XCTAssertEqual(r.errorLines.count, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("missing imatrix metadata"), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
        r = try runGGUFKit(["quantize", "--imatrix", "llama3.imatrix.dat", "--include-weights", "a", "--exclude-weights", "b",
                            input, out, "Q4_K_M"], cwd: tmp, timeout: 60)
        XCTAssertEqual(r.status, 64, r.stderr)
        XCTAssertTrue(r.stderr.contains("cannot be used together"), r.stderr)
    }

    /// `inspect` knows a file made with an imatrix: on 80 layers, Q4_0's first ffn_down layers are Q4_1 with one.
    func testInspectMatchesImatrixMix() throws {
        let spec = try String(contentsOfFile: fixturesDir + "/quantize/archs/qwen2-80l.spec", encoding: .utf8)
        let input = tmp + "/q80.gguf"
        try ModelSpec(parsing: spec, name: "q80").write(to: input)
        let source = try QuantizeSource.open(input)
        var m = ImportanceMatrix(datasets: ["t"], chunkCount: 1, chunkSize: 64)
        for t in source.tensors where t.info.ne.count >= 2 && t.info.name.hasPrefix("blk.") {
            let n = t.info.ne[0] * (t.info.ne.count > 2 ? t.info.ne[2] : 1)
            m.entries[t.info.name] = .init(sums: (0..<n).map { Float($0 % 7 + 1) }, counts: [64])
        }
        var o = QuantizeOptions()
        o.progress = false
        o.imatrix = m
        o.imatrixFile = "synthetic.imatrix"
        let plan = try QuantizePlan(source: source, target: .q4_0, options: o)
        XCTAssertTrue(plan.mix.tensors.contains { $0.name == "blk.0.ffn_down.weight" && $0.targetType == .q4_1 })
        let out = tmp + "/q80-q4_0.gguf"
        _ = try Quantizer.run(plan: plan, output: out, options: o)
        let match = MixMatch(try ModelHeader.read(path: out))
        XCTAssertTrue(match.label.hasPrefix("Q4_0 (matches llama.cpp's current mix)"), match.label)
    }
}
