/// A ggml element type that GGUFKernels knows, numbered as in `enum ggml_type`.
///
/// Raw values are ggml's type ids, so `QuantType(rawValue: ggmlType.rawValue)` maps a file's tensor type.
/// What each type supports (quantize, dequantize, dot product) is in ``traits``: one table drives every
/// type, like ggml's `type_traits` and `type_traits_cpu`.
public enum QuantType: UInt32, Sendable, CaseIterable, CustomStringConvertible {
    case f32 = 0, f16 = 1
    case q4_0 = 2, q4_1 = 3, q5_0 = 6, q5_1 = 7, q8_0 = 8, q8_1 = 9
    case q2_K = 10, q3_K = 11, q4_K = 12, q5_K = 13, q6_K = 14, q8_K = 15
    case iq2_XXS = 16, iq2_XS = 17, iq3_XXS = 18, iq1_S = 19, iq4_NL = 20, iq3_S = 21, iq2_S = 22, iq4_XS = 23
    case iq1_M = 29, bf16 = 30, tq1_0 = 34, tq2_0 = 35, mxfp4 = 39
    case q1_0 = 41, q2_0 = 42

    /// ggml's name of the type ("Q4_K", "F16", …).
    public var description: String { traits.name }

    /// Elements per block (1 for F32/F16/BF16).
    public var blockSize: Int { traits.blockSize }

    /// Bytes per block.
    public var bytesPerBlock: Int { traits.bytesPerBlock }

    /// Bytes of a row of `n` elements; throws when `n` is not a multiple of the block size.
    public func rowSize(_ n: Int) throws(KernelError) -> Int {
        let t = traits
        guard n >= 0, n % t.blockSize == 0 else {
            throw .rowLengthNotMultiple(type: self, rowLength: n, blockSize: t.blockSize)
        }
        return n / t.blockSize * t.bytesPerBlock
    }

    /// The table entry of this type.
    public var traits: QuantTraits { QuantTraits.table[Int(rawValue)]! }
}

/// A row kernel that turns `count` floats into `count / blockSize` blocks.
public typealias QuantizeRowFn = @Sendable (_ src: UnsafePointer<Float>, _ dst: UnsafeMutableRawPointer, _ count: Int) -> Void
/// A row kernel with importance weights (ggml's `quantize_*` given `quant_weights`): `weights` holds a float
/// per column of the row (an imatrix entry), or is nil for the type's unweighted quantization.
public typealias WeightedQuantizeRowFn = @Sendable (_ src: UnsafePointer<Float>, _ dst: UnsafeMutableRawPointer, _ count: Int,
                                                    _ weights: UnsafePointer<Float>?) -> Void
/// A row kernel that turns the blocks of `count` elements into floats.
public typealias DequantizeRowFn = @Sendable (_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, _ count: Int) -> Void
/// A dot product of `count` elements: `x` a row of the weight type, `y` a row of its ``QuantTraits/vecDotType``.
public typealias VecDotFn = @Sendable (_ count: Int, _ x: UnsafeRawPointer, _ y: UnsafeRawPointer) -> Float
/// A dot product as a C function (the AVX2 kernels of CKernels), for callers that loop over rows in C.
public typealias CVecDotFn = @convention(c) (_ count: Int, _ x: UnsafeRawPointer, _ y: UnsafeRawPointer) -> Float

