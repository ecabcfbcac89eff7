import Foundation
import XCTest
@testable import GGUFKernels

/// Activation quantizers bit for bit against the CPU backend's from_float, and dot products against
/// llama.cpp's vec_dot, against dequantize-then-multiply, and with test-quantize-fns' error bound. Each
/// check runs on the Swift kernels and, where the CPU runs them, on the C kernels (CKernels).
final class DotTests: XCTestCase {
    static let dotTypes = ["Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q8_0", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "F16", "BF16"]
    /// Types whose C dot product gives exactly llama.cpp's AVX2 vec_dot result on the fixture rows.
    static let cBitIdentical: Set<String> = Set(dotTypes)

    /// The dot products to check: "swift" always, "C" where this CPU runs the C kernels.
    static func dots(_ t: QuantType) -> [(String, VecDotFn)] {
        [("swift", t.traits.portableVecDot!)] + (t.traits.cVecDot.map { [("C", $0)] } ?? [])
    }

    /// The activation quantizers of `t`'s vecDotType to check, as for ``dots(_:)``.
    static func quantizers(for t: QuantType) -> [(String, QuantizeRowFn)] {
        let vt = t.traits.vecDotType!.traits
        return [("swift", vt.portableFromFloat!)] + (vt.cFromFloat.map { [("C", $0)] } ?? [])
    }

