import Foundation
import GGUFFormat
import GGUFModel
import GGUFTestSupport
import XCTest

/// The llama.cpp column reproduces the buffer sizes llama.cpp 0c1e570 printed for a 1.7 GB F16 model
/// (make-model --dim 2048 --layers 16 --heads 16 --kv-heads 4 --ffn 5632 --vocab 32000; docs/inspect.md).
final class MemoryEstimateTests: XCTestCase {
    func header() throws -> ModelHeader {
        let dir = makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try SparseModel.write(path: dir + "/m.gguf", nLayer: 16, nEmbd: 2048, nFF: 5632, nVocab: 32000, nHeadKV: 4, nHead: 16)
        return try ModelHeader.read(path: dir + "/m.gguf")
    }

    func testLlamaCppBuffersMatchMeasured() throws {
        let h = try header()
        XCTAssertEqual(h.hparams.nEmbdKGQA, 512)
        // (ctx, ubatch) -> (KV, compute) as printed ("CPU KV buffer size", "CPU compute buffer size"; MiB, 2 decimals).
        let measured: [(Int, Int, Double, Double)] = [
            (512, 512, 16.00, 70.50), (2048, 512, 64.00, 70.50), (4096, 512, 128.00, 70.50),
            (512, 128, 16.00, 17.63), (4096, 128, 128.00, 17.63), (2048, 1024, 64.00, 141.00), (512, 1024, 16.00, 70.50),
        ]
        for (ctx, ub, kv, compute) in measured {
            let m = MemoryEstimate(header: h, settings: MemorySettings(ctx: ctx, batch: ub)).llamacpp
            XCTAssertEqual(Double(m.kv) / 1048576, kv, accuracy: 0.005, "KV at ctx \(ctx)")
            XCTAssertEqual(Double(m.compute) / 1048576, compute, accuracy: 0.005, "compute at ctx \(ctx) ubatch \(ub)")
            XCTAssertEqual(m.output, 128_000)
        }
        // n_ctx is padded to 256; q8_0 KV is 34/32 bytes an element.
        let q8 = MemoryEstimate(header: h, settings: MemorySettings(ctx: 1000, kvType: .q8_0)).llamacpp
        XCTAssertEqual(q8.kv, 16 * 1024 * 1024 * 34 / 32)
    }

    /// Where the FFN phase is the peak the formula is fitted: within 5 % of what llama.cpp printed.
    func testFFNPhaseShapes() throws {
        // (n_embd, n_ff, n_vocab, n_head, n_head_kv, ctx, ubatch, measured compute buffer in bytes)
        let measured: [(Int, Int, Int, Int, Int, Int, Int, Int)] = [
            (4096, 11008, 32000, 32, 32, 4096, 512, 97_003_766), (4096, 11008, 32000, 32, 32, 4096, 256, 48_507_126),
            (4096, 11008, 32000, 32, 32, 512, 512, 93_333_750), (4096, 11008, 32000, 32, 32, 2048, 512, 94_906_614),
            (1024, 4096, 1000, 8, 8, 512, 512, 34_089_206), (512, 1536, 512, 8, 2, 512, 512, 14_166_262),
            (512, 1536, 512, 8, 2, 512, 128, 3_544_187), (256, 768, 512, 4, 4, 512, 512, 7_350_518),
        ]
        for (e, ff, v, h, kv, ctx, ub, want) in measured {
            let dir = makeTempDir()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            _ = try SparseModel.write(path: dir + "/m.gguf", nLayer: 1, nEmbd: e, nFF: ff, nVocab: v, nHeadKV: kv, nHead: h)
            let m = MemoryEstimate(header: try ModelHeader.read(path: dir + "/m.gguf"), settings: MemorySettings(ctx: ctx, batch: ub)).llamacpp
            XCTAssertEqual(Double(m.compute), Double(want), accuracy: 0.05 * Double(want), "n_embd \(e) n_ff \(ff) ctx \(ctx) ubatch \(ub)")
        }
    }

    /// Sliding-window layers get llama.cpp's smaller SWA cache (llama_kv_cache_iswa: pad(min(n_ctx, n_swa + n_ubatch),
    /// 256) cells). The runner's gemma2 fixture (2 layers, window 8, layer 0 sliding, K and V rows of 128): llama.cpp
    /// printed "4096 cells, 1 layers" + "768 cells, 1 layers" at -c 4096 -ub 512, and 1024 + 256 cells at -c 1000 -ub 128.
    /// The runner keeps the whole context for every layer.
    func testSlidingWindowKVAsLlamaCpp() throws {
        let h = try ModelHeader.read(path: try gemma2Fixture())
        XCTAssertEqual([h.hparams.slidingWindow, h.hparams.slidingLayers], [8, 1])
        let a = MemoryEstimate(header: h, settings: MemorySettings(ctx: 4096, batch: 512))
        XCTAssertEqual(a.llamacpp.kv, (4096 + 768) * 256 * 2)
        XCTAssertEqual(a.ggufkit.kv, 2 * 4096 * 256 * 2)
        let b = MemoryEstimate(header: h, settings: MemorySettings(ctx: 1000, batch: 128))
        XCTAssertEqual(b.llamacpp.kv, (1024 + 256) * 256 * 2)
    }