/// What GGUFKernels can do with one type (ggml's `type_traits` + `type_traits_cpu`).
///
/// The row functions do not check the row length; ``Kernels`` does, and so should a caller that uses
/// them directly (`count` must be a multiple of ``blockSize``).
public struct QuantTraits: Sendable {
    /// ggml's name of the type.
    public let name: String
    /// Elements per block.
    public let blockSize: Int
    /// Bytes per block.
    public let bytesPerBlock: Int
    /// The reference quantizer (what `llama-quantize` writes without an imatrix), or nil: the AVX2 C
    /// quantizer where there is one and it runs (Q4_1, Q3_K, BF16, MXFP4, IQ4_NL, IQ4_XS; see ``usesCKernels``), else ``portableQuantizeRow``.
    public let quantizeRow: QuantizeRowFn?
    /// The Swift reference quantizer (every platform; the same bytes as ``quantizeRow``).
    public let portableQuantizeRow: QuantizeRowFn?
    /// The quantizer that takes importance weights (one row), as `ggml_quantize_chunk` with an imatrix, or nil
    /// where GGUFKernels does not implement ggml's weighted algorithm. With nil weights it gives
    /// ``quantizeRow``'s bytes. F32/F16/BF16, Q8_0, TQ1_0, TQ2_0 and MXFP4 ignore the weights, as ggml does.
    public let quantizeRowWeighted: WeightedQuantizeRowFn?
    /// The dequantizer (ggml's `to_float`), or nil: the AVX2 C one where there is one and it runs (Q8_0,
    /// Q4_K, Q5_K; see ``usesCKernels``), else ``portableDequantizeRow``.
    public let dequantizeRow: DequantizeRowFn?
    /// The Swift dequantizer (every platform; the same floats as ``dequantizeRow``).
    public let portableDequantizeRow: DequantizeRowFn?
    /// Whether ggml quantizes this type only with importance weights (`ggml_quantize_requires_imatrix`: IQ2_XXS,
    /// IQ2_XS, IQ1_S): ``quantizeRow`` is nil, ``Kernels/quantize(_:src:dst:rows:rowLength:weights:)`` throws
    /// `unsupported(…, "quantize without importance weights")` without them, and ``quantizeRowWeighted`` must be
    /// given weights (a precondition: ggml asserts).
    public var requiresImportanceWeights: Bool { quantizeRow == nil && quantizeRowWeighted != nil }
    /// The type activations are converted to before a dot product with this weight type, or nil.
    public let vecDotType: QuantType?
    /// The dot product of a row of this type with a row of ``vecDotType``, or nil: the AVX2 C kernel
    /// (CKernels) where it runs (see ``usesCKernels``), else ``portableVecDot``.
    public let vecDot: VecDotFn?
    /// The Swift dot product (every platform; what ``vecDot`` is without the C kernels).
    public let portableVecDot: VecDotFn?
    /// ``vecDot`` as a C function pointer when it is a C kernel (``usesCKernels``), else nil.
    public let vecDotFunction: CVecDotFn?
    /// The activation quantizer of the CPU backend (`from_float` in `type_traits_cpu`) when this type is
    /// some type's ``vecDotType``; for Q8_0/Q8_1 it is the x86 AVX2 variant (127/amax, ties to even), which
    /// differs from the reference quantizer. The C kernel where it runs, else ``portableFromFloat`` (same bytes).
    public let fromFloat: QuantizeRowFn?
    /// The Swift activation quantizer (every platform).
    public let portableFromFloat: QuantizeRowFn?
    /// The C dot product (AVX2 level) and activation quantizer when this CPU can run them (x86-64 with AVX2,
    /// FMA and F16C), whether or not `GGUFKIT_KERNELS=swift` turned them off; for tests.
    let cVecDot: VecDotFn?, cFromFloat: QuantizeRowFn?, cQuantize: QuantizeRowFn?, cDequantize: DequantizeRowFn?
    /// Whether the kernels of this type were checked bit for bit against llama.cpp (see docs/kernels.md).
    public let verified: Bool

    /// Whether ``vecDot`` and ``fromFloat`` are the C kernels: the CPU has AVX2, FMA and F16C (checked at
    /// run time; any build, portable included) and the environment variable `GGUFKIT_KERNELS` is not `swift`.
    public static let usesCKernels: Bool = CKernelTable.enabled

