import Foundation
import GGUFFormat
import GGUFIO
import GGUFModel
import GGUFRunner
import GGUFTestSupport
import XCTest

/// A split set runs as the one file it was split from: every part mapped, the same logits bit for bit.
final class SplitModelTests: XCTestCase {
    func testSplitSetGivesTheUnsplitLogits() throws {
        let dir = makeTempDir()
        var m = SyntheticModel()
        (m.dim, m.layers, m.heads, m.kvHeads, m.ffn, m.vocab, m.type, m.seed) = (256, 2, 4, 2, 512, 512, .f16, 7)
        try m.write(to: dir + "/m.gguf")
        let set = try GGUFSplitSet.open(path: dir + "/m.gguf")
        // --no-tensor-first-split: the first part holds only metadata, every weight is in another file.
        let parts = try SplitPlan.parts(of: set, prefix: dir + "/s", options: SplitOptions(limit: .tensors(5), noTensorFirstSplit: true))
        try PartWriter.write(parts, inputs: try PartWriter.inputs(of: set), force: false)
        XCTAssertEqual(parts.count, 6)

        let tokens: [Int32] = [1, 300, 301, 302, 259, 400]
        let whole = try Session(model: try LlamaModel(path: dir + "/m.gguf"), contextSize: 64, threads: 2)
        let split = try Session(model: try LlamaModel(path: parts[0].path), contextSize: 64, threads: 2)
        let a = try whole.evaluate(tokens, allLogits: true), b = try split.evaluate(tokens, allLogits: true)
        XCTAssertEqual(a.count, tokens.count * 512)
        XCTAssertEqual(a.map(\.bitPattern), b.map(\.bitPattern))
    }

    func testMiddlePartIsRefused() throws {
        let dir = makeTempDir()
        var m = SyntheticModel()
        (m.dim, m.layers, m.vocab) = (64, 1, 300)
        try m.write(to: dir + "/m.gguf")
        let set = try GGUFSplitSet.open(path: dir + "/m.gguf")
        let parts = try SplitPlan.parts(of: set, prefix: dir + "/s", options: SplitOptions(limit: .tensors(4)))
        try PartWriter.write(parts, inputs: try PartWriter.inputs(of: set), force: false)
        XCTAssertThrowsError(try LlamaModel(path: parts[1].path)) { e in
            XCTAssertTrue("\(e)".contains("open its first part"), "\(e)")
        }
    }
}
