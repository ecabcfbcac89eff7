import Foundation

/// llama.cpp's BPE pre-tokenizers (`llm_tokenizer_bpe`'s `LLAMA_VOCAB_PRE_TYPE_*` switch and
/// `unicode_regex_split` in src/unicode.cpp): the text is cut into words by a list of patterns applied
/// one after another, each splitting every piece the previous ones left.
///
/// Patterns with a hand-written fast path in llama.cpp (gpt-2, llama3, qwen2, qwen3.5, newline runs)
/// use the same code here; the others run through ``Regex`` the way llama.cpp runs them through
/// `std::regex`: on the "collapsed" text (one byte per code point: ASCII as is, other code points as
/// 0xD1 number, 0xD2 letter, 0xD3 punctuation, 0xD4 mark, 0xD5 symbol, 0x0B whitespace, 0xD0 other,
/// with `\p{..}` in the pattern rewritten to match) when the pattern uses Unicode categories, or on the
/// code points (non-ASCII whitespace as 0x0B) when it does not.
public struct PreTokenizer: Sendable {
    /// llama.cpp's pre-tokenizer type (the `LLAMA_VOCAB_PRE_TYPE_*` name, lower case), e.g. "llama3".
    public let type: String
    /// The patterns, as llama.cpp lists them.
    public let patterns: [String]
    /// Whether words are mapped through GPT-2's byte-to-unicode table (false for gemma4-style BPE).
    public let byteEncode: Bool

    enum Step: Sendable {
        case gpt2, llama3, qwen2, qwen35, newlines, kimiK2, afmoeDigits
        case regex(Regex, collapsed: Bool)
    }
    let steps: [Step]
    let needsCollapse: Bool

    /// Why a pre-tokenizer cannot be built.
    public struct Unsupported: Error, Sendable, CustomStringConvertible {
        public let name: String
        public var description: String {
            "pre-tokenizer '\(name)' is not supported (supported: \(PreTokenizer.supportedNames.joined(separator: ", ")))"
        }
    }

    /// The pre-tokenizer of a type with its patterns.
    init(type: String, patterns: [String], byteEncode: Bool = true) throws(Unsupported) {
        self.type = type
        self.patterns = patterns
        self.byteEncode = byteEncode
        var steps: [Step] = []
        var collapse = false
        for p in patterns {
            if PreTokenizer.categoryNames.contains(where: { p.contains($0) }) { collapse = true }
        }
        for p in patterns {
            switch p {
            case PreTokenizer.gpt2Pattern: steps.append(.gpt2)
            case PreTokenizer.llama3Pattern, PreTokenizer.llama3PatternCI: steps.append(.llama3)
            case PreTokenizer.qwen2Pattern: steps.append(.qwen2)
            case PreTokenizer.qwen35Pattern: steps.append(.qwen35)
            case "[^\\n]+|[\\n]+": steps.append(.newlines)
            case "\\p{Han}+": steps.append(.kimiK2)
            case "\\p{AFMoE_digits}", "\\d{1,3}(?=(?:\\d{3})*\\b)": steps.append(.afmoeDigits)
            default:
                let usesCategories = PreTokenizer.categoryNames.contains(where: { p.contains($0) })
                let source: [UInt32]
                if usesCategories {
                    guard p.unicodeScalars.allSatisfy({ $0.value < 128 }), let c = PreTokenizer.collapsePattern(p) else {
                        throw Unsupported(name: type)
                    }
                    source = c
                } else {
                    source = p.unicodeScalars.map(\.value)
                }
                do {
                    steps.append(.regex(try Regex(source), collapsed: usesCategories))
                } catch {
                    throw Unsupported(name: type)
                }
            }
        }
        self.steps = steps
        self.needsCollapse = collapse
    }

