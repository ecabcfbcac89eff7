"""Writes phi3-spm.spec: a runnable synthetic phi3 (n_embd 64, 4 heads / 2 KV heads of 16, 2 layers, n_ff 128, fused
attn_qkv and gate-up ffn_up, tied output) whose vocabulary is the real Phi-3 SentencePiece vocabulary of
../../tokenizer/vocab/ggml-vocab-phi-3.gguf (32064 tokens: token_embd has that many rows). general.name is "Phi3", so
llama.cpp (and the runner's tokenizer) give the special tokens phi-3's rstrip attribute. The spec holds no tokenizer
keys: the test (and make_refs.py, through `ggufkit-bench make-model --vocab`) copies every `tokenizer.*` key of that file.
Run from this folder: python3 make_spec.py (then make_refs.py for llama.cpp's ids)."""
D, HEADS, KV, LAYERS, FF, VOCAB = 64, 4, 2, 2, 128, 32064
HD = D // HEADS
a = "phi3"
kv = [("general.architecture", "str", a), ("general.name", "str", "Phi3"),
      (a + ".context_length", "u32", "4096"), (a + ".embedding_length", "u32", str(D)),
      (a + ".block_count", "u32", str(LAYERS)), (a + ".feed_forward_length", "u32", str(FF)),
      (a + ".attention.head_count", "u32", str(HEADS)), (a + ".attention.head_count_kv", "u32", str(KV)),
      (a + ".attention.layer_norm_rms_epsilon", "f32", "1e-05"), (a + ".rope.freq_base", "f32", "10000"),
      (a + ".rope.dimension_count", "u32", str(HD)), (a + ".attention.sliding_window", "u32", "2047")]
t = [("token_embd.weight", f"{D},{VOCAB}"), ("output_norm.weight", f"{D}")]
for l in range(LAYERS):
    p = f"blk.{l}."
    t += [(p + "attn_norm.weight", f"{D}"), (p + "attn_qkv.weight", f"{D},{D + 2 * HD * KV}"),
          (p + "attn_output.weight", f"{D},{D}"), (p + "ffn_norm.weight", f"{D}"), (p + "ffn_up.weight", f"{D},{2 * FF}"),
          (p + "ffn_down.weight", f"{FF},{D}")]
lines = ["# made by make_spec.py (synthetic phi3 for the runner's SPM test; the tokenizer keys come from ggml-vocab-phi-3.gguf)"]
lines += ["kv\t%s\t%s\t%s" % x for x in kv]
lines += ["tensor\t%s\t%s\t%s" % (n, s, "f32" if "," not in s else "f16") for n, s in t]
open("phi3-spm.spec", "w").write("\n".join(lines) + "\n")
