import XCTest
import GGUFFormat
@testable import GGUFModel

/// A llama model's tensors in GGUF names and convert order (dims in ggml order).
func llamaTensors(dim: Int, layers: Int, heads: Int, kvHeads: Int, ffn: Int, vocab: Int, tied: Bool = false,
                  type: GGMLType = .f16) -> [MixTensor] {
    let kv = dim / heads * kvHeads
    var t = [MixTensor(name: "token_embd.weight", ne: [dim, vocab], type: type),
             MixTensor(name: "output_norm.weight", ne: [dim], type: .f32)]
    if !tied { t.append(MixTensor(name: "output.weight", ne: [dim, vocab], type: type)) }
    for i in 0..<layers {
        let p = "blk.\(i)."
        t += [MixTensor(name: p + "attn_norm.weight", ne: [dim], type: .f32),
              MixTensor(name: p + "attn_q.weight", ne: [dim, dim], type: type),
              MixTensor(name: p + "attn_k.weight", ne: [dim, kv], type: type),
              MixTensor(name: p + "attn_v.weight", ne: [dim, kv], type: type),
              MixTensor(name: p + "attn_output.weight", ne: [dim, dim], type: type),
              MixTensor(name: p + "ffn_norm.weight", ne: [dim], type: .f32),
              MixTensor(name: p + "ffn_gate.weight", ne: [dim, ffn], type: type),
              MixTensor(name: p + "ffn_down.weight", ne: [ffn, dim], type: type),
              MixTensor(name: p + "ffn_up.weight", ne: [dim, ffn], type: type)]
    }
    return t
}

final class QuantizeTargetTests: XCTestCase {
    func testParsing() throws {
        XCTAssertEqual(try QuantizeTarget(parsing: "q4_k_m"), .q4_K_M)
        XCTAssertEqual(try QuantizeTarget(parsing: "Q4_K"), .q4_K_M)
        XCTAssertEqual(try QuantizeTarget(parsing: "q3_k"), .q3_K_M)
        XCTAssertEqual(try QuantizeTarget(parsing: "Q5_K"), .q5_K_M)
        XCTAssertEqual(try QuantizeTarget(parsing: "bf16"), .bf16)
        XCTAssertEqual(try QuantizeTarget(parsing: "15"), .q4_K_M)
        XCTAssertEqual(try QuantizeTarget(parsing: "0"), .f32)
        XCTAssertEqual(try QuantizeTarget(parsing: "32"), .bf16)
        XCTAssertEqual(try QuantizeTarget(parsing: "7"), .q8_0)
        for bad in ["", "Q4_K_X", "COPY", "-1", "4", "33", "39"] {
            XCTAssertThrowsError(try QuantizeTarget(parsing: bad), bad)
        }
        // Every llama-quantize type parses and is written (IQ1/IQ2, IQ3_XXS/IQ3_XS, Q2_K_S with an imatrix).
        XCTAssertEqual(try QuantizeTarget(parsing: "iq4_xs"), .iq4_XS)
        XCTAssertEqual(try QuantizeTarget(parsing: "19"), .iq2_XXS)
        XCTAssertEqual(try QuantizeTarget(parsing: "Q2_K_S"), .q2_K_S)
        XCTAssertEqual(try QuantizeTarget(parsing: "38"), .mxfp4_MOE)
        XCTAssertEqual(QuantizeTarget.producible.count, 35)
        XCTAssertEqual(QuantizeTarget.allCases.count, 35)
        XCTAssertTrue(QuantizeTarget.iq4_XS.isProducible)
        XCTAssertTrue(QuantizeTarget.iq3_M.isProducible)
        XCTAssertTrue(QuantizeTarget.iq3_XS.isProducible)    // its plans use IQ3_XXS (with an imatrix)
        XCTAssertTrue(QuantizeTarget.q2_0.isProducible)
        XCTAssertEqual(QuantizeTarget.allCases.filter(\.existedIn2023).count, 16)
    }