    init(_ name: String, _ blockSize: Int, _ bytes: Int, quantize: QuantizeRowFn? = nil, weighted: WeightedQuantizeRowFn? = nil,
         ignoresWeights: Bool = false, dequantize: DequantizeRowFn? = nil,
         vecDotType: QuantType? = nil, vecDot: VecDotFn? = nil, fromFloat: QuantizeRowFn? = nil, verified: Bool = true) {
        self.name = name; self.blockSize = blockSize; self.bytesPerBlock = bytes
        self.portableQuantizeRow = quantize; self.portableDequantizeRow = dequantize
        self.vecDotType = vecDotType; self.portableVecDot = vecDot; self.portableFromFloat = fromFloat; self.verified = verified
        cVecDot = CKernelTable.vecDot(name)
        cFromFloat = CKernelTable.fromFloat(name)
        cQuantize = CKernelTable.quantize(name)
        cDequantize = CKernelTable.dequantize(name)
        let useC = CKernelTable.enabled
        self.dequantizeRow = useC ? cDequantize ?? dequantize : dequantize
        let q = useC ? cQuantize ?? quantize : quantize
        self.quantizeRow = q
        if let weighted {
            self.quantizeRowWeighted = weighted
        } else if ignoresWeights, let q {
            self.quantizeRowWeighted = { s, d, n, _ in q(s, d, n) }
        } else {
            self.quantizeRowWeighted = nil
        }
        // the dot products of the active level (AVX-512 differs from AVX2 for F32/F16/BF16), fixed at first use
        let level = KernelLevel.active
        self.vecDot = useC ? CKernelTable.vecDot(name, level: level) ?? cVecDot ?? vecDot : vecDot
        self.vecDotFunction = useC ? CKernelTable.vecDotFunction(name, level: level) ?? CKernelTable.vecDotFunction(name) : nil
        self.fromFloat = useC ? cFromFloat ?? fromFloat : fromFloat
    }

