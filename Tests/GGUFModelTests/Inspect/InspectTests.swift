import Foundation
import GGUFFormat
import GGUFIO
import GGUFModel
import GGUFTestSupport
import XCTest

final class InspectTests: XCTestCase {
    var dir = ""
    override func setUp() { dir = makeTempDir() }
    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    /// `inspect --json --full` agrees field by field with gguf-py's gguf_dump (committed JSON,
    /// Fixtures/inspect/make_expected.py) on two files rebuilt from the committed GGML fixtures.
    func testJSONAgreesWithGGUFDump() throws {
        for (fixture, dump) in [("fortune-llama-q4_K_M.ggmlv3.bin.zst", "fortune-llama-q4_K_M.gguf.json"),
                                ("gqa-random-q4_0.ggmlv3.bin.zst", "gqa-random-q4_0.gguf.json")] {
            let path = try InspectFixtures.convertedGGUF(fixture, into: dir)
            let expected = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: fixturesDir + "/inspect/gguf-dump/" + dump))) as! [String: Any]
            let ours = try InspectFixtures.json(try InspectFixtures.report(path).json(full: true))
            let em = expected["metadata"] as! [String: [String: Any]]
            XCTAssertEqual(ours["format"] as? String, "GGUF")
            XCTAssertEqual(ours["version"] as? Int, em["GGUF.version"]!["value"] as? Int)
            XCTAssertEqual(ours["tensor_count"] as? Int, em["GGUF.tensor_count"]!["value"] as? Int)
            let metadata = ours["metadata"] as! [String: Any]
            let types = ours["metadata_types"] as! [String: String]
            let keys = em.keys.filter { !$0.hasPrefix("GGUF.") }
            XCTAssertEqual(Set(metadata.keys), Set(keys), dump)
            for k in keys {
                let e = em[k]!
                let t = e["type"] as! String
                if t == "ARRAY" {
                    XCTAssertEqual(types[k], "ARRAY[\((e["array_types"] as! [String])[0])]", k)
                    let ev = e["value"] as! [Any], ov = metadata[k] as! [Any]
                    XCTAssertEqual(ev.count, ov.count, k)
                    for (x, y) in zip(ev, ov) { XCTAssertTrue(same(x, y), "\(k): \(x) vs \(y)") }
                } else {
                    XCTAssertEqual(types[k], t, k)
                    XCTAssertTrue(same(e["value"]!, metadata[k]!), "\(k): \(e["value"]!) vs \(metadata[k]!)")
                }
            }
            let et = expected["tensors"] as! [String: [String: Any]]
            let ot = ours["tensors"] as! [[String: Any]]
            XCTAssertEqual(ot.count, et.count)
            for t in ot {
                let name = t["name"] as! String
                let e = try XCTUnwrap(et[name], name)
                XCTAssertEqual(t["type"] as? String, e["type"] as? String, name)
                XCTAssertEqual(t["shape"] as? [Int], e["shape"] as? [Int], name)
                XCTAssertEqual(t["offset"] as? Int, e["data_offset"] as? Int, name)
                XCTAssertEqual(t["bytes"] as? Int, e["n_bytes"] as? Int, name)
                XCTAssertEqual(ot.firstIndex { $0["name"] as? String == name }, e["index"] as? Int, name)
            }
        }
    }

    /// Numbers compare as numbers (float32 values as float32), strings as strings.
    func same(_ a: Any, _ b: Any) -> Bool {
        if let x = a as? String, let y = b as? String { return x == y }
        if let x = a as? NSNumber, let y = b as? NSNumber { return x == y || Float(x.doubleValue) == Float(y.doubleValue) }
        return false
    }

    func testSummaryOfConvertedFile() throws {
        let path = try InspectFixtures.convertedGGUF("fortune-llama-q4_K_M.ggmlv3.bin.zst", into: dir)
        let r = try InspectFixtures.report(path)
        XCTAssertEqual(r.header.hparams.nLayer, 4)
        XCTAssertEqual(r.header.hparams.nVocab, 512)
        XCTAssertEqual(r.header.hparams.contextLength, 256)
        XCTAssertEqual(r.summary.parameters, 3_672_320)
        XCTAssertEqual(r.summary.bytes, r.header.tensors.reduce(0) { $0 + $1.bytes })
        XCTAssertEqual(Set(r.summary.types.map(\.typeName)), ["Q4_K", "Q6_K", "F32"])
        XCTAssertEqual(r.summary.types.reduce(0) { $0 + $1.tensors }, 39)
        XCTAssertEqual(r.header.storedFileType, .mostlyQ4_K_M)
        XCTAssertTrue(r.mix.label.hasPrefix("Q4_K_M (matches llama.cpp's"), r.mix.label)
        XCTAssertEqual(r.summary.bitsPerWeight, 8.0 * Double(r.summary.bytes) / 3_672_320, accuracy: 1e-12)
        let text = r.text(full: false, tensors: true)
        XCTAssertTrue(text.contains("[STRING × 512] \"<unk>\", \"<s>\""), text)
        XCTAssertTrue(text.contains("blk.3.ffn_norm.weight"))
    }

    /// GGML-era files (also compressed) are inspected directly; the mix of a 2023 file is recognized.
    func testGGMLFixtures() throws {
        let r = try InspectFixtures.report(fixturesDir + "/ggml/fortune-llama-q4_K_M.ggmlv3.bin.zst")
        XCTAssertEqual(r.header.format, .ggjt)
        XCTAssertEqual(r.header.version, 3)
        XCTAssertEqual(r.header.compression, "zstd")
        XCTAssertEqual(r.header.tensors.count, 39)
        XCTAssertEqual(r.summary.parameters, 3_672_320)
        XCTAssertEqual(r.header.storedFileType, .mostlyQ4_K_M)
        XCTAssertTrue(r.mix.matches.contains { $0.target == .q4_K_M && $0.era == .v2023 }, r.mix.label)
        XCTAssertEqual(r.header.metadata.int("ggml.n_vocab"), 512)
        XCTAssertEqual(InspectReport.defaultContext(r.header), 2048, "GGML files do not store the context length")
        let gqa = try InspectFixtures.report(fixturesDir + "/ggml/gqa-random-q4_0.ggmlv3.bin.zst")
        XCTAssertEqual(gqa.header.hparams.nHeadKV * 4, gqa.header.hparams.nHead, "KV heads from wk's shape")
        // Every older container.
        for c in [GGMLBuilder.Container.ggml, .ggmf, .ggjt(1), .ggjt(2)] {
            var b = GGMLBuilder(container: c, ftype: 0)
            b.addLlamaTensors()
            let p = dir + "/old.bin"
            try Data(b.bytes()).write(to: URL(fileURLWithPath: p))
            let h = try ModelHeader.read(path: p)
            XCTAssertEqual(h.tensors.count, 12)
            XCTAssertEqual(h.tensors.first?.typeName, "F32")
            XCTAssertEqual(h.metadata["ggml.scores"] == nil, { if case .ggml = c { return true }; return false }())
        }
    }

    /// A multi-GB model as a sparse file: only the header is read.
    func testSparseMultiGigabyteFileReadsOnlyTheHeader() throws {
        let path = dir + "/sparse.gguf"
        let (headerBytes, total) = try SparseModel.write(path: path, nLayer: 32, nEmbd: 4096, nFF: 11008, nVocab: 32000)
        XCTAssertGreaterThan(total, 8_000_000_000)
        let src = try CountingSource(path)
        let h = try ModelHeader.read(source: src)
        XCTAssertEqual(h.fileSize, total)
        XCTAssertEqual(h.tensors.count, 3 + 32 * 9)
        XCTAssertLessThanOrEqual(src.bytesRead, headerBytes + 64 * 1024, "read \(src.bytesRead) bytes of a \(total)-byte file")
        let r = InspectReport(header: h, settings: MemorySettings(ctx: 4096))
        XCTAssertEqual(r.summary.parameters, 6_738_415_616, "Llama-2 7B's parameter count")
        XCTAssertTrue(r.mix.label.hasPrefix("F16"), r.mix.label)
    }

    func testChecksumsMatchZlibOverTheBytes() throws {
        let path = try InspectFixtures.convertedGGUF("fortune-llama-q4_0.ggmlv3.bin.zst", into: dir)
        let h = try ModelHeader.read(path: path)
        let bytes = [UInt8](FileManager.default.contents(atPath: path)!)
        for threads in [1, 2, 3] {
            let c = try Checksums.compute(h, threads: threads)
            for (i, t) in h.tensors.enumerated() {
                let want = bytes[t.offset..<(t.offset + t.bytes)].withUnsafeBytes { CRC32.of($0) }
                XCTAssertEqual(c.tensors[i], want, t.name)
            }
            XCTAssertEqual(c.dataSection, bytes[h.dataOffset!...].withUnsafeBytes { CRC32.of($0) })
            XCTAssertEqual(c.bytes, bytes.count - h.dataOffset!)
        }
        // The compressed GGML original: the same tensor data, read as a stream.
        let g = try ModelHeader.read(path: fixturesDir + "/ggml/fortune-llama-q4_0.ggmlv3.bin.zst")
        let cg = try Checksums.compute(g), cp = try Checksums.compute(h)
        XCTAssertEqual(cg.tensors, cp.tensors, "conversion copies tensor data byte for byte")
    }

    func testJSONIsStableAndParses() throws {
        let path = try InspectFixtures.convertedGGUF("fortune-llama-q4_0.ggmlv3.bin.zst", into: dir)
        let r = try InspectFixtures.report(path, ctx: 1000, checksums: true)
        let j = try InspectFixtures.json(r.json(full: false))
        XCTAssertEqual(Array(r.json(full: false).rendered().split(separator: "\n").prefix(3)).count, 3)
        let mem = j["memory"] as! [String: Any]
        XCTAssertEqual(mem["ctx"] as? Int, 1000)
        for col in ["ggufkit", "llamacpp"] {
            let m = mem[col] as! [String: Int]
            XCTAssertEqual(m["total"], ["weights", "kv", "compute", "output", "vocab", "overhead"].reduce(0) { $0 + m[$1]! })
        }
        let tokens = (j["metadata"] as! [String: Any])["tokenizer.ggml.tokens"] as! [String: Any]
        XCTAssertEqual(tokens["count"] as? Int, 512, "long arrays are summarized without --full")
        XCTAssertEqual((j["tensors"] as! [[String: Any]])[0]["crc32"] as? String, hex32(r.checksums!.tensors[0]))
        XCTAssertEqual(r.json(full: true).rendered(), r.json(full: true).rendered())
        XCTAssertEqual(JSONValue.string("a\"b\\\n\u{1}").rendered(), "\"a\\\"b\\\\\\n\\u0001\"")
        XCTAssertEqual(JSONValue.float(.nan).rendered(), "\"NaN\"")
    }
}
