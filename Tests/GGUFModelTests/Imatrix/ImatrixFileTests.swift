import Foundation
import GGUFTestSupport
import XCTest
import GGUFFormat
import GGUFIO
@testable import GGUFModel

/// Reading and writing llama-imatrix's two formats (Fixtures/quantize/imatrix: files llama-imatrix wrote),
/// and the refusal of truncated, hostile or implausible files.
final class ImatrixFileTests: XCTestCase {
    static let dir = fixturesDir + "/quantize/imatrix"
    var tmp = ""
    override func setUp() { tmp = makeTempDir() }

    func bytes(_ path: String) -> [UInt8] { [UInt8](FileManager.default.contents(atPath: path)!) }

    func testReadsBothFormats() throws {
        for (model, experts) in [("llama3", 1), ("qwen3moe", 8)] {
            let g = try ImatrixFile.read(path: Self.dir + "/\(model).imatrix.gguf")
            let d = try ImatrixFile.read(path: Self.dir + "/\(model).imatrix.dat")
            XCTAssertFalse(g.isLegacy)
            XCTAssertTrue(d.isLegacy)
            XCTAssertEqual(g.datasets, ["eval.txt"])
            XCTAssertEqual(d.datasets, ["eval.txt"])
            XCTAssertEqual(g.chunkCount, 6)
            XCTAssertEqual(d.chunkCount, 6)
            XCTAssertEqual(g.chunkSize, 64)
            XCTAssertEqual(d.chunkSize, 0)
            XCTAssertEqual(Set(g.entries.keys), Set(d.entries.keys), model)
            XCTAssertGreaterThanOrEqual(g.entries.count, 14)
            // 3-D expert tensors: one count per expert
            let exps = g.entries.filter { $0.key.contains("_exps") }
            XCTAssertEqual(exps.isEmpty, experts == 1, model)
            for (_, e) in exps { XCTAssertEqual(e.counts.count, experts) }
            // the weights quantize gets from either format agree (up to rounding: legacy stores sum/count·ncall)
            for (name, e) in g.entries {
                let a = g.weights(e), b = d.weights(d.entries[name]!)
                XCTAssertEqual(a.count, b.count, name)
                for (x, y) in zip(a, b) where abs(x - y) > 1e-5 * max(abs(x), 1) {
                    XCTFail("\(model) \(name): \(x) vs \(y)"); break
                }
            }
        }
    }

    /// Writing what was read gives llama-imatrix's bytes back, in both formats; the GGUF statistics written
    /// as .dat give llama-imatrix's .dat of the same run.
    func testRoundTrips() throws {
        for model in ["llama3", "qwen3moe"] {
            for f in ImatrixFile.Format.allCases {
                let path = Self.dir + "/\(model).imatrix.\(f.rawValue)"
                let m = try ImatrixFile.read(path: path)
                XCTAssertEqual(ImatrixFile.encode(m, format: f), bytes(path), "\(model) \(f)")
            }
            let g = try ImatrixFile.read(path: Self.dir + "/\(model).imatrix.gguf")
            XCTAssertEqual(ImatrixFile.encode(g, format: .dat), bytes(Self.dir + "/\(model).imatrix.dat"), "\(model) gguf → dat")
            let out = tmp + "/\(model).w.gguf"
            try ImatrixFile.write(g, format: .gguf, to: out, force: false)
            XCTAssertEqual(try ImatrixFile.read(path: out), g)
            XCTAssertThrowsError(try ImatrixFile.write(g, format: .gguf, to: out, force: false))
        }
    }

    /// Error of reading `data` as an imatrix file (it must fail), as text.
    func failure(_ data: [UInt8], _ name: String = "bad.imatrix") -> String {
        let path = tmp + "/" + name
        FileManager.default.createFile(atPath: path, contents: Data(data))
        do {
            _ = try ImatrixFile.read(path: path)
            XCTFail("\(name): read without error")
            return ""
        } catch {
            let text = "\(error)"
            XCTAssertTrue(text.hasPrefix(path + ": "), text)
            XCTAssertFalse(text.contains("\n"), text)
            return text
        }
    }

