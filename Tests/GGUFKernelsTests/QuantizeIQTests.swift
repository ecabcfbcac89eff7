import XCTest
@testable import GGUFKernels

/// The IQ4_NL, IQ4_XS, TQ1_0, TQ2_0, MXFP4 and IQ3_S quantizers against llama.cpp's ggml_quantize_chunk, bit for bit:
/// without an imatrix (x, bulk, NaN/inf rows) and with importance weights (make_quant_vectors.py).
final class QuantizeIQTests: XCTestCase {
    static let types = ["IQ4_NL", "IQ4_XS", "TQ1_0", "TQ2_0", "MXFP4"]

    func check(_ name: String, inputs: [String] = ["x", "bulk", "nonfinite"]) throws {
        let t = QuantType(named: name)
        for input in inputs {
            let (xe, x) = Fixtures.floats("\(input).f32.bin")
            let (qe, want) = Fixtures.bytes(input == "x" ? "\(name).q.bin" : "\(input).\(name).q.bin")
            assertSameBytes(try quantizeRows(t, x, rows: xe.rows, n: xe.cols), want, rowBytes: qe.cols, "\(name) \(input)")
            // the row functions of the table: unweighted (Swift, and C where there is one), and weighted with nil weights
            for (impl, fn) in QuantizeTests.implementations(t) {
                assertSameBytes(try quantizeRows(t, x, rows: xe.rows, n: xe.cols, with: fn), want, rowBytes: qe.cols, "\(name) \(input) \(impl)")
            }
            let w = t.traits.quantizeRowWeighted!
            assertSameBytes(try quantizeRows(t, x, rows: xe.rows, n: xe.cols, with: { s, d, n in w(s, d, n, nil) }), want,
                            rowBytes: qe.cols, "\(name) \(input) weighted fn, nil weights")
            for wname in input.hasPrefix("x") ? ["w", "wzero"] : ["w"] {
                let (_, weights) = Fixtures.floats("\(wname).\(input.hasPrefix("x") ? "x" : "bulk").f32.bin")
                let (we, wwant) = Fixtures.bytes("\(wname).\(input).\(name).q.bin")
                assertSameBytes(try quantizeRows(t, x, rows: xe.rows, n: xe.cols, weights: weights), wwant,
                                rowBytes: we.cols, "\(name) \(input) weights \(wname)")
                if t == .iq4_NL || t == .iq4_XS {   // both IQ4 implementations with weights: Swift passes, C passes
                    for c in CKernelTable.available ? [false, true] : [false] {
                        let fn: QuantizeRowFn = { s, d, n in weights.withUnsafeBufferPointer { w in
                            IQ4Quant.row(s, d, n, w.baseAddress!, superBlock: t == .iq4_NL ? 32 : 256, cPasses: c) } }
                        assertSameBytes(try quantizeRows(t, x, rows: xe.rows, n: xe.cols, with: fn), wwant,
                                        rowBytes: we.cols, "\(name) \(input) weights \(wname) C passes \(c)")
                    }
                }
            }
        }
    }

    func testIQ4_NL() throws { try check("IQ4_NL") }
    func testIQ4_XS() throws { try check("IQ4_XS") }
    func testTQ1_0() throws { try check("TQ1_0") }
    func testTQ2_0() throws { try check("TQ2_0") }
    func testMXFP4() throws { try check("MXFP4") }
    /// IQ3_S: xf = x without the ±1e30 row, and no NaN/inf rows (ggml aborts on both).
    func testIQ3_S() throws { try check("IQ3_S", inputs: ["xf", "bulk"]) }

    /// The grid tables iq3xs_init_impl(512) builds: every one of the 4096 points is on the grid (512) or has
    /// neighbours; the grid's bytes are odd levels 1…15; spot values of ggml's kgrid_512 and neighbour lists.
    func testIQ3SGridTables() {
        let t = IQ3SQuant.tables
        XCTAssertEqual(t.map.filter { $0 >= 0 }.count, 512)
        XCTAssertEqual(t.grid[0], 0x0101_0101)   // kgrid_512[0] = 0
        XCTAssertEqual(t.grid[1], 0x0101_0103)   // kgrid_512[1] = 1: level 1 in the first byte
        XCTAssertEqual(t.grid[511], 0x0f0f_0101)  // kgrid_512[511] = 4032 = levels 0, 0, 7, 7
        for g in t.grid { for k in 0..<4 { XCTAssertEqual((g >> UInt32(8 * k)) & 1, 1) } }
        var listed = 0
        for u in 0..<4096 where t.map[u] < 0 {
            let o = Int(-t.map[u] - 1), n = Int(t.neighbours[o])
            XCTAssertGreaterThan(n, 0)
            listed += n + 1
        }
        XCTAssertEqual(listed, t.neighbours.count)
    }

    /// Quantize → dequantize round trip keeps the dequantizer's fixture floats for llama.cpp's rows (the
    /// fixtures' .dq files were made from llama.cpp's bytes, which ours equal).
    func testRoundTripMatchesLlamaDequantized() throws {
        for name in Self.types {
            let t = QuantType(named: name)
            let (xe, x) = Fixtures.floats("x.f32.bin")
            let (_, want) = Fixtures.floats("\(name).dq.bin")
            let q = try quantizeRows(t, x, rows: xe.rows, n: xe.cols)
            assertSameFloatBits(try dequantizeRows(t, q, rows: xe.rows, n: xe.cols), want, rowLength: xe.cols, "\(name) round trip")
        }
    }

