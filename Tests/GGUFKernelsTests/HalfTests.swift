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
