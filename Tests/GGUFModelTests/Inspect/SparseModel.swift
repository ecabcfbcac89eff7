import Foundation
import GGUFFormat

/// Writes the header of a llama-shaped F16 GGUF and extends the file to its full size without data
/// (a sparse file): a multi-GB model that costs nothing on disk.
enum SparseModel {
    /// Returns the header size and the file size.
    static func write(path: String, nLayer: Int, nEmbd: Int, nFF: Int, nVocab: Int, nHeadKV: Int = 32, nHead: Int = 32) throws -> (Int, Int) {
        var md = GGUFMetadata()
        md["general.architecture"] = .string("llama")
        md["general.file_type"] = .uint32(1)
        md["llama.context_length"] = .uint32(4096)
        md["llama.embedding_length"] = .uint32(UInt32(nEmbd))
        md["llama.block_count"] = .uint32(UInt32(nLayer))
        md["llama.feed_forward_length"] = .uint32(UInt32(nFF))
        md["llama.attention.head_count"] = .uint32(UInt32(nHead))
        md["llama.attention.head_count_kv"] = .uint32(UInt32(nHeadKV))
        md["tokenizer.ggml.tokens"] = .array(elementType: .string, values: (0..<nVocab).map { .string("t\($0)") })
        let kv = nEmbd / nHead * nHeadKV
        var t: [GGUFTensorInfo] = [
            GGUFTensorInfo(name: "token_embd.weight", ne: [nEmbd, nVocab], type: .f16),
            GGUFTensorInfo(name: "output_norm.weight", ne: [nEmbd], type: .f32),
            GGUFTensorInfo(name: "output.weight", ne: [nEmbd, nVocab], type: .f16),
        ]
        for l in 0..<nLayer {
            t += [
                GGUFTensorInfo(name: "blk.\(l).attn_q.weight", ne: [nEmbd, nEmbd], type: .f16),
                GGUFTensorInfo(name: "blk.\(l).attn_k.weight", ne: [nEmbd, kv], type: .f16),
                GGUFTensorInfo(name: "blk.\(l).attn_v.weight", ne: [nEmbd, kv], type: .f16),
                GGUFTensorInfo(name: "blk.\(l).attn_output.weight", ne: [nEmbd, nEmbd], type: .f16),
                GGUFTensorInfo(name: "blk.\(l).attn_norm.weight", ne: [nEmbd], type: .f32),
                GGUFTensorInfo(name: "blk.\(l).ffn_gate.weight", ne: [nEmbd, nFF], type: .f16),
                GGUFTensorInfo(name: "blk.\(l).ffn_down.weight", ne: [nFF, nEmbd], type: .f16),
                GGUFTensorInfo(name: "blk.\(l).ffn_up.weight", ne: [nEmbd, nFF], type: .f16),
                GGUFTensorInfo(name: "blk.\(l).ffn_norm.weight", ne: [nEmbd], type: .f32),
            ]
        }
        t = GGUFWriter.layout(t)
        let header = GGUFWriter.header(metadata: md, tensors: t)
        let total = header.count + t.reduce(0) { $0 + ($1.byteCount + 31) / 32 * 32 }
        FileManager.default.createFile(atPath: path, contents: Data(header))
        let fh = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try fh.truncate(atOffset: UInt64(total))
        try fh.close()
        return (header.count, total)
    }
}