    /// The table, indexed by ggml type id.
    static let table: [QuantTraits?] = {
        var t = [QuantTraits?](repeating: nil, count: 43)
        t[0] = QuantTraits("F32", 1, 4, quantize: { s, d, n in d.copyMemory(from: s, byteCount: 4 * n) }, ignoresWeights: true,
                           dequantize: { s, d, n in UnsafeMutableRawPointer(d).copyMemory(from: s, byteCount: 4 * n) },
                           vecDotType: .f32, vecDot: FloatDot.f32,
                           fromFloat: { s, d, n in d.copyMemory(from: s, byteCount: 4 * n) })
        t[1] = QuantTraits("F16", 1, 2, quantize: { s, d, n in Half.fp16(s, d.assumingMemoryBound(to: UInt16.self), count: n) }, ignoresWeights: true,
                           dequantize: { s, d, n in Half.fp32(fp16: s.assumingMemoryBound(to: UInt16.self), d, count: n) },
                           vecDotType: .f16, vecDot: FloatDot.f16,
                           fromFloat: { s, d, n in Half.fp16(s, d.assumingMemoryBound(to: UInt16.self), count: n) })
        t[30] = QuantTraits("BF16", 1, 2, quantize: { s, d, n in Half.bf16(s, d.assumingMemoryBound(to: UInt16.self), count: n) }, ignoresWeights: true,
                            dequantize: { s, d, n in Half.fp32(bf16: s.assumingMemoryBound(to: UInt16.self), d, count: n) },
                            vecDotType: .bf16, vecDot: FloatDot.bf16,
                            fromFloat: { s, d, n in Half.bf16(s, d.assumingMemoryBound(to: UInt16.self), count: n) })
        t[2] = QuantTraits("Q4_0", 32, 18, quantize: Q4_0.quantize, weighted: WeightedLegacy.q4_0, dequantize: Q4_0.dequantize, vecDotType: .q8_0, vecDot: LegacyDot.q4_0)
        t[3] = QuantTraits("Q4_1", 32, 20, quantize: Q4_1.quantize, weighted: WeightedLegacy.q4_1, dequantize: Q4_1.dequantize, vecDotType: .q8_1, vecDot: LegacyDot.q4_1)
        t[6] = QuantTraits("Q5_0", 32, 22, quantize: Q5_0.quantize, weighted: WeightedLegacy.q5_0, dequantize: Q5_0.dequantize, vecDotType: .q8_0, vecDot: LegacyDot.q5_0)
        t[7] = QuantTraits("Q5_1", 32, 24, quantize: Q5_1.quantize, weighted: WeightedLegacy.q5_1, dequantize: Q5_1.dequantize, vecDotType: .q8_1, vecDot: LegacyDot.q5_1)
        t[8] = QuantTraits("Q8_0", 32, 34, quantize: Q8_0.quantize, ignoresWeights: true, dequantize: Q8_0.dequantize, vecDotType: .q8_0, vecDot: LegacyDot.q8_0,
                           fromFloat: Q8_0.quantizeActivations)
        t[9] = QuantTraits("Q8_1", 32, 36, quantize: Q8_1.quantize, dequantize: Q8_1.dequantize, fromFloat: Q8_1.quantizeActivations)
        t[10] = QuantTraits("Q2_K", 256, 84, quantize: Q2_K.quantize, weighted: WeightedKQuants.q2_K, dequantize: Q2_K.dequantize, vecDotType: .q8_K, vecDot: KQuantDot.q2_K)
        t[11] = QuantTraits("Q3_K", 256, 110, quantize: { x, y, n in Q3_K.quantize(x, y, n) }, weighted: WeightedKQuants.q3_K, dequantize: Q3_K.dequantize, vecDotType: .q8_K, vecDot: KQuantDot.q3_K)
        t[12] = QuantTraits("Q4_K", 256, 144, quantize: Q4_K.quantize, weighted: WeightedKQuants.q4_K, dequantize: Q4_K.dequantize, vecDotType: .q8_K, vecDot: KQuantDot.q4_K)
        t[13] = QuantTraits("Q5_K", 256, 176, quantize: Q5_K.quantize, weighted: WeightedKQuants.q5_K, dequantize: Q5_K.dequantize, vecDotType: .q8_K, vecDot: KQuantDot.q5_K)
        t[14] = QuantTraits("Q6_K", 256, 210, quantize: { x, y, n in Q6_K.quantize(x, y, n) }, weighted: WeightedKQuants.q6_K, dequantize: Q6_K.dequantize, vecDotType: .q8_K, vecDot: KQuantDot.q6_K)
        t[15] = QuantTraits("Q8_K", 256, 292, quantize: Q8_K.quantize, dequantize: Q8_K.dequantize, fromFloat: Q8_K.quantize)
        // IQ grid quantizers (IQ2Quant.swift, IQ3XXSQuant.swift, IQ1Quant.swift); IQ2_XXS, IQ2_XS, IQ1_S need weights
        t[16] = QuantTraits("IQ2_XXS", 256, 66, weighted: { x, y, n, w in IQ2Quant.quantizeXXS(x, y, n, weights: requireWeights(w, "IQ2_XXS")) },
                            dequantize: IQ2_XXS.dequantize,
                            vecDotType: .q8_K, vecDot: IQDot.iq2_xxs)
        t[17] = QuantTraits("IQ2_XS", 256, 74, weighted: { x, y, n, w in IQ2Quant.quantizeXSorS(x, y, n, weights: requireWeights(w, "IQ2_XS"), xs: true) },
                            dequantize: IQ2_XS.dequantize,
                            vecDotType: .q8_K, vecDot: IQDot.iq2_xs)
        t[18] = QuantTraits("IQ3_XXS", 256, 98, quantize: { x, y, n in IQ3XXSQuant.quantize(x, y, n, weights: nil) },
                            weighted: { x, y, n, w in IQ3XXSQuant.quantize(x, y, n, weights: w) }, dequantize: IQ3_XXS.dequantize,
                            vecDotType: .q8_K, vecDot: IQDot.iq3_xxs)
        t[19] = QuantTraits("IQ1_S", 256, 50, weighted: { x, y, n, w in IQ1Quant.quantizeS(x, y, n, weights: requireWeights(w, "IQ1_S")) },
                            dequantize: IQ1_S.dequantize,
                            vecDotType: .q8_K, vecDot: IQDot.iq1_s)
        t[20] = QuantTraits("IQ4_NL", 32, 18, quantize: { x, y, n in IQ4_NL.quantize(x, y, n, weights: nil) },
                            weighted: { x, y, n, w in IQ4_NL.quantize(x, y, n, weights: w, cPasses: CKernelTable.enabled) }, dequantize: IQ4_NL.dequantize,
                            vecDotType: .q8_0, vecDot: LookupDot.iq4_nl)
        t[21] = QuantTraits("IQ3_S", 256, 110, quantize: { x, y, n in IQ3SQuant.quantize(x, y, n, weights: nil) },
                            weighted: { x, y, n, w in IQ3SQuant.quantize(x, y, n, weights: w) }, dequantize: IQ3_S.dequantize,
                            vecDotType: .q8_K, vecDot: IQDot.iq3_s)
        t[22] = QuantTraits("IQ2_S", 256, 82, quantize: { x, y, n in IQ2Quant.quantizeXSorS(x, y, n, weights: nil, xs: false) },
                            weighted: { x, y, n, w in IQ2Quant.quantizeXSorS(x, y, n, weights: w, xs: false) }, dequantize: IQ2_S.dequantize,
                            vecDotType: .q8_K, vecDot: IQDot.iq2_s)
        t[23] = QuantTraits("IQ4_XS", 256, 136, quantize: { x, y, n in IQ4_XS.quantize(x, y, n, weights: nil) },
                            weighted: { x, y, n, w in IQ4_XS.quantize(x, y, n, weights: w, cPasses: CKernelTable.enabled) }, dequantize: IQ4_XS.dequantize,
                            vecDotType: .q8_K, vecDot: LookupDot.iq4_xs)
        t[29] = QuantTraits("IQ1_M", 256, 56, quantize: { x, y, n in IQ1Quant.quantizeM(x, y, n, weights: nil) },
                            weighted: { x, y, n, w in IQ1Quant.quantizeM(x, y, n, weights: w) }, dequantize: IQ1_M.dequantize,
                            vecDotType: .q8_K, vecDot: IQDot.iq1_m)
        t[34] = QuantTraits("TQ1_0", 256, 54, quantize: TQ1_0.quantize, ignoresWeights: true, dequantize: TQ1_0.dequantize,
                            vecDotType: .q8_K, vecDot: TernaryDot.tq1_0)
        t[35] = QuantTraits("TQ2_0", 256, 66, quantize: TQ2_0.quantize, ignoresWeights: true, dequantize: TQ2_0.dequantize,
                            vecDotType: .q8_K, vecDot: TernaryDot.tq2_0)
        t[39] = QuantTraits("MXFP4", 32, 17, quantize: { x, y, n in MXFP4.quantize(x, y, n) }, ignoresWeights: true, dequantize: MXFP4.dequantize,
                            vecDotType: .q8_0, vecDot: LookupDot.mxfp4)
        // Q1_0/Q2_0 (Legacy/Q1Q2.swift): reference quantizers; ggml ignores importance weights
        t[41] = QuantTraits("Q1_0", 128, 18, quantize: Q1_0.quantize, ignoresWeights: true, dequantize: Q1_0.dequantize)
        t[42] = QuantTraits("Q2_0", 64, 18, quantize: Q2_0.quantize, ignoresWeights: true, dequantize: Q2_0.dequantize)
        return t
    }()
}

/// The weights of a type that ggml quantizes only with them (it asserts `quant_weights`); callers check
/// ``QuantTraits/requiresImportanceWeights`` first (``Kernels`` throws).
@inline(__always) func requireWeights(_ w: UnsafePointer<Float>?, _ type: String) -> UnsafePointer<Float> {
    guard let w else { preconditionFailure("\(type) quantizes only with importance weights (check requiresImportanceWeights)") }
    return w
}