    /// Weights: ignored by ggml for F16/BF16/F32, Q8_0 and the ternary/MXFP4 types (the legacy and K-quant
    /// weighted paths are checked in `QuantizeWeightedTests`); IQ2_XXS, which ggml quantizes only with weights, throws without.
    func testWeightsSupport() throws {
        let x = (0..<256).map { Float($0 % 17) - 8 }, w = [Float](repeating: 1, count: 256)
        for t in [QuantType.f32, .f16, .bf16, .q8_0, .tq1_0, .tq2_0, .mxfp4] {
            XCTAssertEqual(try quantizeRows(t, x, rows: 1, n: 256, weights: w), try quantizeRows(t, x, rows: 1, n: 256), "\(t)")
        }
        XCTAssertThrowsError(try quantizeRows(.iq2_XXS, x, rows: 1, n: 256)) { e in
            XCTAssertEqual(e as? KernelError, .unsupported(type: .iq2_XXS, operation: "quantize without importance weights"))
        }
    }

    /// MXFP4's 8-candidate search on |x| (Swift lanes and the C kernel) against best_index_mxfp4 as written
    /// in C (16 candidates, strict `<`), on every exponent with random, halfway, special and signed-zero values.
    func testMXFP4BestIndexMatchesC() throws {
        func reference(_ x: Float, _ d: Float) -> Int32 {
            var best: Int32 = 0
            var bestErr = abs(Float(kvaluesMXFP4[0]) * d - x)
            for i in 1..<16 {
                let err = abs(Float(kvaluesMXFP4[i]) * d - x)
                if err < bestErr { best = Int32(i); bestErr = err }
            }
            return best
        }
        var g = SystemRandomNumberGenerator()
        var bad = 0
        for e in 0...254 {
            let d = MXFP4.e8m0Half(UInt8(e))
            var xs: [Float] = [0, -0.0, .nan, -.nan, .infinity, -.infinity, .greatestFiniteMagnitude, -.leastNonzeroMagnitude]
            for k in [0.5, 1, 1.5, 2, 2.5, 3, 3.5, 5, 7, 10, 12, 13] as [Float] { xs += [k * d, -k * d, (k * d).nextUp, -(k * d).nextDown] }
            while xs.count % 8 != 0 || xs.count < 64 { xs.append(Float.random(in: -14...14, using: &g) * d) }
            for b in stride(from: 0, to: xs.count, by: 8) {
                let got = xs.withUnsafeBufferPointer { MXFP4.bestIndex8($0.baseAddress! + b, d) }
                for j in 0..<8 where got[j] != reference(xs[b + j], d) {
                    bad += 1
                    if bad < 5 { XCTFail("e \(e) x \(xs[b + j]): got \(got[j]) want \(reference(xs[b + j], d))") }
                }
            }
        }
        XCTAssertEqual(bad, 0)
        // the C codes: blocks of those values with their exponent byte set, against the Swift lanes
        guard let c = QuantType.mxfp4.traits.cQuantize else { throw XCTSkip("no C kernels on this CPU") }
        var rows: [Float] = []
        for _ in 0..<2000 {
            let scale = Float(pow(2.0, Double(Int.random(in: -140...120, using: &g))))
            for _ in 0..<32 {
                let r = Int.random(in: 0..<10, using: &g)
                rows.append(r == 0 ? [0, -0.0, .nan, .infinity, -.infinity][Int.random(in: 0..<5, using: &g)]
                                   : Float.random(in: -14...14, using: &g).rounded() / 2 * scale)
            }
        }
        XCTAssertEqual(try quantizeRows(.mxfp4, rows, rows: 1, n: rows.count, with: c),
                       try quantizeRows(.mxfp4, rows, rows: 1, n: rows.count, with: QuantType.mxfp4.traits.portableQuantizeRow!))
    }

    /// best_index_int8's bisection, as written in C, against the table lookup on every value near the
    /// boundaries and midpoints of kvalues_iq4nl, and on NaN/±inf.
    func testBestIndexMatchesBisection() {
        let v = kvaluesIQ4NL
        func bisect(_ x: Float) -> Int {
            if x <= Float(v[0]) { return 0 }
            if x >= Float(v[15]) { return 15 }
            var ml = 0, mu = 15
            while mu - ml > 1 { let mav = (ml + mu) / 2; if x < Float(v[mav]) { mu = mav } else { ml = mav } }
            return x - Float(v[mu - 1]) < Float(v[mu]) - x ? mu - 1 : mu
        }
        var xs: [Float] = [.nan, -.nan, .infinity, -.infinity, 0, -0.0, 1e-30, -1e-30, 1e30, -1e30]
        for k in -130...116 {
            let f = Float(k)
            xs += [f, f.nextUp, f.nextDown, f + 0.5, (f + 0.5).nextUp, (f + 0.5).nextDown]
        }
        for a in 0..<15 { let m = (Float(v[a]) + Float(v[a + 1])) / 2; xs += [m, m.nextUp, m.nextDown] }
        IQ4Quant.values.withUnsafeBufferPointer { vf in
            IQ4Quant.upperIndex.withUnsafeBufferPointer { up in
                for x in xs { XCTAssertEqual(Int(IQ4Quant.bestIndex(x, vf.baseAddress!, up.baseAddress!)), bisect(x), "x = \(x)") }
            }
        }
    }
}
