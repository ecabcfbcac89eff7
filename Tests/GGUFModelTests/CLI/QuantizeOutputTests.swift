import Foundation
import GGUFTestSupport
import XCTest
@testable import GGUFFormat
@testable import GGUFModel

#if canImport(Glibc)
import Glibc
#endif

/// `ggufkit quantize` killed at several points: SIGINT/SIGTERM leave no output and no temporary file,
/// SIGKILL leaves only the temporary file (which the next run removes), and the input never changes.
final class QuantizeOutputTests: XCTestCase {
    var dir = ""
    override func setUp() { dir = makeTempDir() }
    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    func temps() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.contains(".ggufkit-tmp-") }
    }

    func sha(_ path: String) -> String { sha256Hex([UInt8](FileManager.default.contents(atPath: path)!)) }

    /// A 120 M-parameter F16 model (240 MB): a few seconds of Q4_K_M work.
    func model() throws -> String {
        var m = SyntheticModel()
        (m.dim, m.layers, m.heads, m.kvHeads, m.ffn, m.vocab) = (1024, 6, 8, 8, 2816, 8192)
        let p = dir + "/in.gguf"
        try m.write(to: p)
        return p
    }

    /// Starts a quantization and waits until its temporary file holds `bytes` bytes.
    func start(_ input: String, _ output: String, at bytes: Int, force: Bool = false) throws -> RunningProcess {
        guard let bin = ggufkitBinary else { throw CLIError.noBinary }
        let p = try RunningProcess(bin, ["quantize", input, output, "Q4_K_M", "--no-progress"] + (force ? ["--force"] : []))
        let temp = dir + "/.\(URL(fileURLWithPath: output).lastPathComponent).ggufkit-tmp-\(p.pid)"
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline && p.process.isRunning {
            if let a = try? FileManager.default.attributesOfItem(atPath: temp), let n = a[.size] as? Int, n >= bytes { break }
            usleep(500)
        }
        XCTAssertTrue(p.process.isRunning, "the quantization ended before it could be interrupted at \(bytes) bytes")
        return p
    }

    func testSignalsAtSeveralPointsLeaveNothing() throws {
        let input = try model()
        let before = sha(input)
        let output = dir + "/out.gguf"
        for (sig, point) in [(SIGINT, 1 << 20), (SIGINT, 12 << 20), (SIGTERM, 30 << 20), (SIGINT, 45 << 20)] {
            let p = try start(input, output, at: point)
            p.send(sig)
            let r = p.wait()
            XCTAssertEqual(r.signal, sig, "ended by signal \(sig) at \(point) bytes; \(r.stderr)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: output), "signal \(sig) at \(point): no output")
            XCTAssertEqual(temps(), [], "signal \(sig) at \(point): temporary file removed")
        }
        XCTAssertEqual(sha(input), before, "the input is unchanged")
    }

    func testKillLeavesTheTemporaryFileAndTheNextRunCleansUp() throws {
        let input = try model()
        let before = sha(input)
        let output = dir + "/out.gguf"
        let p = try start(input, output, at: 20 << 20)
        p.send(SIGKILL)
        XCTAssertEqual(p.wait().signal, SIGKILL)
        XCTAssertFalse(FileManager.default.fileExists(atPath: output))
        XCTAssertEqual(temps(), [".out.gguf.ggufkit-tmp-\(p.pid)"], "only the killed run's temporary file remains")
        let again = try runGGUFKit(["quantize", input, output, "Q4_K_M", "--no-progress", "--force"], timeout: 120)
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertEqual(temps(), [], "the stale temporary file is removed")
        XCTAssertEqual(try GGUFReader.read(path: output).metadata["general.file_type"], .uint32(15))
        XCTAssertEqual(sha(input), before, "the input is unchanged")
    }

    func testCommandLineRefusals() throws {
        let input = try model()
        for (args, code, text) in [
            (["quantize", input, dir + "/o.gguf", "Q9_K"], Int32(64), "unknown quantization type"),
            (["quantize", input, input, "Q4_0"], 64, "same file as the input"),
            (["quantize", input, "/nonexistent-dir/o.gguf", "Q4_0"], 74, "cannot create the output file"),
            (["quantize", input, dir + "/o.gguf", "Q4_0", "--tensor-type", "attn_v"], 64, "--tensor-type"),
        ] {
            let r = try runGGUFKit(args)
            XCTAssertEqual(r.status, code, "\(args): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains(text), "\(args): \(r.stderr)")
            XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, "one line: \(r.stderr)")
        }
        XCTAssertEqual(temps(), [])
    }

    func testFullDiskIsAClearErrorWithNoPartialOutput() throws {
        let input = try model()
        let small = dir + "/small"
        do {
            try withSmallTmpfs(megabytes: 8, at: small) {
                let r = try runGGUFKit(["quantize", input, small + "/out.gguf", "Q4_K_M", "--no-progress"])
                XCTAssertEqual(r.status, 74, r.stderr)
                XCTAssertEqual(r.errorLines.count, 1, r.stderr)
                XCTAssertTrue(r.stderr.contains("not enough free space"), r.stderr)
                XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: small), [], "no output, no temporary file")
            }
        } catch CLIError.cannotMount {
            throw XCTSkip("cannot mount a tmpfs here (not root?)")
        }
    }
}
