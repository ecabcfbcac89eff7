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

/// A fresh temporary directory for one test.
public func makeTempDir() -> String {
    let d = NSTemporaryDirectory() + "ggufkit-test-\(UUID().uuidString)"
    try! FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
    return d
}

/// The shared fixtures folder beside the checkout (`../shared/fixtures`), or `nil` when absent
/// (a user's clone): tests that need it skip.
public let sharedFixturesDir: String? = {
    let d = fixturesDir + "/../../shared/fixtures"
    return FileManager.default.fileExists(atPath: d + "/MANIFEST.tsv") ? d : nil
}()
