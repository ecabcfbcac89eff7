"""Builds BPE (tokenizer.json-only) checkpoints from llama.cpp's committed vocabularies and prints the
sha256 of convert_hf_to_gguf.py's output for each: expected-bpe.txt (run with the oracle's hf-venv python).

    $HOME/.cache/ggufkit-oracle/hf-venv/bin/python make_bpe.py > ../expected-bpe.txt

The checkpoints are not committed (a real tokenizer.json is several MB): HFBPEVocabTests rebuilds the
same folders from Fixtures/tokenizer/vocab/ggml-vocab-{qwen2,llama-bpe}.gguf as this script does:
- tokenizer.json: the gguf's NORMAL tokens as model.vocab (id order), its merges, its CONTROL tokens as
  special added tokens, the pre-tokenizer, normalizer and post-processor of the real Qwen2 / Llama 3 files;
- tokenizer_config.json with the bos/eos tokens;
- config.json of a tiny model (hidden 32, one layer) with the real vocab_size;
- model.safetensors, F16, element k of a tensor named N = ((k * 7919 + len(N) * 104729) % 2001 - 1000) / 1024
  (exact in F16), tensors in sorted name order.
"""
import json
import os
import subprocess
import sys
import hashlib
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
LLAMA = os.path.expanduser("~/.cache/ggufkit-oracle/src/llama_cpp_python-0.3.36/vendor/llama.cpp")
sys.path.insert(0, os.path.join(LLAMA, "gguf-py"))
import gguf  # noqa: E402

CONVERT = os.path.expanduser("~/.cache/ggufkit-oracle/convert-hf")

QWEN2_RE = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"
LLAMA3_RE = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"


