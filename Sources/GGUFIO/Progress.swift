#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A progress bar on a terminal's standard error, silent otherwise.
///
/// Shows bytes done, MB/s and the time left; redraws at most 10 times a second.
public final class Progress {
    public let total: Int
    public let label: String
    public let enabled: Bool
    private var done = 0
    private let start: Double
    private var lastDraw = 0.0

    public init(total: Int, label: String, enabled: Bool = isatty(2) != 0) {
        self.total = max(total, 1)
        self.label = label
        self.enabled = enabled
        start = Progress.now()
    }

    public static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }

    public var elapsed: Double { Progress.now() - start }

    public func advance(_ n: Int) {
        done += n
        guard enabled else { return }
        let t = Progress.now()
        if t - lastDraw < 0.1 && done < total { return }
        lastDraw = t
        draw(t)
    }

    private func draw(_ t: Double) {
        let frac = min(1.0, Double(done) / Double(total))
        let width = 30
        let filled = Int(frac * Double(width))
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        let secs = max(t - start, 1e-6)
        let rate = Double(done) / secs / 1e6
        let eta = rate > 0 ? Double(total - done) / 1e6 / rate : 0
        let line = "\r\(label) [\(bar)] \(Int(frac * 100))% \(format2(rate)) MB/s ETA \(Int(eta.rounded()))s "
        writeStderr(line)
    }

    /// Clears the bar line.
    public func finish() {
        guard enabled else { return }
        writeStderr("\r\u{1B}[K")
    }
}

/// Writes a string to standard error without buffering.
public func writeStderr(_ s: String) {
    var s = s
    s.withUTF8 { b in
        var off = 0
        while off < b.count {
            let n = write(2, b.baseAddress! + off, b.count - off)
            if n <= 0 { return }
            off += n
        }
    }
}
