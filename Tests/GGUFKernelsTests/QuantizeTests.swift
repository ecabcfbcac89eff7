import XCTest
@testable import GGUFKernels

/// Quantized bytes and dequantized floats against llama.cpp (ggml_quantize_chunk / to_float), bit for bit.
final class QuantizeTests: XCTestCase {
    static let weightTypes = ["Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q8_0", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "F16", "BF16"]

    /// Through ``Kernels/quantize`` (the chosen implementation), then each implementation on its own.
    func checkQuantize(_ name: String) throws {
        let t = QuantType(named: name)
        let (xe, x) = Fixtures.floats("x.f32.bin")
        let (qe, want) = Fixtures.bytes("\(name).q.bin")
        let got = try quantizeRows(t, x, rows: xe.rows, n: xe.cols)
        assertSameBytes(got, want, rowBytes: qe.cols, "\(name) quantize")
        let (be, bx) = Fixtures.floats("bulk.f32.bin")
        let (bq, bwant) = Fixtures.bytes("bulk.\(name).q.bin")
        assertSameBytes(try quantizeRows(t, bx, rows: be.rows, n: be.cols), bwant, rowBytes: bq.cols, "\(name) quantize bulk")
        let (ne, nx) = Fixtures.floats("nonfinite.f32.bin")
        let (nq, nwant) = Fixtures.bytes("nonfinite.\(name).q.bin")
        for (impl, fn) in Self.implementations(t) {
            assertSameBytes(try quantizeRows(t, nx, rows: ne.rows, n: ne.cols, with: fn), nwant, rowBytes: nq.cols, "\(name) NaN/inf \(impl)")
            assertSameBytes(try quantizeRows(t, x, rows: xe.rows, n: xe.cols, with: fn), want, rowBytes: qe.cols, "\(name) quantize \(impl)")
            assertSameBytes(try quantizeRows(t, bx, rows: be.rows, n: be.cols, with: fn), bwant, rowBytes: bq.cols, "\(name) bulk \(impl)")
        }
    }

    /// The Swift quantizer of `t`, and the C one where this CPU runs one.
    static func implementations(_ t: QuantType) -> [(String, QuantizeRowFn)] {
        [("swift", t.traits.portableQuantizeRow!)] + (t.traits.cQuantize.map { [("C", $0)] } ?? [])
    }

    func checkDequantize(_ name: String) throws {
        let t = QuantType(named: name)
        let (qe, q) = Fixtures.bytes("\(name).q.bin")
        let (de, want) = Fixtures.floats("\(name).dq.bin")
        let impls = [("swift", t.traits.portableDequantizeRow!)] + (t.traits.cDequantize.map { [("C", $0)] } ?? [])
        for (impl, fn) in impls {
            let got = try dequantizeRows(t, q, rows: qe.rows, n: de.cols, with: fn)
            assertSameFloatBits(got, want, rowLength: de.cols, "\(name) dequantize \(impl)")
        }
    }