    func testFileTypesAndDefaults() {
        for t in QuantizeTarget.allCases {
            XCTAssertEqual(QuantizeTarget(fileType: t.fileType), t)
            XCTAssertEqual(t.fileType.shortName, t.name)
        }
        XCTAssertEqual(QuantizeTarget.q3_K_L.defaultType, .q3_K)
        XCTAssertEqual(QuantizeTarget.q5_K_S.defaultType, .q5_K)
        XCTAssertEqual(QuantizeTarget.f32.defaultType, .f32)
    }
}

final class MixPolicyTests: XCTestCase {
    /// §1 of ftype-mixes.md: layers with "more bits".
    func testUseMoreBits() {
        func layers(_ n: Int) -> [Int] { (0..<n).filter { useMoreBits($0, n) } }
        XCTAssertEqual(layers(26), [0, 1, 2, 5, 8, 11, 14, 17, 20, 22, 23, 24, 25])
        XCTAssertEqual(layers(32), [0, 1, 2, 3, 6, 9, 12, 15, 18, 21, 24, 27, 28, 29, 30, 31])
        XCTAssertEqual(layers(40).count, 20)
        XCTAssertEqual(layers(60).count, 30)
        XCTAssertEqual(layers(80), Array(0...9) + Array(stride(from: 12, through: 69, by: 3)) + Array(70...79))
    }

    func testModelFacts() {
        XCTAssertTrue(MixModel(nLayer: 80, nHead: 64, nHeadKV: 8).is70B)
        XCTAssertFalse(MixModel(nLayer: 80, nHead: 64).is70B)  // 65B
        XCTAssertEqual(MixModel(nLayer: 80, nHead: 64, nHeadKV: 8).nGQA, 8)
        XCTAssertEqual(MixModel(nLayer: 2, nHead: 4, nHeadKV: 0).nGQA, 0)
    }

    /// The worked example of §3.2: Llama-2 7B Q4_K_M, both eras.
    func testLlama7BQ4KM() throws {
        let tensors = llamaTensors(dim: 4096, layers: 32, heads: 32, kvHeads: 32, ffn: 11008, vocab: 32000)
        let six: Set = [0, 1, 2, 3, 6, 9, 12, 15, 18, 21, 24, 27, 28, 29, 30, 31]
        for era in MixEra.allCases {
            let plan = try MixPolicy(target: .q4_K_M, era: era).plan(model: MixModel(nLayer: 32, nHead: 32), tensors: tensors)
            XCTAssertEqual(plan["output.weight"], .q6_K)
            XCTAssertEqual(plan["token_embd.weight"], .q4_K)
            XCTAssertEqual(plan["output_norm.weight"], .f32)
            for i in 0..<32 {
                let want: GGMLType = six.contains(i) ? .q6_K : .q4_K
                XCTAssertEqual(plan["blk.\(i).attn_v.weight"], want)
                XCTAssertEqual(plan["blk.\(i).ffn_down.weight"], want)
                XCTAssertEqual(plan["blk.\(i).attn_q.weight"], .q4_K)
            }
        }
    }

    /// §8: 80 layers with GQA (70B): attn_v bumps.
    func test70B() throws {
        let t = llamaTensors(dim: 256, layers: 80, heads: 8, kvHeads: 1, ffn: 512, vocab: 512)
        let m = MixModel(nLayer: 80, nHead: 8, nHeadKV: 1)
        let km = try MixPolicy(target: .q4_K_M).plan(model: m, tensors: t)
        XCTAssertEqual((0..<80).filter { km["blk.\($0).attn_v.weight"] == .q6_K }.count, 40)
        XCTAssertEqual((0..<80).filter { km["blk.\($0).attn_v.weight"] == .q5_K }.count, 40)
        let k3m = try MixPolicy(target: .q3_K_M).plan(model: m, tensors: t)
        XCTAssertTrue((0..<80).allSatisfy { k3m["blk.\($0).attn_v.weight"] == .q5_K })
        XCTAssertEqual((0..<80).filter { k3m["blk.\($0).ffn_down.weight"] == .q5_K }, Array(0..<5))
        for target in [QuantizeTarget.q2_K, .q3_K_S] {
            let p = try MixPolicy(target: target).plan(model: m, tensors: t)
            XCTAssertTrue((0..<80).allSatisfy { p["blk.\($0).attn_v.weight"] == .q5_K }, "\(target)")
        }
        // The 2023 quantizer had no 70B rule.
        let old = try MixPolicy(target: .q4_K_M, era: .v2023).plan(model: m, tensors: llamaTensors(dim: 256, layers: 80, heads: 8, kvHeads: 8, ffn: 512, vocab: 512))
        XCTAssertEqual((0..<80).filter { old["blk.\($0).attn_v.weight"] == .q4_K }.count, 40)
    }

