import Foundation

/// llama.cpp's `string_process_escapes` (common/common.cpp, on by default: `--escape`): `\n`, `\r`, `\t`,
/// `\'`, `\"`, `\\` and `\xHH` in typed text become the characters they name; any other backslash stays.
func processEscapes(_ text: String) -> String {
    let s = Array(text.utf8)
    var out: [UInt8] = []
    out.reserveCapacity(s.count)
    var i = 0
    while i < s.count {
        guard s[i] == UInt8(ascii: "\\"), i + 1 < s.count else { out.append(s[i]); i += 1; continue }
        i += 1
        switch s[i] {
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "'"), UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(s[i])
        case UInt8(ascii: "x") where i + 2 < s.count:
            // strtol over the next two characters, accepted only when it reads both
            var x: [CChar] = [CChar(bitPattern: s[i + 1]), CChar(bitPattern: s[i + 2]), 0]
            let parsed: Int? = x.withUnsafeMutableBufferPointer { p in
                var end: UnsafeMutablePointer<CChar>?
                let v = strtol(p.baseAddress!, &end, 16)
                return end == p.baseAddress! + 2 ? v : nil
            }
            if let v = parsed {
                out.append(UInt8(truncatingIfNeeded: v))
                i += 2
            } else {
                out += [UInt8(ascii: "\\"), s[i]]
            }
        default: out += [UInt8(ascii: "\\"), s[i]]
        }
        i += 1
    }
    return String(decoding: out, as: UTF8.self)
}
