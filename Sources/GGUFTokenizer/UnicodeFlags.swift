/// llama.cpp's code-point flags (`unicode_cpt_flags` in src/unicode.h), from the generated tables of
/// ``UnicodeFlagsData`` (llama.cpp's own Unicode data, not the Swift runtime's, which may be another
/// Unicode version).
enum CodepointFlags {
    static let undefined: UInt16 = 0x0001
    static let number: UInt16 = 0x0002       // \p{N}
    static let letter: UInt16 = 0x0004       // \p{L}
    static let separator: UInt16 = 0x0008    // \p{Z}
    static let accentMark: UInt16 = 0x0010   // \p{M}
    static let punctuation: UInt16 = 0x0020  // \p{P}
    static let symbol: UInt16 = 0x0040       // \p{S}
    static let control: UInt16 = 0x0080      // \p{C}
    static let categories: UInt16 = 0x00FF
    static let whitespace: UInt16 = 0x0100   // \s
    static let lowercase: UInt16 = 0x0200
    static let uppercase: UInt16 = 0x0400
    static let nfd: UInt16 = 0x0800
}

/// The decoded tables, built once per process.
struct UnicodeTables: Sendable {
    /// Flags of every code point below 0x110000.
    let flags: [UInt16]
    /// unicode_map_lowercase as a dictionary.
    let lowercase: [UInt32: UInt32]

    static let shared = UnicodeTables()

    private init() {
        var flags = [UInt16](repeating: CodepointFlags.undefined, count: 0x110000)
        var runs: [(UInt32, UInt16)] = []
        for item in UnicodeFlagsData.runs.split(whereSeparator: { $0 == " " || $0 == "\n" }) {
            let parts = item.split(separator: ":")
            runs.append((UInt32(parts[0], radix: 16)!, UInt16(parts[1], radix: 16)!))
        }
        flags.withUnsafeMutableBufferPointer { f in
            for (i, run) in runs.enumerated() {
                let end = i + 1 < runs.count ? Int(runs[i + 1].0) : 0x110000
                var c = Int(run.0)
                while c < end { f[c] = run.1; c += 1 }
            }
        }
        self.flags = flags
        var lower: [UInt32: UInt32] = [:]
        for item in UnicodeFlagsData.lowercase.split(whereSeparator: { $0 == " " || $0 == "\n" }) {
            let parts = item.split(separator: ":")
            lower[UInt32(parts[0], radix: 16)!] = UInt32(parts[1], radix: 16)!
        }
        self.lowercase = lower
    }

    /// `unicode_cpt_flags_from_cpt`: UNDEFINED beyond U+10FFFF.
    @inline(__always)
    func flags(_ cpt: UInt32) -> UInt16 {
        cpt < 0x110000 ? flags[Int(cpt)] : CodepointFlags.undefined
    }

    /// `unicode_tolower`.
    func lower(_ cpt: UInt32) -> UInt32 { lowercase[cpt] ?? cpt }
}

/// llama.cpp's UTF-8 helpers (src/unicode.cpp), with its treatment of invalid input.
enum LlamaUTF8 {
    /// `unicode_cpts_from_utf8`: a lead byte's length decides; a bad lead byte, a missing or bad
    /// continuation byte gives U+FFFD and skips one byte. Overlong forms and surrogates are accepted.
    static func codepoints(_ s: UnsafeBufferPointer<UInt8>) -> [UInt32] {
        var out: [UInt32] = []
        out.reserveCapacity(s.count)
        var i = 0
        let n = s.count
        @inline(__always) func cont(_ k: Int) -> Bool { k < n && s[k] & 0xC0 == 0x80 }
        while i < n {
            let b = s[i]
            if b & 0x80 == 0 {
                out.append(UInt32(b)); i += 1
            } else if b & 0x40 == 0 {
                out.append(0xFFFD); i += 1
            } else if b & 0x20 == 0 {
                if i + 1 < n && cont(i + 1) {
                    out.append(UInt32(b & 0x1F) << 6 | UInt32(s[i + 1] & 0x3F)); i += 2
                } else { out.append(0xFFFD); i += 1 }
            } else if b & 0x10 == 0 {
                if i + 2 < n && cont(i + 1) && cont(i + 2) {
                    out.append(UInt32(b & 0x0F) << 12 | UInt32(s[i + 1] & 0x3F) << 6 | UInt32(s[i + 2] & 0x3F)); i += 3
                } else { out.append(0xFFFD); i += 1 }
            } else if b & 0x08 == 0 {
                if i + 3 < n && cont(i + 1) && cont(i + 2) && cont(i + 3) {
                    out.append(UInt32(b & 0x07) << 18 | UInt32(s[i + 1] & 0x3F) << 12 | UInt32(s[i + 2] & 0x3F) << 6
                               | UInt32(s[i + 3] & 0x3F)); i += 4
                } else { out.append(0xFFFD); i += 1 }
            } else {
                out.append(0xFFFD); i += 1
            }
        }
        return out
    }

    static func codepoints(_ s: [UInt8]) -> [UInt32] {
        s.withUnsafeBufferPointer { codepoints($0) }
    }

    /// `unicode_cpt_to_utf8` (code points are at most 0x10FFFF here: decoding never yields more).
    @inline(__always)
    static func append(_ c: UInt32, to out: inout [UInt8]) {
        if c < 0x80 {
            out.append(UInt8(c))
        } else if c < 0x800 {
            out.append(0xC0 | UInt8(c >> 6)); out.append(0x80 | UInt8(c & 0x3F))
        } else if c < 0x10000 {
            out.append(0xE0 | UInt8(c >> 12)); out.append(0x80 | UInt8((c >> 6) & 0x3F)); out.append(0x80 | UInt8(c & 0x3F))
        } else {
            out.append(0xF0 | UInt8((c >> 18) & 0x07)); out.append(0x80 | UInt8((c >> 12) & 0x3F))
            out.append(0x80 | UInt8((c >> 6) & 0x3F)); out.append(0x80 | UInt8(c & 0x3F))
        }
    }
}

/// GPT-2's byte ↔ code point mapping (`unicode_byte_to_utf8_map`): printable Latin-1 bytes stand for
/// themselves, the other 68 bytes for U+0100... in byte order.
enum ByteEncoding {
    /// Byte → code point.
    static let toCodepoint: [UInt32] = {
        var map = [UInt32](repeating: 0, count: 256)
        var assigned = [Bool](repeating: false, count: 256)
        for r in [0x21...0x7E, 0xA1...0xAC, 0xAE...0xFF] {
            for b in r { map[b] = UInt32(b); assigned[b] = true }
        }
        var n: UInt32 = 0
        for b in 0..<256 where !assigned[b] {
            map[b] = 256 + n
            n += 1
        }
        return map
    }()

    /// Code point → byte, for code points below 0x144 (-1 when the code point stands for no byte).
    static let toByte: [Int16] = {
        var inv = [Int16](repeating: -1, count: 0x144)
        for b in 0..<256 { inv[Int(toCodepoint[b])] = Int16(b) }
        return inv
    }()

    /// The UTF-8 of each byte's code point.
    static let utf8: [[UInt8]] = toCodepoint.map { c in
        var o: [UInt8] = []
        LlamaUTF8.append(c, to: &o)
        return o
    }
}
