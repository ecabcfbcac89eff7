#!/usr/bin/env python3
"""Extract the SPM vocabulary of a llama GGUF file into a small JSON fixture for GGUFTokenizerTests.

usage: make_vocab.py MODEL.gguf OUT.json
Needs the `gguf` package (PyPI gguf==0.19.0, e.g. /root/.cache/ggufkit-oracle/venv/bin/python).
Tokens are written as hex of their UTF-8 bytes (exact, whatever they contain); scores as float32 values
(JSON numbers round-trip exactly through Float); types as the int32 llama token types.
"""
import json, os, sys
import numpy as np
from gguf import GGUFReader

def field(r, name):
    f = r.fields.get(name)
    if f is None:
        return None
    return f

def main():
    src, out = sys.argv[1], sys.argv[2]
    r = GGUFReader(src)
    tf = field(r, "tokenizer.ggml.tokens")
    tokens = [bytes(tf.parts[i]).hex() for i in tf.data]
    sf = field(r, "tokenizer.ggml.scores")
    scores = [float(np.float32(sf.parts[i][0])) for i in sf.data]
    yf = field(r, "tokenizer.ggml.token_type")
    types = [int(yf.parts[i][0]) for i in yf.data]
    def scalar(name):
        f = field(r, name)
        return None if f is None else f.parts[f.data[0]][0].item()
    model = bytes(field(r, "tokenizer.ggml.model").parts[-1]).decode()
    obj = {
        "source": os.path.basename(src),
        "model": model,
        "bos_token_id": scalar("tokenizer.ggml.bos_token_id"),
        "eos_token_id": scalar("tokenizer.ggml.eos_token_id"),
        "unknown_token_id": scalar("tokenizer.ggml.unknown_token_id"),
        "add_bos_token": scalar("tokenizer.ggml.add_bos_token"),
        "add_space_prefix": scalar("tokenizer.ggml.add_space_prefix"),
        "tokens_hex": tokens,
        "scores": scores,
        "token_types": types,
    }
    with open(out, "w") as f:
        json.dump(obj, f, indent=0)
        f.write("\n")

if __name__ == "__main__":
    main()
