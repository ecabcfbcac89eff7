import Foundation
import GGUFFormat
import GGUFIO
import GGUFModel
import GGUFTestSupport
import XCTest

/// Runs every `ggufkit` subcommand on every hostile file of ``MalformedFiles``.
///
/// Each run must end by itself within a second, without a crash; when it fails (always, for a
/// `mustFail` file) it exits 64, 65 or 74 with exactly one `error:` line naming the file, and leaves no
/// output and no temporary file. Subcommands are those `ggufkit help` lists, so new ones are covered as
/// they land; how each is invoked comes from ``invocations`` or, failing that, its own usage line.
final class MalformedCLITests: XCTestCase {
    /// Known invocations: `IN` is the hostile file, `OUT` an output path in the same folder, `TEXT` a
    /// small text file (for commands that also read text, like perplexity).
    static let invocations: [String: [String]] = [
        "convert": ["convert", "IN", "OUT", "--no-progress"],
        "inspect": ["inspect", "IN"],
        "imatrix": ["imatrix", "IN", "-f", "TEXT", "-o", "OUT"],
    ]

    var dir = ""
    override func setUp() { dir = makeTempDir() }
    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    /// The argument list for `command`, from the table or from `ggufkit help COMMAND`'s usage line.
    static func invocation(_ command: String) throws -> [String] {
        if let known = invocations[command] { return known }
        return invocation(command, help: try runGGUFKit(["help", command]).stdout)
    }

    /// The argument list for `command` from its help text's USAGE line.
    static func invocation(_ command: String, help: String) -> [String] {
        guard let start = help.range(of: "USAGE:") else { return [command, "IN"] }
        let rest = help[start.upperBound...]
        let usage = (rest.range(of: "\n\n").map { rest[..<$0.lowerBound] } ?? rest).replacingOccurrences(of: "\n", with: " ")
        var args = [command]
        var depth = 0
        var pendingOption = false
        for token in usage.split(separator: " ").dropFirst(2) {  // "ggufkit COMMAND"
            let atTop = depth == 0
            depth += token.filter { $0 == "[" }.count - token.filter { $0 == "]" }.count
            guard atTop, !token.hasPrefix("[") else { continue }
            if token.hasPrefix("-") { args.append(String(token)); pendingOption = true; continue }
            guard token.hasPrefix("<") else { continue }
            let name = token.lowercased()
            if name.contains("out") { args.append("OUT") }
            else if name.contains("type") || name.contains("quant") { args.append("q4_0") }
            else if name.contains("prompt") && !name.contains("file") { args.append("hello") }
            else if args.contains("IN") && ["text", "corpus", "data", "file"].contains(where: name.contains) { args.append("TEXT") }
            else if pendingOption { args.append("1") }
            else { args.append("IN") }
            pendingOption = false
        }
        if help.contains("--no-progress") { args.append("--no-progress") }
        return args
    }

