import XCTest
@testable import GGUFKernels

/// Quantized bytes and dequantized floats against llama.cpp (ggml_quantize_chunk / to_float), bit for bit.
final class QuantizeTests: XCTestCase {
    static let weightTypes = ["Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q8_0", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "F16", "BF16"]

    func checkQuantize(_ name: String) throws {
        let t = QuantType(named: name)
        let (xe, x) = Fixtures.floats("x.f32.bin")
        let (qe, want) = Fixtures.bytes("\(name).q.bin")
        let got = try quantizeRows(t, x, rows: xe.rows, n: xe.cols)
        assertSameBytes(got, want, rowBytes: qe.cols, "\(name) quantize")
        let (be, bx) = Fixtures.floats("bulk.f32.bin")
        let (bq, bwant) = Fixtures.bytes("bulk.\(name).q.bin")
        assertSameBytes(try quantizeRows(t, bx, rows: be.rows, n: be.cols), bwant, rowBytes: bq.cols, "\(name) quantize bulk")
    }

    func checkDequantize(_ name: String) throws {
        let t = QuantType(named: name)
        let (qe, q) = Fixtures.bytes("\(name).q.bin")
        let (de, want) = Fixtures.floats("\(name).dq.bin")
        let got = try dequantizeRows(t, q, rows: qe.rows, n: de.cols)
        assertSameFloatBits(got, want, rowLength: de.cols, "\(name) dequantize")
    }

    func testQ4_0() throws { try checkQuantize("Q4_0"); try checkDequantize("Q4_0") }
    func testQ4_1() throws { try checkQuantize("Q4_1"); try checkDequantize("Q4_1") }
    func testQ5_0() throws { try checkQuantize("Q5_0"); try checkDequantize("Q5_0") }
    func testQ5_1() throws { try checkQuantize("Q5_1"); try checkDequantize("Q5_1") }
    func testQ8_0() throws { try checkQuantize("Q8_0"); try checkDequantize("Q8_0") }
    func testQ2_K() throws { try checkQuantize("Q2_K"); try checkDequantize("Q2_K") }
    func testQ3_K() throws { try checkQuantize("Q3_K"); try checkDequantize("Q3_K") }
    func testQ4_K() throws { try checkQuantize("Q4_K"); try checkDequantize("Q4_K") }
    func testQ5_K() throws { try checkQuantize("Q5_K"); try checkDequantize("Q5_K") }
    func testQ6_K() throws { try checkQuantize("Q6_K"); try checkDequantize("Q6_K") }
    func testF16() throws { try checkQuantize("F16"); try checkDequantize("F16") }
    func testBF16() throws { try checkQuantize("BF16"); try checkDequantize("BF16") }

    /// Q8_0/Q8_1 reference rows (quantize_row_q8_*_ref).
    func testQ8ReferenceRows() throws {
        let (xe, x) = Fixtures.floats("x.f32.bin")
        for name in ["Q8_0", "Q8_1"] {
            let (qe, want) = Fixtures.bytes("\(name).ref.bin")
            assertSameBytes(try quantizeRows(QuantType(named: name), x, rows: xe.rows, n: xe.cols), want, rowBytes: qe.cols, "\(name) ref")
        }
    }
}
