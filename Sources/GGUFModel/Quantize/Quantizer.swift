import Dispatch
import GGUFFormat
import GGUFIO
import GGUFKernels

#if canImport(Glibc)
import Glibc
#endif

/// What a finished quantization reports for its summary line.
public struct QuantizeSummary: Sendable {
    public var inputBytes: Int
    public var outputBytes: Int
    public var seconds: Double
    public var threads: Int
}

/// Quantizes a model file tensor by tensor: read a slab of rows, convert and quantize it across all
/// threads, write it, and go on. Memory stays at a few slabs (≤ 64 MiB of F32 each), whatever the model.
public enum Quantizer {
    /// Rows per slab are chosen so that a slab holds at most this many F32 values.
    public static let slabFloats = 16 << 20

    public static func run(plan: QuantizePlan, output: String, options: QuantizeOptions) throws -> QuantizeSummary {
        let start = Progress.now()
        let threads = options.threads > 0 ? options.threads : max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        // Every output (one, or one per part with keep-split) appears together when all are complete.
        let set = try AtomicOutputSet(paths: plan.outputPaths(output), force: options.force, inputs: plan.source.paths)
        do {
            let bar = Progress(total: plan.inputDataBytes, label: "quantizing", enabled: options.progress ?? (isatty(2) != 0))
            let work = Workspace(threads: threads)
            var written = 0
            for (k, file) in plan.outputs.enumerated() {
                let out = try set.create(k)
                if k == 0 { try out.checkFreeSpace(plan.outputFileBytes) }
                try out.write(file.header)
                for i in file.range {
                    let t = plan.tensors[i]
                    let t0 = Progress.now()
                    if let hf = plan.source.hf, t.out.type == t.input.type {
                        try copyConverted(t, hf: hf, out: out, work: work) { bar.advance($0) }
                    } else if t.out.type == t.input.type {
                        try out.copy(from: plan.source.files[t.inputPart], offset: t.inputOffset, count: t.input.byteCount) { bar.advance($0) }
                    } else {
                        try convertTensor(t, source: plan.source, out: out, work: work, weights: plan.weights[t.out.name]) { bar.advance($0) }
                    }
                    try out.pad(to: 32)
                    if !bar.enabled, let log = options.log {
                        let shape = t.out.ne.map(String.init).joined(separator: " x ")
                        let ms = Int(((Progress.now() - t0) * 1000).rounded())
                        let change = t.input.type == t.out.type ? "\(t.out.type.name), copied" : "\(t.input.type.name) -> \(t.out.type.name)"
                        log("[\(i + 1)/\(plan.tensors.count)] \(t.out.name) [\(shape)] \(change), \(formatBytes(t.input.byteCount)) -> \(formatBytes(t.out.byteCount)), \(ms) ms")
                    }
                }
                try out.finish()
                written += out.written
            }
            bar.finish()
            try set.commit()
            return QuantizeSummary(inputBytes: plan.inputDataBytes, outputBytes: written,
                                   seconds: Progress.now() - start, threads: threads)
        } catch {
            set.discard()
            throw error
        }
    }

    /// Scratch memory reused across tensors.
    final class Workspace: @unchecked Sendable {
        let threads: Int
        var input: UnsafeMutableRawBufferPointer = .allocate(byteCount: 0, alignment: 64)
        var floats: UnsafeMutableBufferPointer<Float> = .allocate(capacity: 0)
        var output: UnsafeMutableRawBufferPointer = .allocate(byteCount: 0, alignment: 64)
        init(threads: Int) { self.threads = threads }
        deinit { input.deallocate(); floats.deallocate(); output.deallocate() }

        func reserve(input n: Int, floats f: Int, output o: Int) {
            if input.count < n { input.deallocate(); input = .allocate(byteCount: n, alignment: 64) }
            if floats.count < f { floats.deallocate(); floats = .allocate(capacity: f) }
            if output.count < o { output.deallocate(); output = .allocate(byteCount: o, alignment: 64) }
        }
    }