    /// The C dequantizers give the Swift ones' floats on random blocks (every code, scale and high bit;
    /// scales kept finite), 64 blocks per type.
    func testCDequantizersOnRandomBlocks() throws {
        var g = SystemRandomNumberGenerator()
        for t in QuantType.allCases {
            guard let c = t.traits.cDequantize else { continue }
            let n = 64 * t.blockSize
            var q = (0..<(try t.rowSize(n))).map { _ in UInt8.random(in: 0...255, using: &g) }
            for b in 0..<64 {   // fp16 d (and dmin) at the block start: finite, either sign
                for o in stride(from: 0, to: t == .q8_0 ? 2 : 4, by: 2) { q[b * t.bytesPerBlock + o + 1] &= 0xbb }
            }
            XCTAssertEqual(try dequantizeRows(t, q, rows: 1, n: n, with: c).map(\.bitPattern),
                           try dequantizeRows(t, q, rows: 1, n: n, with: t.traits.portableDequantizeRow!).map(\.bitPattern), "\(t)")
        }
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

    /// The C quantizers (Q4_1, Q3_K, BF16, MXFP4) against the Swift ones on blocks the fixtures rarely hold: signed
    /// zeros in every order (ggml keeps the first of +0/-0 as min or max), NaN (never the min or max), ±inf,
    /// values whose code lands on a rounding edge, and random bit patterns.
    func testCQuantizersAgreeWithSwiftOnEdgeBlocks() throws {
        var rows: [[Float]] = []
        let specials: [Float] = [0, -0.0, .nan, -.nan, .infinity, -.infinity, 1, -1, 1e-30, 65504, 1e30, .greatestFiniteMagnitude]
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 { seed = seed &* 6364136223846793005 &+ 1442695040888963407; return seed >> 11 }
        for b in 0..<3000 {
            var row = [Float](repeating: 0, count: 32)
            let mode = next() % 5
            for j in 0..<32 {
                switch mode {
                case 0: row[j] = specials[Int(next() % UInt64(specials.count))]
                case 1: row[j] = next() % 3 == 0 ? (next() % 2 == 0 ? 0 : -0.0) : Float(Int(next() % 31)) / 2 - 7.5
                case 2: // zeros of both signs with values of one sign: the min (or max) is a zero
                    let z: Float = next() % 2 == 0 ? 0 : -0.0
                    row[j] = next() % 2 == 0 ? z : Float(next() % 16 + 1) * (b % 2 == 0 ? 0.1 : -0.1)
                case 3: row[j] = Float(bitPattern: UInt32(truncatingIfNeeded: next()))
                default: // weight-like: a sum of uniforms, scaled
                    row[j] = (Float(next() % 1000) + Float(next() % 1000) + Float(next() % 1000) - 1498.5) * 1e-5
                }
            }
            rows.append(row)
        }
        let flat = rows.flatMap { $0 }
        for t in [QuantType.q4_1, .q3_K, .bf16, .mxfp4] {
            guard let c = t.traits.cQuantize else { throw XCTSkip("no C quantizers on this CPU") }
            let swift = try quantizeRows(t, flat, rows: 1, n: flat.count, with: t.traits.portableQuantizeRow!)
            let cBytes = try quantizeRows(t, flat, rows: 1, n: flat.count, with: c)
            let bs = t.traits.bytesPerBlock, be = t.traits.blockSize
            for b in 0..<(flat.count / be) where cBytes[(b * bs)..<(b * bs + bs)] != swift[(b * bs)..<(b * bs + bs)] {
                XCTFail("\(t) block \(b) differs: \(Array(flat[(b * be)..<(b * be + be)]))")
                break
            }
        }
    }

    /// The C BF16 conversion on lengths that leave a tail after its 16-wide loop.
    func testCBF16TailLengths() throws {
        guard let c = QuantType.bf16.traits.cQuantize else { throw XCTSkip("no C quantizers on this CPU") }
        let x: [Float] = (0..<53).map { i in i % 7 == 0 ? .nan : Float(i) * 1.00390625 - 20 }
        for n in [1, 15, 17, 31, 53] {
            let xs = Array(x[0..<n])
            XCTAssertEqual(try quantizeRows(.bf16, xs, rows: 1, n: n, with: c),
                           try quantizeRows(.bf16, xs, rows: 1, n: n, with: QuantType.bf16.traits.portableQuantizeRow!), "n = \(n)")
        }
    }

    /// The F16 activation conversion in C (vcvtps2ph, as ggml's CPU from_float) equals the reference
    /// conversion on every non-NaN input: ties, subnormals, underflow to zero, overflow to infinity, tails.
    func testCF16ActivationsMatchReference() throws {
        guard let c = QuantType.f16.traits.cFromFloat else { throw XCTSkip("no C kernels on this CPU") }
        var x: [Float] = [0, -0, 1, -1, 65504, 65520, 65519.99, -70000, .infinity, -.infinity, 6.1e-5, 5.96e-8,
                          2.98e-8, 2.99e-8, 1e-10, -1e-10, 1.00048828125, 1.00146484375, 1e30, -3.4e38]
        var g = SystemRandomNumberGenerator()
        for _ in 0..<2000 { x.append(Float(bitPattern: UInt32.random(in: 0...0x7f7fffff, using: &g) | (Bool.random(using: &g) ? 0x80000000 : 0))) }
        for _ in 0..<2000 { x.append(Float.random(in: -8...8, using: &g)) }
        for n in [1, 7, 15, 16, 17, 33, x.count] {
            var a = [UInt16](repeating: 0, count: n), b = a
            x.withUnsafeBufferPointer { xs in
                a.withUnsafeMutableBytes { c(xs.baseAddress!, $0.baseAddress!, n) }
                b.withUnsafeMutableBufferPointer { Half.fp16(xs.baseAddress!, $0.baseAddress!, count: n) }
            }
            XCTAssertEqual(a, b, "n = \(n)")
        }
    }
}
