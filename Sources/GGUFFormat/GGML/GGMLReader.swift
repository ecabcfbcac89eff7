import GGUFIO

/// Reads GGML-era llama files: unversioned `ggml`, `ggmf` v1 and `ggjt` v1, v2, v3.
///
/// ``scan(_:)`` reads the header, the vocabulary and every tensor record, skipping the data (a seek on
/// plain files, a read on compressed streams). Every length is checked against what remains of the
/// file before it is used, and a file that ends inside a record or inside tensor data is an error.
public enum GGMLReader {
    /// The Python converter's limit on one vocabulary entry and on one tensor name.
    public static let maxTokenLength = 4096
    public static let maxNameLength = 4096

    /// Scans the file at `path` (plain, `.zst` or `.gz`).
    public static func scan(path: String) throws(IOError) -> GGMLFile {
        try scan(Reader(try openSource(path: path)))
    }

    /// Identifies the container from the first bytes, or throws naming what was found.
    public static func readMagic(_ r: Reader) throws(IOError) -> (GGMLContainer, UInt32) {
        let magic = try r.readU32("the file magic")
        switch magic {
        case GGMLContainer.ggml.magic:
            return (.ggml, 0)
        case GGMLContainer.ggmf.magic:
            let v = try r.readU32("the GGMF version")
            guard v == 1 else { throw r.error("unknown GGMF version \(v): expected 1", at: 4) }
            return (.ggmf, v)
        case GGMLContainer.ggjt.magic:
            let v = try r.readU32("the GGJT version")
            guard (1...3).contains(v) else { throw r.error("unknown GGJT version \(v): expected 1, 2 or 3", at: 4) }
            return (.ggjt, v)
        case GGUFReader.magic:
            throw r.error("the file is already GGUF; nothing to convert", at: 0)
        case 0x6767_6C61:
            throw r.error("this is a GGML LoRA adapter ('ggla'), not a model file", at: 0)
        case 0x6767_736E:
            throw r.error("this is a llama.cpp session file ('ggsn'), not a model file", at: 0)
        default:
            throw r.error("not a GGML model file: expected the magic 'ggml', 'ggmf' or 'ggjt', found \(GGUFReader.describeMagic(magic))", at: 0)
        }
    }

