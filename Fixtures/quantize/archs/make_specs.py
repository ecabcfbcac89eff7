#!/usr/bin/env python3
"""Writes Fixtures/quantize/archs/*.spec: small synthetic models of many architectures for the quantizer tests.

Each spec (the text format of GGUFModel's ModelSpec) lists the metadata llama.cpp 0c1e570 needs to load the
architecture's hyper-parameters (what llama-quantize reads) and one tensor for every name gguf-py 0.19.0's
MODEL_TENSORS gives the architecture, in every layer: 2-D tensors of 256 columns and a few rows (only the
row length and the name matter to the quantizer's rules), experts as 3-D tensors, norms and biases 1-D.
A few shapes differ on purpose (rows that are not whole blocks, so fallbacks are exercised).

The keys each architecture requires were found by running llama-quantize --dry-run on the model and adding
what its loader asked for ("key not found in model: ..."); `--discover` repeats that search.

Run with the oracle's python:  $ORACLE_HOME/venv/bin/python Fixtures/quantize/archs/make_specs.py [--discover]
"""
import os
import re
import subprocess
import sys
import tempfile

import gguf

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "../../.."))
D = 256          # embedding length: the row length of most tensors
ROWS = 32        # rows of a generic 2-D tensor
VOCAB = 64

# name, gguf-py arch (None: tensor names given below), layers, experts, heads, kv heads, ffn, extra keys
MODELS = [
    ("llama-dense",   "LLAMA",      4, 0,  8, 2, 320, {}),
    ("llama-moe4",    "LLAMA",      4, 4,  8, 8, 256, {}),
    ("llama-moe8",    "LLAMA",      8, 8,  8, 2, 256, {}),
    ("llama-moe16",   "LLAMA",      4, 16, 8, 4, 256, {}),
    ("qwen2",         "QWEN2",      4, 0,  8, 1, 320, {}),
    ("qwen2moe",      "QWEN2MOE",   4, 8,  8, 8, 256, {"expert_feed_forward_length": ("u32", 256), "expert_shared_feed_forward_length": ("u32", 256)}),
    ("qwen3",         "QWEN3",      4, 0,  8, 4, 512, {}),
    ("qwen3moe",      "QWEN3MOE",   6, 8,  8, 4, 256, {"expert_feed_forward_length": ("u32", 256)}),
    ("deepseek2",     "DEEPSEEK2",  4, 8,  8, 8, 256, {}),
    ("falcon",        "FALCON",     4, 0,  8, 1, 512, {}),
    ("gemma",         "GEMMA",      4, 0,  8, 1, 320, {}),
    ("gemma2",        "GEMMA2",     4, 0,  8, 4, 512, {}),
    ("gemma3",        "GEMMA3",     6, 0,  8, 4, 512, {}),
    ("phi3",          "PHI3",       4, 0,  8, 8, 512, {}),
    ("starcoder2",    "STARCODER2", 4, 0,  8, 2, 512, {}),
    ("command-r",     "COMMAND_R",  4, 0,  8, 8, 512, {}),
    ("mamba",         "MAMBA",      4, 0,  0, 0, 0,   {}),
    ("rwkv6",         "RWKV6",      4, 0,  0, 0, 512, {}),
    ("bert",          "BERT",       4, 0,  8, 8, 512, {}),
    ("t5",            "T5",         4, 0,  8, 8, 512, {}),
    ("gpt2",          "GPT2",       4, 0,  8, 8, 512, {}),
    ("bloom",         "BLOOM",      4, 0,  8, 8, 512, {}),
    ("mixtral-gqa",   "LLAMA",      4, 8,  8, 2, 256, {}),
    ("olmoe",         "OLMOE",      4, 16, 8, 8, 256, {}),
    ("granite",       "GRANITE",    4, 0,  8, 2, 512, {}),
    ("nemotron",      "NEMOTRON",   4, 0,  8, 2, 512, {}),
    ("chatglm",       "CHATGLM",    4, 0,  8, 2, 512, {}),
    ("minicpm3",      "MINICPM3",   4, 0,  8, 8, 512, {}),
    ("qwen2-80l",     "QWEN2",     80, 0,  8, 2, 512, {}),
    ("deci-80l",      "DECI",      80, 0,  8, 1, 512, {"attention.head_count": ("arr_u32", [8] * 80),
                                                      "attention.head_count_kv": ("arr_u32", [1, 2, 4, 8] * 20)}),
    ("glm5-next",     None,         4, 8,  8, 8, 256, {"hyper_connection.count": ("u32", 4)}),
    ("bailingmoe3",   None,         4, 8,  8, 8, 256, {"kda.gate_lower_bound": ("f32", -1.0)}),
    ("unknown-arch",  None,         4, 0,  8, 2, 512, {}),
]

