/// A small backtracking regular-expression engine with the ECMAScript semantics of libstdc++'s
/// `std::regex` (leftmost match, alternatives in order, greedy quantifiers backtracking), over
/// sequences of code points. It serves the pre-tokenizer patterns that llama.cpp hands to
/// `std::regex` / `std::wregex` (`unicode_regex_split_stl`); `\s`, `\d`, `\w` are the "C" locale's
/// ASCII classes, as there.
///
/// Supported: literals and escapes (`\r \n \t \f \v \xHH \uHHHH`, escaped punctuation), `.`, classes
/// `[...]` / `[^...]` with ranges and `\s \S \d \D \w \W`, groups `(...)` and `(?:...)`, lookaheads
/// `(?=...)` and `(?!...)`, `|`, quantifiers `? * + {n} {n,} {n,m}` (and lazy `?` forms), `^ $ \b \B`.
struct Regex: Sendable {
    indirect enum Node: Sendable {
        case char(UInt32)
        case set(CharSet)
        /// `(?=[a])[b]` (or `(?![a])[b]`): one character in `b` that is (not) in `a` — tekken's and gpt-4o's
        /// `((?=[\p{L}])([^a-z]))`, turned into one character so that repeating it needs no recursion.
        case cond(CharSet, negative: Bool, CharSet)
        case any
        case seq([Node])
        case alt([Node])
        case rep(Node, min: Int, max: Int, greedy: Bool)  // max < 0: unbounded
        case look(Node, negative: Bool)
        case bol, eol
        case wordBoundary(negated: Bool)

        /// Whether the node matches exactly one character (a fast path for repetition).
        var singleChar: Bool {
            switch self {
            case .char, .set, .cond, .any: return true
            default: return false
            }
        }
    }

    struct CharSet: Sendable {
        enum Item: Sendable {
            case range(UInt32, UInt32)
            case space(Bool), digit(Bool), word(Bool)  // true: negated (\S \D \W)
        }
        var items: [Item] = []
        var negated = false
        /// Membership of the 128 ASCII characters (before `negated`), from `items`.
        private var ascii: (UInt64, UInt64) = (0, 0)
        /// The items' ranges above ASCII, sorted and merged.
        private var high: [(lo: UInt32, hi: UInt32)] = []
        /// Whether every character above ASCII is in (a negated class item: `\S`, `\D`, `\W`).
        private var allHigh = false

        init(items: [Item] = [], negated: Bool = false) {
            self.items = items
            self.negated = negated
            finish()
        }

        /// Precomputes the lookup tables; called once the items are complete.
        mutating func finish() {
            ascii = (0, 0)
            for c in UInt32(0)..<128 where Self.slowContains(items, c) {
                if c < 64 { ascii.0 |= 1 << UInt64(c) } else { ascii.1 |= 1 << UInt64(c - 64) }
            }
            allHigh = items.contains { if case .space(true) = $0 { return true }; if case .digit(true) = $0 { return true }
                                       if case .word(true) = $0 { return true }; return false }
            var r: [(lo: UInt32, hi: UInt32)] = []
            for case .range(let lo, let hi) in items where hi >= 128 { r.append((max(lo, 128), hi)) }
            r.sort { $0.lo < $1.lo }
            var merged: [(lo: UInt32, hi: UInt32)] = []
            for x in r {
                if let last = merged.last, x.lo <= last.hi &+ 1 { merged[merged.count - 1].hi = max(last.hi, x.hi) } else { merged.append(x) }
            }
            high = merged
        }

        /// The items' meaning, one by one (for the ASCII table).
        static func slowContains(_ items: [Item], _ c: UInt32) -> Bool {
            for it in items {
                let hit: Bool
                switch it {
                case .range(let lo, let hi): hit = c >= lo && c <= hi
                case .space(let neg): hit = Regex.isSpace(c) != neg
                case .digit(let neg): hit = Regex.isDigit(c) != neg
                case .word(let neg): hit = Regex.isWord(c) != neg
                }
                if hit { return true }
            }
            return false
        }

        @inline(__always)
        func contains(_ c: UInt32) -> Bool {
            let hit: Bool
            if c < 64 {
                hit = ascii.0 >> UInt64(c) & 1 != 0
            } else if c < 128 {
                hit = ascii.1 >> UInt64(c - 64) & 1 != 0
            } else if allHigh {
                hit = true
            } else {
                var lo = 0, hi = high.count
                while lo < hi {
                    let mid = (lo + hi) >> 1
                    if high[mid].hi < c { lo = mid + 1 } else { hi = mid }
                }
                hit = lo < high.count && high[lo].lo <= c
            }
            return hit != negated
        }
    }

