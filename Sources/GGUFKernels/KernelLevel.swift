#if arch(x86_64)
import CKernels
#endif
import Foundation

/// A CPU level of the kernel library: which variant of every kernel runs, as llama.cpp's CPU backend is built
/// for one level (its `type_traits_cpu` and vector code chosen per build); here the level is chosen at run time.
///
/// Each C level computes what llama.cpp built for that level computes, bit for bit: ``avx2`` as llama.cpp
/// built for AVX2+FMA+F16C, ``avx512`` as llama.cpp built with `-march=native` on an AVX-512 CPU (16-lane
/// float loops and reductions). ``avxvnni`` (AVX2 plus 256-bit VNNI, client CPUs without AVX-512) changes only
/// integer sums in llama.cpp, which are exact, so its results are ``avx2``'s. ``swift`` is the portable
/// Swift code (any CPU; other summation orders for F32/F16).
public enum KernelLevel: String, CaseIterable, Sendable, Comparable {
    case swift, avx2, avxvnni, avx512

    /// The level's number in the C library (`CK_LEVEL_*`).
    public var rank: Int32 {
        switch self {
        case .swift: return 0
        case .avx2: return 1
        case .avxvnni: return 2
        case .avx512: return 3
        }
    }

    public static func < (a: KernelLevel, b: KernelLevel) -> Bool { a.rank < b.rank }

    /// Whether this CPU can run the level (``swift`` always; the C levels on x86-64 only).
    public var isSupported: Bool {
        #if arch(x86_64)
        return ck_level_supported(rank) != 0
        #else
        return self == .swift
        #endif
    }

    /// The highest level this CPU supports (from cpuid).
    public static let detected: KernelLevel = {
        #if arch(x86_64)
        let r = ck_level_detected()
        return allCases.first { $0.rank == r } ?? .swift
        #else
        return .swift
        #endif
    }()

    /// The levels this CPU supports, lowest first.
    public static var supported: [KernelLevel] { allCases.filter(\.isSupported) }

    /// The level named by the environment variable `GGUFKIT_KERNELS` (`swift`, `avx2`, `avxvnni`, `avx512`),
    /// or nil when it is unset or names none of them.
    public static let requested: KernelLevel? = ProcessInfo.processInfo.environment["GGUFKIT_KERNELS"].flatMap {
        KernelLevel(rawValue: $0.lowercased())
    }

    /// The highest supported level not above `level`.
    public static func best(upTo level: KernelLevel) -> KernelLevel {
        allCases.last { $0 <= level && $0.isSupported } ?? .swift
    }

    nonisolated(unsafe) private static var current: KernelLevel = best(upTo: requested ?? detected)

    /// The level the runner's kernels use: `GGUFKIT_KERNELS` if set (lowered to what the CPU supports), else
    /// ``detected``. Tests and comparisons may set it (not while a computation runs); a level the CPU lacks is
    /// lowered to the best one below it. The quant dot products and quantizers of ``QuantTraits`` are chosen
    /// once, at the first use of the table (`GGUFKIT_KERNELS=swift` turns their C kernels off).
    public static var active: KernelLevel {
        get { current }
        set { current = best(upTo: newValue) }
    }
}

extension QuantTraits {
    /// This type's dot product at `level`: the C kernel of that level where the CPU has it (nil where it lacks
    /// it, or where the type has no C kernel), the portable Swift kernel for ``KernelLevel/swift``. For tests and
    /// comparisons; ``vecDot`` is the one of the level active when the table was first used.
    public func vecDot(at level: KernelLevel) -> VecDotFn? {
        level == .swift ? portableVecDot : CKernelTable.vecDot(name, level: level)
    }
}
