import Foundation
import GGUFFormat
import GGUFIO
import GGUFModel
import GGUFTestSupport
import XCTest

/// Helpers shared by the inspect and diff tests.
enum InspectFixtures {
    /// Converts a committed GGML fixture to GGUF as llama.cpp does (flags of Fixtures/convert/expected.tsv),
    /// checks the result's sha256 against that table, and returns its path.
    static func convertedGGUF(_ name: String, into dir: String) throws -> String {
        let lines = try String(contentsOfFile: fixturesDir + "/convert/expected.tsv", encoding: .utf8)
            .split(separator: "\n").filter { !$0.hasPrefix("#") }.map { $0.split(separator: "\t").map(String.init) }
        let row = try XCTUnwrap(lines.first { $0[0] == name })
        var o = ConvertOptions()
        o.writeQuantizationVersion = false
        let args = row[1].split(separator: " ").map(String.init)
        var i = 0
        while i + 1 < args.count {
            switch args[i] {
            case "--gqa": o.gqa = Int(args[i + 1])
            case "--eps": o.eps = Double(args[i + 1])
            case "--context-length": o.contextLength = Int(args[i + 1])
            default: XCTFail("unexpected flag \(args[i])")
            }
            i += 2
        }
        let out = dir + "/" + name.replacingOccurrences(of: ".ggmlv3.bin.zst", with: ".gguf")
        let input = fixturesDir + "/ggml/" + name
        let plan = try Converter.plan(input: input, options: o)
        _ = try Converter.write(plan: plan, input: input, output: out, force: true, progress: false)
        XCTAssertEqual(sha256Hex([UInt8](FileManager.default.contents(atPath: out)!)), row[2], "conversion of \(name)")
        return out
    }

    static func json(_ v: JSONValue) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(v.rendered().utf8)) as! [String: Any]
    }

    static func report(_ path: String, ctx: Int? = nil, checksums: Bool = false) throws -> InspectReport {
        let h = try ModelHeader.read(path: path)
        let s = MemorySettings(ctx: ctx ?? InspectReport.defaultContext(h))
        return InspectReport(header: h, settings: s, checksums: checksums ? try Checksums.compute(h) : nil)
    }
}

/// A byte source that counts what is read from it.
final class CountingSource: ByteSource {
    let inner: FileSource
    var bytesRead = 0
    init(_ path: String) throws { inner = try FileSource(path: path) }
    var path: String { inner.path }
    var size: Int? { inner.size }
    var isSeekable: Bool { true }
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(IOError) -> Int {
        let n = try inner.read(into: buffer)
        bytesRead += n
        return n
    }
    func seek(to offset: Int) throws(IOError) { try inner.seek(to: offset) }
}
