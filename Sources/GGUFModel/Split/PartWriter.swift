import GGUFFormat
import GGUFIO

/// Writes GGUF files whose tensor data is copied unchanged from the files of a model: the parts of
/// `split`, the single file of `merge`.
///
/// Data is copied inside the kernel (`copy_file_range`) or through AtomicOutput's 4 MiB buffer, never
/// a whole tensor in memory. All outputs appear together when the last is complete; an error or a
/// signal removes every temporary file (``AtomicOutputSet``).
public enum PartWriter {
    /// Opens each file of `model` for reading, refusing compressed ones (data is read by offset).
    public static func inputs(of model: GGUFSplitSet) throws(IOError) -> [FileSource] {
        var files: [FileSource] = []
        for p in model.parts {
            let f = try FileSource(path: p.path)
            guard f.size == p.file.fileSize else {
                throw IOError(.usage, path: p.path, "a compressed model: data is read by offset, so decompress it first")
            }
            files.append(f)
        }
        return files
    }

    /// Writes `parts` (checked first: existing outputs need `force`; none may be an input), reading
    /// tensor data from `inputs` (one per part of the model). Returns each file's size in bytes.
    @discardableResult
    public static func write(_ parts: [OutputPart], inputs: [FileSource], force: Bool) throws(IOError) -> [Int] {
        let set = try AtomicOutputSet(paths: parts.map(\.path), force: force, inputs: inputs.map(\.path))
        do {
            let total = parts.reduce(0) { $0 + $1.fileBytes }
            var sizes: [Int] = []
            for (i, p) in parts.enumerated() {
                let out = try set.create(i)
                if i == 0 { try out.checkFreeSpace(total) }
                try out.write(p.header)
                for s in p.sources {
                    try out.copy(from: inputs[s.part], offset: s.fileOffset, count: s.info.byteCount)
                    try out.pad(to: GGUFReader.defaultAlignment)
                }
                try out.finish()
                sizes.append(out.written)
            }
            try set.commit()
            return sizes
        } catch {
            set.discard()
            throw error
        }
    }
}
