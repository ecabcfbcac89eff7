// libFuzzer target: the BPE tokenizer with every pre-tokenizer (built by .ci/fuzz).
//
// Input: byte 0 picks the pre-tokenizer (of GGUFTokenizer's supported `tokenizer.ggml.pre` names), byte 1
// holds flags (1 add_special, 2 parse_special, 4 remove_special, 8 unparse_special); the rest is the text.
// The vocabulary is a small byte-level one: the 256 byte symbols, some merges, a control and a
// user-defined token.
import GGUFTokenizer

let names = PreTokenizer.supportedNames

func byteSymbol(_ b: Int) -> [UInt8] {
    // GPT-2's byte-to-unicode mapping, written out here (the fuzzer checks the library against nothing)
    let printable = (0x21...0x7E).contains(b) || (0xA1...0xAC).contains(b) || (0xAE...0xFF).contains(b)
    var n = 0
    if !printable {
        for c in 0..<b where !((0x21...0x7E).contains(c) || (0xA1...0xAC).contains(c) || (0xAE...0xFF).contains(c)) { n += 1 }
    }
    let cp = printable ? b : 256 + n
    return Array(String(Unicode.Scalar(UInt32(cp))!).utf8)
}

func makeTokenizer(_ pre: String) -> Tokenizer? {
    var tokens = (0..<256).map(byteSymbol)
    let words = ["Ġt", "Ġth", "Ġthe", "he", "an", "Ġa", "in", "er", "ĠĠ", "ĊĊ", "12", "123", "â–", "â–ģ"]
    tokens += words.map { Array($0.utf8) }
    tokens += [Array("<|endoftext|>".utf8), Array("<tool>".utf8)]
    var types = [Int32](repeating: 1, count: tokens.count)
    types[types.count - 2] = 3
    types[types.count - 1] = 4
    let merges = ["Ġ t", "Ġt h", "Ġth e", "h e", "a n", "Ġ a", "i n", "e r", "Ġ Ġ", "Ċ Ċ", "1 2", "12 3", "â ĸ", "âĸ ģ"]
    var c = TokenizerConfig(model: "gpt2", pre: pre, tokens: tokens, tokenTypes: types, merges: merges.map { Array($0.utf8) })
    c.eosID = Int64(tokens.count - 2)
    return try? Tokenizer.make(c)
}

nonisolated(unsafe) var cache: [String: Tokenizer] = [:]

/// Builds every tokenizer before the first input: LeakSanitizer cannot follow Swift's tagged pointers
/// (indirect enum payloads in `Regex`), so memory first kept during an input would read as a leak.
@_cdecl("LLVMFuzzerInitialize")
public func initialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    for name in names { cache[name] = makeTokenizer(name) }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size >= 2 else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let name = names[Int(bytes[0]) % names.count]
    let flags = bytes[1]
    guard let tok = cache[name] else { fatalError("no tokenizer for \(name)") }
    let ids = tok.tokenize(bytes: Array(bytes[2...]), addSpecial: flags & 1 != 0, parseSpecial: flags & 2 != 0)
    for id in ids where !tok.vocabulary.contains(id) { fatalError("\(name): id \(id) outside the vocabulary") }
    _ = tok.detokenizeBytes(ids, removeSpecial: flags & 4 != 0, unparseSpecial: flags & 8 != 0)
    return 0
}
