#!/usr/bin/env python3
"""Write a synthetic GGJT v3 ("GGMLv3") llama file of a chosen size, for converter benchmarks.

Shapes are LLaMA-7B-like (n_embd 4096, n_ff 11008, vocab 32000); the layer count sets the size
(16 layers of Q4_0 = 2.0 GB). Tensor data is random bytes (the converter copies bytes, it does not
compute with them). Usage: make_ggml.py OUT [--layers N] [--type q4_0|f16]
"""
import argparse, os, struct

p = argparse.ArgumentParser()
p.add_argument("out")
p.add_argument("--layers", type=int, default=16)
p.add_argument("--type", default="q4_0", choices=["q4_0", "f16"])
a = p.parse_args()
n_vocab, n_embd, n_ff, n_head = 32000, 4096, 11008, 32
tid, ftype = (2, 2) if a.type == "q4_0" else (1, 1)

def nbytes(ne):
    n = ne[0] * (ne[1] if len(ne) > 1 else 1)
    if len(ne) == 1:
        return n * 4
    return n // 32 * 18 if tid == 2 else n * 2

with open(a.out, "wb") as f:
    f.write(struct.pack("<II", 0x67676A74, 3))
    f.write(struct.pack("<7I", n_vocab, n_embd, 256, n_head, a.layers, n_embd // n_head, ftype))
    for i in range(n_vocab):
        tok = b"" if i in (1, 2) else (bytes([i - 3]) if 3 <= i < 259 else b" t%d" % i)
        f.write(struct.pack("<I", len(tok)) + tok + struct.pack("<f", -float(i)))
    def tensor(name, ne):
        t = 0 if len(ne) == 1 else tid
        f.write(struct.pack("<III", len(ne), len(name), t) + struct.pack("<%dI" % len(ne), *ne) + name.encode())
        f.seek((-f.tell()) % 32, 1)
        left = nbytes(ne)
        while left:
            k = min(left, 1 << 24)
            f.write(os.urandom(k))
            left -= k
    tensor("tok_embeddings.weight", [n_embd, n_vocab])
    tensor("norm.weight", [n_embd])
    tensor("output.weight", [n_embd, n_vocab])
    for l in range(a.layers):
        for w in ("wq", "wk", "wv", "wo"):
            tensor(f"layers.{l}.attention.{w}.weight", [n_embd, n_embd])
        tensor(f"layers.{l}.attention_norm.weight", [n_embd])
        tensor(f"layers.{l}.feed_forward.w1.weight", [n_embd, n_ff])
        tensor(f"layers.{l}.feed_forward.w2.weight", [n_ff, n_embd])
        tensor(f"layers.{l}.feed_forward.w3.weight", [n_embd, n_ff])
        tensor(f"layers.{l}.ffn_norm.weight", [n_embd])
print(a.out, os.path.getsize(a.out), "bytes")
