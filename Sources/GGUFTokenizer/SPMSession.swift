/// One run of llama.cpp's SPM merge (`llm_tokenizer_spm_session`) over escaped text.
///
/// The text is split into UTF-8 characters (a lead byte's length, cut at the end; stray bytes are one
/// character each). Every adjacent pair whose text is a token goes into a max-heap ordered by score,
/// ties to the leftmost pair. The best pair is merged when both sides are still what they were when it
/// was queued; then the pairs with the new neighbours are queued. Finally each symbol is output as its
/// token, or byte by byte as `<0xXX>` tokens when its text is not in the vocabulary.
struct SPMSession {
    typealias Symbol = MergeSymbol

    struct Bigram: MergeCandidate {
        var left: Int
        var right: Int
        var score: Float
        var size: Int

        /// Whether `self` pops before `other`: higher score, then smaller left index (llama.cpp's comparator).
        @inline(__always)
        func precedes(_ other: Bigram) -> Bool {
            score > other.score || (score == other.score && left < other.left)
        }
    }

    /// Byte length of the UTF-8 sequence led by `b` (llama.cpp's `unicode_len_utf8`).
    @inline(__always)
    static func utf8Length(_ b: UInt8) -> Int {
        switch b >> 4 {
        case 0xC, 0xD: return 2
        case 0xE: return 3
        case 0xF: return 4
        default: return 1
        }
    }

    /// Tokenizes `text` (already escaped) and appends the ids to `output`.
    static func tokenize(_ text: UnsafeBufferPointer<UInt8>, vocabulary v: Vocabulary, into output: inout [Int32]) {
        guard text.count > 0 else { return }
        var symbols: [Symbol] = []
        symbols.reserveCapacity(text.count)
        var offs = 0
        while offs < text.count {
            let n = min(utf8Length(text[offs]), text.count - offs)
            let index = symbols.count
            symbols.append(Symbol(start: offs, n: n, prev: index - 1, next: offs + n == text.count ? -1 : index + 1))
            offs += n
        }

        v.table.slots.withUnsafeBufferPointer { slots in
        v.table.bytes.withUnsafeBufferPointer { bytes in
        v.table.offsets.withUnsafeBufferPointer { offsets in
        v.scores.withUnsafeBufferPointer { scores in
        symbols.withUnsafeMutableBufferPointer { sym in
            @inline(__always)
            func lookup(_ start: Int, _ count: Int) -> Int32? {
                ByteTable.lookup(UnsafeBufferPointer(rebasing: text[start ..< start + count]),
                                 slots: slots, bytes: bytes, offsets: offsets)
            }

            var heap = MergeHeap<Bigram>()
            heap.reserve(sym.count)

            @inline(__always)
            func tryAdd(_ left: Int, _ right: Int) {
                if left < 0 || right < 0 { return }
                let size = sym[left].n + sym[right].n
                guard let id = lookup(sym[left].start, size) else { return }
                heap.push(Bigram(left: left, right: right, score: scores[Int(id)], size: size))
            }

            for i in 1 ..< max(sym.count, 1) { tryAdd(i - 1, i) }

            while let bigram = heap.pop() {
                let l = bigram.left, r = bigram.right
                // skip pairs whose sides have changed since they were queued
                if sym[l].n == 0 || sym[r].n == 0 || sym[l].n + sym[r].n != bigram.size { continue }
                sym[l].n += sym[r].n
                sym[r].n = 0
                sym[l].next = sym[r].next
                if sym[r].next >= 0 { sym[sym[r].next].prev = l }
                tryAdd(sym[l].prev, l)
                tryAdd(l, sym[l].next)
            }

            var i = 0
            while i != -1 {
                let s = sym[i]
                if let id = lookup(s.start, s.n) {
                    output.append(id)
                } else {
                    // Merged symbols are always tokens, so this is one character that is not: its bytes.
                    for k in s.start ..< s.start + s.n {
                        let id = v.byteTokens[Int(text[k])]
                        if id >= 0 {
                            output.append(id)
                        } else if let unk = v.unknownID {
                            output.append(unk)
                        }
                    }
                }
                i = s.next
            }
        }}}}}
    }
}
