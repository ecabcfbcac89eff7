import GGUFTestSupport

/// One hostile input file: its bytes, and whether every command must refuse it.
///
/// `mustFail: false` marks files that are odd but well-formed (a tensor count of 0, a zero dimension,
/// n_mult 1): a command may accept them, but must still neither crash nor hang.
struct MalformedCase {
    var name: String
    var bytes: [UInt8]
    var mustFail: Bool
}

/// A GGUF file described field by field, so that any field can be set to anything.
struct GGUFSpec {
    struct KV { var keyLength: UInt64?; var key: [UInt8]; var type: UInt32; var value: [UInt8] }
    struct Tensor { var nameLength: UInt64?; var name: [UInt8]; var nDims: UInt32?; var ne: [UInt64]; var type: UInt32; var offset: UInt64 }

    var magic = Array("GGUF".utf8)
    var version: UInt32 = 3
    var tensorCount: UInt64?
    var kvCount: UInt64?
    var kvs: [KV]
    var tensors: [Tensor]
    /// Bytes of tensor data after the aligned header (the valid file has exactly what its tensors need).
    var dataBytes = 1728

    static func u32(_ v: UInt32) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }
    static func u64(_ v: UInt64) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }
    static func str(_ s: [UInt8]) -> [UInt8] { u64(UInt64(s.count)) + s }
    static func str(_ s: String) -> [UInt8] { str(Array(s.utf8)) }

    /// A small valid llama-like GGUF: five metadata entries, three tensors (F32, F32, Q8_0).
    static let valid = GGUFSpec(
        kvs: [
            KV(key: Array("general.architecture".utf8), type: 8, value: str("llama")),
            KV(key: Array("general.alignment".utf8), type: 4, value: u32(32)),
            KV(key: Array("llama.context_length".utf8), type: 4, value: u32(256)),
            KV(key: Array("tokenizer.ggml.tokens".utf8), type: 9, value: u32(8) + u64(3) + str("<unk>") + str("<s>") + str("</s>")),
            KV(key: Array("tokenizer.ggml.scores".utf8), type: 9, value: u32(6) + u64(3) + [UInt8](repeating: 0, count: 12)),
        ],
        tensors: [
            Tensor(name: Array("token_embd.weight".utf8), ne: [32, 4], type: 0, offset: 0),
            Tensor(name: Array("output_norm.weight".utf8), ne: [32], type: 0, offset: 512),
            Tensor(name: Array("blk.0.attn_q.weight".utf8), ne: [32, 32], type: 8, offset: 640),
        ])

    func bytes() -> [UInt8] {
        typealias S = GGUFSpec
        var b = magic + S.u32(version) + S.u64(tensorCount ?? UInt64(tensors.count)) + S.u64(kvCount ?? UInt64(kvs.count))
        for kv in kvs { b += S.u64(kv.keyLength ?? UInt64(kv.key.count)) + kv.key + S.u32(kv.type) + kv.value }
        for t in tensors {
            b += S.u64(t.nameLength ?? UInt64(t.name.count)) + t.name + S.u32(t.nDims ?? UInt32(t.ne.count))
            for d in t.ne { b += S.u64(d) }
            b += S.u32(t.type) + S.u64(t.offset)
        }
        while b.count % 32 != 0 { b.append(0) }
        return b + (0..<dataBytes).map { UInt8(truncatingIfNeeded: $0 &* 7) }
    }
}

enum MalformedFiles {
    static let u64Values: [(String, UInt64)] = [("0", 0), ("1", 1), ("max", .max), ("negative", 1 << 63), ("minus2", .max - 1)]

