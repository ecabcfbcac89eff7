import Foundation
import GGUFFormat
import GGUFTestSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// `ggufkit convert`'s output handling, end to end on the built binary: the temporary file beside OUT,
/// cleanup on SIGINT/SIGTERM/SIGHUP, what SIGKILL leaves and how the next run deals with it, IN == OUT
/// through links, and a full disk (a small tmpfs).
final class ConvertOutputTests: XCTestCase {
    var dir = ""
    override func setUp() { dir = makeTempDir() }
    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    /// Writes a GGJT v3 F16 llama file whose tensor data are holes (a sparse file: big, but cheap to make
    /// and read). The header and vocabulary are real; the converter copies the zeros.
    static func writeSparseGGML(_ path: String, nEmbd: Int, nVocab: Int, nFF: Int) throws -> Int {
        var b = GGMLBuilder(container: .ggjt(3), nVocab: nVocab, nEmbd: nEmbd, nHead: nEmbd / 128, nLayer: 1, ftype: 1)
        b.tensors = []
        var out = b.bytes()
        let shapes: [(String, [Int], UInt32)] = [
            ("tok_embeddings.weight", [nEmbd, nVocab], 1), ("norm.weight", [nEmbd], 0), ("output.weight", [nEmbd, nVocab], 1),
            ("layers.0.attention.wq.weight", [nEmbd, nEmbd], 1), ("layers.0.attention.wk.weight", [nEmbd, nEmbd], 1),
            ("layers.0.attention.wv.weight", [nEmbd, nEmbd], 1), ("layers.0.attention.wo.weight", [nEmbd, nEmbd], 1),
            ("layers.0.attention_norm.weight", [nEmbd], 0), ("layers.0.feed_forward.w1.weight", [nEmbd, nFF], 1),
            ("layers.0.feed_forward.w2.weight", [nFF, nEmbd], 1), ("layers.0.feed_forward.w3.weight", [nEmbd, nFF], 1),
            ("layers.0.ffn_norm.weight", [nEmbd], 0),
        ]
        func u32(_ v: Int) { withUnsafeBytes(of: UInt32(v).littleEndian) { out += $0 } }
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw CocoaError(.fileWriteUnknown) }
        defer { close(fd) }
        var position = 0
        for (name, ne, type) in shapes {
            u32(ne.count); u32(name.utf8.count); u32(Int(type))
            for d in ne { u32(d) }
            out += Array(name.utf8)
            while (position + out.count) % 32 != 0 { out.append(0) }
            _ = out.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, off_t(position)) }
            position += out.count
            out = []
            position += ne.reduce(1, *) * (type == 0 ? 4 : 2)  // a hole
        }
        ftruncate(fd, off_t(position))
        return position
    }

    func sha256(_ path: String) throws -> String {
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/sha256sum") {
            let p = Process()
            let pipe = Pipe()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
            p.arguments = [path]
            p.standardOutput = pipe
            try p.run()
            let out = pipe.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            return String(decoding: out, as: UTF8.self).split(separator: " ").first.map(String.init) ?? ""
        }
        return try sha256File(path)
    }

    func temps(_ d: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: d)) ?? []).filter { $0.contains(".ggufkit-tmp-") }
    }

    /// Starts a conversion of `input` and waits until its temporary file holds `bytes` bytes.
    func startConversion(_ input: String, _ output: String, force: Bool = false, bytes: Int = 32 << 20) throws -> RunningProcess {
        guard let bin = ggufkitBinary else { throw CLIError.noBinary }
        let p = try RunningProcess(bin, ["convert", input, output, "--no-progress"] + (force ? ["--force"] : []))
        let temp = dir + "/.\(URL(fileURLWithPath: output).lastPathComponent).ggufkit-tmp-\(p.pid)"
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline && p.process.isRunning {
            if let a = try? FileManager.default.attributesOfItem(atPath: temp), let n = a[.size] as? Int, n >= bytes { break }
            usleep(1000)
        }
        XCTAssertTrue(p.process.isRunning, "the conversion ended before it could be interrupted")
        return p
    }

    /// A ~360 MB sparse input (F16, n_embd 2048, 32000 tokens).
    func bigInput() throws -> String {
        let p = dir + "/big.ggmlv3.bin"
        let size = try Self.writeSparseGGML(p, nEmbd: 2048, nVocab: 32000, nFF: 5504)
        XCTAssertGreaterThan(size, 300_000_000)
        return p
    }

    func testInterruptRemovesTheTemporaryFile() throws {
        let input = try bigInput()
        let before = try sha256(input)
        for sig in [SIGINT, SIGTERM, SIGHUP] {
            let output = dir + "/out.gguf"
            let p = try startConversion(input, output)
            p.send(sig)
            let r = p.wait()
            XCTAssertEqual(r.signal, sig, "ended by signal \(sig) (its default action, after cleanup); status \(String(describing: r.status)) \(r.stderr)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: output), "signal \(sig): no output")
            XCTAssertEqual(temps(dir), [], "signal \(sig): temporary file removed")
        }
        XCTAssertEqual(try sha256(input), before, "the input is unchanged")
    }

    func testKillLeavesOnlyTheTemporaryFileAndTheNextRunCleansUp() throws {
        let input = try bigInput()
        let before = try sha256(input)
        let output = dir + "/out.gguf"
        let p = try startConversion(input, output)
        p.send(SIGKILL)
        let r = p.wait()
        XCTAssertEqual(r.signal, SIGKILL)
        XCTAssertFalse(FileManager.default.fileExists(atPath: output), "no output after SIGKILL")
        XCTAssertEqual(temps(dir), [".out.gguf.ggufkit-tmp-\(p.pid)"], "only the killed run's temporary file remains")

        let again = try runGGUFKit(["convert", input, output, "--no-progress", "--force"], timeout: 120)
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertEqual(temps(dir), [], "the stale temporary file of the dead run is removed")
        let f = try GGUFReader.read(path: output)
        XCTAssertEqual(f.tensors.count, 12)
        XCTAssertEqual(try sha256(input), before, "the input is unchanged")
    }

    func testInputEqualsOutputIsRefusedThroughLinks() throws {
        let input = dir + "/in.bin"
        _ = try Self.writeSparseGGML(input, nEmbd: 256, nVocab: 300, nFF: 512)
        let before = try sha256(input)
        try FileManager.default.createSymbolicLink(atPath: dir + "/sym.gguf", withDestinationPath: input)
        try FileManager.default.linkItem(atPath: input, toPath: dir + "/hard.gguf")
        for out in [input, dir + "/sym.gguf", dir + "/hard.gguf", dir + "/./in.bin"] {
            let r = try runGGUFKit(["convert", input, out, "--force", "--no-progress"])
            XCTAssertEqual(r.status, 64, "\(out): \(r.stderr)")
            XCTAssertEqual(r.errorLines.count, 1, r.stderr)
            XCTAssertTrue(r.stderr.contains("same file as the input"), r.stderr)
        }
        XCTAssertEqual(try sha256(input), before)
        XCTAssertEqual(temps(dir), [])
    }

    /// Needs root (mount); skipped elsewhere.
    func testFullDiskIsAClearErrorWithNoPartialOutput() throws {
        let small = dir + "/small"
        do { try withSmallTmpfs(megabytes: 8, at: small) { try checkFullDisk(small) } } catch CLIError.cannotMount {
            throw XCTSkip("cannot mount a tmpfs here (not root?)")
        }
    }

    func checkFullDisk(_ small: String) throws {
        let input = dir + "/in.bin"
        let size = try Self.writeSparseGGML(input, nEmbd: 1024, nVocab: 3000, nFF: 2048)
        XCTAssertGreaterThan(size, 8 << 20)
        let output = small + "/out.gguf"
        let r = try runGGUFKit(["convert", input, output, "--no-progress"])
        XCTAssertEqual(r.status, 74, r.stderr)
        XCTAssertEqual(r.errorLines.count, 1, r.stderr)
        let line = r.errorLines.first ?? ""
        XCTAssertTrue(line.contains("not enough free space"), line)
        XCTAssertNotNil(line.range(of: #"needs \d+ bytes .* has \d+ "#, options: .regularExpression), "names the numbers: \(line)")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: small), [], "no output, no temporary file")
    }
}
