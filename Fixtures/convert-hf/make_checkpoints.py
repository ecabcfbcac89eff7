#!/usr/bin/env python3
"""Writes the small synthetic Hugging Face checkpoints under checkpoints/ (run with hf-venv's python).

Each checkpoint is random weights from a fixed seed, a config.json, and a tokenizer: a SentencePiece
tokenizer.model trained here on a seeded pseudo-text (with byte fallback, as Llama's), plus
tokenizer_config.json. The files are committed; tests never run this script.

    $HOME/.cache/ggufkit-oracle/hf-venv/bin/python make_checkpoints.py
"""
import json
import os
import random
import shutil
import sys

import sentencepiece as spm
import torch
from safetensors.torch import save_file

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "checkpoints")
VOCAB = 320


def pseudo_text(seed: int, lines: int = 3000) -> list[str]:
    rng = random.Random(seed)
    syll = ["ka", "lo", "mi", "ne", "su", "ta", "ri", "po", "an", "el", "or", "ut", "the", "ing", "qu", "zy"]
    words = ["".join(rng.choice(syll) for _ in range(rng.randint(1, 3))) for _ in range(400)]
    return [" ".join(rng.choice(words) for _ in range(rng.randint(3, 12))) + rng.choice([".", "!", "?", ","]) for _ in range(lines)]


def train_spm(path_prefix: str, seed: int):
    corpus = path_prefix + ".txt"
    with open(corpus, "w") as f:
        f.write("\n".join(pseudo_text(seed)) + "\n")
    spm.SentencePieceTrainer.train(
        input=corpus, model_prefix=path_prefix, vocab_size=VOCAB, model_type="bpe", byte_fallback=True,
        character_coverage=1.0, num_threads=1, seed_sentencepiece_size=10000, shuffle_input_sentence=False,
        normalization_rule_name="identity", unk_id=0, bos_id=1, eos_id=2, pad_id=-1, minloglevel=2)
    os.remove(corpus)
    os.remove(path_prefix + ".vocab")


