import XCTest
@testable import GGUFKernels

/// The importance-weighted quantizers of the legacy and K-quant types (ggml's `quantize_row_*_impl`, what
/// llama-quantize runs with an imatrix) against llama.cpp's ggml_quantize_chunk given the same weights, bit
/// for bit (make_quant_vectors.py): log-normal weights on the 10 × 512 rows, the 68 bulk rows and the NaN/inf
/// rows (20 % zero weights there), and all-zero weights on the 10 × 512 rows.
final class QuantizeWeightedTests: XCTestCase {
    func check(_ name: String) throws {
        let t = QuantType(named: name)
        let w = try XCTUnwrap(t.traits.quantizeRowWeighted, "\(name) has no weighted quantizer")
        for input in ["x", "bulk", "nonfinite"] {
            let (xe, x) = Fixtures.floats("\(input).f32.bin")
            // nil weights: the reference quantizer's bytes
            let (qe, want) = Fixtures.bytes(input == "x" ? "\(name).q.bin" : "\(input).\(name).q.bin")
            assertSameBytes(try quantizeRows(t, x, rows: xe.rows, n: xe.cols, with: { s, d, n in w(s, d, n, nil) }), want,
                            rowBytes: qe.cols, "\(name) \(input) weighted fn, nil weights")
            for wname in input == "x" ? ["w", "wzero"] : ["w"] {
                let (_, weights) = Fixtures.floats("\(wname).\(input == "x" ? "x" : "bulk").f32.bin")
                let (we, wwant) = Fixtures.bytes("\(wname).\(input).\(name).q.bin")
                assertSameBytes(try quantizeRows(t, x, rows: xe.rows, n: xe.cols, weights: weights), wwant,
                                rowBytes: we.cols, "\(name) \(input) weights \(wname)")
            }
        }
    }

    func testQ4_0() throws { try check("Q4_0") }
    func testQ4_1() throws { try check("Q4_1") }
    func testQ5_0() throws { try check("Q5_0") }
    func testQ5_1() throws { try check("Q5_1") }
    func testQ8_0() throws { try check("Q8_0") }
    func testQ2_K() throws { try check("Q2_K") }
    func testQ3_K() throws { try check("Q3_K") }
    func testQ4_K() throws { try check("Q4_K") }
    func testQ5_K() throws { try check("Q5_K") }
    func testQ6_K() throws { try check("Q6_K") }
}
