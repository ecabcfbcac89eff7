import Foundation
import XCTest
@testable import GGUFKernels

/// F32, F16 and BF16 dot products at every CPU level this machine has, against llama.cpp built for that level
/// (Fixtures/kernels/levels, made by make_level_dots.py with the AVX2 and the native AVX-512 builds): bit for bit.
/// Levels the CPU lacks are skipped and named; AVX-VNNI is checked against the AVX2 references (same float order).
final class LevelDotTests: XCTestCase {
    static let rows = 6, n = 813

    static func file(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: Fixtures.dir.appendingPathComponent("levels/" + name)))
    }

    static func floats(_ b: [UInt8]) -> [Float] {
        b.withUnsafeBytes { r in (0..<(b.count / 4)).map { Float(bitPattern: UInt32(littleEndian: r.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) } }
    }

    func dot(_ fn: VecDotFn, _ n: Int, _ qx: [UInt8], _ xOffset: Int, _ qy: [UInt8], _ yOffset: Int) -> Float {
        qx.withUnsafeBytes { x in qy.withUnsafeBytes { y in fn(n, x.baseAddress! + xOffset, y.baseAddress! + yOffset) } }
    }

    func testDotsBitIdenticalPerLevel() throws {
        var ran: [String] = [], skipped: [String] = []
        for (level, refs) in [(KernelLevel.avx2, "avx2"), (.avxvnni, "avx2"), (.avx512, "avx512")] {
            guard level.isSupported else { skipped.append(level.rawValue); continue }
            ran.append(level.rawValue)
            for name in ["F32", "F16", "BF16"] {
                let fn = try XCTUnwrap(QuantType(named: name).traits.vecDot(at: level), "\(name) at \(level)")
                let qx = try Self.file("\(name).qx.bin"), qy = try Self.file("\(name).qy.bin")
                let want = Self.floats(try Self.file("\(name).\(refs).dot.bin"))
                let rb = qx.count / Self.rows
                var same = 0
                for j in 0..<Self.rows {
                    for i in 0..<Self.rows {
                        let got = dot(fn, Self.n, qx, i * rb, qy, j * rb)
                        let ref = want[j * Self.rows + i]
                        if got.bitPattern == ref.bitPattern { same += 1 }
                        XCTAssertEqual(got.bitPattern, ref.bitPattern, "\(name) [\(level)] x\(i)·y\(j): got \(got) want \(ref)")
                    }
                }
                print("\(name) [\(level)] vs llama.cpp (\(refs)): \(same)/\(Self.rows * Self.rows) bit-identical")
            }
        }
        print("kernel levels run \(ran), skipped (CPU lacks them) \(skipped)")
    }

    /// The detected level is supported, `best(upTo:)` never goes above what the CPU has, and the levels are ordered.
    func testLevelSelection() {
        XCTAssertTrue(KernelLevel.detected.isSupported)
        XCTAssertTrue(KernelLevel.swift.isSupported)
        for l in KernelLevel.allCases { XCTAssertTrue(KernelLevel.best(upTo: l).isSupported); XCTAssertLessThanOrEqual(KernelLevel.best(upTo: l), l) }
        XCTAssertEqual(KernelLevel.best(upTo: .avx512), KernelLevel.detected)
        XCTAssertEqual(KernelLevel.supported.last, KernelLevel.detected)
        XCTAssertEqual(KernelLevel(rawValue: "avx512"), .avx512)
        XCTAssertLessThan(KernelLevel.avx2, KernelLevel.avx512)
    }
}