    static let categoryNames = ["\\p{N}", "\\p{L}", "\\p{P}", "\\p{M}", "\\p{S}",
                                "\\p{Lu}", "\\p{Ll}", "\\p{Lt}", "\\p{Lm}", "\\p{Lo}"]

    /// The collapsed byte of each category flag.
    static func collapsedByte(_ flags: UInt16) -> UInt32 {
        switch flags & CodepointFlags.categories {
        case CodepointFlags.number: return 0xD1
        case CodepointFlags.letter: return 0xD2
        case CodepointFlags.punctuation: return 0xD3
        case CodepointFlags.accentMark: return 0xD4
        case CodepointFlags.symbol: return 0xD5
        default: return 0xD0
        }
    }

    /// llama.cpp's rewriting of `\p{..}` for the collapsed text (nil when a category is unknown).
    static func collapsePattern(_ p: String) -> [UInt32]? {
        let s = Array(p.utf8)
        var out: [UInt32] = []
        var inside = false
        var i = 0
        while i < s.count {
            let c = s[i]
            if c == UInt8(ascii: "[") && (i == 0 || s[i - 1] != UInt8(ascii: "\\")) {
                out.append(UInt32(c)); inside = true; i += 1; continue
            }
            if inside && c == UInt8(ascii: "]") && s[i - 1] != UInt8(ascii: "\\") {
                out.append(UInt32(c)); inside = false; i += 1; continue
            }
            if c == UInt8(ascii: "\\") && i + 3 < s.count && s[i + 1] == UInt8(ascii: "p") && s[i + 2] == UInt8(ascii: "{") {
                if let close = s[(i + 3)...].firstIndex(of: UInt8(ascii: "}")), close <= i + 10 {
                    let name = String(decoding: s[i...close], as: UTF8.self)
                    if categoryNames.contains(name) {
                        let (byte, ascii): (UInt32, String)
                        switch name {
                        case "\\p{N}": (byte, ascii) = (0xD1, "0-9")
                        case "\\p{P}": (byte, ascii) = (0xD3, "!-#%-*,-/:-;?-@\\[-\\]_\\{\\}")
                        case "\\p{M}": (byte, ascii) = (0xD4, "")
                        case "\\p{S}": (byte, ascii) = (0xD5, "\\$\\+<->^`\\|\\~")
                        default: (byte, ascii) = (0xD2, "A-Za-z")  // L, Lu, Ll, Lt, Lm, Lo
                        }
                        if !inside { out.append(UInt32(UInt8(ascii: "["))) }
                        out.append(byte)
                        out.append(contentsOf: ascii.utf8.map(UInt32.init))
                        if !inside { out.append(UInt32(UInt8(ascii: "]"))) }
                        i = close + 1
                        continue
                    }
                }
            }
            out.append(UInt32(c))
            i += 1
        }
        return out
    }