    /// Header, metadata and tensor-table cases of GGUF files.
    static func gguf() -> [MalformedCase] {
        var out: [MalformedCase] = []
        func add(_ name: String, mustFail: Bool = true, _ edit: (inout GGUFSpec) -> Void) {
            var s = GGUFSpec.valid
            edit(&s)
            out.append(MalformedCase(name: "gguf-" + name, bytes: s.bytes(), mustFail: mustFail))
        }
        add("valid", mustFail: false) { _ in }
        // Header fields.
        for (n, m) in [("zero", [UInt8](repeating: 0, count: 4)), ("GGUG", Array("GGUG".utf8)), ("ggjt", Array("tjgg".utf8))] {
            add("magic-\(n)") { $0.magic = m }
        }
        for v: UInt32 in [0, 4, .max, 1 << 31, 0x0300_0000] { add("version-\(v)") { $0.version = v } }
        add("version-1", mustFail: false) { $0.version = 1 }  // v1 reads 32-bit counts: garbage, but may parse
        for (n, v) in u64Values {
            add("tensor-count-\(n)", mustFail: v > 3) { $0.tensorCount = v }
            add("kv-count-\(n)", mustFail: v != 1) { $0.kvCount = v }
        }
        add("tensor-count-past-end") { $0.tensorCount = 4 }
        add("kv-count-past-end") { $0.kvCount = 6 }
        // Metadata keys and values.
        for (n, v) in u64Values where v != 1 { add("key-length-\(n)") { $0.kvs[0].keyLength = v } }
        add("key-length-past-end") { $0.kvs[4].keyLength = 4000 }
        add("key-invalid-utf8") { $0.kvs[2].key = [0x6C, 0xC3, 0x28, 0xFF, 0xFE] }
        add("key-duplicate") { $0.kvs[2].key = $0.kvs[1].key; $0.kvs[2].value = GGUFSpec.u32(32) }
        for t: UInt32 in [13, 99, .max, 1 << 31] { add("value-type-\(t)") { $0.kvs[2].type = t } }
        for (n, v) in u64Values where v > 100 {
            add("string-length-\(n)") { $0.kvs[0].value = GGUFSpec.u64(v) + Array("llama".utf8) }
            add("array-count-\(n)") { $0.kvs[4].value = GGUFSpec.u32(6) + GGUFSpec.u64(v) }
            add("array-string-length-\(n)") { $0.kvs[3].value = GGUFSpec.u32(8) + GGUFSpec.u64(3) + GGUFSpec.u64(v) }
        }
        add("string-length-past-end") { $0.kvs[0].value = GGUFSpec.u64(5000) + Array("llama".utf8) }
        add("array-count-past-end") { $0.kvs[4].value = GGUFSpec.u32(6) + GGUFSpec.u64(1000) + [UInt8](repeating: 0, count: 12) }
        add("array-element-type-13") { $0.kvs[4].value = GGUFSpec.u32(13) + GGUFSpec.u64(3) }
        add("array-nested-too-deep") {
            $0.kvs[4].value = Array([[UInt8]](repeating: GGUFSpec.u32(9) + GGUFSpec.u64(1), count: 12).joined()) + GGUFSpec.u32(0) + GGUFSpec.u64(0)
        }
        for (n, v) in [("0", UInt32(0)), ("3", 3), ("1g", 1 << 30)] {
            add("alignment-\(n)") { $0.kvs[1].value = GGUFSpec.u32(v) }
        }
        add("alignment-string") { $0.kvs[1].type = 8; $0.kvs[1].value = GGUFSpec.str("32") }
        // Tensor table.
        add("name-empty", mustFail: false) { $0.tensors[0].name = [] }
        add("name-64-bytes") { $0.tensors[0].name = [UInt8](repeating: 0x61, count: 64) }
        for (n, v) in u64Values where v > 100 { add("name-length-\(n)") { $0.tensors[0].nameLength = v } }
        add("name-invalid-utf8") { $0.tensors[1].name = [0x62, 0x6C, 0x6B, 0xC0, 0xAF] }
        add("name-duplicate") { $0.tensors[2].name = $0.tensors[0].name }
        add("ndims-0", mustFail: false) { $0.tensors[1].ne = []; $0.tensors[1].type = 0 }
        add("ndims-5") { $0.tensors[1].ne = [32, 1, 1, 1, 1] }
        add("ndims-max") { $0.tensors[1].nDims = .max }
        add("ndims-past-end") { $0.tensors[2].nDims = 4000 }
        add("dim-zero", mustFail: false) { $0.tensors[0].ne = [32, 0] }
        for (n, v) in u64Values where v > 100 { add("dim-\(n)") { $0.tensors[1].ne = [v] } }
        add("shape-overflows") { $0.tensors[0].ne = [1 << 32, 1 << 32] }
        add("shape-overflows-bytes") { $0.tensors[0].ne = [1 << 31, 1 << 31, 1 << 1] }
        add("shape-zero-hides-overflow") { $0.tensors[0].ne = [0, 1 << 40, 1 << 40] }
        add("shape-not-whole-blocks") { $0.tensors[2].ne = [33, 32] }
        for t: UInt32 in [4, 5, 31, 43, 99, .max] { add("type-\(t)") { $0.tensors[1].type = t } }
        add("offset-overlapping") { $0.tensors[1].offset = 256 }
        add("offset-same") { $0.tensors[2].offset = 0 }
        add("offset-unaligned") { $0.tensors[1].offset = 513 }
        add("offset-outside-data") { $0.tensors[1].offset = 1 << 20 }
        add("offset-max") { $0.tensors[1].offset = .max }
        add("offset-negative") { $0.tensors[1].offset = 1 << 63 }
        add("offset-near-max") { $0.tensors[1].offset = UInt64(Int.max / 2) / 32 * 32 }
        add("data-one-short") { $0.dataBytes -= 1 }
        add("data-missing") { $0.dataBytes = 0 }
        return out
    }

