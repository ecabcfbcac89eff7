import CZlib

/// CRC-32 (zlib's polynomial), computed incrementally.
public struct CRC32: Sendable {
    public private(set) var value: UInt32 = 0
    public init() {}

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        var v = UInt(value)
        var p = bytes.baseAddress?.assumingMemoryBound(to: Bytef.self)
        var left = bytes.count
        while left > 0, let q = p {
            let n = min(left, 1 << 30)
            v = crc32(v, q, UInt32(n))
            p = q + n
            left -= n
        }
        value = UInt32(truncatingIfNeeded: v)
    }

    public static func of(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var c = CRC32()
        c.update(bytes)
        return c.value
    }
}
