import Foundation
import GGUFFormat
import GGUFTestSupport
import XCTest

/// Runs the built `ggufkit` binary: exit codes and one-line errors of `inspect` and `diff`.
final class CommandTests: XCTestCase {
    var dir = ""
    override func setUp() { dir = makeTempDir() }
    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    /// The `ggufkit` executable beside the test bundle (built by `swift build` / `swift test`).
    func binary() throws -> String {
        let candidates = [Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent()]
            + Bundle.allBundles.map { $0.bundleURL.deletingLastPathComponent() }
        for c in candidates {
            let p = c.appendingPathComponent("ggufkit").path
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        throw XCTSkip("the ggufkit executable is not built next to the tests")
    }

    func run(_ args: [String]) throws -> (code: Int32, out: String, err: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try binary())
        p.arguments = args
        let o = Pipe(), e = Pipe()
        p.standardOutput = o
        p.standardError = e
        try p.run()
        let out = o.fileHandleForReading.readDataToEndOfFile(), err = e.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
    }

    func write(_ name: String, _ bytes: [UInt8]) -> String {
        let p = dir + "/" + name
        FileManager.default.createFile(atPath: p, contents: Data(bytes))
        return p
    }

    func validHeader() -> [UInt8] {
        var md = GGUFMetadata()
        md["general.architecture"] = .string("llama")
        md["tokenizer.ggml.tokens"] = .array(elementType: .string, values: (0..<100).map { .string("t\($0)") })
        let t = GGUFWriter.layout([GGUFTensorInfo(name: "token_embd.weight", ne: [64, 100], type: .f16)])
        return GGUFWriter.header(metadata: md, tensors: t)
    }

    func testHostileAndTruncatedHeadersFailWithOneLine() throws {
        let good = validHeader() + [UInt8](repeating: 0, count: 64 * 100 * 2)
        var hugeKV = Array(good.prefix(24))
        hugeKV.replaceSubrange(16..<24, with: withUnsafeBytes(of: UInt64(1 << 40).littleEndian, Array.init))
        var hugeString = Array(good.prefix(32))
        hugeString.replaceSubrange(24..<32, with: withUnsafeBytes(of: UInt64.max.littleEndian, Array.init))
        let cases: [(String, [UInt8], String)] = [
            ("truncated-header.gguf", Array(good.prefix(100)), "unexpected end of file"),
            ("truncated-data.gguf", Array(good.prefix(good.count - 10)), "truncated"),
            ("huge-kv.gguf", hugeKV + [UInt8](repeating: 0, count: 64), "metadata entries"),
            ("huge-string.gguf", hugeString + [UInt8](repeating: 0, count: 64), "claims"),
            ("text.txt", Array("hello, not a model\n".utf8), "not a GGML model file"),
            ("empty.gguf", [], "unexpected end of file"),
        ]
        for (name, bytes, needle) in cases {
            let path = write(name, bytes)
            for cmd in [["inspect", path], ["inspect", "--json", path], ["diff", path, path]] {
                let r = try run(cmd)
                XCTAssertEqual(r.code, 65, "\(cmd): \(r.err)")
                XCTAssertTrue(r.out.isEmpty, "\(cmd): nothing on stdout")
                let lines = r.err.split(separator: "\n")
                XCTAssertEqual(lines.count, 1, "\(cmd): one line: \(r.err)")
                XCTAssertTrue(r.err.hasPrefix("error: \(path)") && r.err.contains(needle), "\(cmd): \(r.err)")
            }
        }
        // A GGML file cut inside its tensor data.
        var b = GGMLBuilder(container: .ggjt(3))
        b.addLlamaTensors()
        let ggml = b.bytes()
        let cut = write("cut.bin", Array(ggml.prefix(ggml.count - 100)))
        let r = try run(["inspect", cut])
        XCTAssertEqual(r.code, 65, r.err)
        XCTAssertTrue(r.err.hasPrefix("error: \(cut): at offset ") && r.err.contains("truncated"), r.err)
        XCTAssertEqual(r.err.split(separator: "\n").count, 1)
        XCTAssertEqual(try run(["inspect", dir + "/missing.gguf"]).code, 74)
        XCTAssertEqual(try run(["inspect", dir]).code, 64)
        XCTAssertEqual(try run(["inspect", "--kv-type", "q4_0", write("ok.gguf", good)]).code, 64)
    }

    func testInspectAndDiffRun() throws {
        let path = write("ok.gguf", validHeader() + [UInt8](repeating: 1, count: 64 * 100 * 2))
        let r = try run(["inspect", path, "--tensors", "--checksum"])
        XCTAssertEqual(r.code, 0, r.err)
        XCTAssertTrue(r.out.contains("token_embd.weight") && r.out.contains("RAM estimate"), r.out)
        let j = try run(["inspect", "--json", "--ctx", "512", path])
        XCTAssertEqual(j.code, 0, j.err)
        let doc = try JSONSerialization.jsonObject(with: Data(j.out.utf8)) as! [String: Any]
        XCTAssertEqual((doc["memory"] as! [String: Any])["ctx"] as? Int, 512)
        let same = try run(["diff", "--exit-code", path, path])
        XCTAssertEqual(same.code, 0, same.out + same.err)
        let other = write("other.gguf", validHeader() + [UInt8](repeating: 2, count: 64 * 100 * 2))
        let d = try run(["diff", "--exit-code", "--values", path, other])
        XCTAssertEqual(d.code, 1, d.err)
        XCTAssertTrue(d.out.contains("token_embd.weight data differs"), d.out)
    }
}
