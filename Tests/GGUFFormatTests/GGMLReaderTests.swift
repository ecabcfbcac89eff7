import Foundation
import GGUFTestSupport
import XCTest
@testable import GGUFFormat
import GGUFIO

final class GGMLReaderTests: XCTestCase {
    var dir = ""
    override func setUp() { dir = makeTempDir() }

    func write(_ b: GGMLBuilder, _ name: String = "m.bin") -> String {
        let p = dir + "/" + name
        try! Data(b.bytes()).write(to: URL(fileURLWithPath: p))
        return p
    }

    func testEveryContainerVariant() throws {
        let variants: [(GGMLBuilder.Container, GGMLContainer, UInt32, String)] = [
            (.ggml, .ggml, 0, "GGML"), (.ggmf, .ggmf, 1, "GGMFv1"),
            (.ggjt(1), .ggjt, 1, "GGJTv1"), (.ggjt(2), .ggjt, 2, "GGJTv2"), (.ggjt(3), .ggjt, 3, "GGJTv3"),
        ]
        for (c, container, version, name) in variants {
            var b = GGMLBuilder(container: c)
            b.addLlamaTensors()
            let f = try GGMLReader.scan(path: write(b))
            XCTAssertEqual(f.container, container)
            XCTAssertEqual(f.version, version)
            XCTAssertEqual(f.formatName, name)
            XCTAssertEqual(f.hparams.nEmbd, 64)
            XCTAssertEqual(f.vocab.count, 260)
            XCTAssertEqual(f.vocab[300 - 41].score, container == .ggml ? 0 : -259, "scores only in versioned files")
            XCTAssertEqual(f.tensors.count, 3 + 9)
            let aligned = f.tensors.allSatisfy { $0.dataOffset % 32 == 0 }
            XCTAssertEqual(aligned, container == .ggjt, "only ggjt aligns tensor data")
            XCTAssertEqual(f.tensors[0].byteCount, 64 * 260 * 4)
        }
    }

    func testQuantLayoutsPerVersion() throws {
        // Q4_0 blocks were 20 bytes (f32 scale) before ggjt v3, 18 after.
        for (v, bytesPerBlock, refused) in [(UInt32(1), 20.0, true), (2, 20, true), (3, 18, false)] {
            var b = GGMLBuilder(container: .ggjt(v), ftype: 2)
            b.addLlamaTensors(type: 2, bytesPerElement: bytesPerBlock / 32)
            let f = try GGMLReader.scan(path: write(b))
            let t = f.tensor("layers.0.attention.wq.weight")!
            XCTAssertEqual(t.byteCount, 64 * 64 / 32 * Int(bytesPerBlock))
            let layout = GGMLLayouts.layout(typeID: 2, container: .ggjt, version: v)!
            XCTAssertEqual(layout.refusal != nil, refused)
        }
        XCTAssertNil(GGMLLayouts.layout(typeID: 6, container: .ggjt, version: 2)?.refusal, "Q5_0 of ggjt v2 is today's layout")
        XCTAssertNotNil(GGMLLayouts.layout(typeID: 6, container: .ggjt, version: 1)?.refusal)
        XCTAssertNotNil(GGMLLayouts.layout(typeID: 12, container: .ggjt, version: 2)?.refusal, "no k-quants before v3")
        XCTAssertEqual(GGMLLayouts.layout(typeID: 4, container: .ggjt, version: 1)?.typeSize, 10, "Q4_2")
        XCTAssertNil(GGMLLayouts.layout(typeID: 4, container: .ggjt, version: 3))
    }

    func testGPT4AllVocabularyHack() throws {
        var b = GGMLBuilder(container: .ggjt(1), nVocab: 32001, nEmbd: 8, nHead: 2)
        b.vocab.removeLast()  // declares 32001, stores 32000
        b.addLlamaTensors()
        let f = try GGMLReader.scan(path: write(b))
        XCTAssertEqual(f.vocab.count, 32000)
        XCTAssertEqual(f.tensors.first?.name, "tok_embeddings.weight")
    }

