import Foundation

/// The package's Fixtures folder, found from this source file's location.
public let fixturesDir: String = {
    var url = URL(fileURLWithPath: #filePath)
    while url.path != "/" {
        url.deleteLastPathComponent()
        if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
            return url.appendingPathComponent("Fixtures").path
        }
    }
    return "Fixtures"
}()

/// A fresh temporary directory for one test, removed when the test process exits (kept when
/// `GGUFKIT_KEEP_TEST_DIRS` is set, to look at what a failing test wrote).
public func makeTempDir() -> String {
    let d = NSTemporaryDirectory() + "ggufkit-test-\(UUID().uuidString)"
    try! FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
    TempDirs.shared.add(d)
    return d
}

/// The folders made by makeTempDir, removed at exit.
final class TempDirs: @unchecked Sendable {
    static let shared = TempDirs()
    private let lock = NSLock()
    private var paths: [String] = []

    private init() {
        if ProcessInfo.processInfo.environment["GGUFKIT_KEEP_TEST_DIRS"] == nil {
            atexit { TempDirs.shared.removeAll() }
        }
    }

    func add(_ path: String) { lock.lock(); paths.append(path); lock.unlock() }

    func removeAll() {
        lock.lock(); let all = paths; paths = []; lock.unlock()
        for p in all { try? FileManager.default.removeItem(atPath: p) }
    }
}

/// The shared fixtures folder beside the checkout (`../shared/fixtures`), or `nil` when absent
/// (a user's clone): tests that need it skip.
public let sharedFixturesDir: String? = {
    let d = fixturesDir + "/../../shared/fixtures"
    return FileManager.default.fileExists(atPath: d + "/MANIFEST.tsv") ? d : nil
}()
