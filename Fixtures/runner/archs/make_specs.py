"""Writes the runnable synthetic models of the runner's architecture tests (ModelSpec text, ../../../Sources/GGUFModel/Synthetic/ModelSpec.swift):
llama-moe (Mixtral layout), qwen2, qwen3, qwen3moe, qwen3-hd128 (attention.key_length 128: Q rows of 512), and llama3 (dense llama with rope_freqs.weight, freq_base 500000). n_embd 256, 4 heads / 2 KV heads (head 64), 2 layers, n_ff 512,
an SPM vocabulary of 320 tokens (<unk> <s> </s>, 256 byte tokens, then ▁tN pieces, as SyntheticModel's), context 256.
Run from this folder: python3 make_specs.py (then make_refs.sh for the llama.cpp logits)."""

D, HEADS, KV, LAYERS, FF, VOCAB = 256, 4, 2, 2, 512, 320


def vocab():
    toks = ["<unk>", "<s>", "</s>"] + ["<0x%02X>" % b for b in range(256)]
    toks += ["▁t%d" % i for i in range(VOCAB - len(toks))]
    types = [2, 3, 3] + [6] * 256 + [1] * (VOCAB - 259)
    scores = [0 if i < 259 else -i for i in range(VOCAB)]
    return [("tokenizer.ggml.model", "str", "llama"),
            ("tokenizer.ggml.tokens", "arr_str", ",".join(toks)),
            ("tokenizer.ggml.scores", "arr_f32", ",".join(str(s) for s in scores)),
            ("tokenizer.ggml.token_type", "arr_i32", ",".join(str(t) for t in types)),
            ("tokenizer.ggml.bos_token_id", "u32", "1"),
            ("tokenizer.ggml.eos_token_id", "u32", "2"),
            ("tokenizer.ggml.unknown_token_id", "u32", "0")]


def spec(arch, experts=0, used=0, ffexp=0, bias=False, qknorm=False, hd=None, name=None, ropefreqs=False, base="10000",
         kvx=(), tied=False, gname=None, postnorm=False, fusedqkv=False, fusedup=False, shexp=0, ropefactors=False):
    """kvx: extra keys (name without the arch prefix, type, value); tied: no output.weight (gemma); postnorm: gemma2/3's
    post_attention_norm and post_ffw_norm; fusedqkv/fusedup: phi3's attn_qkv and ffn_up of 2·n_ff; shexp: qwen2moe's shared
    expert of that width; ropefactors: phi3's rope_factors_long/short {n_rot/2}."""
    wide = hd is not None   # attention.key_length: heads wider than n_embd / n_head (Qwen3 0.6B-style)
    hd = hd or D // HEADS
    QD = hd * HEADS
    kv = [("general.architecture", "str", arch), ("general.name", "str", gname or "synthetic runnable " + arch),
          (arch + ".context_length", "u32", "256"), (arch + ".embedding_length", "u32", str(D)),
          (arch + ".block_count", "u32", str(LAYERS)), (arch + ".feed_forward_length", "u32", str(FF)),
          (arch + ".attention.head_count", "u32", str(HEADS)), (arch + ".attention.head_count_kv", "u32", str(KV)),
          (arch + ".attention.layer_norm_rms_epsilon", "f32", "1e-06"), (arch + ".rope.freq_base", "f32", base),
          (arch + ".rope.dimension_count", "u32", str(hd))]
    if wide:
        kv += [(arch + ".attention.key_length", "u32", str(hd)), (arch + ".attention.value_length", "u32", str(hd))]
    if experts:
        kv += [(arch + ".expert_count", "u32", str(experts)), (arch + ".expert_used_count", "u32", str(used))]
        if ffexp:
            kv += [(arch + ".expert_feed_forward_length", "u32", str(ffexp))]
    if shexp:
        kv += [(arch + ".expert_shared_feed_forward_length", "u32", str(shexp))]
    kv += [(arch + "." + k, ty, v) for k, ty, v in kvx]
    kv += vocab()
    t = [("token_embd.weight", f"{D},{VOCAB}"), ("output_norm.weight", f"{D}")]
    if not tied:
        t += [("output.weight", f"{D},{VOCAB}")]
    if ropefactors:
        t += [("rope_factors_long.weight", f"{hd // 2}"), ("rope_factors_short.weight", f"{hd // 2}")]
    if ropefreqs:   # Llama 3: per-dimension RoPE frequency factors {n_rot/2} (random 1 ± scale here)
        t += [("rope_freqs.weight", f"{hd // 2}")]
    for l in range(LAYERS):
        p = f"blk.{l}."
        t += [(p + "attn_norm.weight", f"{D}")]
        if fusedqkv:
            t += [(p + "attn_qkv.weight", f"{D},{QD + 2 * hd * KV}")]
        else:
            t += [(p + "attn_q.weight", f"{D},{QD}"), (p + "attn_k.weight", f"{D},{hd * KV}"), (p + "attn_v.weight", f"{D},{hd * KV}")]
        t += [(p + "attn_output.weight", f"{QD},{D}")]
        if bias:
            t += [(p + "attn_q.bias", f"{QD}"), (p + "attn_k.bias", f"{hd * KV}"), (p + "attn_v.bias", f"{hd * KV}")]
        if qknorm:
            t += [(p + "attn_q_norm.weight", f"{hd}"), (p + "attn_k_norm.weight", f"{hd}")]
        if postnorm:
            t += [(p + "post_attention_norm.weight", f"{D}")]
        t += [(p + "ffn_norm.weight", f"{D}")]
        if shexp:
            # {n_embd, 1} as the converter writes Linear(n_embd, 1): a matrix, so its values are ±scale (a 1-D {n_embd}
            # would be filled as a norm, 1 ± scale, and its sigmoid saturate)
            t += [(p + "ffn_gate_inp_shexp.weight", f"{D},1"), (p + "ffn_gate_shexp.weight", f"{D},{shexp}"),
                  (p + "ffn_up_shexp.weight", f"{D},{shexp}"), (p + "ffn_down_shexp.weight", f"{shexp},{D}")]
        if experts:
            ff = ffexp or FF
            t += [(p + "ffn_gate_inp.weight", f"{D},{experts}"), (p + "ffn_gate_exps.weight", f"{D},{ff},{experts}"),
                  (p + "ffn_up_exps.weight", f"{D},{ff},{experts}"), (p + "ffn_down_exps.weight", f"{ff},{D},{experts}")]
        elif fusedup:
            t += [(p + "ffn_up.weight", f"{D},{2 * FF}"), (p + "ffn_down.weight", f"{FF},{D}")]
        else:
            t += [(p + "ffn_gate.weight", f"{D},{FF}"), (p + "ffn_up.weight", f"{D},{FF}"), (p + "ffn_down.weight", f"{FF},{D}")]
        if postnorm:
            t += [(p + "post_ffw_norm.weight", f"{D}")]
    lines = ["# made by make_specs.py (runnable synthetic model for the runner's architecture tests)"]
    lines += ["kv\t%s\t%s\t%s" % x for x in kv]
    lines += ["tensor\t%s\t%s\t%s" % (n, s, "f32" if "," not in s else "f16") for n, s in t]
    open((name or arch + ("-moe" if arch == "llama" else "")) + ".spec", "w").write("\n".join(lines) + "\n")


