// swift-tools-version:6.0
import PackageDescription
import Foundation

// The CPU level of release builds is chosen by GGUFKIT_CPU (see docs/performance.md):
//   unset / "portable" -> the compiler's default (x86-64 baseline; runs everywhere)
//   "native"           -> -target-cpu native (this machine)
//   any other value    -> -target-cpu VALUE (e.g. haswell, znver4; an x86 CPU named here must have F16C)
// Non-portable builds also define GGUFKIT_HW_F16 (fp16 -> fp32 with the hardware instruction in dot products).
let cpu = ProcessInfo.processInfo.environment["GGUFKIT_CPU"] ?? "portable"
let kernelFlags: [SwiftSetting] = cpu == "portable" ? [] : [
    .unsafeFlags(["-Xcc", "-march=\(cpu == "native" ? "native" : cpu)", "-target-cpu", cpu]),
    .define("GGUFKIT_HW_F16"),
]
// Hot numeric code is optimized even in debug builds, so that tests over real models stay fast.
let hot: [SwiftSetting] = kernelFlags + [.unsafeFlags(["-O"])]

let package = Package(
    name: "GGUFKit",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "ggufkit", targets: ["ggufkit"]),
        .library(name: "GGUFFormat", targets: ["GGUFFormat"]),
        .library(name: "GGUFKernels", targets: ["GGUFKernels"]),
        .library(name: "GGUFModel", targets: ["GGUFModel"]),
        .library(name: "GGUFRunner", targets: ["GGUFRunner"]),
        .library(name: "GGUFChat", targets: ["GGUFChat"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        .systemLibrary(name: "CZstd", path: "Sources/CZstd"),
        .systemLibrary(name: "CShims", path: "Sources/CShims"),
        // Files: mapping, sequential and compressed input, atomic output, checksums, progress.
        .target(name: "GGUFIO", dependencies: ["CZlib", "CZstd", "CShims"]),
        // Model-file formats: the ggml type table, GGUF read/write, GGML legacy read, tensor names.
        .target(name: "GGUFFormat", dependencies: ["GGUFIO"], swiftSettings: [.unsafeFlags(["-O"])]),
        // The kernel library in C: llama.cpp's x86 kernels per CPU level (AVX2+FMA+F16C, AVX-512; chosen at run
        // time by KernelLevel): dot products, activation quantizers, and in ops/ the runner's tiles, softmax,
        // SwiGLU and worker pool. Built at the baseline, each function for its level, optimized in debug builds
        // too; no FMA contraction but where the code says so (bit-identity with ggml's GCC build).
        .target(name: "CKernels", cSettings: [.unsafeFlags(["-O3", "-ffp-contract=off"])]),
        // Quant kernels: half/bf16, quantize/dequantize rows, dot products. Knows nothing of files.
        .target(name: "GGUFKernels", dependencies: ["CKernels"], swiftSettings: hot, linkerSettings: [.linkedLibrary("m", .when(platforms: [.linux]))]),
        // llama.cpp's SentencePiece and BPE tokenizers over a vocabulary; -O even in debug (150k-token tables).
        .target(name: "GGUFTokenizer", swiftSettings: [.unsafeFlags(["-O"])]),
        // llama.cpp's built-in chat templates: detection from the template text, formatting of messages.
        .target(name: "GGUFChat"),
        // Model operations: convert, quantize, inspect.
        .target(name: "GGUFModel", dependencies: ["GGUFFormat", "GGUFIO", "GGUFKernels", "GGUFTokenizer"], swiftSettings: [.unsafeFlags(["-O"])]),
        // The llama runner.
        .target(name: "GGUFRunner", dependencies: ["GGUFFormat", "GGUFIO", "GGUFKernels", "GGUFTokenizer", "GGUFModel", "GGUFChat", "CKernels"],
                swiftSettings: hot),
        .executableTarget(name: "ggufkit", dependencies: [
            "GGUFModel", "GGUFRunner", "GGUFFormat", "GGUFIO", "GGUFTokenizer", "GGUFChat",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "ggufkit-bench", dependencies: ["GGUFKernels", "GGUFModel", "GGUFFormat", "GGUFIO"], swiftSettings: kernelFlags),
        // Test helpers (fixture paths, SHA-256, a GGML file builder); optimized even in debug builds.
        .target(name: "GGUFTestSupport", dependencies: ["GGUFIO"], path: "Tests/GGUFTestSupport", swiftSettings: [.unsafeFlags(["-O"])]),
        .testTarget(name: "GGUFIOTests", dependencies: ["GGUFIO", "GGUFTestSupport"]),
        .testTarget(name: "GGUFFormatTests", dependencies: ["GGUFFormat", "GGUFIO", "GGUFTestSupport"]),
        .testTarget(name: "GGUFKernelsTests", dependencies: ["GGUFKernels"]),
        .testTarget(name: "GGUFTokenizerTests", dependencies: ["GGUFTokenizer", "GGUFFormat", "GGUFRunner"]),
        .testTarget(name: "GGUFChatTests", dependencies: ["GGUFChat", "GGUFTestSupport"]),
        .testTarget(name: "GGUFModelTests", dependencies: ["GGUFModel", "GGUFFormat", "GGUFIO", "GGUFKernels", "GGUFTestSupport"]),
        .testTarget(name: "GGUFRunnerTests", dependencies: ["GGUFRunner", "GGUFKernels", "GGUFFormat", "GGUFIO", "GGUFModel", "GGUFTokenizer", "GGUFChat", "GGUFTestSupport"]),
    ]
)
