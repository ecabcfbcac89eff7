import ArgumentParser
import Foundation
import GGUFIO
import GGUFRunner
import GGUFTokenizer

struct Tokenize: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Token ids of a text, as llama-tokenize prints them.",
        discussion: """
        Reads only the vocabulary (vocabulary-only GGUF files such as llama.cpp's ggml-vocab-*.gguf work). \
        The text comes from -p (with escapes \\n \\r \\t \\' \\" \\\\ \\xHH processed unless --no-escape), -f \
        (read verbatim; escapes processed too unless --no-escape) or --stdin. BOS is added when the \
        vocabulary asks for it (and EOS when it asks for that), unless --no-bos. Special tokens in the text \
        (e.g. <|begin_of_text|>) are matched by default, as llama-tokenize does; --no-parse-special reads \
        them as plain text. Default output: one `ID -> 'PIECE'` line per token; --ids: a Python-style list.
        """
    )

    @Argument(help: "The model or vocabulary file (GGUF).") var model: String
    @Option(name: [.customShort("p"), .customLong("prompt")], help: "The text.") var prompt: String?
    @Option(name: [.customShort("f"), .customLong("file")], help: "Read the text from this file.") var file: String?
    @Flag(name: .customLong("stdin"), help: "Read the text from standard input.") var stdin = false
    @Flag(name: .customLong("ids"), help: "Print only the ids, as a Python-style list.") var ids = false
    @Flag(name: .customLong("no-bos"), help: "Do not add BOS (or EOS) even when the vocabulary asks for it.") var noBOS = false
    @Flag(name: .customLong("parse-special"), help: "Match control tokens (e.g. <|begin_of_text|>) in the text (the default).") var parseSpecialFlag = false
    @Flag(name: .customLong("no-parse-special"), help: "Read control-token texts as plain text (wins over --parse-special).") var noParseSpecial = false
    @Flag(name: .customLong("show-count"), help: "Print the number of tokens at the end.") var showCount = false
    @Flag(name: .customLong("no-escape"), help: "Do not process escapes in the text.") var noEscape = false

    func run() throws {
        try runReportingErrors {
            let tokenizer: Tokenizer
            do {
                tokenizer = try Tokenizer.load(path: model)
            } catch RunnerError.badVocabulary(let m) {
                throw RunnerError.badVocabulary("\(model): \(m)")
            }
            var text: [UInt8]
            if stdin {
                text = [UInt8](FileHandle.standardInput.readDataToEndOfFile())
            } else if let file {
                guard let d = FileManager.default.contents(atPath: file) else {
                    throw RunnerError.usage("\(file): cannot read")
                }
                text = [UInt8](d)
            } else if let prompt {
                text = Array(prompt.utf8)
            } else {
                throw RunnerError.usage("\(model): give the text to tokenize with -p, -f or --stdin")
            }
            if !noEscape { text = Tokenize.processEscapes(text) }
            let addSpecial = tokenizer.vocabulary.addBOS && !noBOS
            // llama-tokenize (0c1e570) parses special tokens unless --no-parse-special (which wins over --parse-special)
            let parseSpecial = !noParseSpecial
            let tokens = tokenizer.tokenize(bytes: text, addSpecial: addSpecial, parseSpecial: parseSpecial)
            var out: [UInt8] = []
            if ids {
                out.append(contentsOf: Array("[\(tokens.map(String.init).joined(separator: ", "))]\n".utf8))
            } else {
                for t in tokens {
                    let id = String(t)
                    out.append(contentsOf: Array((String(repeating: " ", count: max(0, 6 - id.count)) + id + " -> '").utf8))
                    // llama-tokenize prints the piece with printf("%s"): it stops at a NUL byte
                    out.append(contentsOf: tokenizer.piece(t, special: true).prefix { $0 != 0 })
                    out.append(contentsOf: Array("'\n".utf8))
                }
            }
            if showCount { out.append(contentsOf: Array("Total number of tokens: \(tokens.count)\n".utf8)) }
            FileHandle.standardOutput.write(Data(out))
        }
    }

    /// llama.cpp's `string_process_escapes`.
    static func processEscapes(_ s: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(s.count)
        var i = 0
        func hex(_ c: UInt8) -> UInt8? {
            switch c {
            case 0x30...0x39: return c - 0x30
            case 0x41...0x46: return c - 0x41 + 10
            case 0x61...0x66: return c - 0x61 + 10
            default: return nil
            }
        }
        while i < s.count {
            if s[i] == 0x5C && i + 1 < s.count {
                i += 1
                switch s[i] {
                case 0x6E: out.append(0x0A)
                case 0x72: out.append(0x0D)
                case 0x74: out.append(0x09)
                case 0x27, 0x22, 0x5C: out.append(s[i])
                case 0x78 where i + 2 < s.count && hex(s[i + 1]) != nil && hex(s[i + 2]) != nil:
                    out.append(hex(s[i + 1])! << 4 | hex(s[i + 2])!)
                    i += 2
                default:
                    out.append(0x5C)
                    out.append(s[i])
                }
            } else {
                out.append(s[i])
            }
            i += 1
        }
        return out
    }
}
