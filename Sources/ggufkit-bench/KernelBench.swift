import Foundation
import GGUFKernels

/// `ggufkit-bench kernels [--types Q4_0,Q4_K,...] [--n ELEMENTS] [--seconds S] [--markdown] [--weights]`
///
/// `--weights`: quantize with importance weights (`quantizeRowWeighted`, w ~ exp(1.5·N(0, 1)) per column, drawn
/// after x and y as `.ci/bench/ggml_kernels.c N S weighted` draws them), the grid types by default; the other
/// columns are unchanged. The tables of the grid types are built before timing. Times are this process's CPU
/// time (robust to other processes' load), as `ggml_kernels … weighted` measures.
///
/// Quantize: MB/s of F32 input. Dequantize: MB/s of F32 output. Activations: MB/s of F32 input into the
/// vec_dot type (`fromFloat`, part of every matmul). Dot: G elements/s (multiply-adds) of one row
/// pair of `n` elements, activations already quantized (as in a matmul), with the table's kernel: the C one
/// where the CPU runs it, the Swift one with `GGUFKIT_KERNELS=swift`. One thread; rows stay in L2.
func runKernelBench(_ args: [String]) -> Int32 {
    var types: [QuantType] = [.f16, .bf16, .q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q2_K, .q3_K, .q4_K, .q5_K, .q6_K,
                              .iq4_NL, .iq4_XS, .tq1_0, .tq2_0, .mxfp4, .iq3_S]
    var n = 16384
    var seconds = 0.3
    var markdown = false
    var weighted = false
    var i = 0
    while i < args.count {
        switch args[i] {
        case "--types":
            i += 1
            types = args[i].split(separator: ",").compactMap { name in QuantType.allCases.first { $0.description == name.uppercased() } }
        case "--n": i += 1; n = Int(args[i])!
        case "--seconds": i += 1; seconds = Double(args[i])!
        case "--markdown": markdown = true
        case "--weights":
            weighted = true
            benchCPUClock = true
            if !args.contains("--types") { types = [.iq2_XXS, .iq2_XS, .iq2_S, .iq3_XXS, .iq3_S, .iq1_S, .iq1_M, .iq4_XS] }
        default: print("unknown argument \(args[i])"); return 2
        }
        i += 1
    }
    var rng = SplitMix(seed: 42)
    let x = (0..<n).map { _ in Float(rng.normal() * 0.02) }
    let y = (0..<n).map { _ in Float(rng.normal()) }
    let w = (0..<n).map { _ in Float(exp(rng.normal() * 1.5)) }
    var q = [UInt8](repeating: 0, count: n * 4 + 1024)
    var qy = [UInt8](repeating: 0, count: n * 4 + 1024)
    var out = [Float](repeating: 0, count: n)
    let mb = Double(n * 4) / 1e6

    let dots = QuantTraits.usesCKernels ? "C (AVX2, CKernels)" : "Swift (portable)"
    if markdown {
        print("Dot products and activation quantizers: \(dots).\n")
        print("| type | quantize MB/s | dequantize MB/s | activations MB/s | dot Gelem/s |")
        print("| --- | ---: | ---: | ---: | ---: |")
    } else {
        print("type      quantize MB/s  dequantize MB/s  activations MB/s  dot Gelem/s   (n = \(n), one thread; dots: \(dots))")
    }
    for t in types {
        let tr = t.traits
        guard n % tr.blockSize == 0 else { continue }
        var qRate = Double.nan, dqRate = Double.nan, actRate = Double.nan, dotRate = Double.nan
        x.withUnsafeBufferPointer { xp in
            q.withUnsafeMutableBytes { qp in
                if weighted, let f = tr.quantizeRowWeighted {
                    w.withUnsafeBufferPointer { wp in
                        f(xp.baseAddress!, qp.baseAddress!, n, wp.baseAddress!)   // builds the type's tables
                        qRate = mb / timeIt(seconds) { f(xp.baseAddress!, qp.baseAddress!, n, wp.baseAddress!) }
                    }
                } else if let f = tr.quantizeRow {
                    qRate = mb / timeIt(seconds) { f(xp.baseAddress!, qp.baseAddress!, n) }
                }
                if let f = tr.dequantizeRow {
                    out.withUnsafeMutableBufferPointer { op in
                        dqRate = mb / timeIt(seconds) { f(UnsafeRawPointer(qp.baseAddress!), op.baseAddress!, n) }
                    }
                }
                if let vd = tr.vecDot, let vt = tr.vecDotType, let ff = vt.traits.fromFloat {
                    y.withUnsafeBufferPointer { yp in
                        qy.withUnsafeMutableBytes { qyp in
                            actRate = mb / timeIt(seconds) { ff(yp.baseAddress!, qyp.baseAddress!, n) }
                            var sink: Float = 0
                            dotRate = Double(n) / 1e9 / timeIt(seconds) { sink += vd(n, qp.baseAddress!, qyp.baseAddress!) }
                            if sink == 12345 { print(sink) }
                        }
                    }
                }
            }
        }
        if markdown {
            print("| \(t) | \(fmt(qRate, 0)) | \(fmt(dqRate, 0)) | \(fmt(actRate, 0)) | \(fmt(dotRate, 2)) |")
        } else {
            print("\(t.description.padding(toLength: 9, withPad: " ", startingAt: 0)) \(fmt(qRate, weighted ? 2 : 0).leftPad(13))  \(fmt(dqRate, 0).leftPad(15))  \(fmt(actRate, 0).leftPad(16))  \(fmt(dotRate, 2).leftPad(11))")
        }
    }
    return 0
}

/// Whether ``timeIt`` reads this process's CPU time instead of the wall clock (`kernels --weights`).
nonisolated(unsafe) var benchCPUClock = false

/// Nanoseconds of the wall clock, or of this process's CPU time with ``benchCPUClock``.
func benchNow() -> UInt64 {
    guard benchCPUClock else { return DispatchTime.now().uptimeNanoseconds }
    var t = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
    return UInt64(t.tv_sec) * 1_000_000_000 + UInt64(t.tv_nsec)
}

/// Seconds per call: the best of several batches.
func timeIt(_ seconds: Double, _ body: () -> Void) -> Double {
    body()
    var calls = 1
    var t0 = benchNow()
    body()
    var dt = Double(benchNow() - t0) / 1e9
    while dt < seconds / 10 {
        calls *= 2
        t0 = benchNow()
        for _ in 0..<calls { body() }
        dt = Double(benchNow() - t0) / 1e9
    }
    var best = dt / Double(calls)
    let end = benchNow() + UInt64(seconds * 1e9)
    while benchNow() < end {
        t0 = benchNow()
        for _ in 0..<calls { body() }
        best = min(best, Double(benchNow() - t0) / 1e9 / Double(calls))
    }
    return best
}

func fmt(_ v: Double, _ digits: Int) -> String { v.isNaN ? "-" : String(format: "%.\(digits)f", v) }

extension String {
    func leftPad(_ n: Int) -> String { count >= n ? self : String(repeating: " ", count: n - count) + self }
}

struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func uniform() -> Double { Double(next() >> 11) / Double(1 << 53) }
    mutating func normal() -> Double { (-2 * log(uniform() + 1e-300)).squareRoot() * cos(2 * .pi * uniform()) }
}