    func quantizeActivations(for t: QuantType, _ y: [Float], rows: Int, n: Int, with fn: QuantizeRowFn) throws -> [UInt8] {
        let rb = try t.traits.vecDotType!.rowSize(n)
        var out = [UInt8](repeating: 0xAA, count: rows * rb)
        y.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBytes { dst in
                for r in 0..<rows { fn(src.baseAddress! + r * n, dst.baseAddress! + r * rb, n) }
            }
        }
        return out
    }

    func dot(_ fn: VecDotFn, _ n: Int, _ qx: [UInt8], _ xOffset: Int, _ qy: [UInt8], _ yOffset: Int) -> Float {
        qx.withUnsafeBytes { xb in qy.withUnsafeBytes { yb in fn(n, xb.baseAddress! + xOffset, yb.baseAddress! + yOffset) } }
    }

    /// The table uses the C kernels exactly when the CPU runs them and GGUFKIT_KERNELS is not "swift".
    func testTableChoosesKernels() {
        let swiftOnly = ProcessInfo.processInfo.environment["GGUFKIT_KERNELS"] == "swift"
        XCTAssertEqual(QuantTraits.usesCKernels, CKernelTable.available && !swiftOnly)
        #if arch(x86_64)
        print("C kernels: CPU \(CKernelTable.available ? "runs them" : "lacks AVX2/FMA/F16C"), table uses them: \(QuantTraits.usesCKernels)")
        #endif
        for name in Self.dotTypes + ["F32"] {
            let tr = QuantType(named: name).traits
            XCTAssertEqual(tr.cVecDot != nil, CKernelTable.available, name)
            let vt = tr.vecDotType!.traits
            // F32 activations are a copy: no C conversion
            XCTAssertEqual(vt.cFromFloat != nil, CKernelTable.available && name != "F32", name)
            // the chosen function is the C one or the Swift one; which one shows in the bit-identity test
            XCTAssertNotNil(tr.vecDot)
        }
    }

    /// Q8_0, Q8_1 and Q8_K activation rows equal the x86 CPU backend's from_float output.
    func testActivationQuantizers() throws {
        let carriers: [String: QuantType] = ["Q8_0": .q8_0, "Q8_1": .q4_1, "Q8_K": .q4_K]
        for (name, weight) in carriers {
            for (impl, fn) in Self.quantizers(for: weight) {
                for set in ["x", "bulk"] {
                    let (xe, x) = Fixtures.floats("\(set).f32.bin")
                    let (ae, want) = Fixtures.bytes(set == "x" ? "\(name).act.bin" : "bulk.\(name).act.bin")
                    let got = try quantizeActivations(for: weight, x, rows: xe.rows, n: xe.cols, with: fn)
                    assertSameBytes(got, want, rowBytes: ae.cols, "\(name) activations (\(set), \(impl))")
                }
            }
        }
    }

    /// The activation rows the oracle fed to vec_dot are what our quantizers make from y.
    func testActivationRowsOfDotVectors() throws {
        let (ye, y) = Fixtures.floats("y.f32.bin")
        for name in Self.dotTypes {
            let t = QuantType(named: name)
            let (qe, want) = Fixtures.bytes("\(name).qy.bin")
            for (impl, fn) in Self.quantizers(for: t) {
                let got = try quantizeActivations(for: t, y, rows: ye.rows, n: ye.cols, with: fn)
                assertSameBytes(got, want, rowBytes: qe.cols, "\(name) qy (\(impl))")
            }
        }
    }

    /// The C activation quantizers equal the Swift ones on random rows of 1…9 blocks, at odd offsets.
    func testCActivationQuantizersMatchSwift() throws {
        var g = SystemRandomNumberGenerator()
        for weight in [QuantType.q8_0, .q4_1, .q4_K] {
            let bs = weight.traits.vecDotType!.blockSize
            for blocks in [1, 2, 3, 5, 9] {
                let n = blocks * bs
                let scale = Float.random(in: 1e-3...1e3, using: &g)
                var y = (0..<(n + 1)).map { _ in Float.random(in: -1...1, using: &g) * scale }
                y[Int.random(in: 0..<n, using: &g)] = 0
                let row = Array(y[1...])
                let all = Self.quantizers(for: weight)
                let want = try quantizeActivations(for: weight, row, rows: 1, n: n, with: all[0].1)
                for (impl, fn) in all.dropFirst() {
                    assertSameBytes(try quantizeActivations(for: weight, row, rows: 1, n: n, with: fn), want, rowBytes: want.count,
                                    "\(weight.traits.vecDotType!) \(impl), \(blocks) blocks")
                }
            }
        }
    }

    /// Our vec_dot on llama.cpp's own quantized rows against llama.cpp's vec_dot results: the C kernels
    /// bit for bit (``cBitIdentical``), both within |ours − ggml| ≤ 1e-5 · Σ|x_i·y_i| (dequantized) + 1e-30
    /// (both sum exact int32 block sums in Float; the Swift kernels in another order).
    func testAgainstLlamaVecDot() throws {
        let (ye, _) = Fixtures.floats("y.f32.bin")
        var worst: [String] = []
        defer { print("vec_dot vs llama.cpp, worst |Δ|/Σ|x·y| per type: " + worst.joined(separator: ", ")) }
        for name in Self.dotTypes {
            let t = QuantType(named: name)
            let (qe, qx) = Fixtures.bytes("\(name).q.bin")
            let (yqe, qy) = Fixtures.bytes("\(name).qy.bin")
            let (_, want) = Fixtures.floats("\(name).dot.bin")
            let (_, dqx) = Fixtures.floats("\(name).dq.bin")
            let n = ye.cols
            let dqy = try dequantizeRows(t.traits.vecDotType!, qy, rows: ye.rows, n: n)
            for (impl, fn) in Self.dots(t) {
                var w: Double = 0, exact = 0, pairs = 0
                for j in 0..<ye.rows {
                    for i in 0..<qe.rows {
                        let got = dot(fn, n, qx, i * qe.cols, qy, j * yqe.cols)
                        let ref = want[j * qe.rows + i]
                        let what = "\(name) \(impl) x\(i) (\(Fixtures.rowNames[i]))·y\(j): got \(got) want \(ref)"
                        pairs += 1
                        if got.bitPattern == ref.bitPattern || (got.isNaN && ref.isNaN) { exact += 1 }
                        if impl == "C" && Self.cBitIdentical.contains(name) {
                            XCTAssertTrue(got.bitPattern == ref.bitPattern || (got.isNaN && ref.isNaN), what)
                        }
                        var mag: Double = 0
                        for k in 0..<n { mag += abs(Double(dqx[i * n + k]) * Double(dqy[j * n + k])) }
                        if !ref.isFinite || !mag.isFinite {
                            XCTAssertEqual(got.isNaN, ref.isNaN, what)
                            continue
                        }
                        if mag > 0 { w = max(w, Double(abs(got - ref)) / mag) }
                        XCTAssertLessThanOrEqual(Double(abs(got - ref)), 1e-5 * mag + 1e-30, what)
                    }
                }
                worst.append("\(name) \(impl) \(String(format: "%.1e", w)) (\(exact)/\(pairs) exact)")
            }
        }
    }

    /// test-quantize-fns: quantize cos data, dot with quantized activations, |result − float dot| / n below
    /// 0.02 (0.04 for Q2_K).
    func testQuantizeFnsErrorBound() throws {
        let n = 32 * 128
        let x = (0..<n).map { 0.1 + 2 * cos(Float($0) + 0) }
        let y = (0..<n).map { 0.1 + 2 * cos(Float($0) + 1) }
        var ref: Double = 0
        for i in 0..<n { ref += Double(x[i] * y[i]) }
        for name in Self.dotTypes {
            let t = QuantType(named: name)
            let qx = try quantizeRows(t, x, rows: 1, n: n)
            for ((qi, qfn), (impl, fn)) in zip(Self.quantizers(for: t), Self.dots(t)) {
                let qy = try quantizeActivations(for: t, y, rows: 1, n: n, with: qfn)
                let err = abs(Double(dot(fn, n, qx, 0, qy, 0)) - ref) / Double(n)
                XCTAssertLessThan(err, t == .q2_K ? 0.04 : 0.02, "\(name) \(impl) (activations \(qi)) dot product error \(err)")
            }
        }
    }

    /// Dot of the quantized rows equals the float dot of their dequantized values up to rounding, for row
    /// lengths of 1 to 41 blocks (no multiple of 2, 4 or 8 blocks among the odd ones) and float-type tails.
    func testAgainstDequantizedDot() throws {
        for n in [1024, 352, 32, 96, 224, 256, 768, 1280, 1792, 10496, 1, 7, 33, 100, 1000] { try againstDequantizedDot(n) }
    }

    func againstDequantizedDot(_ n: Int) throws {
        var g = SystemRandomNumberGenerator()
        let x = (0..<n).map { _ in Float.random(in: -1...1, using: &g) }
        let y = (0..<n).map { _ in Float.random(in: -1...1, using: &g) }
        for name in Self.dotTypes where n % QuantType(named: name).blockSize == 0 {
            let t = QuantType(named: name)
            let qx = try quantizeRows(t, x, rows: 1, n: n)
            let qy = try quantizeActivations(for: t, y, rows: 1, n: n, with: Self.quantizers(for: t)[0].1)
            let dx = try dequantizeRows(t, qx, rows: 1, n: n)
            let dy = try dequantizeRows(t.traits.vecDotType!, qy, rows: 1, n: n)
            var ref: Double = 0, mag: Double = 0
            for i in 0..<n { ref += Double(dx[i]) * Double(dy[i]); mag += abs(Double(dx[i]) * Double(dy[i])) }
            // Q8_1 carries s = fp16(d·Σq): the min term m·s is off by up to |m·s|·2⁻¹¹ per block.
            var sTerm: Double = 0
            if t.traits.vecDotType == .q8_1 {
                let xbytes = t.bytesPerBlock
                for b in 0..<(n / 32) {
                    let m = Half.fp32(fp16: UInt16(qx[b * xbytes + 2]) | UInt16(qx[b * xbytes + 3]) << 8)
                    let s = Half.fp32(fp16: UInt16(qy[b * 36 + 2]) | UInt16(qy[b * 36 + 3]) << 8)
                    sTerm += abs(Double(m) * Double(s)) / 2048
                }
            }
            for (impl, fn) in Self.dots(t) {
                let got = dot(fn, n, qx, 0, qy, 0)
                XCTAssertLessThanOrEqual(abs(Double(got) - ref), 1e-5 * mag + sTerm, "\(name) \(impl) n=\(n): got \(got) want \(ref)")
            }
        }
    }

    func testF32Dot() throws {
        for n in [1000, 32, 31, 1] {
            let x = (0..<n).map { Float($0 % 7) - 3 }, y = (0..<n).map { Float($0 % 5) - 2 }
            var ref: Float = 0
            for i in 0..<n { ref += x[i] * y[i] }
            for (impl, fn) in Self.dots(.f32) {
                let got = x.withUnsafeBytes { xb in y.withUnsafeBytes { yb in fn(n, xb.baseAddress!, yb.baseAddress!) } }
                XCTAssertEqual(got, ref, "F32 \(impl) n=\(n)")
            }
        }
        XCTAssertEqual(try Kernels.vecDot(.f32, count: 3, x: [Float(1), 2, 3], y: [Float(4), 5, 6]), 32)
    }
}