    /// Truncations of `bytes` at every 1/64 (0 bytes included) and one byte short.
    static func truncations(_ bytes: [UInt8], prefix: String) -> [MalformedCase] {
        var out = (0..<64).map { i in
            MalformedCase(name: "\(prefix)-truncated-\(i)of64", bytes: Array(bytes.prefix(bytes.count * i / 64)), mustFail: true)
        }
        out.append(MalformedCase(name: "\(prefix)-truncated-one-byte-short", bytes: Array(bytes.dropLast()), mustFail: true))
        return out
    }

    /// A small valid GGJT v3 llama file (F32, 1 layer).
    static var validGGML: GGMLBuilder {
        var b = GGMLBuilder(container: .ggjt(3), nVocab: 260, nEmbd: 32, nHead: 4, nLayer: 1)
        b.addLlamaTensors(nFF: 64)
        return b
    }

    /// Header, vocabulary and tensor-record cases of GGML-era files.
    static func ggml() -> [MalformedCase] {
        var out: [MalformedCase] = []
        func add(_ name: String, mustFail: Bool = true, _ edit: (inout GGMLBuilder) -> Void) {
            var b = validGGML
            edit(&b)
            out.append(MalformedCase(name: "ggml-" + name, bytes: b.bytes(), mustFail: mustFail))
        }
        func addBytes(_ name: String, _ edit: (inout [UInt8]) -> Void) {
            var bytes = validGGML.bytes()
            edit(&bytes)
            out.append(MalformedCase(name: "ggml-" + name, bytes: bytes, mustFail: true))
        }
        add("valid", mustFail: false) { _ in }
        addBytes("magic-zero") { $0.replaceSubrange(0..<4, with: [0, 0, 0, 0]) }
        addBytes("magic-ggla") { $0.replaceSubrange(0..<4, with: Array("algg".utf8)) }
        for v: UInt32 in [0, 4, .max] { add("ggjt-version-\(v)") { $0.container = .ggjt(v) } }
        // The seven hyper-parameters at 0, 1, max and "negative". Only n_mult, n_rot and ftype are not
        // checked against the tensors, and n_head 1 / n_layer 1 still describe a consistent file.
        let names = ["n_vocab", "n_embd", "n_mult", "n_head", "n_layer", "n_rot", "ftype"]
        for (i, n) in names.enumerated() {
            for (vn, v) in [("0", UInt32(0)), ("1", 1), ("max", .max), ("negative", 1 << 31)] {
                let lenient = [2, 5, 6].contains(i) || (v == 1 && (i == 3 || i == 4))
                add("\(n)-\(vn)", mustFail: !lenient) { $0.hparams[i] = v }
            }
        }
        addBytes("token-length-huge") { b in
            // The first vocabulary entry's length field follows the 8-byte magic+version and 7 hparams.
            b.replaceSubrange(36..<40, with: GGUFSpec.u32(.max))
        }
        addBytes("token-length-past-end") { b in b.replaceSubrange(36..<40, with: GGUFSpec.u32(4000)) }
        // Tensor records.
        add("record-ndims-0") { $0.tensors[1].ne = [] }
        add("record-ndims-5") { $0.tensors[1].ne = [32, 1, 1, 1, 1] }
        add("record-name-empty") { $0.tensors[1].name = "" }
        add("record-name-4096") { $0.tensors[1].name = String(repeating: "a", count: 4096) }
        out.append(MalformedCase(name: "ggml-record-name-invalid-utf8", bytes: {
            var bytes = validGGML.bytes()
            let name = Array("norm.weight".utf8)
            if let i = (0...(bytes.count - name.count)).first(where: { bytes[$0..<($0 + name.count)].elementsEqual(name) }) {
                bytes[i + 1] = 0xFF
                bytes[i + 2] = 0xC0
            }
            return bytes
        }(), mustFail: false))
        add("record-name-unknown", mustFail: false) { $0.tensors[1].name = "layers.0.mystery.weight" }
        add("record-name-duplicate") { $0.tensors[2].name = $0.tensors[0].name }
        for t: UInt32 in [4, 5, 99, .max] { add("record-type-\(t)") { $0.tensors[1].type = t } }
        add("record-dim-zero", mustFail: false) { $0.tensors[1].ne = [0]; $0.tensors[1].data = [] }
        add("record-dim-max") { $0.tensors[1].ne = [.max] }
        add("record-shape-overflows") { $0.tensors[1].ne = [1 << 31, 1 << 31, 1 << 31] }
        add("record-shape-bytes-overflow") { $0.tensors[1].ne = [1 << 31, 1 << 31] }
        add("record-shape-zero-hides-overflow") { $0.tensors[1].ne = [0, 1 << 31, 1 << 31, 1 << 31] }
        add("record-data-short") { $0.tensors[1].ne = [64] }
        add("record-q4_0-partial-block") { $0.tensors[1].type = 2; $0.tensors[1].ne = [33]; $0.tensors[1].data = [UInt8](repeating: 0, count: 18) }
        return out
    }
}
