import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The built `ggufkit` binary: `$GGUFKIT_BIN`, else beside the test bundle (same build folder), else
/// `.build/debug/ggufkit` in the package; nil when none exists (build it: `swift build --build-tests`).
public let ggufkitBinary: String? = {
    let fm = FileManager.default
    var candidates: [String] = []
    if let e = ProcessInfo.processInfo.environment["GGUFKIT_BIN"] { candidates.append(e) }
    for arg in [CommandLine.arguments.first ?? "", Bundle.main.bundlePath] + Bundle.allBundles.map(\.bundlePath) {
        var url = URL(fileURLWithPath: arg)
        // Walk up out of `X.xctest` (a file on Linux, a folder with Contents/MacOS on macOS).
        while url.path != "/" && !url.lastPathComponent.hasSuffix(".xctest") && url.pathExtension != "" {
            url.deleteLastPathComponent()
        }
        if url.lastPathComponent.hasSuffix(".xctest") { url.deleteLastPathComponent() }
        candidates.append(url.appendingPathComponent("ggufkit").path)
    }
    candidates.append(URL(fileURLWithPath: fixturesDir).deletingLastPathComponent().appendingPathComponent(".build/debug/ggufkit").path)
    return candidates.first { fm.isExecutableFile(atPath: $0) && !$0.hasSuffix(".xctest") }
}()

/// What a finished `ggufkit` process did.
public struct ProcessResult {
    /// The exit status, or nil when a signal ended the process (`signal` then says which).
    public var status: Int32?
    public var signal: Int32?
    public var stdout: String
    public var stderr: String
    public var seconds: Double
    public var timedOut: Bool

    /// stderr lines that are not notes or warnings.
    public var errorLines: [String] {
        stderr.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("note:") && !$0.hasPrefix("warning:") && !$0.isEmpty }
    }
}

/// A started `ggufkit` process whose output is collected in files (no pipe can fill up).
public final class RunningProcess {
    public let process = Process()
    let outURL: URL, errURL: URL
    let started = Date()

    /// `stdin`: text the process reads on its standard input (default: none, /dev/null).
    public init(_ binary: String, _ args: [String], cwd: String? = nil, stdin: String? = nil) throws {
        let tmp = NSTemporaryDirectory() + "ggufkit-proc-\(UUID().uuidString)"
        outURL = URL(fileURLWithPath: tmp + ".out")
        errURL = URL(fileURLWithPath: tmp + ".err")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = args
        if let cwd { process.currentDirectoryURL = URL(fileURLWithPath: cwd) }
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        if let stdin {
            let inPath = tmp + ".in"
            _ = FileManager.default.createFile(atPath: inPath, contents: Data(stdin.utf8))
            process.standardInput = FileHandle(forReadingAtPath: inPath)
            try? FileManager.default.removeItem(atPath: inPath)   // the open handle keeps it readable
        } else {
            process.standardInput = FileHandle.nullDevice
        }
        var env = ProcessInfo.processInfo.environment
        env["SWIFT_BACKTRACE"] = "enable=no"  // a crash should be a quick signal, not a long backtrace
        process.environment = env
        try process.run()
    }

    public var pid: Int32 { process.processIdentifier }
    public func send(_ sig: Int32) { kill(process.processIdentifier, sig) }

    /// Waits up to `timeout` seconds (then kills the process).
    public func wait(timeout: Double = 30) -> ProcessResult {
        let deadline = Date().addingTimeInterval(timeout)
        var timedOut = false
        while process.isRunning {
            if Date() > deadline { timedOut = true; kill(process.processIdentifier, SIGKILL) }
            usleep(2000)
        }
        process.waitUntilExit()
        let seconds = Date().timeIntervalSince(started)
        let out = (try? String(contentsOf: outURL, encoding: .utf8)) ?? ""
        let err = (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(at: outURL)
        try? FileManager.default.removeItem(at: errURL)
        let bySignal = process.terminationReason == .uncaughtSignal
        return ProcessResult(status: bySignal ? nil : process.terminationStatus,
                             signal: bySignal ? process.terminationStatus : nil,
                             stdout: out, stderr: err, seconds: seconds, timedOut: timedOut)
    }
}

/// Runs `ggufkit ARGS` to the end.
public func runGGUFKit(_ args: [String], cwd: String? = nil, stdin: String? = nil, timeout: Double = 30) throws -> ProcessResult {
    guard let bin = ggufkitBinary else { throw CLIError.noBinary }
    return try RunningProcess(bin, args, cwd: cwd, stdin: stdin).wait(timeout: timeout)
}

public enum CLIError: Error, CustomStringConvertible {
    case noBinary
    case cannotMount
    public var description: String {
        switch self {
        case .noBinary: return "the ggufkit binary is not built: run `swift build --build-tests` first"
        case .cannotMount: return "cannot mount a tmpfs here (not root, or no mount command)"
        }
    }
}

/// The subcommands `ggufkit help` lists.
public func ggufkitSubcommands() throws -> [String] {
    let r = try runGGUFKit(["help"])
    var inSection = false
    var names: [String] = []
    for line in r.stdout.split(separator: "\n", omittingEmptySubsequences: false) {
        if line.hasPrefix("SUBCOMMANDS:") { inSection = true; continue }
        guard inSection else { continue }
        if !line.isEmpty && !line.hasPrefix(" ") { break }
        // "  name   abstract": exactly two spaces, then the name (continuation lines are indented more).
        let chars = Array(line)
        guard chars.count > 2, chars[0] == " ", chars[1] == " ", chars[2] != " " else { continue }
        let name = String(line.dropFirst(2).prefix { $0 != " " })
        if name.first?.isLowercase == true, name != "help" { names.append(name) }
    }
    return names
}

/// SHA-256 of a file's bytes, hex.
public func sha256File(_ path: String) throws -> String {
    sha256Hex(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
}

/// Mounts a tmpfs of `megabytes` at `path` (created if needed) for `body`, then unmounts it.
/// Throws `XCTSkip`-worthy `CLIError.cannotMount` where mounting is not allowed (not root, no mount).
public func withSmallTmpfs(megabytes: Int, at path: String, _ body: () throws -> Void) throws {
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    let mount = Process()
    mount.executableURL = URL(fileURLWithPath: "/bin/mount")
    mount.arguments = ["-t", "tmpfs", "-o", "size=\(megabytes)m", "tmpfs", path]
    mount.standardError = FileHandle.nullDevice
    guard (try? mount.run()) != nil else { throw CLIError.cannotMount }
    mount.waitUntilExit()
    guard mount.terminationStatus == 0 else { throw CLIError.cannotMount }
    defer {
        let u = Process()
        u.executableURL = URL(fileURLWithPath: "/bin/umount")
        u.arguments = [path]
        try? u.run()
        u.waitUntilExit()
    }
    try body()
}