    /// Converts one tensor; `weights` (an imatrix entry: `n` floats per expert) go to the quantizer, each
    /// row getting its expert's slice, as llama-quantize's `imatrix_for_row`.
    static func convertTensor(_ t: QuantizePlan.Tensor, source: QuantizeSource,
                              out: AtomicOutput, work: Workspace, weights: [Float]? = nil, progress: (Int) -> Void) throws {
        let n = t.out.rowLength
        let rows = t.out.rowCount
        let rowsPerExpert = t.out.ne.count > 1 ? t.out.ne[1] : 1
        guard let inRow = t.input.type.rowBytes(n), let outRow = t.out.type.rowBytes(n) else {
            throw ModelError.badData("tensor '\(t.out.name)': rows of \(n) do not fit \(t.input.type.name) → \(t.out.type.name)")
        }
        let slabRows = max(1, min(rows, slabFloats / max(n, 1)))
        work.reserve(input: slabRows * inRow, floats: slabRows * n, output: slabRows * outRow)
        var row = 0
        while row < rows {
            let count = min(slabRows, rows - row)
            let inBytes = UnsafeMutableRawBufferPointer(rebasing: work.input[0..<(count * inRow)])
            if let hf = source.hf {
                _ = try hf.rows(offset: t.inputOffset, row: row, count: count, rowLength: n, into: inBytes.baseAddress!, threads: work.threads)
            } else {
                try source.files[t.inputPart].read(into: inBytes, at: t.inputOffset + row * inRow, "the data of tensor '\(t.input.name)'")
            }
            let failure = ErrorBox()
            let per = (count + work.threads - 1) / work.threads
            let inType = t.input.type, outType = t.out.type, slabRow = row
            DispatchQueue.concurrentPerform(iterations: min(work.threads, count)) { k in
                let r0 = k * per, r1 = min(count, r0 + per)
                guard r0 < r1 else { return }
                let inBase = UnsafeRawPointer(work.input.baseAddress!)
                let fBase = work.floats.baseAddress!
                let oBase = work.output.baseAddress!
                do {
                    let f = fBase + r0 * n
                    try toFloat(inType, inBase + r0 * inRow, f, rows: r1 - r0, n: n)
                    if let weights {
                        try weights.withUnsafeBufferPointer { w in
                            // runs of rows of one expert, each with that expert's weights
                            var a = r0
                            while a < r1 {
                                let expert = (slabRow + a) / rowsPerExpert
                                let b = min(r1, (expert + 1) * rowsPerExpert - slabRow)
                                try fromFloat(outType, UnsafePointer(fBase + a * n), oBase + a * outRow, rows: b - a, n: n,
                                              weights: w.baseAddress! + expert * n)
                                a = b
                            }
                        }
                    } else {
                        try fromFloat(outType, UnsafePointer(f), oBase + r0 * outRow, rows: r1 - r0, n: n)
                    }
                    try validate(outType, oBase, rows: r0..<r1, rowBytes: outRow, firstRow: slabRow)
                } catch { failure.set(error, order: r0) }
            }
            if let e = failure.error as? RowFailure {
                throw ModelError.badData("\(source.paths[t.inputPart]): tensor '\(t.input.name)', row \(e.row) (data at offset \(t.inputOffset + e.row * inRow)): "
                                         + "quantized data validation failed: \(e.problem) (as llama-quantize, which refuses it: the input holds NaN/inf, or values too large for \(t.out.type.name))")
            }
            if let e = failure.error { throw ModelError.badData("tensor '\(t.out.name)': \(e)") }
            try out.write(UnsafeRawBufferPointer(rebasing: work.output[0..<(count * outRow)]))
            progress(count * inRow)
            row += count
        }
    }

