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

/// make_qkx3_quants: the C kernel (AVX2 lanes) against the sequential search (makeQkx2Quants, C's loop as
/// written), on random and edge sub-blocks.
final class MakeQkx3Tests: XCTestCase {
    func testLanesMatchTheSequentialSearch() throws {
        try XCTSkipUnless(CKernelTable.available, "no AVX2")
        var rng = SystemRandomNumberGenerator()
        var x = [Float](repeating: 0, count: 32), w = x, tmp = [Float](repeating: 0, count: 96)
        var la = [UInt8](repeating: 0, count: 32), lc = la, aux = la
        for trial in 0..<3000 {
            let n = trial % 3 == 0 ? 16 : 32
            let nmax: Int32 = [3, 15, 31][trial % 3]
            let kind = trial % 7
            for i in 0..<n {
                let g = Float.random(in: -1...1, using: &rng)
                x[i] = kind == 0 ? 0 : kind == 1 ? abs(g) : kind == 2 ? g * 1e-3 : kind == 3 ? (i % 5 == 0 ? 4 * g : g * 0.1) : g
                w[i] = kind == 4 ? 0 : kind == 5 && i % 3 == 0 ? 0 : Float.random(in: 0.001...10, using: &rng)
            }
            if trial == 11 { x[3] = .nan }
            if trial == 12 { x[0] = .infinity }
            var ma: Float = 0, mc: Float = 0
            let sa = x.withUnsafeBufferPointer { xp in w.withUnsafeBufferPointer { wp in
                makeQkx2Quants(n, nmax, xp.baseAddress!, wp.baseAddress!, &la, &ma, &aux, -0.9, 0.05, 36, false, &tmp) } }
            let sc = x.withUnsafeBufferPointer { xp in w.withUnsafeBufferPointer { wp in
                CKernelTable.makeQkx3Quants(n, nmax, xp.baseAddress!, wp.baseAddress!, &lc, &mc, -0.9, 0.05, 36) } }
            XCTAssertEqual(sa.bitPattern, sc.bitPattern, "trial \(trial) scale")
            XCTAssertEqual(ma.bitPattern, mc.bitPattern, "trial \(trial) min")
            XCTAssertEqual(Array(la[0..<n]), Array(lc[0..<n]), "trial \(trial) L")
        }
    }
}

/// The weighted make_qx_quants: Swift lanes against the C kernel (same bits), on random and edge groups.
final class MakeQxWeightedTests: XCTestCase {
    func testCMatchesSwift() throws {
        try XCTSkipUnless(CKernelTable.available, "no AVX2")
        var rng = SystemRandomNumberGenerator()
        var x = [Float](repeating: 0, count: 32), w = x, tmp = [Float](repeating: 0, count: 72)
        var la = [Int8](repeating: 0, count: 32), lb = la
        for trial in 0..<3000 {
            let n = trial % 2 == 0 ? 16 : 32
            let nmax: Int32 = [4, 8, 16, 32][trial % 4]
            for i in 0..<n {
                let g = Float.random(in: -1...1, using: &rng)
                x[i] = trial % 9 == 0 ? 0 : trial % 9 == 1 ? g * 1e-20 : g
                w[i] = trial % 5 == 0 && i % 2 == 0 ? 0 : Float.random(in: 0...5, using: &rng)
            }
            if trial == 7 { x[2] = .nan }
            let a = x.withUnsafeBufferPointer { xp in w.withUnsafeBufferPointer { wp in
                makeQxQuants(n, nmax, xp.baseAddress!, &la, &tmp, weights: wp.baseAddress!, cLanes: false) } }
            let b = x.withUnsafeBufferPointer { xp in w.withUnsafeBufferPointer { wp in
                CKernelTable.makeQxQuants(n, nmax, xp.baseAddress!, &lb, wp.baseAddress!) } }
            XCTAssertEqual(a.bitPattern, b.bitPattern, "trial \(trial)")
            XCTAssertEqual(Array(la[0..<n]), Array(lb[0..<n]), "trial \(trial)")
        }
    }
}
