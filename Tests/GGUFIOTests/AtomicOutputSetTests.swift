import Foundation
import GGUFTestSupport
import XCTest
@testable import GGUFIO

/// Several outputs that appear together or not at all.
final class AtomicOutputSetTests: XCTestCase {
    func listing(_ dir: String) -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted() }

    func testPartsAppearOnlyWhenAllAreCommitted() throws {
        let dir = makeTempDir()
        let paths = (1...3).map { dir + "/p\($0).gguf" }
        let set = try AtomicOutputSet(paths: paths, force: false)
        for i in 0..<3 {
            let o = try set.create(i)
            try o.write([UInt8](repeating: UInt8(i), count: 100 + i))
            try o.finish()
            XCTAssertEqual(listing(dir).filter { !$0.hasPrefix(".") }, [], "no part under its name before the commit")
        }
        XCTAssertEqual(listing(dir).count, 3, "three temporary files")
        try set.commit()
        XCTAssertEqual(listing(dir), ["p1.gguf", "p2.gguf", "p3.gguf"])
        XCTAssertEqual(try paths.map { try Data(contentsOf: URL(fileURLWithPath: $0)).count }, [100, 101, 102])
    }

    func testDiscardAfterSomePartsLeavesNothing() throws {
        let dir = makeTempDir()
        let set = try AtomicOutputSet(paths: [dir + "/a.gguf", dir + "/b.gguf"], force: false)
        let o = try set.create(0)
        try o.write([1, 2, 3])
        try o.finish()
        _ = try set.create(1)
        set.discard()
        XCTAssertEqual(listing(dir), [])
    }

    func testEveryDestinationIsCheckedFirst() throws {
        let dir = makeTempDir()
        try Data([7]).write(to: URL(fileURLWithPath: dir + "/b.gguf"))
        XCTAssertThrowsError(try AtomicOutputSet(paths: [dir + "/a.gguf", dir + "/b.gguf"], force: false)) { e in
            XCTAssertEqual("\(e)", "\(dir)/b.gguf: output already exists; use --force to overwrite it")
        }
        XCTAssertEqual(listing(dir), ["b.gguf"], "nothing created")
        // An input among the outputs is refused even with --force.
        XCTAssertThrowsError(try AtomicOutputSet(paths: [dir + "/a.gguf", dir + "/b.gguf"], force: true, inputs: [dir + "/b.gguf"]))
        XCTAssertThrowsError(try AtomicOutputSet(paths: [dir + "/a.gguf", dir + "/a.gguf"], force: true))
        let set = try AtomicOutputSet(paths: [dir + "/a.gguf", dir + "/b.gguf"], force: true)
        for i in 0..<2 { try set.create(i).write([UInt8(i)]) }
        try set.commit()
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: dir + "/b.gguf")), Data([1]))
    }
}
