#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Several outputs that appear together or not at all: the parts of a split model.
///
/// Every destination is checked before anything is written (exists without `force`, a directory, one of
/// the inputs). Parts are written one after the other: ``create(_:)`` opens part `i`'s temporary file,
/// ``AtomicOutput/finish()`` closes it (its buffer is freed, the file stays); ``commit()`` renames every
/// finished part into place only when all are, and ``discard()`` (or an error, or SIGINT/SIGTERM) removes
/// every temporary file, so a partial set never appears.
public final class AtomicOutputSet {
    public let paths: [String]
    private let force: Bool
    private let inputs: [String]
    private var outputs: [AtomicOutput?]
    private var committed = false

    /// Checks every destination; creates nothing yet.
    public init(paths: [String], force: Bool, inputs: [String] = []) throws(IOError) {
        var seen = Set<String>()
        for p in paths {
            guard seen.insert(p).inserted else { throw IOError(.usage, path: p, "the same output path twice") }
            try AtomicOutput.checkDestination(p, force: force, inputs: inputs)
        }
        self.paths = paths
        self.force = force
        self.inputs = inputs
        outputs = Array(repeating: nil, count: paths.count)
    }

    deinit { if !committed { discard() } }

    /// Opens the temporary file of part `i`.
    public func create(_ i: Int) throws(IOError) -> AtomicOutput {
        let out = try AtomicOutput(path: paths[i], force: force, inputs: inputs)
        outputs[i] = out
        return out
    }

    /// Finishes every part and renames each into place. If a rename fails, the parts already renamed
    /// are removed again, so that no incomplete set is left under the final names.
    public func commit() throws(IOError) {
        for (i, o) in outputs.enumerated() {
            guard let o else { throw IOError(.usage, path: paths[i], "internal: part \(i + 1) of \(paths.count) was never written") }
            try o.finish()
        }
        var done: [String] = []
        for o in outputs {
            do { try o!.commit() } catch {
                for p in done { unlink(p) }
                discard()
                throw error
            }
            done.append(o!.path)
        }
        committed = true
    }

    /// Removes every temporary file; the destinations are left as they were.
    public func discard() {
        for o in outputs { o?.discard() }
        committed = true
    }
}