    func testBadMagicsAreNamed() {
        for (magic, what) in [("GGUF", "already GGUF"), ("algg", "LoRA adapter"), ("nsgg", "session file"), ("PK\u{3}\u{4}", "not a GGML model file")] {
            let p = dir + "/x.bin"
            try! Data(Array(magic.utf8) + [UInt8](repeating: 0, count: 64)).write(to: URL(fileURLWithPath: p))
            XCTAssertThrowsError(try GGMLReader.scan(path: p)) { e in XCTAssertTrue("\(e)".contains(what), "\(e)") }
        }
        var b = GGMLBuilder(container: .ggjt(4))
        b.addLlamaTensors()
        XCTAssertThrowsError(try GGMLReader.scan(path: write(b))) { e in XCTAssertTrue("\(e)".contains("unknown GGJT version 4"), "\(e)") }
    }

    func testHostileFieldsGiveErrorsNotAllocations() {
        func fails(_ mutate: (inout GGMLBuilder) -> Void, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
            var b = GGMLBuilder(container: .ggjt(3))
            b.addLlamaTensors()
            mutate(&b)
            XCTAssertThrowsError(try GGMLReader.scan(path: write(b)), file: file, line: line) { e in
                XCTAssertTrue("\(e)".contains(what), "\(e)", file: file, line: line)
            }
        }
        fails({ $0.hparams[0] = 0xFFFF_FFFF }, "n_vocab")
        fails({ $0.hparams[0] = 5_000_000 }, "needs more bytes")
        fails({ $0.hparams[3] = 0 }, "implausible")
        fails({ $0.vocab[5].0 = [UInt8](repeating: 65, count: 5000) }, "at most 4095")
        fails({ $0.tensors[0].ne = [64, 1 << 30] }, "truncated")
        fails({ $0.tensors[1].type = 9 }, "type id 9")
        fails({ $0.tensors[1].ne = [1, 1, 1, 1, 1] }, "1 to 4")
        fails({ $0.tensors[2].name = $0.tensors[1].name }, "duplicate tensor")
        fails({ $0.tensors[1].type = 2; $0.tensors[1].ne = [63] }, "not a multiple of the Q4_0 block size")
    }

    func testTruncationAtEvery64thIsAnError() throws {
        var b = GGMLBuilder(container: .ggjt(3))
        b.addLlamaTensors()
        let full = b.bytes()
        for i in 0..<64 {
            let n = full.count * i / 64
            let p = dir + "/t.bin"
            try Data(full.prefix(n)).write(to: URL(fileURLWithPath: p))
            XCTAssertThrowsError(try GGMLReader.scan(path: p), "prefix \(n)")
        }
        // One byte short: the last tensor's data ends early.
        let p = dir + "/t.bin"
        try Data(full.dropLast()).write(to: URL(fileURLWithPath: p))
        XCTAssertThrowsError(try GGMLReader.scan(path: p)) { e in XCTAssertTrue("\(e)".contains("truncated"), "\(e)") }
    }

    func testNameMapping() {
        XCTAssertEqual(LlamaTensorNames.gguf(fromGGML: "tok_embeddings.weight"), "token_embd.weight")
        XCTAssertEqual(LlamaTensorNames.gguf(fromGGML: "layers.79.feed_forward.w2.weight"), "blk.79.ffn_down.weight")
        XCTAssertEqual(LlamaTensorNames.gguf(fromGGML: "layers.3.attention.wk.weight"), "blk.3.attn_k.weight")
        XCTAssertNil(LlamaTensorNames.gguf(fromGGML: "layers.x.attention.wk.weight"))
        XCTAssertNil(LlamaTensorNames.gguf(fromGGML: "layers.01.attention.wk.weight"))
        XCTAssertNil(LlamaTensorNames.gguf(fromGGML: "rope.freqs"))
        XCTAssertEqual(LlamaTensorNames.layer(ofGGUF: "blk.12.attn_v.weight"), 12)
    }

    func testSharedGGMLFixturesScanWhenPresent() throws {
        guard let shared = sharedFixturesDir else { throw XCTSkip("../shared not present") }
        let files = try FileManager.default.subpathsOfDirectory(atPath: shared).filter { $0.hasSuffix(".bin") }
        XCTAssertGreaterThan(files.count, 15)
        for rel in files {
            let f = try GGMLReader.scan(path: shared + "/" + rel)
            XCTAssertEqual(f.vocab.count, f.hparams.nVocab, rel)
            XCTAssertEqual(f.tensors.last.map { $0.dataOffset + $0.byteCount }, f.fileSize, "\(rel): data ends at the end of the file")
        }
    }
}