def tokenizer_json(vocab_name: str, llama3: bool) -> tuple[dict, list[tuple[int, str]]]:
    r = gguf.GGUFReader(os.path.join(ROOT, "Fixtures", "tokenizer", "vocab", f"ggml-vocab-{vocab_name}.gguf"))
    toks = r.fields["tokenizer.ggml.tokens"].contents()
    types = r.fields["tokenizer.ggml.token_type"].contents()
    merges = r.fields["tokenizer.ggml.merges"].contents()
    vocab = {t: i for i, (t, ty) in enumerate(zip(toks, types)) if ty == 1}
    special = [(i, t) for i, (t, ty) in enumerate(zip(toks, types)) if ty == 3]
    added = [{"id": i, "content": t, "single_word": False, "lstrip": False, "rstrip": False,
              "normalized": False, "special": True} for i, t in special]
    byte_level = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": False}
    pre = {"type": "Sequence", "pretokenizers": [
        {"type": "Split", "pattern": {"Regex": LLAMA3_RE if llama3 else QWEN2_RE}, "behavior": "Isolated", "invert": False},
        byte_level]}
    if llama3:
        post = {"type": "Sequence", "processors": [
            {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": False, "use_regex": True},
            {"type": "TemplateProcessing",
             "single": [{"SpecialToken": {"id": "<|begin_of_text|>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
             "pair": [{"SpecialToken": {"id": "<|begin_of_text|>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                      {"SpecialToken": {"id": "<|begin_of_text|>", "type_id": 1}}, {"Sequence": {"id": "B", "type_id": 1}}],
             "special_tokens": {"<|begin_of_text|>": {"id": "<|begin_of_text|>", "ids": [128000], "tokens": ["<|begin_of_text|>"]}}}]}
    else:
        post = byte_level
    tj = {"version": "1.0", "truncation": None, "padding": None, "added_tokens": added,
          "normalizer": None if llama3 else {"type": "NFC"}, "pre_tokenizer": pre, "post_processor": post,
          "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
          "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
                    "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False, "ignore_merges": llama3,
                    "vocab": vocab, "merges": merges}}
    return tj, special


def weights(cfg: dict) -> dict[str, np.ndarray]:
    h, ff, nh, nkv, hd, v = 32, 64, 2, 1, 16, cfg["vocab_size"]
    shapes = {"model.embed_tokens.weight": (v, h), "model.norm.weight": (h,)}
    p = "model.layers.0."
    shapes.update({p + "input_layernorm.weight": (h,), p + "post_attention_layernorm.weight": (h,),
                   p + "self_attn.q_proj.weight": (nh * hd, h), p + "self_attn.k_proj.weight": (nkv * hd, h),
                   p + "self_attn.v_proj.weight": (nkv * hd, h), p + "self_attn.o_proj.weight": (h, nh * hd),
                   p + "mlp.gate_proj.weight": (ff, h), p + "mlp.up_proj.weight": (ff, h), p + "mlp.down_proj.weight": (h, ff)})
    if cfg["model_type"] == "qwen2":
        shapes.update({p + "self_attn.q_proj.bias": (nh * hd,), p + "self_attn.k_proj.bias": (nkv * hd,),
                       p + "self_attn.v_proj.bias": (nkv * hd,)})
    if cfg["model_type"] == "qwen3":
        shapes.update({p + "self_attn.q_norm.weight": (hd,), p + "self_attn.k_norm.weight": (hd,)})
    out = {}
    for name, shape in shapes.items():
        k = np.arange(int(np.prod(shape)), dtype=np.int64)
        out[name] = (((k * 7919 + len(name) * 104729) % 2001 - 1000).astype(np.float32) / 1024).astype(np.float16).reshape(shape)
    return out


def write_safetensors(path: str, t: dict[str, np.ndarray]):
    header, off, blobs = {}, 0, []
    for name in sorted(t):
        b = t[name].tobytes()
        header[name] = {"dtype": "F16", "shape": list(t[name].shape), "data_offsets": [off, off + len(b)]}
        off += len(b)
        blobs.append(b)
    hj = json.dumps(header, separators=(",", ":")).encode()
    hj += b" " * ((8 - len(hj) % 8) % 8)
    with open(path, "wb") as f:
        f.write(len(hj).to_bytes(8, "little"))
        f.write(hj)
        for b in blobs:
            f.write(b)


def config(arch: str) -> dict:
    base = {"hidden_size": 32, "intermediate_size": 64, "num_attention_heads": 2, "num_key_value_heads": 1,
            "num_hidden_layers": 1, "max_position_embeddings": 4096, "rms_norm_eps": 1e-06, "rope_theta": 1000000.0,
            "tie_word_embeddings": True, "torch_dtype": "float16", "hidden_act": "silu"}
    if arch == "llama3":
        return {**base, "architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": 128256,
                "bos_token_id": 128000, "eos_token_id": 128001, "rope_theta": 500000.0}
    if arch == "qwen2":
        return {**base, "architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "vocab_size": 151936,
                "bos_token_id": 151643, "eos_token_id": 151645}
    return {**base, "architectures": ["Qwen3ForCausalLM"], "model_type": "qwen3", "vocab_size": 151936, "head_dim": 16,
            "bos_token_id": 151643, "eos_token_id": 151645}


CASES = [("Llama-3-bpe-tiny", "llama3", "llama-bpe"), ("Qwen2-bpe-tiny", "qwen2", "qwen2"), ("Qwen3-bpe-tiny", "qwen3", "qwen2")]


def make(d: str, arch: str, vocab_name: str):
    os.makedirs(d, exist_ok=True)
    llama3 = arch == "llama3"
    tj, special = tokenizer_json(vocab_name, llama3)
    with open(os.path.join(d, "tokenizer.json"), "w", encoding="utf-8") as f:
        json.dump(tj, f, ensure_ascii=False)
    tc = ({"bos_token": "<|begin_of_text|>", "eos_token": "<|end_of_text|>", "tokenizer_class": "PreTrainedTokenizerFast"}
          if llama3 else {"bos_token": None, "eos_token": "<|im_end|>", "pad_token": "<|endoftext|>", "tokenizer_class": "Qwen2Tokenizer"})
    tc["model_max_length"] = 4096
    with open(os.path.join(d, "tokenizer_config.json"), "w") as f:
        json.dump(tc, f, indent=2)
    cfg = config(arch)
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
    write_safetensors(os.path.join(d, "model.safetensors"), weights(cfg))


def main():
    keep = os.environ.get("KEEP")
    tmp = keep or tempfile.mkdtemp()
    for name, arch, vocab_name in CASES:
        d = os.path.join(tmp, name)
        make(d, arch, vocab_name)
        for opts in (["--outtype", "f16"], ["--outtype", "q8_0"], ["--outtype", "f16", "--vocab-only"]):
            out = os.path.join(tmp, "out.gguf")
            if os.path.exists(out):
                os.remove(out)
            subprocess.run([CONVERT, *opts, "--outfile", out, d], check=True, capture_output=True)
            h = hashlib.sha256(open(out, "rb").read()).hexdigest()
            print(f"{h}  {name}  {' '.join(opts)}", flush=True)
    # Qwen2's set_vocab ignores tokenizer_config.json's add_prefix_space (LlamaModel's reads it): same folder
    # name (general.name comes from it) in a subfolder, with "add_prefix_space": false
    d = os.path.join(tmp, "apc", "Qwen2-bpe-tiny")
    make(d, "qwen2", "qwen2")
    p = os.path.join(d, "tokenizer_config.json")
    tc = json.load(open(p))
    tc["add_prefix_space"] = False
    json.dump(tc, open(p, "w"), indent=2)
    out = os.path.join(tmp, "out.gguf")
    os.remove(out)
    subprocess.run([CONVERT, "--outtype", "f16", "--outfile", out, d], check=True, capture_output=True)
    print(f"{hashlib.sha256(open(out, 'rb').read()).hexdigest()}  Qwen2-bpe-tiny+add_prefix_space  --outtype f16", flush=True)
    # merges in the pair format newer tokenizers write ([["a", "b"], ...]), same folder name in a subfolder
    d = os.path.join(tmp, "pairs", "Qwen2-bpe-tiny")
    make(d, "qwen2", "qwen2")
    p = os.path.join(d, "tokenizer.json")
    tj = json.load(open(p, encoding="utf-8"))
    tj["model"]["merges"] = [m.split(" ") for m in tj["model"]["merges"]]
    json.dump(tj, open(p, "w", encoding="utf-8"), ensure_ascii=False)
    os.remove(out)
    subprocess.run([CONVERT, "--outtype", "f16", "--vocab-only", "--outfile", out, d], check=True, capture_output=True)
    print(f"{hashlib.sha256(open(out, 'rb').read()).hexdigest()}  Qwen2-bpe-tiny+pairs  --outtype f16 --vocab-only", flush=True)


if __name__ == "__main__":
    main()
