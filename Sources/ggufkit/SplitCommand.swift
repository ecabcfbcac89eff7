import ArgumentParser
import GGUFFormat
import GGUFIO
import GGUFModel

struct Split: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Split a GGUF model into parts, as llama-gguf-split --split does (byte-identical).",
        discussion: """
        Writes OUT_PREFIX-00001-of-0000N.gguf, ...: the first part holds all the metadata, every part the \
        split.no, split.tensors.count and split.count keys. Parts are cut every --split-max-tensors tensors \
        (default 128) or before the padded tensor data would pass --split-max-size (N followed by M or G, \
        10^6 or 10^9 bytes; the header is not counted). IN may itself be the first part of a split set. \
        The parts appear together when all are written; existing ones need --force.
        """
    )

    @Argument(help: "The model (a GGUF file, or the first part of a split set).") var input: String
    @Argument(help: "The prefix of the part names (OUT_PREFIX-00001-of-0000N.gguf).") var outputPrefix: String

    @Option(name: .customLong("split-max-tensors"), help: "At most N tensors a part (default 128).") var maxTensors: Int?
    @Option(name: .customLong("split-max-size"), help: "At most N(M|G) bytes of tensor data a part, e.g. 500M or 2G.") var maxSize: String?
    @Flag(name: .customLong("no-tensor-first-split"), help: "The first part holds the metadata only.") var noTensorFirstSplit = false
    @Flag(name: .customLong("dry-run"), help: "Print the plan (parts, tensors, sizes) and write nothing.") var dryRun = false
    @Flag(help: "Overwrite existing parts.") var force = false

    func run() throws {
        try runReportingErrors {
            var o = SplitOptions(noTensorFirstSplit: noTensorFirstSplit)
            switch (maxTensors, maxSize) {
            case (.some, .some): throw ModelError.usage("either --split-max-tensors or --split-max-size can be given, not both")
            case (.some(let n), nil): o.limit = .tensors(n)
            case (nil, .some(let s)): o.limit = .bytes(try SplitOptions.parseSize(s))
            case (nil, nil): break
            }
            let model = try GGUFSplitSet.open(path: input)
            let parts = try SplitPlan.parts(of: model, prefix: outputPrefix, options: o)
            for line in SplitPlan.describe(parts) { print(line) }
            if dryRun { return }
            let sizes = try PartWriter.write(parts, inputs: try PartWriter.inputs(of: model), force: force)
            for (p, n) in zip(parts, sizes) { print("wrote \(p.path): \(p.tensors.count) tensors, \(n) bytes") }
            print("split \(input) into \(parts.count) parts with \(model.tensors.count) tensors in all")
        }
    }
}

struct Merge: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Merge a split GGUF set into one file, as llama-gguf-split --merge does (byte-identical).",
        discussion: """
        IN_FIRST_PART is NAME-00001-of-0000N.gguf; the other parts are found by their names and checked \
        (split.no, split.count, split.tensors.count, no tensor twice). The output holds the first part's \
        metadata with split.count set to 0 and every tensor in part order. It appears only when complete; \
        an existing one needs --force.
        """
    )

    @Argument(help: "The first part of the split set.") var input: String
    @Argument(help: "The GGUF file to write.") var output: String
    @Flag(name: .customLong("dry-run"), help: "Check the set and write nothing.") var dryRun = false
    @Flag(help: "Overwrite OUT if it exists.") var force = false

    func run() throws {
        try runReportingErrors {
            let model = try GGUFSplitSet.open(path: input)
            guard try GGUFSplitSet.splitCount(model.metadata, path: input) >= 1 else {
                throw IOError(.usage, path: input, "not a split model (no split.count of 1 or more); nothing to merge")
            }
            let part = SplitPlan.merged(model, output: output)
            if dryRun {
                print("\(output): \(model.parts.count) parts, \(part.tensors.count) tensors, \(part.fileBytes) bytes")
                return
            }
            try PartWriter.write([part], inputs: try PartWriter.inputs(of: model), force: force)
            print("merged \(model.parts.count) parts of \(input) -> \(output) (\(part.tensors.count) tensors)")
        }
    }
}