    func testTruncatedFilesAreErrors() throws {
        for f in ["llama3.imatrix.dat", "qwen3moe.imatrix.gguf", "llama3.imatrix.gguf"] {
            let b = bytes(Self.dir + "/" + f)
            // every cut inside the header and the first entries, and a spread over the rest
            var cuts = Array(0..<min(b.count, 400))
            cuts += stride(from: 400, to: b.count - 1, by: 97)
            if f.hasSuffix(".gguf") {  // cuts in the padding after the last tensor's data leave a whole file
                let file = try GGUFReader.read(path: Self.dir + "/" + f)
                let end = file.tensors.map { file.absoluteOffset(of: $0) + $0.byteCount }.max()!
                cuts = cuts.filter { $0 < end }
            } else {  // the legacy trailer is optional: the file may end after the entries or the chunk count
                let trailer = 8 + "eval.txt".utf8.count
                cuts = cuts.filter { $0 != b.count - trailer && $0 != b.count - trailer + 4 }
            }
            for n in cuts {
                let path = tmp + "/t"
                FileManager.default.createFile(atPath: path, contents: Data(b[0..<n]))
                XCTAssertThrowsError(try ImatrixFile.read(path: path), "\(f) cut at \(n)") { e in
                    XCTAssertTrue("\(e)".hasPrefix(path + ": "), "\(e)")
                }
            }
        }
    }

