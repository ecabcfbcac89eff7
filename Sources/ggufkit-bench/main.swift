import Foundation
import GGUFIO

// ggufkit-bench: developer tools and benchmarks (not part of the user CLI). `ggufkit-bench SUBCOMMAND [ARGS]`.
// To add a subcommand, add an entry to `subcommands` (name, usage line, run function; a thrown error exits 1).
let subcommands: [(name: String, usage: String, run: ([String]) throws -> Int32)] = [
    ("make-model", "make-model OUT [options]   a deterministic synthetic llama GGUF", { try makeModelMain($0); return 0 }),
    ("kernels", "kernels [--types Q4_0,..] [--n N] [--seconds S] [--markdown]   quantize/dequantize/dot throughput, one thread",
     runKernelBench),
    ("bandwidth", "bandwidth [--threads N] [--mib M] [--reps R]   memory read bandwidth, GB/s", runBandwidthBench),
]

let args = Array(CommandLine.arguments.dropFirst())
guard let first = args.first, let cmd = subcommands.first(where: { $0.name == first }) else {
    print("usage: ggufkit-bench SUBCOMMAND [ARGS]\n\nsubcommands:")
    for s in subcommands { print("  \(s.usage)") }
    exit(args.isEmpty ? 0 : 64)
}
do {
    exit(try cmd.run(Array(args.dropFirst())))
} catch {
    writeStderr("error: \(error)\n")
    exit(1)
}