    /// Writes each case to a file and runs every subcommand on it.
    func check(_ cases: [MalformedCase], readerCheck: (String) throws -> Void, file: StaticString = #filePath, line: UInt = #line) throws {
        guard ggufkitBinary != nil else { XCTFail("\(CLIError.noBinary)", file: file, line: line); return }
        let commands = try ggufkitSubcommands()
        XCTAssertTrue(commands.contains("convert"), "ggufkit help lists \(commands)", file: file, line: line)
        let invocations = try commands.map { try Self.invocation($0) }
        let text = dir + "/text.txt"
        // Long enough for two 512-token chunks, so perplexity on a valid file gets past its length check.
        try String(repeating: "hello world, a small text.\n", count: 60).write(toFile: text, atomically: true, encoding: .utf8)
        var runs = 0, slowest = 0.0
        for c in cases {
            let input = dir + "/" + c.name + (c.name.hasPrefix("gguf") ? ".gguf" : ".bin")
            _ = FileManager.default.createFile(atPath: input, contents: Data(c.bytes))
            if c.mustFail {
                XCTAssertThrowsError(try readerCheck(input), "\(c.name): the library accepts it", file: file, line: line) { e in
                    XCTAssertFalse("\(e)".contains("\n"), "\(c.name): multi-line error \(e)", file: file, line: line)
                }
            }
            for inv in invocations {
                let output = dir + "/out-\(c.name).gguf"
                let args = inv.map { $0 == "IN" ? input : $0 == "OUT" ? output : $0 == "TEXT" ? text : $0 }
                var r = try runGGUFKit(args, cwd: dir, timeout: 10)
                if r.seconds > 1, r.status != nil { r = try runGGUFKit(args, cwd: dir, timeout: 10) }  // a busy machine, once
                runs += 1
                slowest = max(slowest, r.seconds)
                let what = "\(c.name): ggufkit \(inv.joined(separator: " "))"
                XCTAssertFalse(r.timedOut, "\(what): hung", file: file, line: line)
                XCTAssertNil(r.signal, "\(what): killed by signal \(r.signal ?? 0): \(r.stderr.suffix(500))", file: file, line: line)
                XCTAssertLessThan(r.seconds, 3.0, "\(what): took \(r.seconds) s (a malformed file must fail fast)", file: file, line: line)
                if c.mustFail { XCTAssertNotEqual(r.status, 0, "\(what): succeeded on a malformed file", file: file, line: line) }
                if let status = r.status, status != 0 {
                    XCTAssertTrue([64, 65, 74].contains(status), "\(what): exit \(status), not a documented code: \(r.stderr)", file: file, line: line)
                    let lines = r.errorLines
                    XCTAssertEqual(lines.count, 1, "\(what): expected one error line, got \(lines)", file: file, line: line)
                    XCTAssertTrue(lines.first?.hasPrefix("error: ") == true, "\(what): \(lines)", file: file, line: line)
                    XCTAssertTrue(lines.first?.contains(c.name) == true, "\(what): the error does not name the file: \(lines)", file: file, line: line)
                    XCTAssertFalse(FileManager.default.fileExists(atPath: output), "\(what): left an output", file: file, line: line)
                }
                let leftovers = (try? FileManager.default.contentsOfDirectory(atPath: dir))?.filter { $0.contains(".ggufkit-tmp-") } ?? []
                XCTAssertEqual(leftovers, [], "\(what): temporary files left", file: file, line: line)
                try? FileManager.default.removeItem(atPath: output)
            }
            try? FileManager.default.removeItem(atPath: input)
        }
        print("malformed: \(cases.count) files × \(invocations.count) commands (\(commands.joined(separator: ", "))) = \(runs) runs, slowest \(String(format: "%.3f", slowest)) s")
    }

    static func readGGUF(_ p: String) throws { _ = try GGUFReader.read(path: p) }
    static func planGGML(_ p: String) throws { _ = try Converter.plan(input: p, options: ConvertOptions()) }

    func testGGUFHeaderMetadataAndTensorTable() throws {
        try check(MalformedFiles.gguf(), readerCheck: Self.readGGUF)
    }

    func testGGUFTruncatedAtEvery64th() throws {
        try check(MalformedFiles.truncations(GGUFSpec.valid.bytes(), prefix: "gguf"), readerCheck: Self.readGGUF)
    }

    func testGGMLHeaderVocabularyAndRecords() throws {
        try check(MalformedFiles.ggml(), readerCheck: Self.planGGML)
    }

    func testGGMLTruncatedAtEvery64th() throws {
        try check(MalformedFiles.truncations(MalformedFiles.validGGML.bytes(), prefix: "ggml"), readerCheck: Self.planGGML)
    }

    /// Usage lines of commands still to come give sensible invocations.
    func testInvocationFromUsage() {
        XCTAssertEqual(Self.invocation("quantize", help: "USAGE: ggufkit quantize <input> <output> <type> [--force] [--no-progress]\n\nARGUMENTS:"),
                       ["quantize", "IN", "OUT", "q4_0", "--no-progress"])
        XCTAssertEqual(Self.invocation("perplexity", help: "USAGE: ggufkit perplexity <model> <text-file> [--ctx <ctx>]\n"),
                       ["perplexity", "IN", "TEXT"])
        XCTAssertEqual(Self.invocation("run", help: "USAGE: ggufkit run <model> --prompt <prompt> [-n <n>]\n"),
                       ["run", "IN", "--prompt", "hello"])
        XCTAssertEqual(Self.invocation("diff", help: "USAGE: ggufkit diff <a> <b>\n   [--all]\n\n"), ["diff", "IN", "IN"])
    }

    /// The valid baselines really are valid, so the cases test what they say.
    func testBaselinesAreValid() throws {
        let g = dir + "/valid.gguf", m = dir + "/valid.bin"
        _ = FileManager.default.createFile(atPath: g, contents: Data(GGUFSpec.valid.bytes()))
        _ = FileManager.default.createFile(atPath: m, contents: Data(MalformedFiles.validGGML.bytes()))
        XCTAssertEqual(try GGUFReader.read(path: g).tensors.count, 3)
        let r = try runGGUFKit(["convert", m, dir + "/valid.gguf.out", "--no-progress"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(try GGUFReader.read(path: dir + "/valid.gguf.out").tensors.count, 12)
    }
}
