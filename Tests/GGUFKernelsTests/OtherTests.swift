import XCTest
@testable import GGUFKernels

/// Dequantizers of the types GGUFKernels only reads, against ggml's to_float on llama.cpp-quantized rows
/// (IQ4_NL, IQ4_XS, TQ1_0, TQ2_0, MXFP4) or random blocks (IQ grid types).
final class OtherTests: XCTestCase {
    func check(_ name: String) throws {
        let t = QuantType(named: name)
        let (qe, q) = Fixtures.bytes("\(name).q.bin")
        let (de, want) = Fixtures.floats("\(name).dq.bin")
        let got = try dequantizeRows(t, q, rows: qe.rows, n: de.cols)
        assertSameFloatBits(got, want, rowLength: de.cols, "\(name) dequantize")
    }

    func testIQ4_NL() throws { try check("IQ4_NL") }
    func testIQ4_XS() throws { try check("IQ4_XS") }
    func testTQ1_0() throws { try check("TQ1_0") }
    func testTQ2_0() throws { try check("TQ2_0") }
    func testMXFP4() throws { try check("MXFP4") }
    func testIQ2_XXS() throws { try check("IQ2_XXS") }
    func testIQ2_XS() throws { try check("IQ2_XS") }
    func testIQ2_S() throws { try check("IQ2_S") }
    func testIQ3_XXS() throws { try check("IQ3_XXS") }
    func testIQ3_S() throws { try check("IQ3_S") }
    func testIQ1_S() throws { try check("IQ1_S") }
    func testIQ1_M() throws { try check("IQ1_M") }
}
