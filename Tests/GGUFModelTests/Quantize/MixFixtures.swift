import Foundation
import GGUFFormat
@testable import GGUFModel

/// Loads the mix expectations under `Fixtures/mixes/` (found from this file's path, not from /work/shared).
enum MixFixtures {
    static let directory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // Quantize
        .deletingLastPathComponent()  // GGUFModelTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // package root
        .appendingPathComponent("Fixtures/mixes")

    struct Model {
        var name: String
        var model: MixModel
        var tensors: [MixTensor]
        var kvKeys: [String]?
    }

    struct Case {
        var source: String
        var era: MixEra
        var model: Model
        var target: String
        /// The `llama-quantize` arguments of the run (before the paths).
        var args: [String]
        var expect: [(String, String)]
        var kvKeys: [String]?
    }

    static func json(_ file: String) throws -> [String: Any] {
        let data = try Data(contentsOf: directory.appendingPathComponent(file))
        return try JSONSerialization.jsonObject(with: data) as! [String: Any]
    }

    /// Reads a case file: `models` (input tensors in input order, `order` = output order when cases give only
    /// `types`) and `cases` (`expect` = [[name, type]] in output order, or `types` = space-separated types
    /// aligned with the model's `order`).
    static func load(_ file: String) throws -> [Case] {
        let root = try json(file)
        var models: [String: (Model, [String]?)] = [:]
        for (name, any) in root["models"] as! [String: Any] {
            let m = any as! [String: Any]
            let tensors = (m["tensors"] as! [[Any]]).map { t in
                MixTensor(name: t[0] as! String, ne: (t[1] as! [NSNumber]).map(\.intValue),
                          type: GGMLType(name: t[2] as! String)!)
            }
            let model = MixModel(nLayer: (m["n_layer"] as! NSNumber).intValue, nHead: (m["n_head"] as! NSNumber).intValue,
                                 nHeadKV: (m["n_head_kv"] as! NSNumber).intValue)
            models[name] = (Model(name: name, model: model, tensors: tensors, kvKeys: m["kv_keys"] as? [String]),
                            m["order"] as? [String])
        }
        return (root["cases"] as! [[String: Any]]).map { c in
            let (model, order) = models[c["model"] as! String]!
            let expect: [(String, String)]
            if let e = c["expect"] as? [[String]] {
                expect = e.map { ($0[0], $0[1]) }
            } else {
                let types = (c["types"] as! String).split(separator: " ").map(String.init)
                expect = Array(zip(order!, types))
            }
            return Case(source: c["source"] as? String ?? "", era: MixEra(rawValue: c["era"] as? String ?? "current")!,
                        model: model, target: c["target"] as! String, args: c["args"] as? [String] ?? [],
                        expect: expect, kvKeys: c["kv_keys"] as? [String])
        }
    }

    /// Turns `llama-quantize` flags into options (the subset the fixtures use).
    static func options(_ args: [String]) throws -> MixOptions {
        var o = MixOptions()
        var i = 0
        while i < args.count {
            switch args[i] {
            case "--pure": o.pure = true
            case "--leave-output-tensor": o.leaveOutputTensor = true
            case "--allow-requantize": o.allowRequantize = true
            case "--output-tensor-type": i += 1; o.outputTensorType = GGMLType(name: args[i])!
            case "--token-embedding-type": i += 1; o.tokenEmbeddingType = GGMLType(name: args[i])!
            case "--tensor-type": i += 1; o.tensorTypeOverrides.append(try TensorTypeOverride(parsing: args[i]))
            default: fatalError("unknown flag \(args[i])")
            }
            i += 1
        }
        return o
    }

    /// Runs the policy on a case and returns a description of every difference (empty = exact match,
    /// types and order).
    static func check(_ c: Case) -> [String] {
        do {
            let policy = try MixPolicy(target: try QuantizeTarget(parsing: c.target), era: c.era, options: try options(c.args))
            let plan = try policy.plan(model: c.model.model, tensors: c.model.tensors)
            let got = plan.tensors.map { ($0.name, $0.targetType.name) }
            var diffs: [String] = []
            if got.map(\.0) != c.expect.map(\.0) { diffs.append("order differs") }
            let want = Dictionary(c.expect, uniquingKeysWith: { a, _ in a })
            for (n, t) in got where want[n] != t {
                diffs.append("\(n): got \(t), want \(want[n] ?? "-")")
            }
            if got.count != c.expect.count { diffs.append("count \(got.count) vs \(c.expect.count)") }
            return diffs
        } catch {
            return ["error: \(error)"]
        }
    }
}
