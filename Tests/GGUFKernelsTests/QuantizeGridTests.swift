import XCTest
@testable import GGUFKernels

/// The quantizers of IQ2_XXS, IQ2_XS, IQ2_S, IQ3_XXS, IQ1_S, IQ1_M, Q1_0 and Q2_0 against llama.cpp's
/// ggml_quantize_chunk, bit for bit (make_quant_vectors.py): without weights where ggml allows it, with
/// log-normal and all-zero importance weights, on the inputs ggml does not abort on (see the script's GRID).
final class QuantizeGridTests: XCTestCase {
    /// Every (input, weights) vector of `name` in index-quant.txt: "none" = no weights.
    func check(_ name: String) throws {
        let t = QuantType(named: name)
        var checked = 0
        for input in ["x", "xf", "bulk", "nonfinite"] {
            let (xe, x) = Fixtures.floats("\(input).f32.bin")
            let wfile = input.hasPrefix("x") ? "x" : "bulk"
            for kind in ["none", "w", "wzero"] {
                let file = kind == "none" ? "\(input).\(name).q.bin" : "\(kind).\(input).\(name).q.bin"
                guard Fixtures.has(file) else { continue }
                let (qe, want) = Fixtures.bytes(file)
                if kind == "none" {
                    assertSameBytes(try quantizeRows(t, x, rows: xe.rows, n: xe.cols), want, rowBytes: qe.cols, "\(name) \(input)")
                    let w = t.traits.quantizeRowWeighted!
                    assertSameBytes(try quantizeRows(t, x, rows: xe.rows, n: xe.cols, with: { s, d, n in w(s, d, n, nil) }), want,
                                    rowBytes: qe.cols, "\(name) \(input) weighted fn, nil weights")
                } else {
                    let (_, weights) = Fixtures.floats("\(kind).\(wfile).f32.bin")
                    assertSameBytes(try quantizeRows(t, x, rows: xe.rows, n: xe.cols, weights: weights), want,
                                    rowBytes: qe.cols, "\(name) \(input) weights \(kind)")
                }
                checked += 1
            }
        }
        XCTAssertGreaterThanOrEqual(checked, 3, "\(name): vectors found")
    }

    func testIQ2_XXS() throws { try check("IQ2_XXS") }
    func testIQ2_XS() throws { try check("IQ2_XS") }
    func testIQ2_S() throws { try check("IQ2_S") }
    func testIQ3_XXS() throws { try check("IQ3_XXS") }
    func testIQ1_S() throws { try check("IQ1_S") }
    func testIQ1_M() throws { try check("IQ1_M") }
    func testQ1_0() throws { try check("Q1_0") }
    func testQ2_0() throws { try check("Q2_0") }

    /// Q1_0/Q2_0 dequantizers on llama.cpp's own rows of x (its to_float), and their block sizes.
    func testQ1Q2Dequantize() throws {
        for name in ["Q1_0", "Q2_0"] {
            let t = QuantType(named: name)
            let (xe, x) = Fixtures.floats("x.f32.bin")
            let (qe, q) = Fixtures.bytes("x.\(name).q.bin")
            XCTAssertEqual(qe.cols, try t.rowSize(xe.cols))
            let (_, want) = Fixtures.floats("x.\(name).dq.bin")
            assertSameFloatBits(try dequantizeRows(t, q, rows: xe.rows, n: xe.cols), want, rowLength: xe.cols, "\(name) dequantize")
            _ = x
        }
        XCTAssertEqual(QuantType.q1_0.blockSize, 128); XCTAssertEqual(QuantType.q1_0.bytesPerBlock, 18)
        XCTAssertEqual(QuantType.q2_0.blockSize, 64); XCTAssertEqual(QuantType.q2_0.bytesPerBlock, 18)
    }

    /// ggml_quantize_requires_imatrix: IQ2_XXS, IQ2_XS and IQ1_S throw without weights (ggml asserts); IQ2_S,
    /// IQ3_XXS and IQ1_M quantize without them.
    func testWeightsRequired() throws {
        let x = (0..<256).map { Float($0 % 17) - 8 }
        for t in [QuantType.iq2_XXS, .iq2_XS, .iq1_S] {
            XCTAssertTrue(t.traits.requiresImportanceWeights)
            XCTAssertThrowsError(try quantizeRows(t, x, rows: 1, n: 256)) { e in
                XCTAssertEqual(e as? KernelError, .unsupported(type: t, operation: "quantize without importance weights"))
            }
        }
        for t in [QuantType.iq2_S, .iq3_XXS, .iq1_M, .q1_0, .q2_0, .q4_K, .iq3_S] {
            XCTAssertFalse(t.traits.requiresImportanceWeights, "\(t)")
            XCTAssertNoThrow(try quantizeRows(t, x, rows: 1, n: 256), "\(t)")
        }
    }

    /// The tables of iq2xs_init_impl / iq3xs_init_impl(256): the grids' points packed as ggml's kgrid_* arrays
    /// (spot values copied from ggml-quants.c), every off-grid lattice point with a non-empty neighbour list,
    /// neighbour lists sorted by (distance, index) and covering the nwant smallest distances.
    func testGridTables() {
        func packed(_ t: IQGridTable, _ j: Int) -> Int { t.levels[(t.width * j)..<(t.width * (j + 1))].enumerated().reduce(0) { $0 | Int($1.element) << (t.bits * $1.offset) } }
        let cases: [(IQGridTable, Int, [Int: Int])] = [
            (.iq2xxs, 256, [0: 0, 1: 2, 2: 5, 16: 100, 255: 43268]),
            (.iq2xs, 512, [0: 0, 1: 2, 7: 22, 511: 43690]),
            (.iq2s, 1024, [0: 0, 1: 2]),
            (.iq1s, 2048, [0: 0, 1: 2, 2: 5, 6: 21, 15: 101]),
            (.iq3xxs, 256, [0: 0, 1: 2, 2: 4, 3: 9, 191: 2389]),
        ]
        for (t, n, spots) in cases {
            XCTAssertEqual(t.levels.count, n * t.width)
            XCTAssertEqual(t.map.filter { $0 >= 0 }.count, n)
            for (j, v) in spots { XCTAssertEqual(packed(t, j), v, "grid point \(j) of \(n)") }
            var listed = 0
            for u in 0..<t.map.count where t.map[u] < 0 {
                let o = Int(-t.map[u] - 1), k = Int(t.neighbours[o])
                XCTAssertGreaterThan(k, 0)
                listed += k + 1
            }
            XCTAssertEqual(listed, t.neighbours.count)
        }
    }
}