    /// Experts add the router probabilities and every (token, slot) pair's gate, up and down rows to the runner's
    /// compute term (qwen3moe fixture: 8 experts, 2 used, n_ff 256 per expert).
    func testMoEComputeTerm() throws {
        let dir = makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let text = try String(contentsOfFile: fixturesDir + "/runner/archs/qwen3moe.spec", encoding: .utf8)
        try ModelSpec(parsing: text, name: "qwen3moe").write(to: dir + "/m.gguf", seed: 1, scale: 0.08)
        let h = try ModelHeader.read(path: dir + "/m.gguf")
        XCTAssertEqual([h.hparams.nExpert, h.hparams.nExpertUsed, h.hparams.nFFExp], [8, 2, 256])
        var dense = h
        dense.hparams.nExpert = 0
        let s = MemorySettings(ctx: 256, batch: 64, threads: 2)
        let extra = MemoryEstimate(header: h, settings: s).ggufkit.compute - MemoryEstimate(header: dense, settings: s).ggufkit.compute
        XCTAssertEqual(extra, 64 * (8 + 2 * (2 * 256 + 256)) * 4)
    }

    func gemma2Fixture() throws -> String {
        let dir = makeTempDir()
        let text = try String(contentsOfFile: fixturesDir + "/runner/archs/gemma2.spec", encoding: .utf8)
        try ModelSpec(parsing: text, name: "gemma2").write(to: dir + "/g.gguf", seed: 1, scale: 0.08)
        return dir + "/g.gguf"
    }

    func testGGUFKitColumnFollowsItsFormula() throws {
        let h = try header()
        let m = MemoryEstimate(header: h, settings: MemorySettings(ctx: 2048, batch: 512, threads: 2)).ggufkit
        // The model has output.weight, so of token_embd (32000 rows) only 2048 rows count.
        let emb = h.tensors.first { $0.name == "token_embd.weight" }!
        XCTAssertEqual(m.weights, h.tensors.reduce(0) { $0 + $1.bytes } - emb.bytes + 2048 * (emb.bytes / 32000))
        XCTAssertEqual(m.kv, 2 * 16 * 2048 * 512 * 2)
        // F16 matrices: activations converted to F16, the widest row is ffn_down's 5632 columns.
        XCTAssertEqual(m.compute, 512 * (5 * 2048 + 2 * 512 + 2 * 5632) * 4 + 512 * 5632 * 2 + 2 * (2048 + 2 * 128) * 4)
        XCTAssertEqual(m.output, 2 * 32000 * 4)
        // A short context caps the batch, and the KV cache is F16 whatever --kv-type says.
        let small = MemoryEstimate(header: h, settings: MemorySettings(ctx: 100, batch: 512, threads: 2, kvType: .q8_0)).ggufkit
        XCTAssertEqual(small.kv, 2 * 16 * 100 * 512 * 2)
        XCTAssertEqual(small.compute, 100 * (5 * 2048 + 2 * 512 + 2 * 5632) * 4 + 100 * 5632 * 2 + 2 * (100 + 2 * 128) * 4)
    }

    /// The ggufkit column against the peak RSS of `ggufkit run` measured on the 1.71 GB F16 model
    /// (Fixtures/inspect/ggufkit-measured.jsonl, made by measure_ggufkit.py): within 5 %.
    func testGGUFKitColumnAgreesWithMeasuredPeakRSS() throws {
        let h = try header()
        let text = try String(contentsOfFile: fixturesDir + "/inspect/ggufkit-measured.jsonl", encoding: .utf8)
        var checked = 0
        for line in text.split(separator: "\n") {
            let row = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            guard row["model"] as? String == "m852-f16.gguf" else { continue }
            let ctx = row["ctx"] as! Int, peak = Double(row["peak_rss"] as! Int)
            let total = Double(MemoryEstimate(header: h, settings: MemorySettings(ctx: ctx, threads: 2)).ggufkit.total)
            XCTAssertEqual(total / peak, 1, accuracy: 0.05, "ctx \(ctx): estimate \(total), measured \(peak)")
            checked += 1
        }
        XCTAssertEqual(checked, 3)
    }
}