# Tensor names (per layer with {bid}) for the architectures gguf-py 0.19.0 does not list (from
# src/llama-arch.cpp at 0c1e570), and for an architecture llama.cpp does not know.
OWN_TENSORS = {
    "glm5-next": ["token_embd", "output_norm", "output", "blk.{bid}.attn_norm", "blk.{bid}.attn_q_a",
                  "blk.{bid}.attn_q_b", "blk.{bid}.attn_q_a_norm", "blk.{bid}.attn_kv_a_mqa", "blk.{bid}.attn_kv_a_norm",
                  "blk.{bid}.attn_k_b", "blk.{bid}.attn_v_b", "blk.{bid}.attn_output", "blk.{bid}.indexer.attn_k",
                  "blk.{bid}.indexer.attn_q_b", "blk.{bid}.indexer.proj", "blk.{bid}.hc_attn_fn",
                  "blk.{bid}.ffn_norm", "blk.{bid}.ffn_gate_inp", "blk.{bid}.ffn_gate_exps", "blk.{bid}.ffn_down_exps",
                  "blk.{bid}.ffn_up_exps", "blk.{bid}.ffn_gate_shexp", "blk.{bid}.ffn_down_shexp",
                  "blk.{bid}.ffn_up_shexp", "blk.{bid}.nextn.eh_proj"],
    "bailingmoe3": ["token_embd", "output_norm", "output", "blk.{bid}.attn_norm", "blk.{bid}.attn_qkv",
                    "blk.{bid}.attn_q_a", "blk.{bid}.attn_kv_b", "blk.{bid}.attn_output", "blk.{bid}.ffn_norm",
                    "blk.{bid}.ffn_gate_inp", "blk.{bid}.ffn_gate_exps", "blk.{bid}.ffn_down_exps",
                    "blk.{bid}.ffn_up_exps", "blk.{bid}.ffn_gate_shexp", "blk.{bid}.ffn_down_shexp",
                    "blk.{bid}.ffn_up_shexp"],
    "unknown-arch": ["token_embd", "output_norm", "output", "blk.{bid}.attn_norm", "blk.{bid}.attn_q",
                     "blk.{bid}.attn_k", "blk.{bid}.attn_v", "blk.{bid}.attn_output", "blk.{bid}.ffn_norm",
                     "blk.{bid}.ffn_gate", "blk.{bid}.ffn_down", "blk.{bid}.ffn_up"],
}
ARCH_NAME = {"glm5-next": "glm5-next", "bailingmoe3": "bailingmoe3", "unknown-arch": "superllama"}

NO_SUFFIX = {"ssm_a", "ssm_d"}                      # parameters llama.cpp names without ".weight"
ONE_D = {"rope_freqs", "exp_probs_b", "ssm_a", "ssm_d", "time_mix_lerp_x", "time_mix_lerp_k", "time_mix_lerp_v",
         "time_mix_lerp_r", "time_mix_lerp_g", "time_mix_lerp_w", "channel_mix_lerp_k", "channel_mix_lerp_r",
         "time_mix_decay", "time_mix_ln", "attn_sub_norm", "ffn_sub_norm"}
