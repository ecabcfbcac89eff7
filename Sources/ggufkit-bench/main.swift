import GGUFIO
#if canImport(Glibc)
import Glibc
#endif

// ggufkit-bench: developer tools and benchmarks (not part of the user CLI).
let args = Array(CommandLine.arguments.dropFirst())
do {
    switch args.first {
    case "make-model": try makeModelMain(Array(args.dropFirst()))
    default:
        print("usage: ggufkit-bench make-model OUT [options]")
        exit(args.isEmpty ? 0 : 64)
    }
} catch {
    writeStderr("error: \(error)\n")
    exit(1)
}
