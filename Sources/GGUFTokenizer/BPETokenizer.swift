/// llama.cpp's tokenizer for `tokenizer.ggml.model = "gpt2"` (byte-level BPE) and `"gemma4"`
/// (BPE over raw UTF-8 with `▁` for spaces).
///
/// `tokenize` gives exactly `llama_tokenize`'s ids: special-token partitioning (with lstrip/rstrip), the
/// pre-tokenizer's word split, then per word the rank-ordered merge of adjacent symbols
/// (`llm_tokenizer_bpe_session`), BOS/EOS when asked. Pieces and detokenization are the vocabulary's.
public struct BPETokenizer: Sendable, TokenizesText {
    /// The vocabulary (pieces byte-decoded, or `▁` → space for escaped-whitespace BPE).
    public let vocabulary: Vocabulary
    /// The word splitter.
    public let preTokenizer: PreTokenizer
    /// The settings `tokenizer.ggml.pre` selected.
    public let settings: BPESettings
    /// Merge ranks: `"left right"` → rank (the first of duplicates wins, as llama.cpp's `emplace`).
    let merges: ByteTable
    /// The rank of merge-table entry i (its line number in `tokenizer.ggml.merges`).
    let mergeRanks: [Int32]
    /// `tokenizer.ggml.model = "whitespace"` (`llm_tokenizer_whitespace_session`): whitespace code points
    /// are dropped and the runs between them tokenized one by one, lowercased when ``lowercase``.
    public internal(set) var whitespaceSession = false
    public internal(set) var lowercase = false

    /// A tokenizer over `vocabulary` with the merges (`tokenizer.ggml.merges`, `"left right"` each).
    public init(vocabulary: Vocabulary, merges: [[UInt8]], settings: BPESettings) throws(PreTokenizer.Unsupported) {
        self.vocabulary = vocabulary
        self.settings = settings
        self.preTokenizer = try PreTokenizer(type: settings.type)
        // llama.cpp splits each line at its first space after position 0; a line without one becomes the
        // pair ("", ""), which no lookup can hit. The first of equal lines keeps its rank.
        var texts: [[UInt8]] = []
        var lines: [Int32] = []
        texts.reserveCapacity(merges.count)
        lines.reserveCapacity(merges.count)
        for (i, m) in merges.enumerated() where m.count > 1 && m.dropFirst().contains(0x20) {
            texts.append(m)
            lines.append(Int32(truncatingIfNeeded: i))
        }
        let (table, kept) = ByteTable.buildKeepingFirst(texts)
        self.merges = table
        self.mergeRanks = kept.map { lines[$0] }
    }

    /// Token ids of raw bytes in a buffer.
    public func tokenize(bytes: UnsafeBufferPointer<UInt8>, addSpecial: Bool = true,
                         parseSpecial: Bool = false) -> [Int32] {
        let v = vocabulary
        var output: [Int32] = []
        output.reserveCapacity(bytes.count / 3 + 2)
        if addSpecial && v.addBOS, let bos = v.bosID { output.append(bos) }
        var escaped: [UInt8] = []
        for fragment in v.partition(bytes, parseSpecial: parseSpecial) {
            switch fragment {
            case .token(let id):
                output.append(id)
            case .text(let range):
                if settings.escapeWhitespaces {
                    escaped.removeAll(keepingCapacity: true)
                    for b in bytes[range] {
                        if b == 0x20 { escaped.append(contentsOf: [0xE2, 0x96, 0x81]) } else { escaped.append(b) }
                    }
                    escaped.withUnsafeBufferPointer { tokenizeText($0, into: &output) }
                } else {
                    tokenizeText(UnsafeBufferPointer(rebasing: bytes[range]), into: &output)
                }
            }
        }
        if addSpecial && v.addEOS, let eos = v.eosID { output.append(eos) }
        return output
    }

    typealias Symbol = MergeSymbol

    struct Bigram: MergeCandidate {
        var left: Int
        var right: Int
        var rank: Int32
        var size: Int
        /// Pops first: lower rank, then the leftmost pair.
        @inline(__always) func precedes(_ o: Bigram) -> Bool { rank < o.rank || (rank == o.rank && left < o.left) }
    }

