/// The vocabulary of a SentencePiece `tokenizer.model`, read from its protobuf encoding.
///
/// Only the fields a GGUF vocabulary needs are decoded: each piece's text, score and type
/// (`ModelProto.pieces`, field 1: `piece` = 1, `score` = 2, `type` = 3). Other fields are skipped.
public struct SentencePieceModel: Sendable {
    /// SentencePiece's piece types (`SentencePiece.Type`).
    public enum PieceType: Int, Sendable { case normal = 1, unknown = 2, control = 3, userDefined = 4, unused = 5, byte = 6 }

    public struct Piece: Sendable, Equatable {
        public var text: String
        public var score: Float
        public var type: PieceType
    }

    public var pieces: [Piece]

    public struct DecodeError: Error, CustomStringConvertible {
        public var offset: Int
        public var message: String
        public var description: String { "at offset \(offset): \(message)" }
    }

    /// Decodes a serialized `ModelProto`.
    public init(data: [UInt8]) throws(DecodeError) {
        var pieces: [Piece] = []
        var p = ProtoReader(bytes: data[...])
        while !p.atEnd {
            let (field, wire) = try p.tag()
            if field == 1 && wire == 2 {
                var sub = ProtoReader(bytes: try p.lengthDelimited())
                var piece = Piece(text: "", score: 0, type: .normal)
                while !sub.atEnd {
                    let (f, w) = try sub.tag()
                    switch (f, w) {
                    case (1, 2): piece.text = String(decoding: try sub.lengthDelimited(), as: UTF8.self)
                    case (2, 5): piece.score = Float(bitPattern: try sub.fixed32())
                    case (3, 0):
                        let v = try sub.varint()
                        piece.type = PieceType(rawValue: Int(truncatingIfNeeded: v)) ?? .normal
                    default: try sub.skip(wire: w)
                    }
                }
                pieces.append(piece)
            } else {
                try p.skip(wire: wire)
            }
        }
        guard !pieces.isEmpty else { throw DecodeError(offset: 0, message: "no vocabulary pieces found (not a SentencePiece model?)") }
        self.pieces = pieces
    }
}

/// A minimal protobuf wire-format reader over a byte slice.
struct ProtoReader {
    var bytes: ArraySlice<UInt8>
    var atEnd: Bool { bytes.isEmpty }

    mutating func varint() throws(SentencePieceModel.DecodeError) -> UInt64 {
        var v: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard let b = bytes.first else { throw .init(offset: bytes.startIndex, message: "truncated varint") }
            bytes = bytes.dropFirst()
            v |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { return v }
            shift += 7
            if shift >= 64 { throw .init(offset: bytes.startIndex, message: "varint too long") }
        }
    }

    mutating func tag() throws(SentencePieceModel.DecodeError) -> (Int, Int) {
        let t = try varint()
        return (Int(t >> 3), Int(t & 7))
    }

    mutating func fixed32() throws(SentencePieceModel.DecodeError) -> UInt32 {
        guard bytes.count >= 4 else { throw .init(offset: bytes.startIndex, message: "truncated fixed32") }
        var v: UInt32 = 0
        for (i, b) in bytes.prefix(4).enumerated() { v |= UInt32(b) << (8 * UInt32(i)) }
        bytes = bytes.dropFirst(4)
        return v
    }

    mutating func lengthDelimited() throws(SentencePieceModel.DecodeError) -> ArraySlice<UInt8> {
        let n = try varint()
        guard n <= UInt64(bytes.count) else { throw .init(offset: bytes.startIndex, message: "length \(n) past the end") }
        let s = bytes.prefix(Int(n))
        bytes = bytes.dropFirst(Int(n))
        return s
    }

    mutating func skip(wire: Int) throws(SentencePieceModel.DecodeError) {
        switch wire {
        case 0: _ = try varint()
        case 1:
            guard bytes.count >= 8 else { throw .init(offset: bytes.startIndex, message: "truncated fixed64") }
            bytes = bytes.dropFirst(8)
        case 2: _ = try lengthDelimited()
        case 5: _ = try fixed32()
        default: throw .init(offset: bytes.startIndex, message: "unsupported wire type \(wire)")
        }
    }
}
