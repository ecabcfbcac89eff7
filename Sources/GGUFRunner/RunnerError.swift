/// Why a model cannot be loaded or run; every case is one clear line for the user.
public enum RunnerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file is not a llama model this runner handles (`general.architecture`).
    case unsupportedArchitecture(String)
    /// A required tensor is absent.
    case missingTensor(String)
    /// A tensor has the wrong shape for the hyper-parameters.
    case wrongShape(name: String, expected: [Int], found: [Int])
    /// A tensor llama.cpp would use (a bias, RoPE factors, shared experts) that the runner does not compute with.
    case unsupportedTensor(String)
    /// A tensor the architecture's llama.cpp loader does not create (llama.cpp refuses the file: "wrong number of tensors").
    case unexpectedTensor(String, architecture: String)
    /// A tensor type has no kernel here.
    case unsupportedType(name: String, type: String)
    /// A hyper-parameter is missing or impossible.
    case badHyperparameter(String)
    /// The tokenizer metadata is unusable.
    case badVocabulary(String)
    /// The prompt (or a batch) does not fit in the context.
    case contextFull(needed: Int, context: Int)
    /// A token id outside the vocabulary.
    case badToken(Int32, vocabularySize: Int)
    /// Bad usage: an impossible option combination or value.
    case usage(String)

    public var description: String {
        switch self {
        case .unsupportedArchitecture(let a): return "unsupported architecture '\(a)': the runner runs \(Architecture.supportedList)"
        case .missingTensor(let n): return "the model has no tensor '\(n)'"
        case .wrongShape(let n, let e, let f): return "tensor '\(n)' has shape \(f), expected \(e)"
        case .unsupportedTensor(let n): return "tensor '\(n)' is not supported by the runner (llama.cpp would use it; the results would differ)"
        case .unexpectedTensor(let n, let a): return "tensor '\(n)' is not part of a \(a) model (llama.cpp refuses the file too)"
        case .unsupportedType(let n, let t): return "tensor '\(n)' has type \(t), which the runner cannot compute with"
        case .badHyperparameter(let m): return "bad hyper-parameter: \(m)"
        case .badVocabulary(let m): return "bad vocabulary: \(m)"
        case .contextFull(let n, let c): return "\(n) tokens do not fit in the context of \(c) tokens (use a larger -c)"
        case .badToken(let t, let n): return "token id \(t) is outside the vocabulary (0..<\(n))"
        case .usage(let m): return m
        }
    }

    /// Whether the error is the user's request rather than the file's content.
    public var isUsage: Bool {
        switch self {
        case .contextFull, .badToken, .usage: return true
        default: return false
        }
    }
}