    /// The session's `tokenize` for one text fragment.
    func tokenizeText(_ text: UnsafeBufferPointer<UInt8>, into output: inout [Int32]) {
        guard whitespaceSession else { return tokenizeSegment(text, into: &output) }
        let tables = UnicodeTables.shared
        var segment: [UInt8] = []
        func flush() {
            if !segment.isEmpty { segment.withUnsafeBufferPointer { tokenizeSegment($0, into: &output) } }
            segment.removeAll(keepingCapacity: true)
        }
        for c in LlamaUTF8.codepoints(text) {
            if tables.flags(c) & CodepointFlags.whitespace != 0 {
                flush()
            } else {
                LlamaUTF8.append(lowercase ? tables.lower(c) : c, to: &segment)
            }
        }
        flush()
    }

    /// `llm_tokenizer_bpe_session::tokenize`.
    func tokenizeSegment(_ text: UnsafeBufferPointer<UInt8>, into output: inout [Int32]) {
        let v = vocabulary
        var key: [UInt8] = []
        for word in preTokenizer.split(text) {
            word.withUnsafeBufferPointer { w in
                var symbols: [Symbol] = []
                if v.ignoresMergesFor(w, settings: settings) {
                    symbols.append(Symbol(start: 0, n: w.count, prev: -1, next: -1))
                } else {
                    var offs = 0
                    while offs < w.count {
                        let n = min(SPMSession.utf8Length(w[offs]), w.count - offs)
                        let index = symbols.count
                        symbols.append(Symbol(start: offs, n: n, prev: index - 1, next: offs + n == w.count ? -1 : index + 1))
                        offs += n
                    }
                }
                var heap = MergeHeap<Bigram>()
                func rank(_ l: Symbol, _ r: Symbol) -> Int32? {
                    key.removeAll(keepingCapacity: true)
                    key.append(contentsOf: UnsafeBufferPointer(rebasing: w[l.start ..< l.start + l.n]))
                    key.append(0x20)
                    key.append(contentsOf: UnsafeBufferPointer(rebasing: w[r.start ..< r.start + r.n]))
                    return key.withUnsafeBufferPointer { merges.lookup($0) }.map { mergeRanks[Int($0)] }
                }
                func add(_ left: Int, _ right: Int) {
                    if left < 0 || right < 0 { return }
                    guard let r = rank(symbols[left], symbols[right]) else { return }
                    heap.push(Bigram(left: left, right: right, rank: r, size: symbols[left].n + symbols[right].n))
                }
                if symbols.count > 1 { for i in 1 ..< symbols.count { add(i - 1, i) } }
                while let b = heap.pop() {
                    let l = b.left, r = b.right
                    if symbols[l].n == 0 || symbols[r].n == 0 || symbols[l].n + symbols[r].n != b.size { continue }
                    symbols[l].n += symbols[r].n
                    symbols[r].n = 0
                    symbols[l].next = symbols[r].next
                    if symbols[r].next >= 0 { symbols[symbols[r].next].prev = l }
                    add(symbols[l].prev, l)
                    add(l, symbols[l].next)
                }
                for s in symbols where s.n > 0 {
                    let piece = UnsafeBufferPointer(rebasing: w[s.start ..< s.start + s.n])
                    if let id = v.table.lookup(piece) {
                        output.append(id)
                    } else {
                        for b in piece {
                            if let id = v.bpeByteToken(b, byteEncoded: preTokenizer.byteEncode) { output.append(id) }
                        }
                    }
                }
            }
        }
    }
}

extension Vocabulary {
    /// `ignore_merges` (and gemma4's rule for runs of newlines): the whole word is one symbol when it is a token.
    func ignoresMergesFor(_ w: UnsafeBufferPointer<UInt8>, settings: BPESettings) -> Bool {
        if settings.ignoreMerges && table.lookup(w) != nil { return true }
        if settings.type == "gemma4" && w.allSatisfy({ $0 == 0x0A }) && table.lookup(w) != nil { return true }
        return false
    }

    /// The fallback token of one byte of a symbol that is not a token: the one-byte token (byte-level
    /// BPE: the raw byte as text, as llama.cpp looks it up) or `<0xXX>` (gemma4-style BPE).
    func bpeByteToken(_ b: UInt8, byteEncoded: Bool) -> Int32? {
        if byteEncoded { return [b].withUnsafeBufferPointer { table.lookup($0) } }
        let hex = Array("0123456789ABCDEF".utf8)
        let name: [UInt8] = [0x3C, 0x30, 0x78, hex[Int(b >> 4)], hex[Int(b & 15)], 0x3E]
        return name.withUnsafeBufferPointer { table.lookup($0) }
    }
}
