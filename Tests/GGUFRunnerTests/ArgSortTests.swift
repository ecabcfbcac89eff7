@testable import GGUFRunner
import GGUFTestSupport
import XCTest

/// The runner's argsort gives libstdc++'s std::sort permutation (ggml's descending argsort) on rows full of ties:
/// `Fixtures/runner/argsort/argsort.json`, written by `make_argsort.cpp` (g++ 12).
final class ArgSortTests: XCTestCase {
    struct Rows: Decodable { struct Row: Decodable { let values: [Float]; let order: [Int32] }; let rows: [Row] }

    func testEqualsStdSort() throws {
        let d = try XCTUnwrap(FileManager.default.contents(atPath: fixturesDir + "/runner/argsort/argsort.json"))
        let rows = try JSONDecoder().decode(Rows.self, from: d).rows
        XCTAssertEqual(rows.count, 84)
        var differ = 0
        for r in rows {
            let ours = r.values.withUnsafeBufferPointer { stdSortDescending($0.baseAddress!, r.values.count) }
            if ours != r.order { differ += 1; XCTFail("n \(r.values.count): \(ours) vs std::sort \(r.order)") }
        }
        XCTAssertEqual(differ, 0)
        // Not a stable sort: with ties and more than 16 values std::sort leaves equal values out of index order.
        let tied = rows.filter { r in
            let v = r.values
            let stable: [Int32] = (0..<Int32(v.count)).sorted { (a: Int32, b: Int32) -> Bool in
                let x = v[Int(a)], y = v[Int(b)]
                return x > y || (x == y && a < b)
            }
            return stable != r.order
        }
        XCTAssertGreaterThan(tied.count, 10)
    }
}
