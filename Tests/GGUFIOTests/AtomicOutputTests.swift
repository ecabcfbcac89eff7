import Foundation
import GGUFTestSupport
import XCTest
@testable import GGUFIO

final class AtomicOutputTests: XCTestCase {
    func testCommitRenamesAndDiscardLeavesNothing() throws {
        let dir = makeTempDir()
        let out = dir + "/out.gguf"
        let o = try AtomicOutput(path: out, force: false)
        try o.write([1, 2, 3])
        try o.pad(to: 32)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out), "nothing at the destination before commit")
        XCTAssertTrue(FileManager.default.fileExists(atPath: o.tempPath))
        try o.commit()
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: out)).count, 32)
        XCTAssertFalse(FileManager.default.fileExists(atPath: o.tempPath))

        let o2 = try AtomicOutput(path: dir + "/other.gguf", force: false)
        try o2.write([9])
        o2.discard()
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), ["out.gguf"])
    }

    func testStaleTempsOfDeadProcessesAreRemoved() throws {
        let dir = makeTempDir()
        // PID 2^22+1 is above Linux's pid_max limit, so never a live process; PID 1 is always alive.
        let dead = dir + "/.out.gguf.ggufkit-tmp-4194305", live = dir + "/.out.gguf.ggufkit-tmp-1"
        let other = dir + "/.other.gguf.ggufkit-tmp-4194305"
        for p in [dead, live, other] { try Data([1]).write(to: URL(fileURLWithPath: p)) }
        let o = try AtomicOutput(path: dir + "/out.gguf", force: false)
        try o.commit()
        let left = Set(try FileManager.default.contentsOfDirectory(atPath: dir))
        XCTAssertEqual(left, [".out.gguf.ggufkit-tmp-1", ".other.gguf.ggufkit-tmp-4194305", "out.gguf"])
    }

    func testExistingOutputNeedsForce() throws {
        let dir = makeTempDir()
        let out = dir + "/out.gguf"
        try Data([7]).write(to: URL(fileURLWithPath: out))
        XCTAssertThrowsError(try AtomicOutput(path: out, force: false)) { e in
            XCTAssertTrue("\(e)".contains("already exists; use --force"), "\(e)")
        }
        let o = try AtomicOutput(path: out, force: true)
        try o.write([1, 2])
        try o.commit()
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: out)), Data([1, 2]))
    }

    func testInputEqualsOutputRefusedAlsoThroughLinks() throws {
        let dir = makeTempDir()
        let input = dir + "/in.bin"
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: input))
        try FileManager.default.createSymbolicLink(atPath: dir + "/sym.bin", withDestinationPath: input)
        try FileManager.default.linkItem(atPath: input, toPath: dir + "/hard.bin")
        for out in [input, dir + "/sym.bin", dir + "/hard.bin"] {
            XCTAssertThrowsError(try AtomicOutput(path: out, force: true, inputs: [input])) { e in
                XCTAssertTrue("\(e)".contains("same file as the input"), "\(e)")
            }
        }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: input)), Data([1, 2, 3]))
    }

    func testUnwritableDirectoryIsAClearError() {
        XCTAssertThrowsError(try AtomicOutput(path: "/nonexistent-dir/out.gguf", force: false)) { e in
            XCTAssertTrue("\(e)".contains("cannot create the output file"), "\(e)")
        }
    }

    func testFreeSpaceCheckNamesTheNumbers() throws {
        let o = try AtomicOutput(path: makeTempDir() + "/o.gguf", force: false)
        XCTAssertThrowsError(try o.checkFreeSpace(Int.max / 2)) { e in
            XCTAssertTrue("\(e)".contains("not enough free space: the output needs"), "\(e)")
        }
        o.discard()
    }
}
