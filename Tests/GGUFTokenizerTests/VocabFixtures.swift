import Foundation
import GGUFRunner
import GGUFTokenizer

/// llama.cpp's vocabulary files (`Fixtures/tokenizer/vocab/ggml-vocab-*.gguf`), each loaded once per process.
enum VocabFixtures {
    static let directory = TokenizerFixtures.directory.appendingPathComponent("vocab")

    /// llama.cpp's own models folder, when the shared oracle is unpacked here: the two vocabularies too large
    /// to commit (command-r, gemma-4) are tested from there, and skipped otherwise.
    static let oracleModels = URL(fileURLWithPath: NSHomeDirectory())
        .appendingPathComponent(".cache/ggufkit-oracle/src/llama_cpp_python-0.3.36/vendor/llama.cpp/models")

    /// The BPE and SPM vocabularies committed with their llama.cpp test cases.
    static let committed = ["llama-bpe", "qwen2", "qwen35", "deepseek-llm", "deepseek-coder", "falcon", "gpt-2",
                            "starcoder", "refact", "mpt", "llama-spm", "phi-3"]
    /// Larger than 10 MB: not committed, tested from `oracleModels` when present.
    static let external = ["command-r", "gemma-4"]

    /// The file of a vocabulary, or nil when it is not here.
    static func url(_ name: String) -> URL? {
        for dir in [directory, oracleModels] {
            let u = dir.appendingPathComponent("ggml-vocab-\(name).gguf")
            if FileManager.default.fileExists(atPath: u.path) { return u }
        }
        return nil
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var cache: [String: Tokenizer] = [:]

    /// The tokenizer of a vocabulary file (loaded once).
    static func tokenizer(_ name: String) throws -> Tokenizer? {
        lock.lock()
        defer { lock.unlock() }
        if let t = cache[name] { return t }
        guard let u = url(name) else { return nil }
        let t = try Tokenizer.load(path: u.path)
        cache[name] = t
        return t
    }

    /// llama.cpp's test cases for a vocabulary (test-tokenizer-0's format: inputs separated by
    /// "\n__ggml_vocab_test__\n", expected ids one line per input).
    static func cases(_ name: String) throws -> [(text: [UInt8], ids: [Int32])]? {
        guard let u = url(name) else { return nil }
        let inp = try Data(contentsOf: URL(fileURLWithPath: u.path + ".inp"))
        let out = try String(contentsOf: URL(fileURLWithPath: u.path + ".out"), encoding: .utf8)
        let sep = Array("\n__ggml_vocab_test__\n".utf8)
        var texts: [[UInt8]] = []
        let bytes = [UInt8](inp)
        var start = 0, i = 0
        while i + sep.count <= bytes.count {
            if bytes[i ..< i + sep.count].elementsEqual(sep) {
                texts.append(Array(bytes[start ..< i]))
                i += sep.count
                start = i
            } else {
                i += 1
            }
        }
        let lines = out.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var result: [(text: [UInt8], ids: [Int32])] = []
        for (k, t) in texts.enumerated() {
            let ids = lines[k].split(separator: " ").map { Int32($0)! }
            result.append((t, ids))
        }
        return result
    }
}
