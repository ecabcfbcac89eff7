#!/usr/bin/env python3
"""Writes small seed inputs for .ci/fuzz: GGUF v1-v3 and GGML/GGMF/GGJT files with a few tensors, and
tokenizer inputs. Usage: fuzz-seeds.py OUTDIR (makes OUTDIR/gguf, OUTDIR/ggml, OUTDIR/tokenizer)."""
import os, struct, sys

out = sys.argv[1]
for t in ("gguf", "ggml", "tokenizer"):
    os.makedirs(os.path.join(out, t), exist_ok=True)

def put(target, name, data):
    with open(os.path.join(out, target, name), "wb") as f:
        f.write(data)

# --- GGUF -------------------------------------------------------------------------------------------
def gguf(version, tensors, kvs, align=32):
    n = (lambda v: struct.pack("<I", v)) if version == 1 else (lambda v: struct.pack("<Q", v))
    s = lambda x: n(len(x)) + x
    b = b"GGUF" + struct.pack("<I", version) + n(len(tensors)) + n(len(kvs))
    for key, typ, payload in kvs:
        b += s(key) + struct.pack("<I", typ) + payload(n, s)
    off = 0
    for name, ne, typ, size in tensors:
        b += s(name) + struct.pack("<I", len(ne)) + b"".join(n(d) for d in ne) + struct.pack("<I", typ) + struct.pack("<Q", off)
        off += (size + align - 1) // align * align
    b += b"\0" * ((-len(b)) % align)
    return b + bytes(range(256)) * (off // 256 + 1)

kvs = [
    (b"general.architecture", 8, lambda n, s: s(b"llama")),
    (b"general.alignment", 4, lambda n, s: struct.pack("<I", 32)),
    (b"llama.context_length", 4, lambda n, s: struct.pack("<I", 256)),
    (b"llama.rope.freq_base", 6, lambda n, s: struct.pack("<f", 10000.0)),
    (b"general.flag", 7, lambda n, s: b"\1"),
    (b"general.u64", 10, lambda n, s: struct.pack("<Q", 7)),
    (b"general.f64", 12, lambda n, s: struct.pack("<d", 0.5)),
    (b"tokenizer.ggml.tokens", 9, lambda n, s: struct.pack("<I", 8) + n(3) + s(b"<unk>") + s(b"<s>") + s(b"\xe2\x96\x81a")),
    (b"tokenizer.ggml.scores", 9, lambda n, s: struct.pack("<I", 6) + n(3) + struct.pack("<3f", 0, 0, -1)),
    (b"nested", 9, lambda n, s: struct.pack("<I", 9) + n(1) + struct.pack("<I", 0) + n(2) + b"\1\2"),
]
tensors = [(b"token_embd.weight", [32, 3], 0, 32 * 3 * 4), (b"output_norm.weight", [32], 1, 64),
           (b"blk.0.attn_q.weight", [32, 2], 2, 2 * 18), (b"blk.0.ffn_down.weight", [256, 1], 12, 144),
           (b"blk.0.attn_k.weight", [32, 1, 1, 1], 8, 34)]
for v in (1, 2, 3):
    put("gguf", f"v{v}.gguf", gguf(v, tensors, kvs if v > 1 else kvs[:5]))
put("gguf", "empty.gguf", gguf(3, [], []))
put("gguf", "align64.gguf", gguf(3, tensors[:2], [(b"general.alignment", 4, lambda n, s: struct.pack("<I", 64))], align=64))

# --- GGML -------------------------------------------------------------------------------------------
def ggml(container, version, tensors, n_vocab=4, ftype=0):
    b = {"ggml": b"lmgg", "ggmf": b"fmgg" + struct.pack("<I", version), "ggjt": b"tjgg" + struct.pack("<I", version)}[container]
    b += struct.pack("<7I", n_vocab, 32, 256, 4, 1, 8, ftype)
    for i in range(n_vocab):
        tok = [b" \xe2\x81\x87 ", b"", b"", b"a"][i % 4]
        b += struct.pack("<I", len(tok)) + tok + (b"" if container == "ggml" else struct.pack("<f", -i))
    for name, ne, typ, size in tensors:
        b += struct.pack("<3I", len(ne), len(name), typ) + b"".join(struct.pack("<I", d) for d in ne) + name
        if container == "ggjt":
            b += b"\0" * ((-len(b)) % 32)
        b += bytes((i * 7) & 255 for i in range(size))
    return b

small = [(b"tok_embeddings.weight", [32, 4], 0, 512), (b"norm.weight", [32], 0, 128),
         (b"output.weight", [32, 4], 1, 256), (b"layers.0.attention.wq.weight", [32, 2], 2, 36)]
put("ggml", "ggml.bin", ggml("ggml", 0, small[:3]))
put("ggml", "ggmf.bin", ggml("ggmf", 1, small[:3]))
for v in (1, 2, 3):
    put("ggml", f"ggjt{v}.bin", ggml("ggjt", v, small))
put("ggml", "ggjt3-q4k.bin", ggml("ggjt", 3, [(b"layers.0.feed_forward.w2.weight", [256, 1], 12, 144)]))

# --- Tokenizer --------------------------------------------------------------------------------------
texts = [b"Hello world", b" the cat sat on the mat", b"<s>hi</s> <|user|> abc", "日本語 é\u00e9".encode(),
         b"\xff\xfe bad utf8 \xc3", b"   leading spaces\n\ttab", b"<0x41><tool>abcabc"]
for i, t in enumerate(texts):
    for flags in (0x00, 0x03, 0x61):
        put("tokenizer", f"fixed-{i}-{flags:02x}", bytes([flags]) + t)
own = b"\x02\x00<unk>\n\x04\x00<s>\n\x04\x00</s>\n\x02\x05\xe2\x96\x81a\n\x02\x03ab\n\x05\x00<x>\n\x07\x00<0x41>\n\x02\x01b\n\n\x09\x0a\x08"
for flags in (0x80, 0x9f, 0xff):
    put("tokenizer", f"own-{flags:02x}", bytes([flags]) + own + b" ab<x>ba A")
