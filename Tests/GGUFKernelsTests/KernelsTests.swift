import XCTest
@testable import GGUFKernels

final class KernelsTests: XCTestCase {
    func testRowLengthNotMultipleThrows() throws {
        let x = [Float](repeating: 1, count: 300)
        var out = [UInt8](repeating: 0, count: 1000)
        try x.withUnsafeBufferPointer { src in
            try out.withUnsafeMutableBytes { dst in
                XCTAssertThrowsError(try Kernels.quantize(.q4_K, src: src.baseAddress!, dst: dst.baseAddress!, rows: 1, rowLength: 300)) {
                    XCTAssertEqual($0 as? KernelError, .rowLengthNotMultiple(type: .q4_K, rowLength: 300, blockSize: 256))
                }
                XCTAssertThrowsError(try Kernels.quantize(.q4_0, src: src.baseAddress!, dst: dst.baseAddress!, rows: 1, rowLength: 33))
                XCTAssertNoThrow(try Kernels.quantize(.q4_0, src: src.baseAddress!, dst: dst.baseAddress!, rows: 1, rowLength: 288))
                XCTAssertNoThrow(try Kernels.quantize(.q4_0, src: src.baseAddress!, dst: dst.baseAddress!, rows: 0, rowLength: 0))
                XCTAssertThrowsError(try Kernels.quantize(.q4_0, src: src.baseAddress!, dst: dst.baseAddress!, rows: -1, rowLength: 32)) {
                    XCTAssertEqual($0 as? KernelError, .negativeRowCount(-1))
                }
                XCTAssertThrowsError(try Kernels.dequantize(.q6_K, src: UnsafeRawPointer(dst.baseAddress!), dst: UnsafeMutablePointer(mutating: src.baseAddress!), rows: 1, rowLength: 200))
                XCTAssertThrowsError(try Kernels.vecDot(.q4_K, count: 100, x: UnsafeRawPointer(dst.baseAddress!), y: UnsafeRawPointer(dst.baseAddress!)))
            }
        }
        XCTAssertThrowsError(try QuantType.q6_K.rowSize(100))
        XCTAssertEqual(try QuantType.q6_K.rowSize(512), 420)
        XCTAssertEqual(try QuantType.f16.rowSize(3), 6)
    }

    func testUnsupportedThrows() throws {
        let x = [Float](repeating: 1, count: 256)
        var out = [UInt8](repeating: 0, count: 1000)
        try x.withUnsafeBufferPointer { src in
            try out.withUnsafeMutableBytes { dst in
                XCTAssertThrowsError(try Kernels.quantize(.iq2_XXS, src: src.baseAddress!, dst: dst.baseAddress!, rows: 1, rowLength: 256)) {
                    XCTAssertEqual($0 as? KernelError, .unsupported(type: .iq2_XXS, operation: "quantize without importance weights"))
                }
            }
        }
    }

    func testTableMatchesGGML() {
        // ggml-common.h block sizes and bytes.
        let expected: [QuantType: (Int, Int)] = [
            .f32: (1, 4), .f16: (1, 2), .bf16: (1, 2), .q4_0: (32, 18), .q4_1: (32, 20), .q5_0: (32, 22), .q5_1: (32, 24),
            .q8_0: (32, 34), .q8_1: (32, 36), .q2_K: (256, 84), .q3_K: (256, 110), .q4_K: (256, 144), .q5_K: (256, 176),
            .q6_K: (256, 210), .q8_K: (256, 292), .iq2_XXS: (256, 66), .iq2_XS: (256, 74), .iq3_XXS: (256, 98),
            .iq1_S: (256, 50), .iq4_NL: (32, 18), .iq3_S: (256, 110), .iq2_S: (256, 82), .iq4_XS: (256, 136),
            .iq1_M: (256, 56), .tq1_0: (256, 54), .tq2_0: (256, 66), .mxfp4: (32, 17), .q1_0: (128, 18), .q2_0: (64, 18),
        ]
        for t in QuantType.allCases {
            XCTAssertEqual(t.blockSize, expected[t]!.0, "\(t)")
            XCTAssertEqual(t.bytesPerBlock, expected[t]!.1, "\(t)")
            if let vt = t.traits.vecDotType { XCTAssertNotNil(vt.traits.fromFloat, "\(t) → \(vt)") }
        }
        XCTAssertEqual(QuantType.q4_K.traits.vecDotType, .q8_K)
        XCTAssertEqual(QuantType.q4_1.traits.vecDotType, .q8_1)
        XCTAssertEqual(QuantType.f16.traits.vecDotType, .f16)
    }
}
