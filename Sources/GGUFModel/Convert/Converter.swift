import GGUFFormat
import GGUFIO

/// The result of a conversion, for the summary line.
public struct ConversionSummary: Sendable {
    public var tensorCount: Int
    public var outputBytes: Int
    public var dataBytes: Int
    public var seconds: Double
    public var notes: [String]
}

/// Converts GGML-era llama files to GGUF, streaming tensor data with bounded memory.
public enum Converter {
    /// Plans the conversion of `input` (reads only headers, vocabulary and tensor records).
    public static func plan(input: String, options: ConvertOptions) throws -> ConversionPlan {
        let file = try GGMLReader.scan(path: input)
        let vocab = try options.vocabDir.map { (d) throws(ModelError) in try VocabDirectory.load(d) }
        var base = String(input.split(separator: "/").last ?? Substring(input))
        // A compressed input is named after the file inside it.
        for ext in [".zst", ".gz"] where base.hasSuffix(ext) { base = String(base.dropLast(ext.count)) }
        do {
            return try ConversionPlan(file: file, inputName: base, options: options, vocabDir: vocab)
        } catch {
            throw ModelError(error.kind, "\(input): \(error.message)")
        }
    }

    /// Writes `plan` to `output` via a temporary file renamed into place when complete.
    ///
    /// The input is read a second time (sequentially) for the tensor data, so compressed inputs work
    /// without a temporary copy. Memory use is a few buffers, whatever the model size.
    public static func write(plan: ConversionPlan, input: String, output: String, force: Bool,
                             progress: Bool? = nil) throws -> ConversionSummary {
        let start = Progress.now()
        let out = try AtomicOutput(path: output, force: force, inputs: [input])
        do {
            let header = GGUFWriter.header(metadata: plan.metadata, tensors: plan.tensors.map(\.info))
            let total = header.count + plan.tensors.reduce(0) { $0 + ($1.info.byteCount + 31) / 32 * 32 }
            try out.checkFreeSpace(total)
            try out.write(header)

            let source = try openSource(path: input)
            let bar = progress.map { Progress(total: plan.dataBytes, label: "converting", enabled: $0) }
                ?? Progress(total: plan.dataBytes, label: "converting")
            if let file = source as? FileSource {
                // Plain file: copy each tensor's bytes inside the kernel where possible.
                for (_, record) in plan.tensors {
                    guard let size = file.size, record.dataOffset + record.byteCount <= size else {
                        throw IOError.badData(input, at: record.dataOffset, "tensor '\(record.name)' data ends past the end of the file (the file changed?)")
                    }
                    try out.copy(from: file, offset: record.dataOffset, count: record.byteCount) { bar.advance($0) }
                    try out.pad(to: 32)
                }
            } else {
                // Compressed stream: a second sequential pass through a buffer.
                let reader = Reader(source, capacity: 1 << 16)
                let chunk = 8 << 20
                var buffer = [UInt8](repeating: 0, count: chunk)
                for (_, record) in plan.tensors {
                    precondition(record.dataOffset >= reader.offset, "tensor records out of order")
                    try reader.skip(record.dataOffset - reader.offset, "the bytes before tensor '\(record.name)'")
                    var left = record.byteCount
                    while left > 0 {
                        let n = min(left, chunk)
                        try buffer.withMutableBytesIO { (b) throws(IOError) in
                            let part = UnsafeMutableRawBufferPointer(rebasing: b[0..<n])
                            try reader.readExactly(into: part, "the data of tensor '\(record.name)'")
                            try out.write(UnsafeRawBufferPointer(part))
                        }
                        left -= n
                        bar.advance(n)
                    }
                    try out.pad(to: 32)
                }
            }
            // The input must end where its last tensor ends (anything else is not a file we understand).
            bar.finish()
            try out.commit()
            return ConversionSummary(tensorCount: plan.tensors.count, outputBytes: out.written, dataBytes: plan.dataBytes,
                                     seconds: Progress.now() - start, notes: plan.notes)
        } catch {
            out.discard()
            throw error
        }
    }
}