    func testCurrentFallbacks() throws {
        // Row 320 (32-multiple, not 256) and 1000 (not a 32-multiple).
        let t = llamaTensors(dim: 320, layers: 2, heads: 5, kvHeads: 5, ffn: 1000, vocab: 512)
        let m = MixModel(nLayer: 2, nHead: 5)
        let p = try MixPolicy(target: .q4_K_M).plan(model: m, tensors: t)
        XCTAssertEqual(p["output.weight"], .q8_0)
        XCTAssertEqual(p["token_embd.weight"], .q5_0)
        XCTAssertEqual(p["blk.0.attn_v.weight"], .q5_0)   // Q4_K -> Q5_0
        XCTAssertEqual(p["blk.1.attn_v.weight"], .q8_0)   // Q6_K (more bits: i >= 7n/8) -> Q8_0
        XCTAssertEqual(p["blk.0.attn_q.weight"], .q5_0)
        XCTAssertEqual(p["blk.0.ffn_down.weight"], .f16)  // 1000 % 32 != 0
        // Every 2-D weight falls back except output.weight, which the output rule itself sets to Q8_0.
        XCTAssertEqual(p.fallbackCount, p.tensors.filter { $0.ne.count == 2 }.count - 1)
        let q4 = try MixPolicy(target: .q4_0).plan(model: m, tensors: t)
        XCTAssertEqual(q4["blk.1.ffn_down.weight"], .f16)  // "must use F16 due to unusual shape"
        XCTAssertEqual(q4["output.weight"], .q8_0)         // Q6_K -> Q8_0
        XCTAssertEqual(try Fallback.current(.q3_K, ne0: 320, name: "x").0, .q4_0)
        XCTAssertEqual(try Fallback.current(.q5_K, ne0: 320, name: "x").0, .q5_1)
        XCTAssertEqual(try Fallback.current(.iq2_XS, ne0: 320, name: "x").0, .iq4_NL)
        XCTAssertThrowsError(try Fallback.current(.q1_0, ne0: 320, name: "x"))
        let f16 = try MixPolicy(target: .f16).plan(model: m, tensors: t)
        XCTAssertTrue(f16.tensors.allSatisfy { $0.isCopy })
    }

    func testTiedEmbeddings() throws {
        let t = llamaTensors(dim: 256, layers: 2, heads: 4, kvHeads: 4, ffn: 768, vocab: 512, tied: true)
        let m = MixModel(nLayer: 2, nHead: 4)
        XCTAssertEqual(try MixPolicy(target: .q4_0).plan(model: m, tensors: t)["token_embd.weight"], .q6_K)
        XCTAssertEqual(try MixPolicy(target: .q8_0).plan(model: m, tensors: t)["token_embd.weight"], .q8_0)
        let o = MixOptions(outputTensorType: .q5_K)
        XCTAssertEqual(try MixPolicy(target: .q4_0, options: o).plan(model: m, tensors: t)["token_embd.weight"], .q5_K)
        XCTAssertEqual(try MixPolicy(target: .q4_0, options: MixOptions(pure: true)).plan(model: m, tensors: t)["token_embd.weight"], .q4_0)
        XCTAssertEqual(try MixPolicy(target: .q4_0, era: .v2023).plan(model: m, tensors: t)["token_embd.weight"], .q4_0)
    }

