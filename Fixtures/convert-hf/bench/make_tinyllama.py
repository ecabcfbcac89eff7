#!/usr/bin/env python3
# Writes the benchmark checkpoint of docs/convert-hf.md (run with the oracle's hf-venv python):
#   python make_tinyllama.py OUT_DIR
# A TinyLlama-1.1B-shaped checkpoint (bf16, random) for the speed/RSS comparison; reuses the fixture tokenizer.
import json, os, shutil, sys, torch
HERE = os.path.dirname(os.path.abspath(__file__))
from safetensors.torch import save_file
d = sys.argv[1] if len(sys.argv) > 1 else "TinyLlama-1.1B"
os.makedirs(d, exist_ok=True)
cfg = {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 2048, "intermediate_size": 5632,
       "num_attention_heads": 32, "num_key_value_heads": 4, "num_hidden_layers": 22, "max_position_embeddings": 2048,
       "rms_norm_eps": 1e-05, "rope_theta": 10000.0, "vocab_size": 32000, "bos_token_id": 1, "eos_token_id": 2,
       "tie_word_embeddings": False, "torch_dtype": "bfloat16"}
json.dump(cfg, open(d + "/config.json", "w"))
src = HERE + "/../checkpoints/Llama-3.2-1B-Instruct/"
shutil.copy(src + "tokenizer.model", d)
g = torch.Generator().manual_seed(0)
def r(*s): return (torch.randn(*s, generator=g) * 0.02).to(torch.bfloat16)
h, ff, v = 2048, 5632, 32000
t = {"model.embed_tokens.weight": r(v, h), "model.norm.weight": r(h), "lm_head.weight": r(v, h)}
for i in range(22):
    p = f"model.layers.{i}."
    t.update({p + "input_layernorm.weight": r(h), p + "post_attention_layernorm.weight": r(h),
              p + "self_attn.q_proj.weight": r(h, h), p + "self_attn.k_proj.weight": r(256, h),
              p + "self_attn.v_proj.weight": r(256, h), p + "self_attn.o_proj.weight": r(h, h),
              p + "mlp.gate_proj.weight": r(ff, h), p + "mlp.up_proj.weight": r(ff, h), p + "mlp.down_proj.weight": r(h, ff)})
save_file(t, d + "/model.safetensors", metadata={"format": "pt"})
