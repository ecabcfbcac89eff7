import XCTest
@testable import GGUFKernels

/// Kernels.validate finds what ggml_validate_row_data finds, in the field ggml checks.
final class ValidateTests: XCTestCase {
    static let quantizable: [QuantType] = [.f32, .f16, .bf16, .q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q2_K, .q3_K, .q4_K, .q5_K, .q6_K, .q8_K,
                                           .iq4_NL, .iq4_XS, .tq1_0, .tq2_0, .iq3_S]

    func problem(_ t: QuantType, _ bytes: [UInt8]) -> RowDataProblem? {
        bytes.withUnsafeBytes { Kernels.validate(t, $0.baseAddress!, byteCount: bytes.count) }
    }

    /// Ordinary rows pass; a block of 1e10 (beyond every fp16 scale) or NaN (for the float types) is
    /// found in that block, whatever the layout puts the scale at.
    func testQuantizerOutputs() throws {
        for t in Self.quantizable {
            let bs = max(t.blockSize, 1)
            let n = 3 * max(bs, 256)
            let normal: [Float] = (0..<n).map { Float(($0 * 37) % 101) / 50 - 1 }
            XCTAssertNil(problem(t, try quantizeRows(t, normal, rows: 1, n: n)), "\(t)")
            var x = normal
            let bad = t.blockSize == 1 ? 300 : bs    // second block, or the 301st value
            // 1e10: every fp16 scale overflows, and squares still fit a float (at 1e30 the K-quants' weighted
            // searches overflow and end with a scale of 0, as ggml's do); Q8_K's float d needs an infinity
            let v: Float = t == .bf16 || t == .f32 ? .nan : t == .q8_K ? .infinity : 1e10
            for i in bad..<(bad + bs) { x[i] = v }
            let p = problem(t, try quantizeRows(t, x, rows: 1, n: n))
            XCTAssertEqual(p?.block, t.blockSize == 1 ? 300 : 1, "\(t): \(String(describing: p))")
        }
    }

    /// MXFP4's exponent reaches at most 252 (floor(log2 FLT_MAX) − 2 + 127), so ggml's 0xFF check never fires
    /// on quantizer output; the nonfinite rows give e = 0 (inf → x86's conversion of inf).
    func testMXFP4OutputsAlwaysValid() throws {
        let x: [Float] = (0..<256).map { i in [1e10, .greatestFiniteMagnitude, .infinity, .nan, 1e-40, 0, -3][i % 7] }
        XCTAssertNil(problem(.mxfp4, try quantizeRows(.mxfp4, x, rows: 1, n: 256)))
    }

    /// Each kind as ggml words it, and the fields of a block that are not scales are not looked at.
    func testKindsAndFields() {
        XCTAssertEqual(problem(.f16, [0, 0, 0x00, 0x7c]), RowDataProblem(.inf, block: 1))
        XCTAssertEqual(problem(.f16, [0x01, 0xfc]), RowDataProblem(.nan, block: 0))
        XCTAssertEqual(problem(.bf16, [0x80, 0xff]), RowDataProblem(.inf, block: 0))
        XCTAssertEqual(problem(.bf16, [0xc0, 0x7f]), RowDataProblem(.nan, block: 0))
        XCTAssertEqual("\(RowDataProblem(.inf, block: 3))", "found inf value at block 3")
        // values at an odd address (the scan's unaligned path)
        let odd: [UInt8] = [9, 0, 0, 0, 0x7c, 0, 0, 0x80, 0x7f]
        odd.withUnsafeBytes { b in
            XCTAssertEqual(Kernels.validate(.f16, b.baseAddress! + 1, byteCount: 4), RowDataProblem(.inf, block: 1))
            XCTAssertEqual(Kernels.validate(.f32, b.baseAddress! + 5, byteCount: 4), RowDataProblem(.inf, block: 0))
            XCTAssertNil(Kernels.validate(.f16, b.baseAddress! + 1, byteCount: 2))
        }
        var q6 = [UInt8](repeating: 0xff, count: 210)    // codes all ones, d = 0
        q6[208] = 0; q6[209] = 0
        XCTAssertNil(problem(.q6_K, q6))
        q6[209] = 0x7c
        XCTAssertEqual(problem(.q6_K, q6), RowDataProblem(.inf, block: 0))
        var q4_1 = [UInt8](repeating: 0, count: 40)
        q4_1[20 + 3] = 0x7e                              // second block's m
        XCTAssertEqual(problem(.q4_1, q4_1), RowDataProblem(.nan, block: 1))
        var mx = [UInt8](repeating: 0, count: 17)
        mx[0] = 0xff
        XCTAssertEqual(problem(.mxfp4, mx), RowDataProblem(.invalidExponent, block: 0))
    }
}
