import Foundation
import GGUFModel
import GGUFRunner
import GGUFTestSupport
import XCTest
import GGUFKernels

/// The importance matrix collected through the runner against llama-imatrix's (AVX2 build, `-c 64 --chunks 6 -t 2`)
/// on the synthetic llama3 and qwen3moe models (`Fixtures/imatrix/make_expected.sh`): the files written must be
/// byte-identical (same sums, bit for bit, same counts, datasets and chunk count), the running perplexities equal
/// to what it prints.
final class ImatrixTests: XCTestCase {
    private var savedLevel = KernelLevel.active
    override func setUp() { savedLevel = KernelLevel.active; KernelLevel.active = .avx2 }
    override func tearDown() { KernelLevel.active = savedLevel }
    static let dir = makeTempDir()
    static let fixtures = fixturesDir + "/imatrix"

    static func model(_ spec: String) throws -> String {
        let out = dir + "/\(spec).gguf"
        if FileManager.default.fileExists(atPath: out) { return out }
        let text = try String(contentsOfFile: fixturesDir + "/runner/archs/\(spec).spec", encoding: .utf8)
        try ModelSpec(parsing: text, name: spec).write(to: out, seed: 1, scale: 0.08)
        return out
    }

    /// Runs the collection as `ggufkit imatrix -f text.txt -c 64 --chunks 6` does.
    func collect(_ spec: String, processOutput: Bool = false) throws -> (ImatrixCollector, ImatrixRun) {
        let model = try LlamaModel(path: try Self.model(spec))
        let session = try Session(model: model, contextSize: 64, threads: 2)
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Self.fixtures + "/text.txt")))
        if bytes.last == 0x0A { bytes.removeLast() }
        let tokens = model.tokenizer.tokenize(bytes: bytes, addSpecial: true)
        XCTAssertGreaterThanOrEqual(tokens.count, 6 * 64)
        let collector = ImatrixCollector(chunkSize: 64, processOutput: processOutput)
        session.collector = collector
        var run = ImatrixRun()
        // llama-imatrix evaluates all six chunks in one llama_decode (n_batch 2048 / n_ctx 64 = 32 per decode).
        collector.beginGroup()
        for i in 0..<6 { try session.imatrixChunk(tokens[i * 64 ..< (i + 1) * 64], run: &run, scorePPL: true) }
        collector.endGroup()
        XCTAssertNil(collector.error)
        return (collector, run)
    }

    func fixture(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: Self.fixtures + "/" + name)))
    }

    func check(_ spec: String) throws {
        let (collector, run) = try collect(spec)
        let m = collector.matrix(dataset: "text.txt")
        let expected = try ImatrixFile.read(path: Self.fixtures + "/\(spec).imatrix.gguf")
        XCTAssertEqual(Set(m.entries.keys), Set(expected.entries.keys), spec)
        for (name, e) in expected.entries {
            XCTAssertEqual(m.entries[name]?.counts, e.counts, name)
            XCTAssertEqual(m.entries[name]?.sums.map(\.bitPattern), e.sums.map(\.bitPattern), name)
        }
        XCTAssertEqual(m.chunkCount, 6)
        XCTAssertEqual(ImatrixFile.encode(m, format: .gguf), try fixture("\(spec).imatrix.gguf"), spec)
        XCTAssertEqual(ImatrixFile.encode(m, format: .dat), try fixture("\(spec).imatrix.dat"), spec)
        let printed = String(decoding: try fixture("\(spec).ppl.txt"), as: UTF8.self).split(separator: "\n").map(String.init)
        let ours = run.runningPPL.enumerated().map { String(format: "[%d]%.4f", $0.offset + 1, $0.element) }
            + [String(format: "Final estimate: PPL = %.4f +/- %.5f", run.ppl, run.pplError ?? -1)]
        XCTAssertEqual(ours, printed, spec)
    }

    func testLlamaDense() throws { try check("llama3") }

    func testQwen3MoEExperts() throws { try check("qwen3moe") }

    func testProcessOutput() throws {
        let (collector, _) = try collect("llama3", processOutput: true)
        XCTAssertNotNil(collector.stats["output.weight"])
        XCTAssertEqual(ImatrixFile.encode(collector.matrix(dataset: "text.txt"), format: .gguf),
                       try fixture("llama3-output.imatrix.gguf"))
    }

    /// `--in-file` of a legacy .dat (values and count scaled by the chunk size) and a GGUF file, combined.
    func testCombineInFiles() throws {
        let c = ImatrixCollector(chunkSize: 64)
        try c.load(try ImatrixFile.read(path: Self.fixtures + "/llama3.imatrix.dat"))
        try c.load(try ImatrixFile.read(path: Self.fixtures + "/llama3.imatrix.gguf"))
        XCTAssertEqual(ImatrixFile.encode(c.matrix(dataset: nil), format: .gguf), try fixture("combined.imatrix.gguf"))
    }

    func testMismatchedInFilesRefused() throws {
        let c = ImatrixCollector(chunkSize: 64)
        try c.load(try ImatrixFile.read(path: Self.fixtures + "/llama3.imatrix.gguf"))
        var bad = try ImatrixFile.read(path: Self.fixtures + "/llama3.imatrix.gguf")
        bad.entries["blk.0.attn_q.weight"]!.sums.removeLast(8)
        XCTAssertThrowsError(try c.load(bad)) { XCTAssertTrue("\($0)".contains("mismatched sums size for blk.0.attn_q.weight")) }
    }

    func testWrongChunkLengthRefused() throws {
        let model = try LlamaModel(path: try Self.model("llama3"))
        let session = try Session(model: model, contextSize: 64, threads: 1)
        var run = ImatrixRun()
        XCTAssertThrowsError(try session.imatrixChunk([1, 2, 3][...], run: &run, scorePPL: true))
    }

    /// Small batches (under 16 tokens) are not collected, as llama-imatrix skips them.
    func testSmallBatchesSkipped() throws {
        let model = try LlamaModel(path: try Self.model("llama3"))
        let session = try Session(model: model, contextSize: 64, threads: 1)
        let c = ImatrixCollector(chunkSize: 64)
        session.collector = c
        _ = try session.evaluate([1, 300, 301, 302], allLogits: true)
        XCTAssertTrue(c.stats.isEmpty)
        _ = try session.evaluate([Int32](repeating: 300, count: 16), allLogits: true)
        XCTAssertEqual(c.stats["blk.0.attn_q.weight"]?.counts, [16])
        XCTAssertNil(c.stats["output.weight"])
    }

    /// `--show-statistics`, line for line as llama-imatrix prints it.
    func testStatistics() throws {
        let c = ImatrixCollector(chunkSize: 64)
        try c.load(try ImatrixFile.read(path: Self.fixtures + "/llama3.imatrix.gguf"))
        let ours = ImatrixStatistics(c.stats).report(file: "llama3.imatrix.gguf")
        let theirs = String(decoding: try fixture("llama3.stats.txt"), as: UTF8.self)
        func lines(_ s: String) -> [String] {
            var l = s.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            while l.last == "" { l.removeLast() }
            return l
        }
        XCTAssertEqual(lines(ours), lines(theirs))
    }
}
