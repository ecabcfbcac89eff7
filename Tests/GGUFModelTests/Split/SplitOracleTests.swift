import Foundation
import GGUFTestSupport
import XCTest
@testable import GGUFFormat
import GGUFIO
@testable import GGUFModel

/// Byte identity with llama.cpp's llama-gguf-split (--split, --merge) and llama-quantize on split sets
/// (Fixtures/split/expected.tsv, made by Fixtures/split/make_expected.sh with the oracle).
final class SplitOracleTests: XCTestCase {
    /// The model of the fixture (`make-model --dim 256 --layers 2 --heads 4 --kv-heads 2 --ffn 512 --vocab 512 --type f16 --seed 7`).
    static var model: SyntheticModel {
        var m = SyntheticModel()
        (m.dim, m.layers, m.heads, m.kvHeads, m.ffn, m.vocab, m.type, m.seed) = (256, 2, 4, 2, 512, 512, .f16, 7)
        return m
    }

    /// Case name → (file name, sha256) in the oracle's order.
    static let expected: [String: [(file: String, sha: String)]] = {
        var out: [String: [(String, String)]] = [:]
        let text = try! String(contentsOfFile: fixturesDir + "/split/expected.tsv", encoding: .utf8)
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            out[f[0], default: []].append((f[2], f[3]))
        }
        return out
    }()

    var dir = ""

    override func setUp() { dir = makeTempDir() }

    /// Writes the fixture model and checks it is the oracle's input.
    func writeModel() throws -> String {
        let path = dir + "/m.gguf"
        try Self.model.write(to: path)
        XCTAssertEqual(try sha256File(path), Self.expected["model"]?.first?.sha, "the synthetic model is not the oracle's input")
        return path
    }

    /// Checks that the files in `paths` are, by name and bytes, the oracle's `case`.
    func assertOracle(_ name: String, _ paths: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        guard let want = Self.expected[name] else { return XCTFail("no case \(name) in expected.tsv", file: file, line: line) }
        XCTAssertEqual(paths.map { URL(fileURLWithPath: $0).lastPathComponent }, want.map(\.file), name, file: file, line: line)
        for (p, w) in zip(paths, want) {
            XCTAssertEqual(try sha256File(p), w.sha, "\(name): \(p) differs from llama.cpp's", file: file, line: line)
        }
    }

    func split(_ model: String, _ name: String, _ options: SplitOptions) throws -> [String] {
        try FileManager.default.createDirectory(atPath: dir + "/" + name, withIntermediateDirectories: true)
        let set = try GGUFSplitSet.open(path: model)
        let parts = try SplitPlan.parts(of: set, prefix: dir + "/\(name)/s", options: options)
        try PartWriter.write(parts, inputs: try PartWriter.inputs(of: set), force: false)
        return parts.map(\.path)
    }

    func testSplitByTensorsAndSizeAsLlamaGGUFSplit() throws {
        let m = try writeModel()
        try assertOracle("tensors7", try split(m, "tensors7", SplitOptions(limit: .tensors(7))))
        try assertOracle("size1M", try split(m, "size1M", SplitOptions(limit: .bytes(1_000_000))))
        try assertOracle("tensors8-nofirst", try split(m, "tensors8-nofirst", SplitOptions(limit: .tensors(8), noTensorFirstSplit: true)))
        try assertOracle("size1M-nofirst", try split(m, "size1M-nofirst", SplitOptions(limit: .bytes(1_000_000), noTensorFirstSplit: true)))
    }

    func testMergeAsLlamaGGUFSplit() throws {
        let m = try writeModel()
        let parts = try split(m, "tensors7", SplitOptions(limit: .tensors(7)))
        let set = try GGUFSplitSet.open(path: parts[0])
        let merged = SplitPlan.merged(set, output: dir + "/merged.gguf")
        try PartWriter.write([merged], inputs: try PartWriter.inputs(of: set), force: false)
        try assertOracle("merge", [merged.path])
        // The merged file is the model plus split.no, split.tensors.count and split.count = 0: the same tensors.
        let a = try ModelHeader.read(path: m), b = try ModelHeader.read(path: merged.path)
        let d = try ModelDiff.compare(a, b)
        XCTAssertEqual(d.keysAdded.map(\.key), ["split.no", "split.tensors.count", "split.count"])
        XCTAssertEqual(d.sameData, a.tensors.count)
    }

    func quantize(_ input: String, _ type: QuantizeTarget, output: String, keepSplit: Bool) throws -> [String] {
        var o = QuantizeOptions()
        o.progress = false
        o.threads = 2
        o.keepSplit = keepSplit
        let plan = try QuantizePlan(source: try QuantizeSource.open(input), target: type, options: o)
        _ = try Quantizer.run(plan: plan, output: output, options: o)
        return plan.outputPaths(output)
    }

    func testQuantizeSplitInputToOneFileAsLlamaQuantize() throws {
        let m = try writeModel()
        let parts = try split(m, "tensors7", SplitOptions(limit: .tensors(7)))
        let q = try quantize(parts[0], .q4_K_M, output: dir + "/q.gguf", keepSplit: false)
        try assertOracle("quantize", q)
        // Equal to quantizing the unsplit model (llama-quantize's too).
        XCTAssertEqual(Self.expected["quantize"]?.first?.sha, Self.expected["quantize-unsplit"]?.first?.sha)
        let qm = try quantize(m, .q4_K_M, output: dir + "/qm.gguf", keepSplit: false)
        XCTAssertEqual(try sha256File(qm[0]), try sha256File(q[0]))
    }

    func testQuantizeKeepSplitAsLlamaQuantize() throws {
        let m = try writeModel()
        let parts = try split(m, "tensors7", SplitOptions(limit: .tensors(7)))
        try FileManager.default.createDirectory(atPath: dir + "/k1", withIntermediateDirectories: true)
        try assertOracle("keep-split", try quantize(parts[0], .q4_K_M, output: dir + "/k1/q.gguf", keepSplit: true))
        // A set whose first part holds only metadata: that part is written with no tensors.
        let nofirst = try split(m, "tensors8-nofirst", SplitOptions(limit: .tensors(8), noTensorFirstSplit: true))
        try FileManager.default.createDirectory(atPath: dir + "/k2", withIntermediateDirectories: true)
        try assertOracle("keep-split-nofirst", try quantize(nofirst[0], .q8_0, output: dir + "/k2/q.gguf", keepSplit: true))
        // An unsplit input with --keep-split: one file named as part 1 of 1, without split keys.
        try FileManager.default.createDirectory(atPath: dir + "/k3", withIntermediateDirectories: true)
        try assertOracle("keep-split-unsplit", try quantize(m, .q6_K, output: dir + "/k3/q.gguf", keepSplit: true))
    }

    func testSplitPlanLinesAsLlamaGGUFSplit() throws {
        let m = try writeModel()
        let parts = try SplitPlan.parts(of: try GGUFSplitSet.open(path: m), prefix: dir + "/s", options: SplitOptions(limit: .tensors(7)))
        let lines = SplitPlan.describe(parts)
        XCTAssertEqual(lines.first, "n_split: 3")
        XCTAssertEqual(lines.count, 4)
        XCTAssertTrue(lines[1].hasPrefix("split 00001: n_tensors = 7, total_size = "), lines[1])
    }

    func testSplitLimitsRefused() throws {
        let m = try writeModel()
        let set = try GGUFSplitSet.open(path: m)
        // A tensor larger than the size limit would make an empty part: llama-gguf-split stops too.
        XCTAssertThrowsError(try SplitPlan.parts(of: set, prefix: dir + "/s", options: SplitOptions(limit: .bytes(1000)))) {
            XCTAssertTrue("\($0)".contains("no tensors"), "\($0)")
        }
        XCTAssertThrowsError(try SplitPlan.parts(of: set, prefix: dir + "/s", options: SplitOptions(limit: .tensors(0))))
        XCTAssertEqual(try SplitOptions.parseSize("128M"), 128_000_000)
        XCTAssertEqual(try SplitOptions.parseSize("2G"), 2_000_000_000)
        XCTAssertThrowsError(try SplitOptions.parseSize("128K"))
        XCTAssertThrowsError(try SplitOptions.parseSize("0M"))
        XCTAssertThrowsError(try SplitOptions.parseSize("M"))
    }
}
