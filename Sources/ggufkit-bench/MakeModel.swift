import GGUFFormat
import GGUFModel

/// `ggufkit-bench make-model OUT [--dim N] [--layers N] [--heads N] [--kv-heads N] [--ffn N] [--vocab N]
/// [--ctx N] [--type f16|f32|bf16] [--seed N] [--tied] [--scale X]`: a deterministic synthetic llama GGUF
/// (weights uniform in ±X, default 0.04).
///
/// `ggufkit-bench make-model OUT --spec FILE [--seed N] [--scale X]`: a model of any architecture from a
/// ``ModelSpec`` text file (metadata and tensor list); `--vocab GGUF` copies that file's `tokenizer.*` keys in.
func makeModelMain(_ args: [String]) throws {
    if let k = args.firstIndex(of: "--spec"), k + 1 < args.count {
        try makeModelFromSpec(args, specPath: args[k + 1])
        return
    }
    var m = SyntheticModel()
    var out: String?
    var i = 0
    func int(_ k: String) throws -> Int {
        guard i + 1 < args.count, let v = Int(args[i + 1]) else { throw ModelError.usage("\(k) needs a number") }
        i += 1
        return v
    }
    while i < args.count {
        switch args[i] {
        case "--dim": m.dim = try int("--dim")
        case "--layers": m.layers = try int("--layers")
        case "--heads": m.heads = try int("--heads")
        case "--kv-heads": m.kvHeads = try int("--kv-heads")
        case "--ffn": m.ffn = try int("--ffn")
        case "--vocab": m.vocab = try int("--vocab")
        case "--ctx": m.context = try int("--ctx")
        case "--seed": m.seed = UInt64(try int("--seed"))
        case "--tied": m.tied = true
        case "--scale":
            guard i + 1 < args.count, let v = Float(args[i + 1]), v.isFinite, v > 0 else { throw ModelError.usage("--scale needs a positive number") }
            m.scale = v
            i += 1
        case "--type":
            guard i + 1 < args.count, let t = GGMLType(name: args[i + 1]), [.f16, .f32, .bf16].contains(t) else {
                throw ModelError.usage("--type must be f16, f32 or bf16")
            }
            m.type = t
            i += 1
        default:
            if out == nil && !args[i].hasPrefix("-") { out = args[i] } else { throw ModelError.usage("unknown argument \(args[i])") }
        }
        i += 1
    }
    guard let out else { throw ModelError.usage("usage: ggufkit-bench make-model OUT [--dim N] ...") }
    try m.write(to: out)
    print("wrote \(out): \(m.layers) layers, dim \(m.dim), \(m.heads)/\(m.kvHeads) heads, ffn \(m.ffn), vocab \(m.vocab), \(m.type.name)")
}

func makeModelFromSpec(_ args: [String], specPath: String) throws {
    var seed: UInt64 = 1, scale: Float = 0.04, out: String?, vocab: String?
    var i = 0
    while i < args.count {
        switch args[i] {
        case "--spec": i += 1
        case "--vocab":
            guard i + 1 < args.count else { throw ModelError.usage("--vocab needs a GGUF file") }
            vocab = args[i + 1]; i += 1
        case "--seed":
            guard i + 1 < args.count, let v = UInt64(args[i + 1]) else { throw ModelError.usage("--seed needs a number") }
            seed = v; i += 1
        case "--scale":
            guard i + 1 < args.count, let v = Float(args[i + 1]), v.isFinite, v > 0 else { throw ModelError.usage("--scale needs a positive number") }
            scale = v; i += 1
        default:
            if out == nil && !args[i].hasPrefix("-") { out = args[i] } else { throw ModelError.usage("unknown argument \(args[i])") }
        }
        i += 1
    }
    guard let out else { throw ModelError.usage("usage: ggufkit-bench make-model OUT --spec FILE [--vocab GGUF] [--seed N] [--scale X]") }
    let text = try String(contentsOfFile: specPath, encoding: .utf8)
    var spec = try ModelSpec(parsing: text, name: specPath)
    if let vocab { try spec.copyVocabulary(path: vocab) }
    try spec.write(to: out, seed: seed, scale: scale)
    print("wrote \(out): \(spec.tensors.count) tensors from \(specPath)")
}
