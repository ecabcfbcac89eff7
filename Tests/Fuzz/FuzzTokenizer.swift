// libFuzzer target: the SentencePiece tokenizer and detokenizer (built by .ci/fuzz).
//
// Input: byte 0 holds flags; bit 0x80 chooses a vocabulary built from the input itself (lines up to an
// empty line: first byte the token type, second the score, the rest the text; then the text to
// tokenize), otherwise a fixed llama-like vocabulary and the rest of the input as text.
import GGUFTokenizer

let fixedTokenizer: SPMTokenizer = {
    var tokens = ["<unk>", "<s>", "</s>"]
    var types: [Int32] = [2, 3, 3]
    for b in 0..<256 {
        tokens.append("<0x" + String(b, radix: 16, uppercase: true).leftPadded(2) + ">")
        types.append(6)
    }
    let words = ["▁", "▁t", "▁th", "▁the", "he", "an", "▁a", "in", "er", "re", "on", "▁w", "at", "en", "▁f", "or",
                 "▁▁", "▁▁▁▁", "é", "▁é", "日本", "<|user|>", "<tool>", "ab", "abc", "a", "b", "c", "e", "h", "t"]
    for w in words {
        tokens.append(w)
        types.append(w.hasPrefix("<") ? 4 : 1)
    }
    var scores = [Float](repeating: 0, count: tokens.count)
    for i in scores.indices { scores[i] = -Float(i) }
    let v = try! Vocabulary(tokens: tokens, scores: scores, tokenTypes: types)
    return SPMTokenizer(vocabulary: v)
}()

extension String {
    func leftPadded(_ n: Int) -> String { count >= n ? self : String(repeating: "0", count: n - count) + self }
}

/// Parses a vocabulary and a text out of the fuzz input (mode 0x80).
func ownVocabulary(_ b: ArraySlice<UInt8>, flags: UInt8) -> (SPMTokenizer, ArraySlice<UInt8>)? {
    var tokens: [[UInt8]] = [], types: [Int32] = [], scores: [Float] = []
    var rest = b
    while let nl = rest.firstIndex(of: 0x0A), tokens.count < 512 {
        let line = rest[rest.startIndex..<nl]
        rest = rest[(nl + 1)...]
        if line.isEmpty { break }
        let type = Int32(line.first!) % 8 - 1  // -1 ... 6, including unknown raw types
        let score = line.count > 1 ? Float(Int8(bitPattern: line[line.startIndex + 1])) : 0
        tokens.append(Array(line.dropFirst(2)))
        types.append(type)
        scores.append(score)
    }
    let ids = rest.prefix(3).map { Int32($0) - 8 }  // special ids, some out of range
    guard let v = try? Vocabulary(tokens: tokens, scores: scores, tokenTypes: types,
                                   bosID: ids.count > 0 ? ids[0] : 1, eosID: ids.count > 1 ? ids[1] : 2,
                                   unknownID: ids.count > 2 ? ids[2] : 0,
                                   addBOS: flags & 4 != 0, addEOS: flags & 8 != 0, addSpacePrefix: flags & 16 != 0)
    else { return nil }
    return (SPMTokenizer(vocabulary: v), rest.dropFirst(3))
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let flags = bytes[0]
    let tokenizer: SPMTokenizer
    let text: ArraySlice<UInt8>
    if flags & 0x80 != 0 {
        guard let (t, rest) = ownVocabulary(bytes[1...], flags: flags) else { return 0 }
        tokenizer = t
        text = rest
    } else {
        tokenizer = fixedTokenizer
        text = bytes[1...]
    }
    let ids = tokenizer.tokenize(bytes: Array(text), addSpecial: flags & 1 != 0, parseSpecial: flags & 2 != 0)
    for id in ids where !tokenizer.vocabulary.contains(id) { fatalError("tokenize returned id \(id) outside the vocabulary") }
    // Detokenize what came out, and also ids straight from the input (any Int32, most out of range).
    _ = tokenizer.detokenizeBytes(ids, removeSpecial: flags & 32 != 0, unparseSpecial: flags & 64 != 0)
    var raw: [Int32] = []
    var i = text.startIndex
    while i + 2 <= text.endIndex {
        raw.append(Int32(Int16(bitPattern: UInt16(text[i]) | UInt16(text[i + 1]) << 8)))
        i += 2
    }
    _ = tokenizer.detokenize(raw, removeSpecial: flags & 32 != 0, unparseSpecial: flags & 64 != 0)
    var d = Detokenizer(tokenizer: tokenizer, removeSpecial: flags & 32 != 0, unparseSpecial: flags & 64 != 0)
    for id in raw.prefix(64) { _ = d.append(id) }
    _ = d.finish()
    return 0
}
