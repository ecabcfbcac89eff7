import Foundation

/// Sampling settings with llama.cpp's defaults (`common_params_sampling`).
public struct SamplingParameters: Sendable, Equatable {
    public var temperature: Float = 0.8
    public var topK = 40
    public var topP: Float = 0.95
    public var minP: Float = 0.05
    public var repeatPenalty: Float = 1.0
    public var repeatLastN = 64
    public var seed: UInt64 = 0xFFFF_FFFF
    public init() {}
}

/// llama.cpp's default sampler chain: penalties, top-k, top-p, min-p, temperature, then a random
/// draw. Temperature ≤ 0 is greedy: the first token with the largest (penalized) logit.
public struct Sampler: Sendable {
    public var params: SamplingParameters
    var rng: SplitMix64
    /// Tokens seen (prompt and output), for the repeat penalty.
    public private(set) var recent: [Int32] = []

    public init(_ params: SamplingParameters) {
        self.params = params
        rng = SplitMix64(seed: params.seed)
    }

    /// Records a token (prompt or sampled) for the penalty window.
    public mutating func accept(_ t: Int32) {
        recent.append(t)
        let keep = max(params.repeatLastN, 0)
        if recent.count > keep * 2 + 64 { recent.removeFirst(recent.count - keep) }
    }

    /// Forgets the tokens seen (llama.cpp's `common_sampler_reset`, done at each new turn of a conversation).
    public mutating func reset() { recent = [] }

    /// Picks the next token from one row of logits.
    public mutating func sample(_ logits: [Float]) -> Int32 {
        var l = logits
        // Penalties: each distinct token of the last repeat_last_n (llama_sampler_penalties).
        if params.repeatPenalty != 1, params.repeatLastN != 0 {
            let window = params.repeatLastN < 0 ? recent[...] : recent.suffix(params.repeatLastN)
            for t in Set(window) where Int(t) < l.count {
                let i = Int(t)
                l[i] = l[i] <= 0 ? l[i] * params.repeatPenalty : l[i] / params.repeatPenalty
            }
        }
        if params.temperature <= 0 { return Self.argmax(l) }
        // Candidates sorted by logit, descending (ties: lower id first).
        var c = l.indices.map { (id: $0, logit: l[$0]) }
        c.sort { $0.logit > $1.logit || ($0.logit == $1.logit && $0.id < $1.id) }
        if params.topK > 0, params.topK < c.count { c.removeLast(c.count - params.topK) }
        if params.topP < 1 {
            let p = softmax(c.map(\.logit))
            var cum: Float = 0, keep = c.count
            for (i, pi) in p.enumerated() {
                cum += pi
                if cum >= params.topP && i + 1 >= 1 { keep = i + 1; break }
            }
            c.removeLast(c.count - keep)
        }
        if params.minP > 0, let top = c.first?.logit {
            let floor = top + logf(params.minP)
            let kept = c.filter { $0.logit >= floor }
            if !kept.isEmpty { c = kept }
        }
        let p = softmax(c.map { $0.logit / params.temperature })
        let r = Float(Double(rng.next() >> 11) * 0x1p-53)
        var cum: Float = 0
        for (i, pi) in p.enumerated() {
            cum += pi
            if r < cum { return Int32(c[i].id) }
        }
        return Int32(c.last!.id)
    }

    /// The first index of the largest value.
    public static func argmax(_ l: [Float]) -> Int32 {
        var best = 0
        for i in 1..<l.count where l[i] > l[best] { best = i }
        return Int32(best)
    }

    func softmax(_ x: [Float]) -> [Float] {
        guard let m = x.max() else { return [] }
        let e = x.map { expf($0 - m) }
        let s = e.reduce(0, +)
        return e.map { $0 / s }
    }
}

/// A small fast seeded generator (reproducible for a given --seed; not llama.cpp's mt19937 stream).
struct SplitMix64: Sendable {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
