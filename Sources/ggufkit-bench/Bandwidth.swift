import Foundation

/// `ggufkit-bench bandwidth [--threads N] [--mib M] [--reps R]`
///
/// Memory read bandwidth: `threads` threads each sum their part of an `M` MiB buffer (far larger than the
/// caches), best of `R` passes, in GB/s. This bounds token generation, which reads every weight once per
/// token: tokens/s ≤ bandwidth ÷ bytes of weights read per token.
func runBandwidthBench(_ args: [String]) -> Int32 {
    var threads = ProcessInfo.processInfo.activeProcessorCount, mib = 1024, reps = 5
    var i = 0
    while i < args.count {
        guard i + 1 < args.count, let v = Int(args[i + 1]), v > 0 else { print("bad argument \(args[i])"); return 64 }
        switch args[i] {
        case "--threads": threads = v
        case "--mib": mib = v
        case "--reps": reps = v
        default: print("unknown argument \(args[i])"); return 64
        }
        i += 2
    }
    let count = mib << 20 / 8
    let buffer = UnsafeMutablePointer<UInt64>.allocate(capacity: count)
    defer { buffer.deallocate() }
    for j in 0..<count { buffer[j] = UInt64(j) }   // touch every page
    let base = UInt(bitPattern: buffer)
    var best = Double.infinity
    let sums = UnsafeMutablePointer<UInt64>.allocate(capacity: threads)
    defer { sums.deallocate() }
    let n = threads, sumsAt = UInt(bitPattern: sums)
    for _ in 0..<reps {
        let t0 = DispatchTime.now().uptimeNanoseconds
        DispatchQueue.concurrentPerform(iterations: n) { t in
            let p = UnsafePointer<SIMD4<UInt64>>(bitPattern: base)!
            let lanes = count / 4
            var acc = SIMD4<UInt64>()
            for k in lanes * t / n ..< lanes * (t + 1) / n { acc &+= p[k] }
            UnsafeMutablePointer<UInt64>(bitPattern: sumsAt)![t] = acc.wrappedSum()
        }
        best = min(best, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
    }
    let gbs = Double(count * 8) / best / 1e9
    print(String(format: "read bandwidth: %.2f GB/s (%d threads, %d MiB, best of %d)%@", gbs, threads, mib, reps, sums[0] == 1 ? " " : ""))
    return 0
}
