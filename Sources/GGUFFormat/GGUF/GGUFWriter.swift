/// Encodes GGUF v3 headers; the caller streams the tensor data after it.
///
/// The layout is ggml's: header, metadata in order, tensor infos in order, zero padding to the
/// alignment, then each tensor's data padded with zeros to the alignment.
public enum GGUFWriter {
    /// Assigns each tensor its data offset (packed in order, each padded to `alignment`).
    public static func layout(_ tensors: [GGUFTensorInfo], alignment: Int = 32) -> [GGUFTensorInfo] {
        var offset = 0
        return tensors.map { t in
            var t = t
            t.offset = offset
            offset += (t.byteCount + alignment - 1) / alignment * alignment
            return t
        }
    }

    /// The header bytes, padded to `alignment`. Tensor offsets are taken as given (see ``layout(_:alignment:)``).
    ///
    /// ggml drops trailing 1s from each tensor's dimensions; gguf-py (llama.cpp's Python converter) keeps
    /// every dimension it was given: `keepAllDimensions` does that. `pad: false` leaves the header unpadded
    /// (gguf-py's vocabulary-only files end right after the metadata).
    public static func header(metadata: GGUFMetadata, tensors: [GGUFTensorInfo], alignment: Int = 32,
                              keepAllDimensions: Bool = false, pad: Bool = true) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(1 << 16)
        put(&out, UInt32(0x4655_4747))
        put(&out, UInt32(3))
        put(&out, UInt64(tensors.count))
        put(&out, UInt64(metadata.count))
        for (key, value) in metadata.entries {
            putString(&out, Array(key.utf8))
            put(&out, value.type.rawValue)
            putValue(&out, value)
        }
        for t in tensors {
            putString(&out, Array(t.name.utf8))
            // ggml writes n_dims without trailing 1s (at least one).
            var n = t.ne.count
            while !keepAllDimensions && n > 1 && t.ne[n - 1] == 1 { n -= 1 }
            put(&out, UInt32(n))
            for d in t.ne.prefix(n) { put(&out, UInt64(d)) }
            put(&out, t.type.rawValue)
            put(&out, UInt64(t.offset))
        }
        let r = out.count % alignment
        if pad && r != 0 { out.append(contentsOf: repeatElement(0, count: alignment - r)) }
        return out
    }

    static func put<T: FixedWidthInteger>(_ out: inout [UInt8], _ v: T) {
        withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) }
    }

    static func putString(_ out: inout [UInt8], _ s: [UInt8]) {
        put(&out, UInt64(s.count))
        out.append(contentsOf: s)
    }

    static func putValue(_ out: inout [UInt8], _ v: GGUFValue) {
        switch v {
        case .uint8(let x): put(&out, x)
        case .int8(let x): put(&out, x)
        case .uint16(let x): put(&out, x)
        case .int16(let x): put(&out, x)
        case .uint32(let x): put(&out, x)
        case .int32(let x): put(&out, x)
        case .float32(let x): put(&out, x.bitPattern)
        case .bool(let x): put(&out, UInt8(x ? 1 : 0))
        case .string(let s): putString(&out, s)
        case .uint64(let x): put(&out, x)
        case .int64(let x): put(&out, x)
        case .float64(let x): put(&out, x.bitPattern)
        case .array(let et, let values):
            put(&out, et.rawValue)
            put(&out, UInt64(values.count))
            // A nested array element is encoded as a whole array value (type, count, elements).
            for e in values { putValue(&out, e) }
        }
    }
}

