import Foundation
import XCTest
@testable import GGUFKernels

/// Activation quantizers bit for bit against the CPU backend's from_float, and dot products against
/// llama.cpp's vec_dot, against dequantize-then-multiply, and with test-quantize-fns' error bound.
final class DotTests: XCTestCase {
    static let dotTypes = ["Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q8_0", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "F16", "BF16"]

    func quantizeActivations(for t: QuantType, _ y: [Float], rows: Int, n: Int) throws -> [UInt8] {
        let vt = t.traits.vecDotType!
        let rb = try vt.rowSize(n)
        var out = [UInt8](repeating: 0xAA, count: rows * rb)
        try y.withUnsafeBufferPointer { src in
            try out.withUnsafeMutableBytes { dst in
                for r in 0..<rows {
                    try Kernels.quantizeActivations(for: t, src: src.baseAddress! + r * n, dst: dst.baseAddress! + r * rb, count: n)
                }
            }
        }
        return out
    }

    /// Q8_0, Q8_1 and Q8_K activation rows equal the x86 CPU backend's from_float output.
    func testActivationQuantizers() throws {
        let carriers: [String: QuantType] = ["Q8_0": .q8_0, "Q8_1": .q4_1, "Q8_K": .q4_K]
        for (name, weight) in carriers {
            for set in ["x", "bulk"] {
                let (xe, x) = Fixtures.floats("\(set).f32.bin")
                let (ae, want) = Fixtures.bytes(set == "x" ? "\(name).act.bin" : "bulk.\(name).act.bin")
                let got = try quantizeActivations(for: weight, x, rows: xe.rows, n: xe.cols)
                assertSameBytes(got, want, rowBytes: ae.cols, "\(name) activations (\(set))")
            }
        }
    }

    /// The activation rows the oracle fed to vec_dot are what our quantizer makes from y.
    func testActivationRowsOfDotVectors() throws {
        let (ye, y) = Fixtures.floats("y.f32.bin")
        for name in Self.dotTypes {
            let t = QuantType(named: name)
            let (qe, want) = Fixtures.bytes("\(name).qy.bin")
            assertSameBytes(try quantizeActivations(for: t, y, rows: ye.rows, n: ye.cols), want, rowBytes: qe.cols, "\(name) qy")
        }
    }

    /// Our vec_dot on llama.cpp's own quantized rows against llama.cpp's vec_dot results.
    /// Tolerance: |ours − ggml| ≤ 1e-5 · Σ|x_i·y_i| (dequantized) + 1e-30 — both sum exact int32 block sums in Float,
    /// in different orders.
    func testAgainstLlamaVecDot() throws {
        let (ye, _) = Fixtures.floats("y.f32.bin")
        var worst: [String] = []
        defer { print("vec_dot vs llama.cpp, worst |Δ|/Σ|x·y| per type: " + worst.joined(separator: ", ")) }
        for name in Self.dotTypes {
            var w: Double = 0
            defer { worst.append("\(name) \(String(format: "%.1e", w))") }
            let t = QuantType(named: name)
            let (qe, qx) = Fixtures.bytes("\(name).q.bin")
            let (yqe, qy) = Fixtures.bytes("\(name).qy.bin")
            let (_, want) = Fixtures.floats("\(name).dot.bin")
            let (_, dqx) = Fixtures.floats("\(name).dq.bin")
            let n = ye.cols
            let dqy = try dequantizeRows(t.traits.vecDotType!, qy, rows: ye.rows, n: n)
            for j in 0..<ye.rows {
                for i in 0..<qe.rows {
                    let got = qx.withUnsafeBytes { xb in qy.withUnsafeBytes { yb in
                        try! Kernels.vecDot(t, count: n, x: xb.baseAddress! + i * qe.cols, y: yb.baseAddress! + j * yqe.cols)
                    } }
                    let ref = want[j * qe.rows + i]
                    var mag: Double = 0
                    for k in 0..<n { mag += abs(Double(dqx[i * n + k]) * Double(dqy[j * n + k])) }
                    if !ref.isFinite || !mag.isFinite {
                        XCTAssertEqual(got.isNaN, ref.isNaN, "\(name) x\(i)·y\(j): got \(got) want \(ref)")
                        continue
                    }
                    if mag > 0 { w = max(w, Double(abs(got - ref)) / mag) }
                    XCTAssertLessThanOrEqual(Double(abs(got - ref)), 1e-5 * mag + 1e-30, "\(name) x\(i) (\(Fixtures.rowNames[i]))·y\(j): got \(got) want \(ref)")
                }
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
            let qy = try quantizeActivations(for: t, y, rows: 1, n: n)
            let got = qx.withUnsafeBytes { xb in qy.withUnsafeBytes { yb in try! Kernels.vecDot(t, count: n, x: xb.baseAddress!, y: yb.baseAddress!) } }
            let err = abs(Double(got) - ref) / Double(n)
            XCTAssertLessThan(err, t == .q2_K ? 0.04 : 0.02, "\(name) dot product error \(err)")
        }
    }

    /// Dot of the quantized rows equals the float dot of their dequantized values up to rounding.
    func testAgainstDequantizedDot() throws {
        for n in [1024, 352, 32] { try againstDequantizedDot(n) }
    }

    func againstDequantizedDot(_ n: Int) throws {
        var g = SystemRandomNumberGenerator()
        let x = (0..<n).map { _ in Float.random(in: -1...1, using: &g) }
        let y = (0..<n).map { _ in Float.random(in: -1...1, using: &g) }
        for name in Self.dotTypes where n % QuantType(named: name).blockSize == 0 {
            let t = QuantType(named: name)
            let qx = try quantizeRows(t, x, rows: 1, n: n)
            let qy = try quantizeActivations(for: t, y, rows: 1, n: n)
            let dx = try dequantizeRows(t, qx, rows: 1, n: n)
            let dy = try dequantizeRows(t.traits.vecDotType!, qy, rows: 1, n: n)
            var ref: Double = 0, mag: Double = 0
            for i in 0..<n { ref += Double(dx[i]) * Double(dy[i]); mag += abs(Double(dx[i]) * Double(dy[i])) }
            let got = qx.withUnsafeBytes { xb in qy.withUnsafeBytes { yb in try! Kernels.vecDot(t, count: n, x: xb.baseAddress!, y: yb.baseAddress!) } }
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
            XCTAssertLessThanOrEqual(abs(Double(got) - ref), 1e-5 * mag + sTerm, "\(name) n=\(n): got \(got) want \(ref)")
        }
    }

    func testF32Dot() throws {
        let n = 1000
        let x = (0..<n).map { Float($0 % 7) - 3 }, y = (0..<n).map { Float($0 % 5) - 2 }
        var ref: Float = 0
        for i in 0..<n { ref += x[i] * y[i] }
        let got = x.withUnsafeBytes { xb in y.withUnsafeBytes { yb in try! Kernels.vecDot(.f32, count: n, x: xb.baseAddress!, y: yb.baseAddress!) } }
        XCTAssertEqual(got, ref)
    }
}
