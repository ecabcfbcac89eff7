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

    /// Bytes of tensor data (padded).
    public var dataBytes: Int { tensors.reduce(0) { $0 + ($1.byteCount + 31) / 32 * 32 } }
}