def weights(cfg: dict, dtype, seed: int) -> dict[str, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    h, ff, nl = cfg["hidden_size"], cfg["intermediate_size"], cfg["num_hidden_layers"]
    nh, nkv = cfg["num_attention_heads"], cfg["num_key_value_heads"]
    hd = cfg.get("head_dim", h // nh)
    v = cfg["vocab_size"]

    def r(*shape, scale=0.05):
        return (torch.randn(*shape, generator=g) * scale).to(dtype)

    t = {"model.embed_tokens.weight": r(v, h), "model.norm.weight": 1 + r(h, scale=0.1)}
    if not cfg.get("tie_word_embeddings", cfg.get("model_type") == "gemma"):
        t["lm_head.weight"] = r(v, h)
    for i in range(nl):
        p = f"model.layers.{i}."
        t[p + "input_layernorm.weight"] = 1 + r(h, scale=0.1)
        t[p + "post_attention_layernorm.weight"] = 1 + r(h, scale=0.1)
        t[p + "self_attn.q_proj.weight"] = r(nh * hd, h)
        t[p + "self_attn.k_proj.weight"] = r(nkv * hd, h)
        t[p + "self_attn.v_proj.weight"] = r(nkv * hd, h)
        t[p + "self_attn.o_proj.weight"] = r(h, nh * hd)
        if cfg.get("model_type") == "qwen2":
            t[p + "self_attn.q_proj.bias"] = r(nh * hd)
            t[p + "self_attn.k_proj.bias"] = r(nkv * hd)
            t[p + "self_attn.v_proj.bias"] = r(nkv * hd)
        if cfg.get("model_type") == "qwen3":
            t[p + "self_attn.q_norm.weight"] = 1 + r(hd, scale=0.1)
            t[p + "self_attn.k_norm.weight"] = 1 + r(hd, scale=0.1)
        if "num_local_experts" in cfg:
            ne = cfg["num_local_experts"]
            t[p + "block_sparse_moe.gate.weight"] = r(ne, h)
            for x in range(ne):
                e = p + f"block_sparse_moe.experts.{x}."
                t[e + "w1.weight"] = r(ff, h)
                t[e + "w2.weight"] = r(h, ff)
                t[e + "w3.weight"] = r(ff, h)
        else:
            t[p + "mlp.gate_proj.weight"] = r(ff, h)
            t[p + "mlp.up_proj.weight"] = r(ff, h)
            t[p + "mlp.down_proj.weight"] = r(h, ff)
    return t


def write(name: str, cfg: dict, dtype, seed: int, shards: int = 1, tok_config: dict | None = None, extra: dict | None = None):
    d = os.path.join(OUT, name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
    train_spm(os.path.join(d, "tokenizer"), seed)
    if tok_config is not None:
        with open(os.path.join(d, "tokenizer_config.json"), "w") as f:
            json.dump(tok_config, f, indent=2)
    for fname, content in (extra or {}).items():
        with open(os.path.join(d, fname), "w") as f:
            f.write(content)
    t = weights(cfg, dtype, seed)
    names = list(t.keys())
    if shards == 1:
        save_file(t, os.path.join(d, "model.safetensors"), metadata={"format": "pt"})
        return
    per = (len(names) + shards - 1) // shards
    weight_map = {}
    for s in range(shards):
        part = f"model-{s + 1:05d}-of-{shards:05d}.safetensors"
        chunk = {n: t[n] for n in names[s * per:(s + 1) * per]}
        save_file(chunk, os.path.join(d, part), metadata={"format": "pt"})
        weight_map.update({n: part for n in chunk})
    total = sum(x.numel() * x.element_size() for x in t.values())
    with open(os.path.join(d, "model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {"total_size": total}, "weight_map": dict(sorted(weight_map.items()))}, f, indent=2)


SPM_TOKENIZER_CONFIG = {
    "add_bos_token": True, "add_eos_token": False, "bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>",
    "pad_token": None, "legacy": False, "model_max_length": 4096, "tokenizer_class": "LlamaTokenizer",
    "chat_template": "{% for m in messages %}[INST] {{ m['content'] }} [/INST]{% endfor %}",
    "added_tokens_decoder": {
        "0": {"content": "<unk>", "lstrip": False, "normalized": False, "rstrip": False, "single_word": False, "special": True},
        "1": {"content": "<s>", "lstrip": False, "normalized": False, "rstrip": False, "single_word": False, "special": True},
        "2": {"content": "</s>", "lstrip": False, "normalized": False, "rstrip": False, "single_word": False, "special": True},
    },
}


def main():
    os.makedirs(OUT, exist_ok=True)
    only = set(sys.argv[1:])
    global write
    full_write = write
    write = lambda name, *a, **k: (full_write(name, *a, **k) if not only or name in only else None)
    llama = {
        "architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 64, "intermediate_size": 96,
        "num_attention_heads": 4, "num_key_value_heads": 2, "num_hidden_layers": 2, "max_position_embeddings": 131072,
        "rms_norm_eps": 1e-05, "rope_theta": 500000.0, "vocab_size": VOCAB, "bos_token_id": 1, "eos_token_id": 2,
        "tie_word_embeddings": False, "torch_dtype": "bfloat16", "hidden_act": "silu",
        "rope_scaling": {"factor": 32.0, "high_freq_factor": 4.0, "low_freq_factor": 1.0,
                         "original_max_position_embeddings": 8192, "rope_type": "llama3"},
    }
    write("Llama-3.2-1B-Instruct", llama, torch.bfloat16, seed=1, tok_config=SPM_TOKENIZER_CONFIG)

    mistral = {
        "architectures": ["MistralForCausalLM"], "model_type": "mistral", "hidden_size": 64, "intermediate_size": 128,
        "num_attention_heads": 4, "num_key_value_heads": 1, "num_hidden_layers": 1, "max_position_embeddings": 32768,
        "rms_norm_eps": 1e-06, "rope_theta": 1000000.0, "vocab_size": VOCAB + 4, "bos_token_id": 1, "eos_token_id": 2,
        "sliding_window": None, "tie_word_embeddings": False, "torch_dtype": "float16", "head_dim": 16,
        "_name_or_path": "mistralai/Mistral-7B-Instruct-v0.3",
    }
    write("tiny-mistral", mistral, torch.float16, seed=2, shards=2, tok_config=SPM_TOKENIZER_CONFIG,
          extra={"added_tokens.json": json.dumps({"[INST]": VOCAB, "[/INST]": VOCAB + 1}),
                 "generation_config.json": json.dumps({"bos_token_id": 1, "temperature": 0.7, "top_p": 0.9})})

    mixtral = {
        "architectures": ["MixtralForCausalLM"], "model_type": "mixtral", "hidden_size": 32, "intermediate_size": 64,
        "num_attention_heads": 2, "num_key_value_heads": 1, "num_hidden_layers": 1, "max_position_embeddings": 32768,
        "rms_norm_eps": 1e-05, "rope_theta": 1000000.0, "vocab_size": VOCAB, "bos_token_id": 1, "eos_token_id": 2,
        "num_local_experts": 3, "num_experts_per_tok": 2, "tie_word_embeddings": False, "torch_dtype": "bfloat16",
        "rope_scaling": {"type": "linear", "factor": 2.0},
    }
    write("Mixtral-3x1K-v0.1", mixtral, torch.bfloat16, seed=3, tok_config=None)

    qwen2 = {
        "architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "hidden_size": 64, "intermediate_size": 64,
        "num_attention_heads": 4, "num_key_value_heads": 2, "num_hidden_layers": 1, "max_position_embeddings": 32768,
        "rms_norm_eps": 1e-06, "rope_theta": 1000000.0, "vocab_size": VOCAB, "bos_token_id": 1, "eos_token_id": 2,
        "tie_word_embeddings": True, "torch_dtype": "bfloat16", "use_sliding_window": False, "sliding_window": 32768,
        "max_window_layers": 21,
    }
    write("Qwen2.5-0.5B-Instruct", qwen2, torch.bfloat16, seed=4, tok_config=None)

    qwen3 = {
        "architectures": ["Qwen3ForCausalLM"], "model_type": "qwen3", "hidden_size": 64, "intermediate_size": 96,
        "num_attention_heads": 2, "num_key_value_heads": 1, "head_dim": 48, "num_hidden_layers": 1,
        "max_position_embeddings": 40960, "rms_norm_eps": 1e-06, "rope_theta": 1000000.0, "vocab_size": VOCAB,
        "bos_token_id": 1, "eos_token_id": 2, "tie_word_embeddings": False, "torch_dtype": "float16",
        "rope_scaling": {"rope_type": "yarn", "factor": 4.0, "original_max_position_embeddings": 32768},
    }
    write("Qwen3-tiny", qwen3, torch.float16, seed=5, tok_config=None)

    gemma = {
        "architectures": ["GemmaForCausalLM"], "model_type": "gemma", "hidden_size": 64, "intermediate_size": 128,
        "num_attention_heads": 2, "num_key_value_heads": 1, "head_dim": 32, "num_hidden_layers": 1,
        "max_position_embeddings": 8192, "rms_norm_eps": 1e-06, "rope_theta": 10000.0, "vocab_size": VOCAB,
        "bos_token_id": 1, "eos_token_id": 2, "pad_token_id": 0, "torch_dtype": "float16", "hidden_act": "gelu_pytorch_tanh",
    }
    write("gemma-tiny-it", gemma, torch.float16, seed=6, tok_config=SPM_TOKENIZER_CONFIG)


if __name__ == "__main__":
    sys.exit(main())