    /// A tensor kept in its converted type: written as `ggufkit convert` writes it, slab by slab.
    static func copyConverted(_ t: QuantizePlan.Tensor, hf: HFQuantizeInput, out: AtomicOutput, work: Workspace,
                              progress: (Int) -> Void) throws {
        let n = t.out.rowLength, rows = t.out.rowCount
        guard let inRow = t.input.type.rowBytes(n) else { throw ModelError.badData("tensor '\(t.out.name)': bad row size") }
        let slabRows = max(1, min(rows, slabFloats / max(n, 1)))
        work.reserve(input: slabRows * inRow, floats: 0, output: 0)
        var row = 0
        while row < rows {
            let count = min(slabRows, rows - row)
            _ = try hf.rows(offset: t.inputOffset, row: row, count: count, rowLength: n, into: work.input.baseAddress!, threads: work.threads)
            try out.write(UnsafeRawBufferPointer(rebasing: work.input[0..<(count * inRow)]))
            progress(count * inRow)
            row += count
        }
    }

    /// A converted row that llama-quantize would refuse, and why.
    struct RowFailure: Error { let row: Int; let problem: RowDataProblem }

    /// Refuses rows that llama-quantize refuses (`ggml_validate_row_data`): an infinite or NaN scale or value.
    static func validate(_ type: GGMLType, _ base: UnsafeMutableRawPointer, rows: Range<Int>, rowBytes: Int, firstRow: Int) throws {
        guard let q = QuantType(rawValue: type.rawValue) else { return }
        for r in rows {
            if let p = Kernels.validate(q, base + r * rowBytes, byteCount: rowBytes) { throw RowFailure(row: firstRow + r, problem: p) }
        }
    }

    /// Rows of any readable type to F32 (exact for F16/BF16; ggml's `to_float` for quantized types).
    static func toFloat(_ type: GGMLType, _ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, rows: Int, n: Int) throws {
        switch type {
        case .f32: dst.update(from: src.assumingMemoryBound(to: Float.self), count: rows * n)
        case .f16: Half.fp32(fp16: src.assumingMemoryBound(to: UInt16.self), dst, count: rows * n)
        case .bf16: Half.fp32(bf16: src.assumingMemoryBound(to: UInt16.self), dst, count: rows * n)
        default:
            guard let q = QuantType(rawValue: type.rawValue) else { throw KernelError.unsupported(type: .f32, operation: "dequantize \(type.name)") }
            try Kernels.dequantize(q, src: src, dst: dst, rows: rows, rowLength: n)
        }
    }

    /// F32 rows to the target type, as `ggml_quantize_chunk` does (with `weights`, `n` floats: an imatrix).
    static func fromFloat(_ type: GGMLType, _ src: UnsafePointer<Float>, _ dst: UnsafeMutableRawPointer, rows: Int, n: Int,
                          weights: UnsafePointer<Float>? = nil) throws {
        switch type {
        case .f32: dst.assumingMemoryBound(to: Float.self).update(from: src, count: rows * n)
        case .f16: Half.fp16(src, dst.assumingMemoryBound(to: UInt16.self), count: rows * n)
        case .bf16: Half.bf16(src, dst.assumingMemoryBound(to: UInt16.self), count: rows * n)
        default:
            guard let q = QuantType(rawValue: type.rawValue) else { throw KernelError.unsupported(type: .f32, operation: "quantize to \(type.name)") }
            try Kernels.quantize(q, src: src, dst: dst, rows: rows, rowLength: n, weights: weights)
        }
    }
}

/// The error of the earliest piece of work that failed (`order`: where the piece starts), whichever
/// worker got there first, so the same input always reports the same error.
final class ErrorBox: @unchecked Sendable {
    private let lock = NSLockLite()
    private(set) var error: Error?
    private var order = Int.max
    func set(_ e: Error, order o: Int = 0) { lock.locked { if o < order { error = e; order = o } } }
}

/// A pthread mutex, without Foundation.
final class NSLockLite: @unchecked Sendable {
    private var m = pthread_mutex_t()
    init() { pthread_mutex_init(&m, nil) }
    deinit { pthread_mutex_destroy(&m) }
    func locked<T>(_ body: () -> T) -> T {
        pthread_mutex_lock(&m)
        defer { pthread_mutex_unlock(&m) }
        return body()
    }
}
