@testable import GGUFRunner
import GGUFTestSupport
import XCTest

/// ggml's GELU table and soft-cap as the runner computes them.
final class GELUTests: XCTestCase {
    /// The 65536-entry F16 table equals libggml-cpu's `ggml_table_gelu_f16` (AVX2 build of llama.cpp 0c1e570) for every
    /// finite input: SHA-256 printed by `Fixtures/runner/gelu/make_gelu_table.c` (entries of inf/NaN inputs zeroed).
    func testTableEqualsGGMLs() {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(131072)
        for i in 0..<65536 {
            let v: UInt16 = (i >> 10) & 0x1f == 0x1f ? 0 : GELU.table[i]
            bytes += [UInt8(v & 0xff), UInt8(v >> 8)]
        }
        XCTAssertEqual(sha256Hex(bytes), "f459c5318caa755b02f50f89464a39e4ffafd796c93107c270c563e9a73f497e")
    }

    /// ggml_vec_geglu_f32's cut-offs: x ≤ −10 gives 0 (not 0·u), x ≥ 10 gives x·u, otherwise the table at F16(x).
    func testGegluCutoffs() {
        var g: [Float] = [-10, -10.5, 10, 12, 0, 1]
        let u: [Float] = [3, -3, 2, 0.5, 7, 1]
        g.withUnsafeMutableBufferPointer { gp in u.withUnsafeBufferPointer { GELU.geglu(gp.baseAddress!, $0.baseAddress!, 6) } }
        XCTAssertEqual(g[0], 0)
        XCTAssertEqual(g[1].bitPattern, Float(0).bitPattern)
        XCTAssertEqual(g[2], 20)
        XCTAssertEqual(g[3], 6)
        XCTAssertEqual(g[4], 0)
        XCTAssertEqual(g[5], 0.8413, accuracy: 1e-3)   // gelu(1) ≈ 0.8412, rounded through F16
    }

    func testSoftcapBoundsValues() {
        var x: [Float] = [0, 1000, -1000, 1]
        x.withUnsafeMutableBufferPointer { softcap($0.baseAddress!, 4, cap: 30) }
        XCTAssertEqual(x[0], 0)
        XCTAssertEqual(x[1], 30)
        XCTAssertEqual(x[2], -30)
        XCTAssertEqual(x[3], 30 * tanhf(1 / 30), accuracy: 1e-6)
    }
}
