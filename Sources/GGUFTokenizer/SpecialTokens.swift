/// A piece of the input after special-token partitioning: raw text still to tokenize, or a token.
enum Fragment: Equatable {
    case text(Range<Int>)
    case token(Int32)
}

extension Vocabulary {
    /// llama.cpp's `tokenizer_st_partition`: splits `text` at every occurrence of a special token's text.
    ///
    /// Special tokens are tried longest first; each one splits every remaining text fragment at its
    /// non-overlapping occurrences, left to right. User-defined tokens are always matched; control and
    /// unknown tokens only when `parseSpecial` is true. A token with the lstrip attribute takes the
    /// whitespace (C `isspace`) before it, one with rstrip the whitespace after it.
    func partition(_ text: UnsafeBufferPointer<UInt8>, parseSpecial: Bool) -> [Fragment] {
        var fragments: [Fragment] = text.isEmpty ? [] : [.text(0 ..< text.count)]
        for id in specialTokens {
            let attr = attributes[Int(id)]
            if !parseSpecial && attr.isHiddenUnlessSpecial { continue }
            let lstrip = attr.contains(.lstrip), rstrip = attr.contains(.rstrip)
            let needle = tokens[Int(id)]
            // cheap pre-check: skip tokens that cannot occur anywhere
            guard needle.count <= text.count else { continue }
            var next: [Fragment] = []
            next.reserveCapacity(fragments.count)
            var changed = false
            for fragment in fragments {
                guard case .text(let range) = fragment else { next.append(fragment); continue }
                var pos = range.lowerBound
                while let m = Vocabulary.find(needle, in: text, from: pos, to: range.upperBound) {
                    var leftEnd = m
                    if lstrip { while leftEnd > pos && Vocabulary.isCSpace(text[leftEnd - 1]) { leftEnd -= 1 } }
                    if leftEnd > pos { next.append(.text(pos ..< leftEnd)) }
                    next.append(.token(id))
                    pos = m + needle.count
                    if rstrip { while pos < range.upperBound && Vocabulary.isCSpace(text[pos]) { pos += 1 } }
                    changed = true
                }
                if pos < range.upperBound { next.append(.text(pos ..< range.upperBound)) }
            }
            if changed { fragments = next }
        }
        return fragments
    }

    /// C's `isspace` in the "C" locale.
    @inline(__always) static func isCSpace(_ b: UInt8) -> Bool { b == 0x20 || (b >= 0x09 && b <= 0x0D) }

    /// The first index `i` in `from ..< to` where `needle` occurs entirely before `to`, or nil.
    static func find(_ needle: [UInt8], in text: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> Int? {
        let m = needle.count
        guard m > 0, to - from >= m else { return nil }
        let first = needle[0]
        var i = from
        let last = to - m
        while i <= last {
            if text[i] == first {
                var k = 1
                while k < m && text[i + k] == needle[k] { k += 1 }
                if k == m { return i }
            }
            i += 1
        }
        return nil
    }
}
