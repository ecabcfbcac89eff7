import XCTest
@testable import GGUFKernels

final class HalfTests: XCTestCase {
    /// fp32 → fp16 / bf16 of NaNs, infinities, overflow, subnormals and ties, as ggml converts them.
    func testSpecialValuesAgainstGGML() throws {
        let (e, x) = Fixtures.floats("special.f32.bin")
        for (name, fn) in [("F16", Half.fp16 as (Float) -> UInt16), ("BF16", Half.bf16 as (Float) -> UInt16)] {
            let (_, want) = Fixtures.bytes("special.\(name).q.bin")
            for i in 0..<e.cols {
                let w = UInt16(want[2 * i]) | UInt16(want[2 * i + 1]) << 8
                XCTAssertEqual(fn(x[i]), w, "\(name) of \(x[i]) (bits \(String(x[i].bitPattern, radix: 16)))")
            }
        }
    }

    /// fp16 → fp32 is exact for all 65536 values; fp32 → fp16 → fp32 round-trips every non-NaN half.
    func testAllHalves() {
        for h in 0...UInt16.max {
            let f = Half.fp32(fp16: h)
            #if !(os(macOS) && arch(x86_64))
            let ref = Float(Float16(bitPattern: h))
            if ref.isNaN { XCTAssert(f.isNaN); continue }
            XCTAssertEqual(f.bitPattern, ref.bitPattern, "\(h)")
            #endif
            if !f.isNaN { XCTAssertEqual(Half.fp16(f), h) }
        }
    }

    /// The eight-lane conversion used by the portable F16 dot equals the scalar one for every half.
    func testLaneConversionAllHalves() {
        for base in stride(from: 0, to: 65536, by: 8) {
            let w = SIMD8<UInt32>((0..<8).map { UInt32(base + $0) << 16 })
            let f = FloatDot.halfToFloat(w)
            for k in 0..<8 {
                let ref = Half.fp32(fp16: UInt16(base + k))
                XCTAssert(f[k].bitPattern == ref.bitPattern || (f[k].isNaN && ref.isNaN), "\(base + k)")
            }
        }
    }

    /// F16 and BF16 dots over rows with subnormal, negative and odd-length content agree with a Double reference.
    func testHalfDots() throws {
        for n in [1, 15, 16, 33, 100, 1000] {
            let a = (0..<n).map { Float($0 % 13) * (($0 % 3 == 0) ? -1e-6 : 0.37) }
            let b = (0..<n).map { Float($0 % 7) * 0.11 - 0.3 }
            for (t, conv) in [(QuantType.f16, Half.fp16 as (Float) -> UInt16), (.bf16, Half.bf16)] {
                let ha = a.map(conv), hb = b.map(conv)
                let back: (UInt16) -> Float = t == .f16 ? { Half.fp32(fp16: $0) } : { Half.fp32(bf16: $0) }
                var ref: Double = 0, mag: Double = 0
                for i in 0..<n { let p = Double(back(ha[i])) * Double(back(hb[i])); ref += p; mag += abs(p) }
                let got = ha.withUnsafeBytes { x in hb.withUnsafeBytes { y in try! Kernels.vecDot(t, count: n, x: x.baseAddress!, y: y.baseAddress!) } }
                XCTAssertLessThanOrEqual(abs(Double(got) - ref), 1e-6 * mag + 1e-30, "\(t) n=\(n)")
            }
        }
    }

    func testBulk() {
        let x: [Float] = (0..<1000).map { Float($0) * 0.37 - 100 }
        var h = [UInt16](repeating: 0, count: 1000), b = [UInt16](repeating: 0, count: 1000)
        var back = [Float](repeating: 0, count: 1000)
        Half.fp16(x, &h, count: 1000)
        Half.bf16(x, &b, count: 1000)
        for i in 0..<1000 {
            XCTAssertEqual(h[i], Half.fp16(x[i]))
            XCTAssertEqual(b[i], Half.bf16(x[i]))
        }
        Half.fp32(fp16: h, &back, count: 1000)
        for i in 0..<1000 { XCTAssertEqual(back[i], Half.fp32(fp16: h[i])) }
        Half.fp32(bf16: b, &back, count: 1000)
        for i in 0..<1000 { XCTAssertEqual(back[i], Half.fp32(bf16: b[i])) }
    }
}
