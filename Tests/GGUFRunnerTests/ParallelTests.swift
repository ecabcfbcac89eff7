@testable import GGUFRunner
import XCTest

/// The worker pool behind every parallel loop of the runner: each item exactly once, for any item and
/// thread count (including more threads than cores and than items), and back to back jobs.
final class ParallelTests: XCTestCase {
    func testEveryItemOnceForAnyCounts() {
        for threads in [1, 2, 3, 5, 8] {
            for n in [0, 1, 2, 7, 64, 1000] {
                let counts = UnsafeMutablePointer<Int>.allocate(capacity: max(n, 1))
                counts.initialize(repeating: 0, count: max(n, 1))
                defer { counts.deallocate() }
                parallelRanges(n, threads: threads) { s, e in
                    for i in s..<e { counts[i] += 1 }   // disjoint ranges: no two workers touch one item
                }
                XCTAssertEqual((0..<n).filter { counts[$0] != 1 }.count, 0, "n \(n), threads \(threads)")
            }
        }
    }

    func testManyShortJobs() {
        let sums = UnsafeMutablePointer<Int>.allocate(capacity: 16)
        defer { sums.deallocate() }
        for job in 0..<3000 {
            sums.initialize(repeating: 0, count: 16)
            parallelRanges(16, threads: job % 3 + 1) { s, e in for i in s..<e { sums[i] = i + job } }
            XCTAssertEqual((0..<16).reduce(0) { $0 + sums[$1] }, 120 + 16 * job)
        }
    }
}
