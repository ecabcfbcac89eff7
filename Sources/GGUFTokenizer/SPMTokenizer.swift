/// llama.cpp's tokenizer for `tokenizer.ggml.model = "llama"` (SentencePiece BPE with byte fallback).
///
/// Gives exactly `llama_tokenize`'s ids: special-token partitioning, a dummy-prefix space before text that
/// starts the input or follows a special token, spaces escaped to `▁`, the score-ordered bigram merge,
/// byte fallback to `<0xXX>` tokens, BOS (and EOS) when asked. Detokenization is in `Detokenizer.swift`.
public struct SPMTokenizer: Sendable, TokenizesText {
    /// The vocabulary.
    public let vocabulary: Vocabulary

    /// A tokenizer over `vocabulary`.
    public init(vocabulary: Vocabulary) {
        self.vocabulary = vocabulary
    }

    /// Token ids of raw bytes in a buffer.
    public func tokenize(bytes: UnsafeBufferPointer<UInt8>, addSpecial: Bool = true,
                         parseSpecial: Bool = false) -> [Int32] {
        let v = vocabulary
        var output: [Int32] = []
        output.reserveCapacity(bytes.count / 2 + 2)
        if addSpecial && v.addBOS, let bos = v.bosID { output.append(bos) }

        var isPrevSpecial = true  // the first text fragment gets the dummy prefix
        var escaped: [UInt8] = []
        for fragment in v.partition(bytes, parseSpecial: parseSpecial) {
            switch fragment {
            case .token(let id):
                output.append(id)
                isPrevSpecial = true
            case .text(let range):
                escaped.removeAll(keepingCapacity: true)
                escaped.reserveCapacity(range.count * 3 + 3)
                if v.addSpacePrefix && isPrevSpecial {
                    escaped.append(0xE2); escaped.append(0x96); escaped.append(0x81)
                }
                for b in bytes[range] {
                    if b == 0x20 {
                        escaped.append(0xE2); escaped.append(0x96); escaped.append(0x81)
                    } else {
                        escaped.append(b)
                    }
                }
                escaped.withUnsafeBufferPointer { SPMSession.tokenize($0, vocabulary: v, into: &output) }
                isPrevSpecial = false
            }
        }

        if addSpecial && v.addEOS, let eos = v.eosID { output.append(eos) }
        return output
    }
}
