import Foundation
import GGUFTestSupport
import XCTest
@testable import GGUFFormat
import GGUFIO
@testable import GGUFModel

/// `ggufkit split`, `merge`, and every model-reading command on split sets, end to end: outputs equal to
/// llama.cpp's, whole-model figures, and for bad sets (missing, reordered, foreign, truncated, middle
/// part) one `error:` line naming the file, the documented exit code and nothing written.
final class SplitCLITests: XCTestCase {
    var dir = ""
    override func setUp() { dir = makeTempDir() }

    /// Files in the test folder (sorted), to check that a failed command wrote nothing.
    func listing() -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted() }

    func run(_ args: [String]) throws -> ProcessResult { try runGGUFKit(args, cwd: dir, timeout: 60) }

    /// The oracle's model split in 3 (`--split-max-tensors 7`): returns the unsplit model and the parts.
    func makeSet() throws -> (model: String, parts: [String]) {
        let m = dir + "/m.gguf"
        try SplitOracleTests.model.write(to: m)
        let r = try run(["split", "--split-max-tensors", "7", m, dir + "/s"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let parts = (0..<3).map { SplitNaming.path(prefix: dir + "/s", index: $0, count: 3) }
        return (m, parts)
    }

    /// Fails unless `r` ended with `status` and exactly one error line that names `file`.
    func assertOneLineError(_ r: ProcessResult, _ status: Int32, naming file: String, _ what: String,
                            file f: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(r.status, status, "\(what): \(r.stderr)", file: f, line: line)
        XCTAssertEqual(r.errorLines.count, 1, "\(what): \(r.errorLines)", file: f, line: line)
        XCTAssertTrue(r.errorLines.first?.hasPrefix("error: \(file)") == true, "\(what): \(r.errorLines)", file: f, line: line)
    }

    func testSplitAndMergeCommandsMatchLlamaGGUFSplit() throws {
        let (_, parts) = try makeSet()
        let want = SplitOracleTests.expected["tensors7"]!
        XCTAssertEqual(try parts.map(sha256File), want.map(\.sha))
        let r = try run(["merge", parts[0], dir + "/merged.gguf"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(try sha256File(dir + "/merged.gguf"), SplitOracleTests.expected["merge"]?.first?.sha)
        // --split-max-size and --no-tensor-first-split through the command line.
        let s = try run(["split", "--split-max-size", "1M", "--no-tensor-first-split", dir + "/m.gguf", dir + "/z"])
        XCTAssertEqual(s.status, 0, s.stderr)
        let z = SplitOracleTests.expected["size1M-nofirst"]!
        XCTAssertEqual(try z.map { try sha256File(dir + "/" + $0.file.replacingOccurrences(of: "s-", with: "z-")) }, z.map(\.sha))
    }

    func testDryRunWritesNothing() throws {
        let m = dir + "/m.gguf"
        try SplitOracleTests.model.write(to: m)
        let before = listing()
        let r = try run(["split", "--split-max-tensors", "7", "--dry-run", m, dir + "/s"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.hasPrefix("n_split: 3\nsplit 00001: n_tensors = 7, total_size = "), r.stdout)
        XCTAssertEqual(listing(), before)
    }

    func testExistingPartsNeedForce() throws {
        let (m, parts) = try makeSet()
        // Only the last part exists already: refused before anything is written.
        for p in parts.dropLast() { try FileManager.default.removeItem(atPath: p) }
        let before = listing()
        let r = try run(["split", "--split-max-tensors", "7", m, dir + "/s"])
        assertOneLineError(r, 64, naming: parts[2], "split over an existing part")
        XCTAssertTrue(r.stderr.contains("--force"), r.stderr)
        XCTAssertEqual(listing(), before)
        XCTAssertEqual(try run(["split", "--split-max-tensors", "7", "--force", m, dir + "/s"]).status, 0)
        // quantize --keep-split checks every output part too.
        _ = try run(["quantize", "--keep-split", parts[0], dir + "/q.gguf", "Q8_0", "--no-progress"])
        try FileManager.default.removeItem(atPath: dir + "/q-00001-of-00003.gguf")
        let before2 = listing()
        let q = try run(["quantize", "--keep-split", parts[0], dir + "/q.gguf", "Q8_0", "--no-progress"])
        assertOneLineError(q, 64, naming: dir + "/q-00002-of-00003.gguf", "keep-split over existing parts")
        XCTAssertEqual(listing(), before2)
    }

    func testInspectDiffOfSplitSetAreTheWholeModel() throws {
        let (m, parts) = try makeSet()
        let r = try run(["inspect", "--json", "--checksum", parts[0]])
        let w = try run(["inspect", "--json", "--checksum", m])
        XCTAssertEqual(r.status, 0, r.stderr)
        func obj(_ s: String) throws -> [String: Any] { try JSONSerialization.jsonObject(with: Data(s.utf8)) as! [String: Any] }
        let a = try obj(r.stdout), b = try obj(w.stdout)
        XCTAssertEqual(a["tensor_count"] as? Int, 21)
        XCTAssertEqual((a["split"] as? [[String: Any]])?.compactMap { $0["file"] as? String }, parts)
        XCTAssertTrue(b["split"] is NSNull)
        let crcs = { (d: [String: Any]) in (d["tensors"] as! [[String: Any]]).map { $0["crc32"] as! String } }
        XCTAssertEqual(crcs(a), crcs(b))
        XCTAssertEqual(a["parameters"] as? Int, b["parameters"] as? Int)
        XCTAssertEqual(a["tensor_bytes"] as? Int, b["tensor_bytes"] as? Int)
        XCTAssertEqual(a["file_size"] as? Int, parts.reduce(0) { $0 + (try! FileSource(path: $1).size!) })
        let text = try run(["inspect", parts[0]]).stdout
        XCTAssertTrue(text.contains("(split model, 3 parts,"), text)
        XCTAssertTrue(text.contains("part 3/3:"), text)
        // diff: only the three split keys differ; every tensor has the same data.
        let d = try run(["diff", "--json", m, parts[0]])
        let dj = try obj(d.stdout)
        XCTAssertEqual(d.status, 0, d.stderr)
        XCTAssertEqual(((dj["metadata"] as? [String: Any])?["added"] as? [String: Any]).map { Set($0.keys) },
                       ["split.no", "split.tensors.count", "split.count"], d.stdout)
        XCTAssertEqual((dj["tensors"] as? [String: Any])?["same_data"] as? Int, 21)
    }

    func testRunAndPerplexityOfSplitSetAreTheWholeModel() throws {
        let (m, parts) = try makeSet()
        for (model, tag) in [(m, "whole"), (parts[0], "split")] {
            let r = try run(["run", model, "--tokens", "1,300,301,302,259", "-n", "0", "-t", "2", "--logits-out", dir + "/\(tag).npy"])
            XCTAssertEqual(r.status, 0, r.stderr)
        }
        XCTAssertEqual(try sha256File(dir + "/whole.npy"), try sha256File(dir + "/split.npy"), "run: logits differ")
        try String(repeating: "hello world, a small text. ", count: 40).write(toFile: dir + "/t.txt", atomically: true, encoding: .utf8)
        var out: [String] = []
        for (model, tag) in [(m, "whole"), (parts[0], "split")] {
            let r = try run(["perplexity", model, "-f", dir + "/t.txt", "-c", "64", "-t", "2", "--save-logits", dir + "/p-\(tag).npy"])
            XCTAssertEqual(r.status, 0, r.stderr)
            out.append(r.stdout)
        }
        XCTAssertTrue(out[0].contains("Final estimate: PPL = "), out[0])
        XCTAssertEqual(out[0], out[1])
        XCTAssertEqual(try sha256File(dir + "/p-whole.npy"), try sha256File(dir + "/p-split.npy"), "perplexity: logits differ")
    }

    func testBadSetsGiveOneLineErrorsAndWriteNothing() throws {
        let (m, parts) = try makeSet()
        let p2 = parts[1], p3 = parts[2]
        let commands: [(String, [String])] = [
            ("inspect", ["inspect", parts[0]]),
            ("diff", ["diff", m, parts[0]]),
            ("quantize", ["quantize", parts[0], dir + "/out.gguf", "Q4_0", "--no-progress"]),
            ("quantize --keep-split", ["quantize", "--keep-split", parts[0], dir + "/out.gguf", "Q4_0", "--no-progress"]),
            ("merge", ["merge", parts[0], dir + "/out.gguf"]),
            ("split", ["split", parts[0], dir + "/out"]),
            ("run", ["run", parts[0], "--tokens", "1,2", "-n", "0"]),
        ]
        func check(_ what: String, _ status: Int32, naming file: String, _ contains: String) throws {
            let before = listing()
            for (name, args) in commands {
                let r = try run(args)
                assertOneLineError(r, status, naming: file, "\(what): \(name)")
                XCTAssertTrue(r.stderr.contains(contains), "\(what): \(name): \(r.stderr)")
                XCTAssertEqual(listing(), before, "\(what): \(name) wrote something")
            }
        }
        // Missing part.
        try FileManager.default.moveItem(atPath: p3, toPath: dir + "/away")
        try check("missing part", 74, naming: p3, "part 3 of 3 of the split model")
        // Reordered parts (2 and 3 swapped).
        try FileManager.default.moveItem(atPath: p2, toPath: p3)
        try FileManager.default.moveItem(atPath: dir + "/away", toPath: p2)
        try check("reordered", 65, naming: p2, "split.no is 2, expected 1")
        try FileManager.default.removeItem(atPath: p2)
        try FileManager.default.moveItem(atPath: p3, toPath: p2)
        // A foreign part: part 3 of a 4-part split of the same model.
        let f = try run(["split", "--split-max-tensors", "6", m, dir + "/f"])
        XCTAssertEqual(f.status, 0, f.stderr)
        try FileManager.default.copyItem(atPath: dir + "/f-00003-of-00004.gguf", toPath: p3)
        try check("foreign", 65, naming: p3, "a part of another split set")
        // Truncated part (the set written afresh first).
        XCTAssertEqual(try run(["split", "--split-max-tensors", "7", "--force", m, dir + "/s"]).status, 0)
        let size = try FileSource(path: p3).size!
        XCTAssertEqual(truncate(p3, off_t(size - 1000)), 0)
        try check("truncated", 65, naming: p3, "truncated")
        // The middle part given instead of the first.
        _ = try run(["split", "--split-max-tensors", "7", "--force", m, dir + "/s"])
        for (name, args) in commands where name != "diff" {
            let r = try run(args.map { $0 == parts[0] ? p2 : $0 })
            assertOneLineError(r, 64, naming: p2, "middle part: \(name)")
            XCTAssertTrue(r.stderr.contains("open its first part, \(parts[0])"), "\(name): \(r.stderr)")
        }
    }

    /// An error in the last part's data, found while writing it, leaves no part and no temporary file.
    func testFailureWhileWritingLeavesNoPartialSet() throws {
        let (_, parts) = try makeSet()
        // Infinities in the F16 data of the last part's blk.1.ffn_up.weight: the Q4_K rows fail validation.
        let set = try GGUFSplitSet.open(path: parts[0])
        let t = set.tensors.first { $0.info.name == "blk.1.ffn_up.weight" }!
        XCTAssertEqual(t.part, 2)
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: parts[2]))
        try h.seek(toOffset: UInt64(t.fileOffset))
        h.write(Data([UInt8](repeating: 0, count: 64).enumerated().map { $0.offset % 2 == 1 ? 0x7C : 0 }))
        try h.close()
        let before = listing()
        let r = try run(["quantize", "--keep-split", parts[0], dir + "/q.gguf", "Q4_K_M", "--no-progress"])
        XCTAssertEqual(r.status, 65, r.stderr)
        let errors = r.errorLines.filter { $0.hasPrefix("error: ") }  // (after one log line per tensor)
        XCTAssertEqual(errors.count, 1, "\(errors)")
        XCTAssertTrue(errors.first?.hasPrefix("error: \(parts[2]): tensor 'blk.1.ffn_up.weight'") == true, "\(errors)")
        XCTAssertEqual(listing(), before, "parts or temporary files left")
    }

    /// SIGINT while the second of several output parts is being written: no part, no temporary file.
    func testSignalDuringKeepSplitLeavesNothing() throws {
        guard let bin = ggufkitBinary else { throw CLIError.noBinary }
        var m = SyntheticModel()
        (m.dim, m.layers, m.heads, m.kvHeads, m.ffn, m.vocab) = (512, 6, 8, 8, 1536, 4096)
        try m.write(to: dir + "/big.gguf")
        let s = try run(["split", "--split-max-size", "10M", dir + "/big.gguf", dir + "/b"])
        XCTAssertEqual(s.status, 0, s.stderr)
        let first = listing().first { $0.hasPrefix("b-00001-of-") }!
        let count = Int(first.dropFirst("b-00001-of-".count).prefix(5))!
        XCTAssertGreaterThan(count, 2)
        let before = listing()
        let p = try RunningProcess(bin, ["quantize", "--keep-split", dir + "/" + first, dir + "/q.gguf", "Q4_K_M", "--no-progress"])
        let temp2 = dir + "/." + SplitNaming.path(prefix: "q", index: 1, count: count) + ".ggufkit-tmp-\(p.pid)"
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline && p.process.isRunning && !FileManager.default.fileExists(atPath: temp2) { usleep(500) }
        XCTAssertTrue(p.process.isRunning, "the quantization ended before part 2 could be interrupted")
        p.send(SIGINT)
        let r = p.wait()
        XCTAssertEqual(r.signal, SIGINT, r.stderr)
        XCTAssertEqual(listing(), before, "parts or temporary files left")
    }
}
