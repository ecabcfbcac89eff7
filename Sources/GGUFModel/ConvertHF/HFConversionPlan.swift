import Foundation
import GGUFFormat
import GGUFIO

/// One tensor of the output: its GGUF name, shape and type, and where its values come from.
public struct HFOutputTensor: Sendable {
    public var name: String
    /// Dimensions in ggml order.
    public var ne: [Int]
    public var type: GGMLType
    /// The source tensors, stacked along a new outer dimension when there are several (experts).
    var pieces: [HFPiece]
    /// Values computed by the converter (rope_freqs), when there are no pieces.
    var generated: [Float]?

    public var elementCount: Int { ne.reduce(1, *) }
    public var byteCount: Int { type.tensorBytes(ne) ?? 0 }
    var info: GGUFTensorInfo { GGUFTensorInfo(name: name, ne: ne, type: type) }
}

/// A source tensor and how its rows are reordered.
struct HFPiece: Sendable {
    var tensor: SafetensorsTensor
    var dtype: SafetensorsDType
    /// Rows of the first dimension and elements per row (the product of the others).
    var rows: Int
    var rowLength: Int
    /// Heads for llama's Q/K permutation of the rows, or nil.
    var permuteHeads: Int?
    /// Gemma's norms: 1 is added to every value (in the source's float type: F16 stays F16, BF16 is widened first).
    var addOne = false

    /// The source row of output row `o`: within each head of `rows / heads` rows, the two halves are interleaved.
    @inline(__always) func sourceRow(_ o: Int) -> Int {
        guard let nh = permuteHeads else { return o }
        let hd = rows / nh
        let half = hd / 2
        let h = o / hd, r = o % hd
        return h * hd + (r & 1) * half + (r >> 1)
    }
}

/// Everything a conversion writes, decided before any tensor data is read.
public struct HFConversionPlan: Sendable {
    public var folder: HFFolder
    public var architecture: HFArchitecture
    public var checkpoint: SafetensorsCheckpoint
    public var fileType: LlamaFileType
    /// The type part of default file names (`F16`, `BF16`, `Q8_0`, `F32`).
    public var outputTypeName: String
    public var metadata: GGUFMetadata
    /// Empty for a vocabulary-only conversion.
    public var tensors: [HFOutputTensor]
    public var vocabOnly: Bool
    /// The file name convert_hf_to_gguf.py picks when given a directory as output.
    public var defaultFileName: String
    /// Things the user should know (what was not read).
    public var notes: [String]
    /// The tensors of each output part (indices into ``tensors``): one part unless split.
    public var parts: [[Int]]

    /// gguf-py's shard names: `STEM-00001-of-0000N.gguf` beside `path`; `path` itself for one part.
    public func partPaths(_ path: String) -> [String] {
        guard parts.count > 1 else { return [path] }
        let dir = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        var stem = name
        if let dot = name.lastIndex(of: "."), dot != name.startIndex { stem = String(name[..<dot]) }
        return (0..<parts.count).map { i in
            let n = stem + "-" + String(format: "%05d", i + 1) + "-of-" + String(format: "%05d", parts.count) + ".gguf"
            return dir.isEmpty ? n : (dir as NSString).appendingPathComponent(n)
        }
    }

    /// GGUFWriter.add_tensor_info's split: a new part when the current one (never empty) would exceed either limit.
    static func splitParts(_ tensors: [HFOutputTensor], maxTensors: Int, maxSize: Int) -> [[Int]] {
        var parts: [[Int]] = [[]]
        var size = 0
        for (i, t) in tensors.enumerated() {
            if !parts[parts.count - 1].isEmpty,
               (maxTensors != 0 && parts[parts.count - 1].count >= maxTensors) || (maxSize != 0 && size + t.byteCount > maxSize) {
                parts.append([])
                size = 0
            }
            parts[parts.count - 1].append(i)
            size += t.byteCount
        }
        return parts
    }

    /// Bytes of tensor data (padded).
    public var dataBytes: Int { tensors.reduce(0) { $0 + ($1.byteCount + 31) / 32 * 32 } }
}