    func testOverrides() throws {
        let t = llamaTensors(dim: 256, layers: 4, heads: 4, kvHeads: 4, ffn: 768, vocab: 512)
        let m = MixModel(nLayer: 4, nHead: 4)
        let o = MixOptions(tensorTypeOverrides: [try TensorTypeOverride(parsing: "BLK\\.0\\.ATTN_V=q8_0"),
                                                  try TensorTypeOverride(parsing: "attn_v=Q2_K")])
        let p = try MixPolicy(target: .q4_K_M, options: o).plan(model: m, tensors: t)
        XCTAssertEqual(p["blk.0.attn_v.weight"], .q8_0)
        XCTAssertEqual(p["blk.1.attn_v.weight"], .q2_K)
        // Overridden attn_v are not counted: use_more_bits(i, 4) is true for i=2,3 only, and no attn_v is counted.
        XCTAssertEqual(p["blk.2.ffn_down.weight"], .q6_K)
        XCTAssertEqual(try TensorTypeOverride(parsing: "Attn_Q=q5_k"), TensorTypeOverride(pattern: "attn_q", type: .q5_K))
        // The CLI lower-cases the whole pattern, escapes included: \\D (non-digit) becomes \\d (digit).
        XCTAssertEqual(try TensorTypeOverride(parsing: "BLK\\.\\D=q8_0").pattern, "blk\\.\\d")
        XCTAssertThrowsError(try TensorTypeOverride(parsing: "attn_q"))
        XCTAssertThrowsError(try TensorTypeOverride(parsing: "=q4_0"))
        XCTAssertThrowsError(try TensorTypeOverride(parsing: "attn_q=q9_9"))
        XCTAssertThrowsError(try MixPolicy(target: .q4_0, options: MixOptions(tensorTypeOverrides: [.init(pattern: "(", type: .q4_0)])))
        // Overrides only apply when the default type is quantized.
        let f = try MixPolicy(target: .f16, options: o).plan(model: m, tensors: t)
        XCTAssertEqual(f["blk.0.attn_v.weight"], .f16)
    }

    func test2023Rules() throws {
        let m = MixModel(nLayer: 2, nHead: 4)
        // Unusual shape with a legacy target: output keeps the default (no Q6_K), no error.
        let odd = llamaTensors(dim: 64, layers: 2, heads: 4, kvHeads: 4, ffn: 172, vocab: 512, type: .f32)
        let q4 = try MixPolicy(target: .q4_0, era: .v2023).plan(model: m, tensors: odd)
        XCTAssertEqual(q4["output.weight"], .q4_0)
        XCTAssertEqual(q4["blk.0.ffn_down.weight"], .q4_0)
        // k-quants: output F16, embeddings Q4_0, anything else an error.
        XCTAssertThrowsError(try MixPolicy(target: .q4_K_M, era: .v2023).plan(model: m, tensors: odd)) {
            guard case QuantizeMixError.unsupportedTensorSize = $0 else { return XCTFail("\($0)") }
        }
        let onlyEnds = odd.filter { !$0.name.hasPrefix("blk.") }
        let k = try MixPolicy(target: .q4_K_M, era: .v2023).plan(model: m, tensors: onlyEnds)
        XCTAssertEqual(k["output.weight"], .f16)
        XCTAssertEqual(k["token_embd.weight"], .q4_0)
        // ne1 matters in 2023 (not in current): 512 x 128 attn_v.
        let gqa = llamaTensors(dim: 512, layers: 2, heads: 8, kvHeads: 2, ffn: 1536, vocab: 512)
        XCTAssertThrowsError(try MixPolicy(target: .q4_K_S, era: .v2023).plan(model: MixModel(nLayer: 2, nHead: 8, nHeadKV: 2), tensors: gqa))
        // Quirk: the output rule runs for F16/Q8_0 targets too.
        let f32 = llamaTensors(dim: 256, layers: 2, heads: 4, kvHeads: 4, ffn: 768, vocab: 512, type: .f32)
        XCTAssertEqual(try MixPolicy(target: .f16, era: .v2023).plan(model: m, tensors: f32)["output.weight"], .q6_K)
        XCTAssertEqual(try MixPolicy(target: .f16, era: .current).plan(model: m, tensors: f32)["output.weight"], .f16)
        // A tensor already in the default type is copied without rules.
        var src = llamaTensors(dim: 256, layers: 2, heads: 4, kvHeads: 4, ffn: 768, vocab: 512)
        src[2].type = .q4_0  // output.weight
        let same = try MixPolicy(target: .q4_0, era: .v2023, options: MixOptions(allowRequantize: true)).plan(model: m, tensors: src)
        XCTAssertEqual(same["output.weight"], .q4_0)
        XCTAssertEqual(try MixPolicy(target: .q4_0).plan(model: m, tensors: src)["output.weight"], .q6_K)
        // Options and targets that did not exist.
        XCTAssertThrowsError(try MixPolicy(target: .bf16, era: .v2023))
        XCTAssertThrowsError(try MixPolicy(target: .q4_0, era: .v2023, options: MixOptions(pure: true)))
        XCTAssertNoThrow(try MixPolicy(target: .q4_0, era: .v2023, options: MixOptions(leaveOutputTensor: true)))
    }

