// ggufkit-bench: micro-benchmarks of GGUFKit. `ggufkit-bench SUBCOMMAND [ARGS]`.
// To add a subcommand, add an entry to `subcommands` (name, one-line help, run function).
import Foundation

let subcommands: [(name: String, help: String, run: ([String]) -> Int32)] = [
    ("kernels", "quantize / dequantize / dot-product throughput per type, one thread", runKernelBench),
]

@MainActor func usage() -> Int32 {
    print("usage: ggufkit-bench SUBCOMMAND [ARGS]\n\nsubcommands:")
    for s in subcommands { print("  \(s.name.padding(toLength: 10, withPad: " ", startingAt: 0)) \(s.help)") }
    return 2
}

let args = Array(CommandLine.arguments.dropFirst())
if let first = args.first, let cmd = subcommands.first(where: { $0.name == first }) {
    exit(cmd.run(Array(args.dropFirst())))
} else {
    exit(usage())
}
