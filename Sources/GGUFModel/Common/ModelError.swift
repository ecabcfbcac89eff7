import GGUFIO

/// An error of a model operation that is not an I/O error: the input cannot be processed as asked.
public struct ModelError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable { case badData, usage }
    public var kind: Kind
    public var message: String
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }
    public static func badData(_ m: String) -> ModelError { ModelError(.badData, m) }
    public static func usage(_ m: String) -> ModelError { ModelError(.usage, m) }
    public var description: String { message }
}
