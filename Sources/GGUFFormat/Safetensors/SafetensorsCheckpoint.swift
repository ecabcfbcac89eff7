import Foundation
import GGUFIO

/// The weights of a Hugging Face checkpoint folder: `model.safetensors`, or the shards that
/// `model.safetensors.index.json` names (or `model-NNNNN-of-NNNNN.safetensors` without an index).
///
/// PyTorch pickle checkpoints (`pytorch_model*.bin`, `*.pt`, `*.pth`) are refused, never unpickled.
public struct SafetensorsCheckpoint: Sendable {
    /// The part files, in the order llama.cpp's converter reads them (sorted names).
    public var files: [SafetensorsFile]
    /// Every tensor, part by part, each part's tensors sorted by name; a name seen twice keeps its first place.
    public var tensors: [SafetensorsTensor]

    /// The safetensors part names of `dir`, as llama.cpp's converter lists them: those of the index's
    /// weight map when `model.safetensors.index.json` exists, else the `model*.safetensors` files.
    public static func partNames(in dir: String) throws(IOError) -> [String] {
        let indexPath = (dir as NSString).appendingPathComponent("model.safetensors.index.json")
        if FileManager.default.fileExists(atPath: indexPath) {
            return try indexWeightMap(indexPath).values.reduce(into: Set<String>()) { $0.insert($1) }.sorted()
        }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        return names.filter { $0.hasPrefix("model") && $0.hasSuffix(".safetensors") }.sorted()
    }

    static func indexWeightMap(_ indexPath: String) throws(IOError) -> [String: String] {
        guard let data = FileManager.default.contents(atPath: indexPath) else {
            throw IOError(.system(errno: 5), path: indexPath, "cannot read")
        }
        let obj: JSONNode
        do { obj = try JSONNode.parse(data) } catch {
            throw .badData(indexPath, at: error.offset, "invalid JSON: \(error.message)")
        }
        guard let map = obj["weight_map"]?.members else {
            throw .badData(indexPath, at: nil, "Can't load 'weight_map' (no JSON object of that name)")
        }
        var out: [String: String] = [:]
        for (k, v) in map {
            guard let s = v.string, !s.contains("/"), !s.hasPrefix(".") else {
                throw .badData(indexPath, at: nil, "weight_map['\(k)'] is not a file name in the folder")
            }
            out[k] = s
        }
        return out
    }

    /// Opens the checkpoint in `dir`.
    public init(directory dir: String) throws(IOError) {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        let parts = try SafetensorsCheckpoint.partNames(in: dir)
        if parts.isEmpty {
            let pickles = entries.filter { $0.hasSuffix(".bin") || $0.hasSuffix(".pt") || $0.hasSuffix(".pth") || $0.hasSuffix(".ckpt") }.sorted()
            if let p = pickles.first {
                throw IOError(.usage, path: (dir as NSString).appendingPathComponent(p),
                              "PyTorch pickle checkpoints are not read (unpickling runs code); convert the model to safetensors first")
            }
            throw IOError(.usage, path: dir, "no model*.safetensors files found")
        }
        var files: [SafetensorsFile] = []
        var tensors: [SafetensorsTensor] = []
        var seen = Set<String>()
        for p in parts {
            let f = try SafetensorsFile(path: (dir as NSString).appendingPathComponent(p))
            files.append(f)
            for t in f.tensors where seen.insert(t.name).inserted { tensors.append(t) }
        }
        let indexPath = (dir as NSString).appendingPathComponent("model.safetensors.index.json")
        if FileManager.default.fileExists(atPath: indexPath) {
            let map = try SafetensorsCheckpoint.indexWeightMap(indexPath)
            let inParts = Set(files.flatMap { $0.tensors.map(\.name) })
            if let missing = map.keys.filter({ !inParts.contains($0) }).sorted().first {
                throw .badData(indexPath, at: nil, "tensor '\(missing)' is listed in weight_map (in \(map[missing]!)) but no part holds it")
            }
            if let extra = inParts.filter({ map[$0] == nil }).sorted().first {
                throw .badData(indexPath, at: nil, "tensor '\(extra)' is in a part but not in weight_map")
            }
        }
        self.files = files
        self.tensors = tensors
    }

    /// The file that holds tensor `t`.
    public func file(of t: SafetensorsTensor) -> SafetensorsFile? { files.first { $0.path == t.path } }
}
