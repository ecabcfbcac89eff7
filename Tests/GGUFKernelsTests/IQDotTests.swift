import Foundation
import XCTest
@testable import GGUFKernels

/// Dot products of the IQ, TQ and MXFP4 types against llama.cpp's AVX2 vec_dot (Fixtures/kernels, made by
/// make_vectors.py and make_dot_vectors.py), bit for bit, for the Swift kernels and, where the CPU runs them,
/// the C kernels.
final class IQDotTests: XCTestCase {
    static let grid = ["IQ2_XXS", "IQ2_XS", "IQ2_S", "IQ3_XXS", "IQ3_S", "IQ1_S", "IQ1_M"]
    static let types = grid + ["IQ4_NL", "IQ4_XS", "TQ1_0", "TQ2_0", "MXFP4"]

    /// The activation type of each weight type, as ggml-cpu's type_traits_cpu has it.
    func testVecDotTypes() {
        for name in Self.types {
            let want: QuantType = ["IQ4_NL", "MXFP4"].contains(name) ? .q8_0 : .q8_K
            let tr = QuantType(named: name).traits
            XCTAssertEqual(tr.vecDotType, want, name)
            XCTAssertNotNil(tr.vecDot, name)
            XCTAssertEqual(tr.cVecDot != nil, CKernelTable.available, name)
        }
    }

    /// Weight rows, activation rows and llama.cpp's results: `prefix`TYPE.q.bin (+ w.TYPE.q.bin for the grid
    /// types), `prefix`TYPE.qy.bin, `prefix`TYPE.dot.bin ([y rows, x rows]).
    func check(_ name: String, prefix: String = "") throws {
        let t = QuantType(named: name)
        var (qe, qx) = Fixtures.bytes("\(prefix)\(name).q.bin")
        var xrows = qe.rows
        if prefix.isEmpty, Fixtures.has("w.\(name).q.bin") {
            let (we, w) = Fixtures.bytes("w.\(name).q.bin")
            qx += w
            xrows += we.rows
        }
        let (ye, qy) = Fixtures.bytes("\(prefix)\(name).qy.bin")
        let (de, want) = Fixtures.floats("\(prefix)\(name).dot.bin")
        XCTAssertEqual(de.cols, xrows, name)
        let n = qe.cols / t.bytesPerBlock * t.blockSize
        // the activation rows are what our quantizers make from y
        if prefix.isEmpty {
            let (yf, y) = Fixtures.floats("y.f32.bin")
            let vt = t.traits.vecDotType!.traits
            for (impl, fn) in [("swift", vt.portableFromFloat!)] + (vt.cFromFloat.map { [("C", $0)] } ?? []) {
                let got = try quantizeRows(t.traits.vecDotType!, y, rows: yf.rows, n: n, with: fn)
                assertSameBytes(got, qy, rowBytes: ye.cols, "\(name) activations (\(impl))")
            }
        }
        let dots = [("swift", t.traits.portableVecDot!)] + (t.traits.cVecDot.map { [("C", $0)] } ?? [])
        for (impl, fn) in dots {
            var exact = 0
            for j in 0..<ye.rows {
                for i in 0..<xrows {
                    let got = qx.withUnsafeBytes { xb in qy.withUnsafeBytes { yb in fn(n, xb.baseAddress! + i * qe.cols, yb.baseAddress! + j * ye.cols) } }
                    let ref = want[j * xrows + i]
                    if got.bitPattern == ref.bitPattern || (got.isNaN && ref.isNaN) { exact += 1; continue }
                    XCTFail("\(prefix)\(name) \(impl) x\(i)·y\(j): got \(got) want \(ref)")
                }
            }
            print("\(prefix)\(name) \(impl): \(exact)/\(ye.rows * xrows) bit-identical")
        }
    }

    func testAgainstLlamaVecDot() throws {
        for name in Self.types { try check(name) }
    }

    /// IQ4_NL and MXFP4 rows of 15 blocks: ggml's odd last block in scalar code.
    func testOddBlockCount() throws {
        for name in ["IQ4_NL", "MXFP4"] { try check(name, prefix: "odd.") }
    }

    /// The C kernels equal the Swift ones on random blocks (any bytes; a sane fp16 scale where the type has
    /// one up front) against activations of random floats, for 1 to 5 super-blocks.
    func testCMatchesSwiftOnRandomBlocks() throws {
        var g = SystemRandomNumberGenerator()
        for name in Self.types {
            let t = QuantType(named: name), tr = t.traits
            guard let c = tr.cVecDot else { continue }
            let vt = tr.vecDotType!
            for blocks in [1, 2, 3, 5] {
                let n = blocks * 256
                let nb = n / t.blockSize
                var qx = (0..<(nb * t.bytesPerBlock)).map { _ in UInt8.random(in: 0...255, using: &g) }
                for b in 0..<nb {
                    let o = b * t.bytesPerBlock
                    switch name {
                    case "IQ1_M": break   // the scale is spread over the sub-block scales
                    case "MXFP4": qx[o] = UInt8.random(in: 100...140, using: &g)
                    case "TQ1_0", "TQ2_0":
                        let h = Half.fp16(Float.random(in: -0.1...0.1, using: &g))
                        qx[o + t.bytesPerBlock - 2] = UInt8(h & 0xFF); qx[o + t.bytesPerBlock - 1] = UInt8(h >> 8)
                    default:
                        let h = Half.fp16(Float.random(in: -0.1...0.1, using: &g))
                        qx[o] = UInt8(h & 0xFF); qx[o + 1] = UInt8(h >> 8)
                    }
                }
                let y = (0..<n).map { _ in Float.random(in: -1...1, using: &g) }
                let qy = try quantizeRows(vt, y, rows: 1, n: n, with: vt.traits.fromFloat!)
                let s = qx.withUnsafeBytes { xb in qy.withUnsafeBytes { yb in tr.portableVecDot!(n, xb.baseAddress!, yb.baseAddress!) } }
                let cv = qx.withUnsafeBytes { xb in qy.withUnsafeBytes { yb in c(n, xb.baseAddress!, yb.baseAddress!) } }
                XCTAssertEqual(s.bitPattern, cv.bitPattern, "\(name) \(blocks) blocks: swift \(s) C \(cv)")
            }
        }
    }
}