spec("llama", experts=4, used=2)
spec("qwen2", bias=True)
spec("qwen3", qknorm=True)
spec("qwen3moe", experts=8, used=2, ffexp=256, qknorm=True)
spec("qwen3", qknorm=True, hd=128, name="qwen3-hd128")
spec("llama", ropefreqs=True, base="500000", name="llama3")
# qwen2moe: qwen2's biases, 4 experts (2 used, n_ff 256 each), a shared expert of 384 with its sigmoid gate.
spec("qwen2moe", experts=4, used=2, ffexp=256, bias=True, shexp=384)
# gemma: embeddings × sqrt(n_embd), GEGLU, Q scaled, output tied to token_embd.
spec("gemma", tied=True)
# gemma2: post-norms, soft-capping (attention 5, final 2.5: small enough to bend these ±3 logits), sliding window 8 on
# layer 0 (pattern 2), its own RoPE base on sliding layers.
spec("gemma2", tied=True, postnorm=True, kvx=[("attn_logit_softcapping", "f32", "5"), ("final_logit_softcapping", "f32", "2.5"),
                                              ("attention.sliding_window", "u32", "8"), ("rope.freq_base_swa", "f32", "5000")])
# gemma3: Q/K norms, window 8 with pattern 2 (layer 0 sliding, RoPE base 10000 and scale 1 there), global base 1e6 with
# linear scaling 8, own output.weight.
spec("gemma3", qknorm=True, postnorm=True, base="1000000",
     kvx=[("attention.sliding_window", "u32", "8"), ("attention.sliding_window_pattern", "u32", "2"),
          ("rope.scaling.type", "str", "linear"), ("rope.scaling.factor", "f32", "8")])
# phi3: fused QKV and gate-up, LongRoPE (original context 128 < n_ctx 256: the long factors; attn_factor 1.19).
# (general.name without "phi3"/"phi-3": llama.cpp then sets token attributes by name and needs <|endoftext|>.)
spec("phi3", gname="synthetic runnable model, fused layout", fusedqkv=True, fusedup=True, ropefactors=True,
     kvx=[("rope.scaling.original_context_length", "u32", "128"), ("rope.scaling.attn_factor", "f32", "1.19")])
# phi3 with original context 4096 ≥ n_ctx: the short factors, no attn_factor.
spec("phi3", name="phi3-short", gname="synthetic runnable model, fused layout", fusedqkv=True, fusedup=True, ropefactors=True,
     kvx=[("rope.scaling.original_context_length", "u32", "4096")])
# 32 experts (more than std::sort's insertion-sort threshold of 16), 4 used.
spec("qwen3moe", experts=32, used=4, ffexp=128, qknorm=True, name="qwen3moe-32")
