/// An error reading or writing a file, naming the file and, where it applies, the byte offset.
///
/// The ``description`` is one line meant for the user: `FILE: at offset N: what was expected`.
public struct IOError: Error, CustomStringConvertible, Sendable {
    /// What kind of failure: decides the exit code of the command line tool.
    public enum Kind: Sendable, Equatable {
        /// The file's content is not what it should be (bad magic, truncated, absurd size, ...).
        case badData
        /// The operating system refused an operation (open, read, write, rename, disk full).
        case system(errno: Int32)
        /// The user asked for something impossible (output exists, input == output, ...).
        case usage
    }

    public var kind: Kind
    public var path: String
    public var offset: Int?
    public var message: String

    public init(_ kind: Kind, path: String, offset: Int? = nil, _ message: String) {
        self.kind = kind
        self.path = path
        self.offset = offset
        self.message = message
    }

    public static func badData(_ path: String, at offset: Int?, _ message: String) -> IOError {
        IOError(.badData, path: path, offset: offset, message)
    }

    public var description: String {
        if let offset { return "\(path): at offset \(offset): \(message)" }
        return "\(path): \(message)"
    }
}

extension Array where Element == UInt8 {
    /// `withUnsafeMutableBytes` keeping the typed error of the body.
    public mutating func withMutableBytesIO<R>(_ body: (UnsafeMutableRawBufferPointer) throws(IOError) -> R) throws(IOError) -> R {
        let r: Result<R, IOError> = withUnsafeMutableBytes { b in Result { () throws(IOError) -> R in try body(b) } }
        return try r.get()
    }

    /// `withUnsafeBytes` keeping the typed error of the body.
    public func withBytesIO<R>(_ body: (UnsafeRawBufferPointer) throws(IOError) -> R) throws(IOError) -> R {
        let r: Result<R, IOError> = withUnsafeBytes { b in Result { () throws(IOError) -> R in try body(b) } }
        return try r.get()
    }
}