    func testRequantizeIsInformative() throws {
        let t = llamaTensors(dim: 256, layers: 2, heads: 4, kvHeads: 4, ffn: 768, vocab: 512, type: .q8_0)
        let m = MixModel(nLayer: 2, nHead: 4)
        let p = try MixPolicy(target: .q4_K_M).plan(model: m, tensors: t)
        XCTAssertEqual(p.requantizeViolation?.name, "output.weight")
        XCTAssertNil(try MixPolicy(target: .q4_K_M, options: MixOptions(allowRequantize: true)).plan(model: m, tensors: t).requantizeViolation)
        XCTAssertNil(try MixPolicy(target: .q8_0).plan(model: m, tensors: t).requantizeViolation)
    }
}

final class TensorOrderTests: XCTestCase {
    func testLayerIndex() {
        XCTAssertEqual(TensorOrder.layerIndex("blk.12.attn_v.weight"), 12)
        XCTAssertEqual(TensorOrder.layerIndex("output.weight"), -1)
        XCTAssertEqual(TensorOrder.layerIndex("blk.x.attn_v.weight"), -1)
        XCTAssertEqual(TensorOrder.layerIndex("blk.-2.a"), -2)
    }

    func testQuantizerOrder() {
        let names = llamaTensors(dim: 256, layers: 11, heads: 4, kvHeads: 4, ffn: 768, vocab: 512).map(\.name)
        let order = TensorOrder.quantizerOrder(names)
        XCTAssertEqual(Array(order.prefix(12)), [
            "output.weight", "output_norm.weight", "token_embd.weight",
            "blk.0.attn_k.weight", "blk.0.attn_norm.weight", "blk.0.attn_output.weight", "blk.0.attn_q.weight",
            "blk.0.attn_v.weight", "blk.0.ffn_down.weight", "blk.0.ffn_gate.weight", "blk.0.ffn_norm.weight",
            "blk.0.ffn_up.weight"])
        XCTAssertEqual(order[order.count - 9], "blk.10.attn_k.weight")  // numeric, not "blk.1" < "blk.10" < "blk.2"
        XCTAssertEqual(order[3 + 9 * 2], "blk.2.attn_k.weight")
    }

    func testKeyOrder() {
        XCTAssertEqual(TensorOrder.quantizedKeyOrder(["general.architecture", "general.file_type", "llama.block_count", "split.count"]),
                       ["general.architecture", "llama.block_count", "general.quantization_version", "general.file_type"])
        XCTAssertEqual(TensorOrder.quantizedKeyOrder(["a", "general.quantization_version", "b"], overrides: ["a"]),
                       ["b", "general.quantization_version", "general.file_type", "a"])
    }
}
