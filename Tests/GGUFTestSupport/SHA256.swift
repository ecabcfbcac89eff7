import GGUFIO

/// SHA-256 of `data` as lower-case hex (GGUFIO's `SHA256`), for comparing outputs with committed hashes.
public func sha256Hex(_ data: [UInt8]) -> String { SHA256.hex(data) }