    // The patterns llama.cpp recognises for its fast paths (unicode_regex_split_custom).
    static let gpt2Pattern = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)"
    static let llama3PatternCI = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"
    static let llama3Pattern = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"
    static let qwen2Pattern = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"
    static let qwen35Pattern = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?[\\p{L}\\p{M}]+|\\p{N}| ?[^\\s\\p{L}\\p{M}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"

    /// `unicode_regex_split`: the words of `text` (UTF-8 of the code points; invalid bytes became
    /// U+FFFD), byte-encoded when ``byteEncode``.
    func split(_ text: UnsafeBufferPointer<UInt8>) -> [[UInt8]] {
        let cpts = LlamaUTF8.codepoints(text)
        let tables = UnicodeTables.shared
        var offsets = [cpts.count]
        var collapsed: [UInt32] = []
        var wide: [UInt32] = []
        if needsCollapse {
            collapsed = cpts.map { c in
                if c < 128 { return c }
                let f = tables.flags(c)
                if f & CodepointFlags.whitespace != 0 { return 0x0B }
                return PreTokenizer.collapsedByte(f)
            }
        }
        for step in steps {
            var next: [Int] = []
            next.reserveCapacity(offsets.count * 2)
            switch step {
            case .gpt2: PreTokenizer.splitGPT2(cpts, offsets, tables, into: &next)
            case .llama3: PreTokenizer.splitLlama3(cpts, offsets, tables, digits: 3, marks: false, into: &next)
            case .qwen2: PreTokenizer.splitLlama3(cpts, offsets, tables, digits: 1, marks: false, into: &next)
            case .qwen35: PreTokenizer.splitLlama3(cpts, offsets, tables, digits: 1, marks: true, into: &next)
            case .newlines: PreTokenizer.splitNewlines(cpts, offsets, into: &next)
            case .kimiK2: PreTokenizer.splitKimiK2(cpts, offsets, tables, into: &next)
            case .afmoeDigits: PreTokenizer.splitAFMoEDigits(cpts, offsets, tables, into: &next)
            case .regex(let re, let isCollapsed):
                if !isCollapsed && wide.isEmpty && !cpts.isEmpty {
                    wide = cpts.map { c in c > 0x7F && tables.flags(c) & CodepointFlags.whitespace != 0 ? 0x0B : c }
                }
                let chars = isCollapsed ? collapsed : wide
                next = PreTokenizer.regexSplit(re, chars, offsets)
            }
            // llama.cpp falls back to std::regex only when a fast path returns nothing (empty text)
            offsets = next
        }
        var words: [[UInt8]] = []
        words.reserveCapacity(offsets.count)
        var start = 0
        for n in offsets {
            var w: [UInt8] = []
            w.reserveCapacity(n * 2)
            if byteEncode {
                var raw: [UInt8] = []
                for k in start ..< start + n { LlamaUTF8.append(cpts[k], to: &raw) }
                for b in raw { w.append(contentsOf: ByteEncoding.utf8[Int(b)]) }
            } else {
                for k in start ..< start + n { LlamaUTF8.append(cpts[k], to: &w) }
            }
            words.append(w)
            start += n
        }
        return words
    }

    /// `Regex.split` over every chunk. The backtracking matcher recurses once per repetition of a group
    /// (llama.cpp's std::regex too, which overflows its stack on long words); chunks over 2,048 code
    /// points are therefore split on a thread whose stack grows with the longest chunk (4 KiB a code point).
    static func regexSplit(_ re: Regex, _ chars: [UInt32], _ offsets: [Int]) -> [Int] {
        @Sendable func run() -> [Int] {
            var out: [Int] = []
            out.reserveCapacity(offsets.count * 2)
            chars.withUnsafeBufferPointer { buf in
                var start = 0
                for n in offsets {
                    re.split(buf, start, start + n, into: &out)
                    start += n
                }
            }
            return out
        }
        let longest = offsets.max() ?? 0
        if longest <= 2048 { return run() }
        final class Result: @unchecked Sendable { var value: [Int] = [] }
        let result = Result()
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            result.value = run()
            done.signal()
        }
        thread.stackSize = min(1 << 34, (64 << 20) + longest * 4096)
        thread.start()
        done.wait()
        return result.value
    }

    // MARK: fast paths (unicode_regex_split_custom_*)

    static let outOfRange: UInt32 = 0xFFFF_FFFF

    /// 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
    static func splitGPT2(_ cpts: [UInt32], _ offsets: [Int], _ t: UnicodeTables, into out: inout [Int]) {
        var start = 0
        for chunk in offsets {
            let ini = start, end = start + chunk
            start = end
            @inline(__always) func cpt(_ p: Int) -> UInt32 { p >= ini && p < end ? cpts[p] : outOfRange }
            @inline(__always) func flags(_ p: Int) -> UInt16 { p >= ini && p < end ? t.flags(cpts[p]) : 0 }
            var prevEnd = ini
            @discardableResult func add(_ e: Int) -> Int {
                let len = e - prevEnd
                if len > 0 { out.append(len) }
                prevEnd = e
                return len
            }
            let L = CodepointFlags.letter, N = CodepointFlags.number, W = CodepointFlags.whitespace
            var pos = ini
            while pos < end {
                let c = cpt(pos)
                let f = flags(pos)
                if c == 0x27 && pos + 1 < end {
                    let n1 = cpt(pos + 1)
                    if n1 == 0x73 || n1 == 0x74 || n1 == 0x6D || n1 == 0x64 { pos += add(pos + 2); continue }
                    if pos + 2 < end {
                        let n2 = cpt(pos + 2)
                        if (n1 == 0x72 && n2 == 0x65) || (n1 == 0x76 && n2 == 0x65) || (n1 == 0x6C && n2 == 0x6C) {
                            pos += add(pos + 3); continue
                        }
                    }
                }
                var f2 = c == 0x20 ? flags(pos + 1) : f
                if f2 & L != 0 {
                    if c == 0x20 { pos += 1 }
                    while f2 & L != 0 { pos += 1; f2 = flags(pos) }
                    add(pos); continue
                }
                if f2 & N != 0 {
                    if c == 0x20 { pos += 1 }
                    while f2 & N != 0 { pos += 1; f2 = flags(pos) }
                    add(pos); continue
                }
                if f2 & (W | L | N) == 0 && f2 != 0 {
                    if c == 0x20 { pos += 1 }
                    while f2 & (W | L | N) == 0 && f2 != 0 { pos += 1; f2 = flags(pos) }
                    add(pos); continue
                }
                var nws = 0
                while flags(pos + nws) & W != 0 { nws += 1 }
                if nws > 1 && cpt(pos + nws) != outOfRange { pos += nws - 1; add(pos); continue }
                if nws > 0 { pos += nws; add(pos); continue }
                pos += 1
                add(pos)
            }
        }
    }

    /// llama3 (`digits` 3), qwen2 (`digits` 1) and qwen3.5 (`digits` 1, `marks`: letters runs take \p{M}).
    static func splitLlama3(_ cpts: [UInt32], _ offsets: [Int], _ t: UnicodeTables, digits: Int, marks: Bool,
                            into out: inout [Int]) {
        var start = 0
        for chunk in offsets {
            let ini = start, end = start + chunk
            start = end
            @inline(__always) func cpt(_ p: Int) -> UInt32 { p >= ini && p < end ? cpts[p] : outOfRange }
            @inline(__always) func flags(_ p: Int) -> UInt16 { p >= ini && p < end ? t.flags(cpts[p]) : 0 }
            var prevEnd = ini
            @discardableResult func add(_ e: Int) -> Int {
                let len = e - prevEnd
                if len > 0 { out.append(len) }
                prevEnd = e
                return len
            }
            let L = CodepointFlags.letter, N = CodepointFlags.number, W = CodepointFlags.whitespace
            let M: UInt16 = marks ? CodepointFlags.accentMark : 0
            var pos = ini
            while pos < end {
                let c = cpt(pos)
                let f = flags(pos)
                if c == 0x27 && pos + 1 < end {
                    let n1 = t.lower(cpt(pos + 1))
                    if n1 == 0x73 || n1 == 0x74 || n1 == 0x6D || n1 == 0x64 { pos += add(pos + 2); continue }
                    if pos + 2 < end {
                        let n2 = t.lower(cpt(pos + 2))
                        if (n1 == 0x72 && n2 == 0x65) || (n1 == 0x76 && n2 == 0x65) || (n1 == 0x6C && n2 == 0x6C) {
                            pos += add(pos + 3); continue
                        }
                    }
                }
                // [^\r\n\p{L}\p{N}]?\p{L}+   (qwen3.5: [\p{L}\p{M}]+)
                if !(c == 0x0D || c == 0x0A || f & N != 0) {
                    if f & (L | M) != 0 || flags(pos + 1) & (L | M) != 0 {
                        pos += 1
                        while flags(pos) & (L | M) != 0 { pos += 1 }
                        add(pos); continue
                    }
                }
                // \p{N}{1,3} or \p{N}
                if f & N != 0 {
                    if digits == 1 {
                        pos += 1
                        add(pos); continue
                    }
                    var i0 = pos
                    while flags(pos) & N != 0 {
                        pos += 1
                        if pos - i0 >= digits { add(pos); i0 = pos }
                    }
                    add(pos); continue
                }
                // <space>?[^\s\p{L}\p{N}]+[\r\n]*
                var f2 = c == 0x20 ? flags(pos + 1) : f
                if f2 & (W | L | M | N) == 0 && f != 0 {
                    if c == 0x20 { pos += 1 }
                    while f2 & (W | L | M | N) == 0 && f2 != 0 { pos += 1; f2 = flags(pos) }
                    var c2 = cpt(pos)
                    while c2 == 0x0D || c2 == 0x0A { pos += 1; c2 = cpt(pos) }
                    add(pos); continue
                }
                var nws = 0
                var lastRN = 0
                while flags(pos + nws) & W != 0 {
                    let c2 = cpt(pos + nws)
                    if c2 == 0x0D || c2 == 0x0A { lastRN = pos + nws + 1 }
                    nws += 1
                }
                if lastRN > 0 { pos = lastRN; add(pos); continue }
                if nws > 1 && cpt(pos + nws) != outOfRange { pos += nws - 1; add(pos); continue }
                if nws > 0 { pos += nws; add(pos); continue }
                pos += 1
                add(pos)
            }
        }
    }

    /// `unicode_cpt_is_han`: the CJK ideograph blocks llama.cpp lists.
    @inline(__always)
    static func isHan(_ c: UInt32) -> Bool {
        (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2A6DF)
            || (c >= 0x2A700 && c <= 0x2B73F) || (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B820 && c <= 0x2CEAF)
            || (c >= 0x2CEB0 && c <= 0x2EBEF) || (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F)
    }

    /// Kimi-K2 (`unicode_regex_split_custom_kimi_k2`): Han runs; letter words without Han, with an optional
    /// leading character and contraction; \p{N}{1,3}; punctuation runs; whitespace as llama3.
    static func splitKimiK2(_ cpts: [UInt32], _ offsets: [Int], _ t: UnicodeTables, into out: inout [Int]) {
        var start = 0
        for chunk in offsets {
            let ini = start, end = start + chunk
            start = end
            @inline(__always) func cpt(_ p: Int) -> UInt32 { p >= ini && p < end ? cpts[p] : outOfRange }
            @inline(__always) func flags(_ p: Int) -> UInt16 { p >= ini && p < end ? t.flags(cpts[p]) : 0 }
            var prevEnd = ini
            @discardableResult func add(_ e: Int) -> Int {
                let len = e - prevEnd
                if len > 0 { out.append(len) }
                prevEnd = e
                return len
            }
            let L = CodepointFlags.letter, N = CodepointFlags.number, W = CodepointFlags.whitespace
            @inline(__always) func nonHanLetter(_ p: Int) -> Bool { flags(p) & L != 0 && !isHan(cpt(p)) }
            var pos = ini
            while pos < end {
                let c = cpt(pos)
                let f = flags(pos)
                if isHan(c) {
                    while isHan(cpt(pos)) { pos += 1 }
                    add(pos); continue
                }
                let leadingCandidate = !(c == 0x0D || c == 0x0A || f & (L | N) != 0)
                if (f & L != 0 && !isHan(c)) || (leadingCandidate && nonHanLetter(pos + 1)) {
                    var hasLeading = false
                    if leadingCandidate { hasLeading = true; pos += 1 }
                    var hasLetters = false
                    while nonHanLetter(pos) { hasLetters = true; pos += 1 }
                    if hasLetters || (!hasLeading && nonHanLetter(pos)) {
                        if !hasLetters { pos += 1 }
                        while nonHanLetter(pos) { pos += 1 }
                        if cpt(pos) == 0x27 && pos + 1 < end {
                            let n1 = t.lower(cpt(pos + 1))
                            if n1 == 0x73 || n1 == 0x74 || n1 == 0x6D || n1 == 0x64 {
                                pos += 2
                            } else if pos + 2 < end {
                                let n2 = t.lower(cpt(pos + 2))
                                if (n1 == 0x72 && n2 == 0x65) || (n1 == 0x76 && n2 == 0x65) || (n1 == 0x6C && n2 == 0x6C) { pos += 3 }
                            }
                        }
                        add(pos); continue
                    } else if hasLeading {
                        pos -= 1
                    }
                }
                if f & N != 0 {
                    var i0 = pos
                    while flags(pos) & N != 0 {
                        pos += 1
                        if pos - i0 >= 3 { add(pos); i0 = pos }
                    }
                    add(pos); continue
                }
                var f2 = c == 0x20 ? flags(pos + 1) : f
                if f2 & (W | L | N) == 0 && f2 != 0 {
                    if c == 0x20 { pos += 1 }
                    while f2 & (W | L | N) == 0 && f2 != 0 { pos += 1; f2 = flags(pos) }
                    var c2 = cpt(pos)
                    while c2 == 0x0D || c2 == 0x0A { pos += 1; c2 = cpt(pos) }
                    add(pos); continue
                }
                var nws = 0
                var lastRN = 0
                while flags(pos + nws) & W != 0 {
                    let c2 = cpt(pos + nws)
                    if c2 == 0x0D || c2 == 0x0A { lastRN = pos + nws + 1 }
                    nws += 1
                }
                if lastRN > 0 { pos = lastRN; add(pos); continue }
                if nws > 1 && cpt(pos + nws) != outOfRange { pos += nws - 1; add(pos); continue }
                if nws > 0 { pos += nws; add(pos); continue }
                pos += 1
                add(pos)
            }
        }
    }

    /// AFMoE's (and tiny_aya's) digits (`unicode_regex_split_custom_afmoe`): a digit run is cut into a
    /// leading 1-2 digits (length mod 3) and groups of 3; the text before a run stays with its first piece.
    static func splitAFMoEDigits(_ cpts: [UInt32], _ offsets: [Int], _ t: UnicodeTables, into out: inout [Int]) {
        var start = 0
        for chunk in offsets {
            let ini = start, end = start + chunk
            start = end
            @inline(__always) func isNumber(_ p: Int) -> Bool { p >= ini && p < end && t.flags(cpts[p]) & CodepointFlags.number != 0 }
            var prevEnd = ini
            func add(_ e: Int) {
                if e - prevEnd > 0 { out.append(e - prevEnd) }
                prevEnd = e
            }
            var pos = ini
            while pos < end {
                if isNumber(pos) {
                    let digitStart = pos
                    while isNumber(pos) { pos += 1 }
                    let count = pos - digitStart
                    var current = digitStart
                    if count % 3 > 0 {
                        current += count % 3
                        add(current)
                    }
                    while current < digitStart + count {
                        current += 3
                        add(current)
                    }
                    continue
                }
                pos += 1
            }
            if prevEnd < end { add(end) }
        }
    }

    /// [^\n]+|[\n]+
    static func splitNewlines(_ cpts: [UInt32], _ offsets: [Int], into out: inout [Int]) {
        var start = 0
        for chunk in offsets {
            var pos = start
            let end = start + chunk
            while pos < end {
                let nl = cpts[pos] == 0x0A
                let s = pos
                while pos < end && (cpts[pos] == 0x0A) == nl { pos += 1 }
                out.append(pos - s)
            }
            start = end
        }
    }
}
