import Foundation
import GGUFFormat
import GGUFIO
import GGUFModel
import GGUFRunner
import GGUFTestSupport
import XCTest

/// Expected outputs copied from the shared llama.cpp references (`Fixtures/runner/expected.json`).
struct Expected: Decodable {
    struct Greedy: Decodable { let prompt_ids: [Int32]; let ids_plain: [Int32] }
    struct File: Decodable {
        let logits: String
        let greedy: [Greedy]
        let ppl: Double
        let running_ppl_first8: [Double]
    }
    let tokens: [Int32]
    let prompts: [String]
    let files: [String: File]

    static let shared: Expected = {
        let d = FileManager.default.contents(atPath: fixturesDir + "/runner/expected.json")!
        return try! JSONDecoder().decode(Expected.self, from: d)
    }()
}

/// fortune-llama GGUF files made once per test run by converting the bundled GGMLv3 files
/// (byte-identical to llama.cpp's conversions), and their decompressed GGML originals.
enum FortuneModels {
    nonisolated(unsafe) private static var cache: [String: String] = [:]
    private static let lock = NSLock()
    static let dir = makeTempDir()

    static func ggml(_ type: String) throws -> String {
        try cached("ggml-" + type) {
            let src = fixturesDir + "/ggml/fortune-llama-\(type).ggmlv3.bin.zst"
            let out = dir + "/fortune-llama-\(type).ggmlv3.bin"
            let s = try openSource(path: src)
            var data = [UInt8]()
            var buf = [UInt8](repeating: 0, count: 1 << 20)
            while true {
                let n = try buf.withMutableBytesIO { (b) throws(IOError) in try s.read(into: b) }
                if n == 0 { break }
                data += buf[0..<n]
            }
            try Data(data).write(to: URL(fileURLWithPath: out))
            return out
        }
    }

    static var ggmlOptions: ConvertOptions {
        var o = ConvertOptions()
        o.gqa = 1
        o.eps = 1e-5
        o.contextLength = 256
        o.writeQuantizationVersion = false
        return o
    }

    static func gguf(_ type: String) throws -> String {
        try cached("gguf-" + type) {
            let src = fixturesDir + "/ggml/fortune-llama-\(type).ggmlv3.bin.zst"
            let out = dir + "/fortune-llama-\(type).gguf"
            let plan = try Converter.plan(input: src, options: ggmlOptions)
            _ = try Converter.write(plan: plan, input: src, output: out, force: true, progress: false)
            return out
        }
    }

    static func cached(_ key: String, _ make: () throws -> String) throws -> String {
        lock.lock()
        defer { lock.unlock() }
        if let p = cache[key] { return p }
        let p = try make()
        cache[key] = p
        return p
    }
}

/// Logits comparison figures.
struct Agreement: CustomStringConvertible {
    var maxAbs: Float = 0
    var relRMS: Double = 0
    var argmaxSame = 0
    var rows = 0
    init(_ a: [Float], _ b: [Float], vocab: Int) {
        precondition(a.count == b.count)
        var se = 0.0, sr = 0.0
        for i in 0..<a.count {
            let d = a[i] - b[i]
            maxAbs = max(maxAbs, abs(d))
            se += Double(d * d)
            sr += Double(b[i] * b[i])
        }
        relRMS = (se / max(sr, 1e-30)).squareRoot()
        rows = a.count / vocab
        for r in 0..<rows {
            let ra = Array(a[r * vocab ..< (r + 1) * vocab]), rb = Array(b[r * vocab ..< (r + 1) * vocab])
            if Sampler.argmax(ra) == Sampler.argmax(rb) { argmaxSame += 1 }
        }
    }
    var description: String { String(format: "max |Δ| %.2e, rel RMS %.2e, argmax %d/%d", maxAbs, relRMS, argmaxSame, rows) }
}
