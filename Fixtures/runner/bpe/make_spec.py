"""Writes qwen2-bpe.spec: a runnable synthetic qwen2 (n_embd 64, 4 heads / 2 KV heads of 16, 2 layers, n_ff 128,
tied output) whose vocabulary is the real Qwen2 BPE vocabulary of ../../tokenizer/vocab/ggml-vocab-qwen2.gguf
(151936 tokens: token_embd has that many rows). The spec holds no tokenizer keys: the test (and make_refs.py, through
`ggufkit-bench make-model --vocab`) copies every `tokenizer.*` key of that file into the model.
Run from this folder: python3 make_spec.py (then make_refs.py for llama.cpp's ids)."""
D, HEADS, KV, LAYERS, FF, VOCAB = 64, 4, 2, 2, 128, 151936
HD = D // HEADS
kv = [("general.architecture", "str", "qwen2"), ("general.name", "str", "synthetic runnable qwen2 with the Qwen2 BPE vocabulary"),
      ("qwen2.context_length", "u32", "256"), ("qwen2.embedding_length", "u32", str(D)),
      ("qwen2.block_count", "u32", str(LAYERS)), ("qwen2.feed_forward_length", "u32", str(FF)),
      ("qwen2.attention.head_count", "u32", str(HEADS)), ("qwen2.attention.head_count_kv", "u32", str(KV)),
      ("qwen2.attention.layer_norm_rms_epsilon", "f32", "1e-06"), ("qwen2.rope.freq_base", "f32", "1000000"),
      ("qwen2.rope.dimension_count", "u32", str(HD))]
t = [("token_embd.weight", f"{D},{VOCAB}"), ("output_norm.weight", f"{D}")]
for l in range(LAYERS):
    p = f"blk.{l}."
    t += [(p + "attn_norm.weight", f"{D}"), (p + "attn_q.weight", f"{D},{D}"), (p + "attn_k.weight", f"{D},{HD * KV}"),
          (p + "attn_v.weight", f"{D},{HD * KV}"), (p + "attn_output.weight", f"{D},{D}"),
          (p + "attn_q.bias", f"{D}"), (p + "attn_k.bias", f"{HD * KV}"), (p + "attn_v.bias", f"{HD * KV}"),
          (p + "ffn_norm.weight", f"{D}"), (p + "ffn_gate.weight", f"{D},{FF}"), (p + "ffn_up.weight", f"{D},{FF}"),
          (p + "ffn_down.weight", f"{FF},{D}")]
lines = ["# made by make_spec.py (synthetic qwen2 for the runner's BPE test; the tokenizer keys come from ggml-vocab-qwen2.gguf)"]
lines += ["kv\t%s\t%s\t%s" % x for x in kv]
lines += ["tensor\t%s\t%s\t%s" % (n, s, "f32" if "," not in s else "f16") for n, s in t]
open("qwen2-bpe.spec", "w").write("\n".join(lines) + "\n")