    func i32(_ v: Int32) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }
    func f32(_ v: Float) -> [UInt8] { withUnsafeBytes(of: v.bitPattern.littleEndian) { Array($0) } }

    func testHostileLegacyFiles() throws {
        let name = Array("blk.0.attn_q.weight".utf8)
        func entry(len: Int32? = nil, ncall: Int32 = 3, nval: Int32 = 4, values: [Float] = [1, 2, 3, 4]) -> [UInt8] {
            i32(len ?? Int32(name.count)) + name + i32(ncall) + i32(nval) + values.flatMap(f32)
        }
        let ok = i32(1) + entry() + i32(6) + i32(3) + Array("abc".utf8)
        XCTAssertEqual(try { () throws -> ImportanceMatrix in
            FileManager.default.createFile(atPath: tmp + "/ok.dat", contents: Data(ok))
            return try ImatrixFile.read(path: tmp + "/ok.dat")
        }().entries["blk.0.attn_q.weight"]?.sums, [1, 2, 3, 4])
        XCTAssertTrue(failure(i32(Int32.max) + entry()).contains("at offset 0: not an imatrix file"))
        XCTAssertTrue(failure(i32(0) + entry()).contains("at offset 0"))
        XCTAssertTrue(failure(i32(-5) + entry()).contains("at offset 0"))
        XCTAssertTrue(failure(i32(1) + entry(len: 0x7fff_ffff)).contains("at offset 4: entry 0: name length 2147483647"))
        XCTAssertTrue(failure(i32(1) + entry(len: -1)).contains("at offset 4"))
        XCTAssertTrue(failure(i32(1) + entry(nval: 0x4000_0000)).contains("1073741824 values"))
        XCTAssertTrue(failure(i32(1) + entry(nval: -3)).contains("-3 values"))
        XCTAssertTrue(failure(i32(1) + entry(ncall: -1)).contains("call count -1"))
        XCTAssertTrue(failure(i32(1) + entry(values: [1, .nan, 3, 4])).contains("value 1 is nan"))
        XCTAssertTrue(failure(i32(1) + entry(values: [1, 2, -3, 4])).contains("value 2 is -3.0"))
        XCTAssertTrue(failure(i32(1) + entry(values: [1, 2, 3, .infinity])).contains("value 3 is inf"))
        XCTAssertTrue(failure(i32(2) + entry() + entry()).contains("duplicate entry"))
        XCTAssertTrue(failure(ok + [0]).contains("unexpected bytes after the dataset name"))
        XCTAssertTrue(failure(i32(1) + entry() + i32(6) + i32(99)).contains("dataset name length 99"))
        XCTAssertTrue(failure(Array("hello world, not an imatrix".utf8)).contains("not an imatrix file"))
        XCTAssertTrue(failure([]).contains("at offset 0"))
    }

    /// A GGUF imatrix whose data or metadata is wrong.
    func testHostileGGUFFiles() throws {
        let good = try ImatrixFile.read(path: Self.dir + "/qwen3moe.imatrix.gguf")
        let b = ImatrixFile.encode(good, format: .gguf)
        let file = try GGUFReader.read(Reader(MemorySource(b, path: "m")))
        func patched(_ tensor: String, _ index: Int, _ v: Float) -> [UInt8] {
            var c = b
            let at = file.absoluteOffset(of: file.tensor(tensor)!) + 4 * index
            c.replaceSubrange(at..<(at + 4), with: f32(v))
            return c
        }
        XCTAssertTrue(failure(patched("blk.1.ffn_up_exps.weight.in_sum2", 7, .nan)).contains("'blk.1.ffn_up_exps.weight.in_sum2' value 7 is nan"))
        XCTAssertTrue(failure(patched("blk.0.attn_q.weight.in_sum2", 0, -1)).contains("value 0 is -1.0: expected a finite sum of squares"))
        XCTAssertTrue(failure(patched("blk.0.ffn_gate_exps.weight.counts", 3, .infinity)).contains("expected a finite token count"))
        XCTAssertTrue(failure(patched("blk.0.ffn_gate_exps.weight.counts", 3, -2)).contains("value 3 is -2.0"))

        func gguf(_ md: GGUFMetadata, _ infos: [GGUFTensorInfo]) -> [UInt8] {
            let laid = GGUFWriter.layout(infos)
            var out = GGUFWriter.header(metadata: md, tensors: laid)
            out += [UInt8](repeating: 0, count: laid.reduce(0) { $0 + ($1.byteCount + 31) / 32 * 32 })
            return out
        }
        var md = GGUFMetadata()
        md.setAppending("imatrix.datasets", .array(elementType: .string, values: [.string("x")]))
        md.setAppending("imatrix.chunk_count", .uint32(1))
        md.setAppending("imatrix.chunk_size", .uint32(64))
        let s = GGUFTensorInfo(name: "a.in_sum2", ne: [32, 2], type: .f32), c = GGUFTensorInfo(name: "a.counts", ne: [1, 2], type: .f32)
        XCTAssertNoThrow(try { () throws in
            FileManager.default.createFile(atPath: tmp + "/ok.gguf", contents: Data(gguf(md, [s, c])))
            _ = try ImatrixFile.read(path: tmp + "/ok.gguf")
        }())
        XCTAssertTrue(failure(gguf(md, [s])).contains("mismatched sums and counts for 'a': no a.counts"))
        XCTAssertTrue(failure(gguf(md, [c])).contains("no a.in_sum2"))
        XCTAssertTrue(failure(gguf(md, [])).contains("no tensors"))
        XCTAssertTrue(failure(gguf(md, [GGUFTensorInfo(name: "a.in_sum2", ne: [32, 2], type: .f16), c])).contains("has type F16, expected F32"))
        XCTAssertTrue(failure(gguf(md, [GGUFTensorInfo(name: "a.in_sum2", ne: [33], type: .f32), c])).contains("expected [columns, matrices]"))
        var noCount = md
        noCount.remove("imatrix.chunk_count")
        XCTAssertTrue(failure(gguf(noCount, [s, c])).contains("missing imatrix metadata: no key 'imatrix.chunk_count'"))
        var badType = md
        badType.setAppending("imatrix.chunk_size", .float32(64))
        XCTAssertTrue(failure(gguf(badType, [s, c])).contains("imatrix.chunk_size has type"))
        // a tensor whose data lies past the end of the file
        let cut = gguf(md, [s, c])
        XCTAssertTrue(failure(Array(cut.prefix(cut.count - 64))).contains("at offset"))
    }

    func testFilters() {
        let e = ImportanceMatrix.Entry(sums: [1], counts: [1])
        let m = ImportanceMatrix(entries: ["blk.0.attn_q.weight": e, "blk.0.ffn_up.weight": e, "blk.1.attn_v.weight": e])
        XCTAssertEqual(Set(m.filtered(include: ["attn_"], exclude: []).entries.keys), ["blk.0.attn_q.weight", "blk.1.attn_v.weight"])
        XCTAssertEqual(Set(m.filtered(include: [], exclude: ["blk.0.", "attn_v"]).entries.keys), [])
        XCTAssertEqual(Set(m.filtered(include: [], exclude: ["ffn"]).entries.keys), ["blk.0.attn_q.weight", "blk.1.attn_v.weight"])
        // weights: GGUF sums over counts, 1 where no token reached an expert; legacy over the call count
        let g = ImportanceMatrix(entries: [:])
        XCTAssertEqual(g.weights(.init(sums: [2, 4, 6, 8], counts: [2, 0])), [1, 2, 1, 1])
        let l = ImportanceMatrix(isLegacy: true)
        XCTAssertEqual(l.weights(.init(sums: [2, 4], counts: [4])), [0.5, 1])
        XCTAssertEqual(l.weights(.init(sums: [2, 4], counts: [0])), [2, 4])
    }
}