    struct SyntaxError: Error, Sendable { let message: String }

    let root: Node

    @inline(__always) static func isSpace(_ c: UInt32) -> Bool { c == 0x20 || (c >= 0x09 && c <= 0x0D) }
    @inline(__always) static func isDigit(_ c: UInt32) -> Bool { c >= 0x30 && c <= 0x39 }
    @inline(__always) static func isWord(_ c: UInt32) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x5F
    }

    /// Parses a pattern given as code points (or bytes, for llama.cpp's collapsed patterns).
    init(_ pattern: [UInt32]) throws(SyntaxError) {
        var p = Parser(s: pattern)
        root = try p.parseAlt()
        if p.i < pattern.count { throw SyntaxError(message: "unbalanced ')' at \(p.i)") }
    }

    private struct Parser {
        let s: [UInt32]
        var i = 0

        func peek(_ k: Int = 0) -> UInt32? { i + k < s.count ? s[i + k] : nil }

        mutating func parseAlt() throws(SyntaxError) -> Node {
            var alts: [Node] = [try parseSeq()]
            while peek() == 0x7C {  // |
                i += 1
                alts.append(try parseSeq())
            }
            return alts.count == 1 ? alts[0] : .alt(alts)
        }

        mutating func parseSeq() throws(SyntaxError) -> Node {
            var items: [Node] = []
            while let c = peek(), c != 0x7C, c != 0x29 {  // | )
                var atom = try parseAtom()
                atom = try parseQuantifier(atom)
                items.append(atom)
            }
            if items.count == 2, case .look(.set(let a), let neg) = items[0], case .set(let b) = items[1] {
                return .cond(a, negative: neg, b)
            }
            return items.count == 1 ? items[0] : .seq(items)
        }

        mutating func parseQuantifier(_ atom: Node) throws(SyntaxError) -> Node {
            var node = atom
            while let c = peek() {
                var lo = 0, hi = -1
                switch c {
                case 0x2A: lo = 0; hi = -1; i += 1  // *
                case 0x2B: lo = 1; hi = -1; i += 1  // +
                case 0x3F: lo = 0; hi = 1; i += 1   // ?
                case 0x7B:                           // {
                    var j = i + 1
                    func number(_ j: inout Int) -> Int? {
                        var v: Int? = nil
                        while j < s.count, s[j] >= 0x30, s[j] <= 0x39 { v = (v ?? 0) * 10 + Int(s[j] - 0x30); j += 1 }
                        return v
                    }
                    guard let a = number(&j) else { throw SyntaxError(message: "bad quantifier at \(i)") }
                    lo = a; hi = a
                    if j < s.count, s[j] == 0x2C {
                        j += 1
                        hi = number(&j) ?? -1
                    }
                    guard j < s.count, s[j] == 0x7D else { throw SyntaxError(message: "bad quantifier at \(i)") }
                    i = j + 1
                default:
                    return node
                }
                var greedy = true
                if peek() == 0x3F { greedy = false; i += 1 }
                node = .rep(node, min: lo, max: hi, greedy: greedy)
            }
            return node
        }

        mutating func parseEscapeChar() throws(SyntaxError) -> UInt32 {
            // after the backslash; returns a literal character
            guard let c = peek() else { throw SyntaxError(message: "trailing backslash") }
            i += 1
            switch c {
            case 0x6E: return 0x0A  // n
            case 0x72: return 0x0D  // r
            case 0x74: return 0x09  // t
            case 0x66: return 0x0C  // f
            case 0x76: return 0x0B  // v
            case 0x30: return 0     // 0
            case 0x78, 0x75:        // x, u
                let n = c == 0x78 ? 2 : 4
                var v: UInt32 = 0
                for _ in 0..<n {
                    guard let h = peek(), let d = Parser.hex(h) else { throw SyntaxError(message: "bad hex escape") }
                    v = v * 16 + d
                    i += 1
                }
                return v
            default: return c
            }
        }

        static func hex(_ c: UInt32) -> UInt32? {
            switch c {
            case 0x30...0x39: return c - 0x30
            case 0x41...0x46: return c - 0x41 + 10
            case 0x61...0x66: return c - 0x61 + 10
            default: return nil
            }
        }

        mutating func parseAtom() throws(SyntaxError) -> Node {
            let c = s[i]
            switch c {
            case 0x28:  // (
                i += 1
                var look: Bool? = nil
                if peek() == 0x3F {  // ?
                    switch peek(1) {
                    case 0x3A: i += 2                   // (?:
                    case 0x3D: i += 2; look = false     // (?=
                    case 0x21: i += 2; look = true      // (?!
                    default: throw SyntaxError(message: "unsupported group at \(i)")
                    }
                }
                let inner = try parseAlt()
                guard peek() == 0x29 else { throw SyntaxError(message: "missing ')'") }
                i += 1
                if let neg = look { return .look(inner, negative: neg) }
                return inner
            case 0x5B:  // [
                i += 1
                return .set(try parseClass())
            case 0x2E: i += 1; return .any
            case 0x5E: i += 1; return .bol
            case 0x24: i += 1; return .eol
            case 0x5C:  // backslash
                i += 1
                switch peek() {
                case 0x73: i += 1; return .set(CharSet(items: [.space(false)]))
                case 0x53: i += 1; return .set(CharSet(items: [.space(true)]))
                case 0x64: i += 1; return .set(CharSet(items: [.digit(false)]))
                case 0x44: i += 1; return .set(CharSet(items: [.digit(true)]))
                case 0x77: i += 1; return .set(CharSet(items: [.word(false)]))
                case 0x57: i += 1; return .set(CharSet(items: [.word(true)]))
                case 0x62: i += 1; return .wordBoundary(negated: false)
                case 0x42: i += 1; return .wordBoundary(negated: true)
                default: return .char(try parseEscapeChar())
                }
            default:
                i += 1
                return .char(c)
            }
        }

        mutating func parseClass() throws(SyntaxError) -> CharSet {
            var set = CharSet()
            if peek() == 0x5E { set.negated = true; i += 1 }
            var first = true
            while true {
                guard let c = peek() else { throw SyntaxError(message: "missing ']'") }
                if c == 0x5D && !first { i += 1; break }
                if c == 0x5D && first { i += 1; break }  // "[]": empty class
                first = false
                // one class atom
                var lo: UInt32
                if c == 0x5C {
                    i += 1
                    switch peek() {
                    case 0x73: i += 1; set.items.append(.space(false)); continue
                    case 0x53: i += 1; set.items.append(.space(true)); continue
                    case 0x64: i += 1; set.items.append(.digit(false)); continue
                    case 0x44: i += 1; set.items.append(.digit(true)); continue
                    case 0x77: i += 1; set.items.append(.word(false)); continue
                    case 0x57: i += 1; set.items.append(.word(true)); continue
                    case 0x62: i += 1; lo = 0x08
                    default: lo = try parseEscapeChar()
                    }
                } else {
                    lo = c
                    i += 1
                }
                // a range?
                if peek() == 0x2D, let n = peek(1), n != 0x5D {
                    i += 1
                    var hi: UInt32
                    if n == 0x5C {
                        i += 1
                        hi = try parseEscapeChar()
                    } else {
                        hi = n
                        i += 1
                    }
                    if hi < lo { throw SyntaxError(message: "bad range") }
                    set.items.append(.range(lo, hi))
                } else {
                    set.items.append(.range(lo, lo))
                }
            }
            set.finish()
            return set
        }
    }

    // MARK: matching

    /// The text being searched: `chars[begin ..< end]`, `prevAvail` when the character before `begin`
    /// may be looked at (`match_prev_avail`).
    private struct Matcher {
        let chars: UnsafeBufferPointer<UInt32>
        let begin: Int
        let end: Int
        let prevAvail: Bool
        let notNull: Bool
        var steps = 0

        @inline(__always)
        func single(_ n: Node, _ pos: Int) -> Bool {
            guard pos < end else { return false }
            let c = chars[pos]
            switch n {
            case .char(let x): return c == x
            case .set(let s): return s.contains(c)
            case .cond(let a, let neg, let b): return a.contains(c) != neg && b.contains(c)
            case .any: return !(c == 0x0A || c == 0x0D || c == 0x2028 || c == 0x2029)
            default: return false
            }
        }

        func isWordAt(_ p: Int) -> Bool {
            if p < begin && !prevAvail { return false }
            if p < 0 || p >= end { return false }
            return Regex.isWord(chars[p])
        }

        /// Matches `nodes[k...]` at `pos`, then calls `cont` with the end position.
        func seq(_ nodes: ArraySlice<Node>, _ pos: Int, _ cont: (Int) -> Bool) -> Bool {
            guard let first = nodes.first else { return cont(pos) }
            let rest = nodes.dropFirst()
            return match(first, pos) { p in seq(rest, p, cont) }
        }

        func match(_ n: Node, _ pos: Int, _ cont: (Int) -> Bool) -> Bool {
            switch n {
            case .char, .set, .cond, .any:
                return single(n, pos) && cont(pos + 1)
            case .seq(let nodes):
                return seq(nodes[...], pos, cont)
            case .alt(let alts):
                for a in alts where match(a, pos, cont) { return true }
                return false
            case .rep(let inner, let lo, let hi, let greedy):
                if inner.singleChar {
                    var n = 0
                    let limit = hi < 0 ? Int.max : hi
                    while n < limit && single(inner, pos + n) { n += 1 }
                    if n < lo { return false }
                    if greedy {
                        var k = n
                        while k >= lo {
                            if cont(pos + k) { return true }
                            k -= 1
                        }
                    } else {
                        var k = lo
                        while k <= n {
                            if cont(pos + k) { return true }
                            k += 1
                        }
                    }
                    return false
                }
                return repeatMatch(inner, lo, hi, greedy, count: 0, pos, lastPos: -1, cont)
            case .look(let inner, let negative):
                let found = match(inner, pos) { _ in true }
                return found != negative && cont(pos)
            case .bol:
                if pos == begin {
                    if prevAvail { return false }
                    return cont(pos)
                }
                return false
            case .eol:
                return pos == end && cont(pos)
            case .wordBoundary(let negated):
                let b = isWordAt(pos - 1) != isWordAt(pos)
                return b != negated && cont(pos)
            }
        }

        func repeatMatch(_ inner: Node, _ lo: Int, _ hi: Int, _ greedy: Bool, count: Int, _ pos: Int,
                         lastPos: Int, _ cont: (Int) -> Bool) -> Bool {
            let canStop = count >= lo
            let canMore = (hi < 0 || count < hi) && pos != lastPos  // an empty iteration ends the loop
            if greedy {
                if canMore && match(inner, pos, { p in
                    repeatMatch(inner, lo, hi, greedy, count: count + 1, p, lastPos: pos, cont)
                }) { return true }
                return canStop && cont(pos)
            } else {
                if canStop && cont(pos) { return true }
                return canMore && match(inner, pos) { p in
                    repeatMatch(inner, lo, hi, greedy, count: count + 1, p, lastPos: pos, cont)
                }
            }
        }
    }

    /// `std::regex_search` from `start`: the first (leftmost, then by priority) match in
    /// `chars[start ..< end]` as a range, or nil.
    func search(_ chars: UnsafeBufferPointer<UInt32>, from start: Int, to end: Int, prevAvail: Bool,
                continuous: Bool = false, notNull: Bool = false) -> Range<Int>? {
        let m = Matcher(chars: chars, begin: start, end: end, prevAvail: prevAvail, notNull: notNull)
        var p = start
        while p <= end {
            var found = -1
            if m.match(root, p, { e in
                if notNull && e == p { return false }
                found = e
                return true
            }) {
                return p ..< found
            }
            if continuous { return nil }
            p += 1
        }
        return nil
    }

    /// `unicode_regex_split_stl` for one chunk `chars[lo ..< hi]`: the lengths of the pieces between
    /// and of the matches (a match may be empty: llama.cpp keeps it as a 0-length piece), following
    /// `std::regex_iterator`'s rule for empty matches.
    func split(_ chars: UnsafeBufferPointer<UInt32>, _ lo: Int, _ hi: Int, into out: inout [Int]) {
        var last = lo  // end of the previous match
        var cur = search(chars, from: lo, to: hi, prevAvail: false)
        while let m = cur {
            if m.lowerBound > last { out.append(m.lowerBound - last) }
            out.append(m.count)
            last = m.upperBound
            var start = m.upperBound
            if m.isEmpty {
                if start == hi { break }
                if let again = search(chars, from: start, to: hi, prevAvail: true, continuous: true, notNull: true) {
                    cur = again
                    continue
                }
                start += 1
            }
            cur = search(chars, from: start, to: hi, prevAvail: true)
        }
        if last < hi { out.append(hi - last) }
    }
}