SHAPES = {  # base name -> (ne0, ne1): a few rows that are not whole blocks, on purpose
    "ssm_conv1d": (4, D), "ssm_dt": (16, D), "ssm_x": (D, 48), "time_mix_first": (64, 4),
    "time_mix_w1": (D, 160), "time_mix_w2": (32, 5 * D // 8), "time_mix_decay_w1": (D, 64), "time_mix_decay_w2": (64, D),
    "time_mix_lerp_fused": (D, 5), "attn_rel_b": (8, 32), "cross_attn_rel_b": (8, 32),
    "position_embd": (D, 128), "token_types": (D, 2), "attn_kv_a_mqa": (D, 96),
}


def base_of(pattern):
    return pattern.split("{bid}.")[-1] if "{bid}" in pattern else pattern


def tensors_for(arch_names, layers, experts, ffn):
    out = []
    ffn = ffn or 512
    for pat in arch_names:
        if "{xid}" in pat:
            continue
        names = [pat.format(bid=b) for b in range(layers)] if "{bid}" in pat else [pat]
        base = base_of(pat)
        for n in names:
            full = n if base in NO_SUFFIX else n + ".weight"
            if base.endswith("norm") or "_norm" in base or base in ONE_D or base.startswith("cls"):
                shape = [D]
            elif base in ("token_embd", "output"):
                shape = [D, VOCAB]
            elif base.endswith("_exps"):
                if experts == 0:
                    continue
                shape = [256, ROWS, experts] if "down" in base else [D, ROWS, experts]
            elif base in ("ffn_gate_inp", "ffn_gate_inp_shexp"):
                if experts == 0 and base == "ffn_gate_inp":
                    continue
                shape = [D, experts or 1]
            elif base in SHAPES:
                shape = list(SHAPES[base])
            elif base.startswith("ffn_down") or base == "channel_mix_value":
                shape = [ffn if base == "ffn_down" else 256, ROWS]
            else:
                shape = [D, ROWS]
            out.append((full, shape, "f32" if len(shape) == 1 else "f16"))
    return out


def base_keys(arch, layers, experts, heads, kv, ffn):
    k = {"general.architecture": ("str", arch), "general.name": ("str", f"synthetic {arch}"),
         f"{arch}.context_length": ("u32", 256), f"{arch}.embedding_length": ("u32", D),
         f"{arch}.block_count": ("u32", layers)}
    if ffn:
        k[f"{arch}.feed_forward_length"] = ("u32", ffn)
    if heads:
        k[f"{arch}.attention.head_count"] = ("u32", heads)
        k[f"{arch}.attention.head_count_kv"] = ("u32", kv)
    k[f"{arch}.attention.layer_norm_rms_epsilon"] = ("f32", 1e-5)
    k[f"{arch}.attention.layer_norm_epsilon"] = ("f32", 1e-5)
    k[f"{arch}.rope.dimension_count"] = ("u32", D // max(heads, 1))
    if experts:
        k[f"{arch}.expert_count"] = ("u32", experts)
        k[f"{arch}.expert_used_count"] = ("u32", 2)
    return k


def write_spec(path, keys, tensors):
    with open(path, "w") as f:
        f.write(f"# made by make_specs.py (synthetic model for the quantizer tests)\n")
        for key, (t, v) in keys.items():
            if t.startswith("arr_"):
                v = ",".join(str(x) for x in v)
            elif t == "bool":
                v = "true" if v else "false"
            f.write(f"kv\t{key}\t{t}\t{v}\n")
        for name, shape, t in tensors:
            f.write(f"tensor\t{name}\t{','.join(map(str, shape))}\t{t}\n")


def guess_value(key, arch):
    """A plausible value for a key the loader asked for."""
    k = key[len(arch) + 1:] if key.startswith(arch + ".") else key
    if "epsilon" in k or "scale" in k or "softcap" in k or "factor" in k or "base" in k:
        return ("f32", 1.0 if "scale" in k or "factor" in k else 1e-5)
    if k.endswith("_pattern") or k.startswith("attention.sliding_window_pattern"):
        return ("u32", 2)
    return ("u32", {"ssm.conv_kernel": 4, "ssm.inner_size": 512, "ssm.state_size": 16, "ssm.time_step_rank": 16,
                    "wkv.head_size": 64, "time_mix_extra_dim": 32, "time_decay_extra_dim": 64,
                    "rescale_every_n_layers": 6, "attention.relative_buckets_count": 32,
                    "attention.kv_lora_rank": 64, "attention.q_lora_rank": 96, "attention.key_length": 32,
                    "attention.value_length": 32, "leading_dense_block_count": 1, "expert_shared_count": 1,
                    "expert_weights_scale": 1, "attention.sliding_window": 64, "attention.indexer.kpool": 2,
                    "attention.indexer.top_k": 4}.get(k, 256 if "length" in k else 1))


def main():
    discover = "--discover" in sys.argv
    oracle = os.environ.get("ORACLE_HOME", os.path.expanduser("~/.cache/ggufkit-oracle"))
    bench = os.path.join(ROOT, ".build/debug/ggufkit-bench")
    for name, a, layers, experts, heads, kv, ffn, extra in MODELS:
        if a is None:
            arch, pats = ARCH_NAME[name], OWN_TENSORS[name]
        else:
            e = getattr(gguf.MODEL_ARCH, a)
            arch = gguf.MODEL_ARCH_NAMES[e]
            pats = [gguf.TENSOR_NAMES[t] for t in gguf.MODEL_TENSORS[e]]
        keys = base_keys(arch, layers, experts, heads, kv, ffn)
        for k, v in extra.items():
            keys[f"{arch}.{k}"] = v
        spec = os.path.join(HERE, f"{name}.spec")
        if os.path.exists(spec) and not discover:
            continue
        tensors = tensors_for(pats, layers, experts, ffn)
        write_spec(spec, keys, tensors)
        if not discover or name == "unknown-arch":
            continue
        for _ in range(40):  # ask the loader what is missing
            with tempfile.TemporaryDirectory() as w:
                m = os.path.join(w, "m.gguf")
                subprocess.run([bench, "make-model", m, "--spec", spec], check=True, capture_output=True)
                r = subprocess.run([os.path.join(oracle, "bin/llama-quantize"), "--dry-run", m, "Q4_K_M"],
                                   capture_output=True, text=True)
            err = r.stdout + r.stderr
            miss = re.search(r"key not found in model: (\S+)", err)
            wrong = re.search(r"key (\S+) has wrong type (\S+) but expected type (\S+)", err)
            if r.returncode == 0:
                print(f"{name}: ok ({len(keys)} keys, {len(tensors)} tensors)")
                break
            if wrong:
                t = {"f32": "f32", "u32": "u32", "i32": "i32", "bool": "bool", "str": "str"}[wrong.group(3)]
                keys[wrong.group(1)] = (t, {"f32": 1.0, "bool": False, "str": "x"}.get(t, 1))
                write_spec(spec, keys, tensors)
                continue
            if not miss:
                print(f"{name}: FAILED\n{err[-1500:]}")
                break
            keys[miss.group(1)] = guess_value(miss.group(1), arch)
            write_spec(spec, keys, tensors)


if __name__ == "__main__":
    main()