    public static func scan(_ r: Reader) throws(IOError) -> GGMLFile {
        let (container, version) = try readMagic(r)
        let hpAt = r.offset
        var hp = [Int]()
        for name in ["n_vocab", "n_embd", "n_mult", "n_head", "n_layer", "n_rot", "ftype"] {
            hp.append(Int(try r.readU32("the hyper-parameter \(name)")))
        }
        let hparams = GGMLHyperParameters(nVocab: hp[0], nEmbd: hp[1], nMult: hp[2], nHead: hp[3], nLayer: hp[4],
                                          nRot: hp[5], ftype: LlamaFileType(rawValue: UInt32(hp[6])))
        guard hparams.nVocab > 0 && hparams.nVocab <= 10_000_000 else {
            throw r.error("n_vocab is \(hparams.nVocab): expected 1 to 10,000,000", at: hpAt)
        }
        if let rem = r.remaining, hparams.nVocab > rem / 4 {
            throw r.error("n_vocab \(hparams.nVocab) needs more bytes than the \(rem) left in the file", at: hpAt)
        }
        guard hparams.nEmbd > 0, hparams.nHead > 0, hparams.nLayer > 0, hparams.nLayer < 100_000, hparams.nEmbd % hparams.nHead == 0 else {
            throw r.error("implausible hyper-parameters n_embd \(hparams.nEmbd), n_head \(hparams.nHead), n_layer \(hparams.nLayer)", at: hpAt + 4)
        }

        // Vocabulary: length, bytes and (except in unversioned files) a float score.
        let hasScores = container != .ggml
        var vocab: [GGMLToken] = []
        vocab.reserveCapacity(min(hparams.nVocab, 1 << 20))
        for i in 0..<hparams.nVocab {
            if i == 32000, hparams.nVocab > 32000, looksLikeTensorRecord(try r.peek(64)) {
                // GPT4All files declare 32001 tokens but store 32000 (convert.py's "HACK").
                break
            }
            let at = r.offset
            let len = Int(try r.readU32("the length of vocabulary entry \(i)"))
            guard len < maxTokenLength else {
                throw r.error("vocabulary entry \(i) claims \(len) bytes; at most \(maxTokenLength - 1) are plausible", at: at)
            }
            let bytes = try r.readBytes(len, "vocabulary entry \(i)")
            let score = hasScores ? try r.readF32("the score of vocabulary entry \(i)") : 0
            vocab.append(GGMLToken(bytes: bytes, score: score))
        }

        var tensors: [GGMLTensorRecord] = []
        var names = Set<String>()
        while try !r.isAtEnd() {
            let at = r.offset
            let nDims = Int(try r.readU32("the dimension count of a tensor record"))
            let nameLen = Int(try r.readU32("the name length of a tensor record"))
            let typeID = try r.readU32("the type of a tensor record")
            guard (1...4).contains(nDims) else {
                throw r.error("tensor record \(tensors.count) has \(nDims) dimensions: expected 1 to 4", at: at)
            }
            guard nameLen > 0, nameLen < maxNameLength else {
                throw r.error("tensor record \(tensors.count) has a name of \(nameLen) bytes: expected 1 to \(maxNameLength - 1)", at: at + 4)
            }
            var ne: [Int] = []
            for d in 0..<nDims { ne.append(Int(try r.readU32("dimension \(d) of tensor record \(tensors.count)"))) }
            let nameBytes = try r.readBytes(nameLen, "the name of tensor record \(tensors.count)")
            let name = String(decoding: nameBytes, as: UTF8.self)
            guard names.insert(name).inserted else { throw r.error("duplicate tensor '\(name)'", at: at) }
            guard let layout = GGMLLayouts.layout(typeID: typeID, container: container, version: version) else {
                throw r.error("tensor '\(name)' has type id \(typeID), unknown in a \(container.rawValue)v\(version) file", at: at + 8)
            }
            // Zero dimensions count as 1 for the overflow check (callers compute row counts).
            var elements = 1, bound = 1
            for d in ne {
                let (p, o) = bound.multipliedReportingOverflow(by: max(d, 1))
                guard !o else { throw r.error("the element count of tensor '\(name)' \(ne) overflows", at: at + 12) }
                bound = p
                elements *= d
            }
            guard elements % layout.blockSize == 0 else {
                throw r.error("tensor '\(name)' has \(elements) elements, not a multiple of the \(layout.name) block size \(layout.blockSize); its data cannot be located", at: at)
            }
            let (bytes, o) = (elements / layout.blockSize).multipliedReportingOverflow(by: layout.typeSize)
            guard !o else { throw r.error("the data size of tensor '\(name)' \(ne) overflows", at: at + 12) }
            if container == .ggjt {
                let pad = (32 - r.offset % 32) % 32
                try r.skip(pad, "the alignment padding of tensor '\(name)'")
            }
            let dataAt = r.offset
            if let rem = r.remaining, bytes > rem {
                throw r.error("tensor '\(name)' needs \(bytes) bytes of \(layout.name) data, but the file ends \(rem) bytes later (truncated file)", at: dataAt)
            }
            try r.skip(bytes, "the data of tensor '\(name)'")
            tensors.append(GGMLTensorRecord(name: name, ne: ne, typeID: typeID, dataOffset: dataAt, byteCount: bytes, recordOffset: at))
        }
        return GGMLFile(container: container, version: version, hparams: hparams, vocab: vocab, tensors: tensors,
                        fileSize: r.source.size ?? r.offset)
    }

    /// Whether `bytes` start like the record of `tok_embeddings.weight` (2 dims).
    static func looksLikeTensorRecord(_ bytes: [UInt8]) -> Bool {
        let name = Array("tok_embeddings.weight".utf8)
        guard bytes.count >= 20 + name.count else { return false }
        return Array(bytes[20..<(20 + name.count)]) == name
    }
}
