#!/usr/bin/env python3
"""A synthetic SPM vocabulary that stresses what the fortune vocabulary does not, and llama.cpp's ids for
random strings over it.

usage: ORACLE_HOME=~/.cache/ggufkit-oracle $ORACLE_HOME/venv/bin/python make_synthetic.py OUTDIR
Writes a vocab-only llama GGUF to a temporary folder (not kept), loads it with the oracle's llama.cpp and
writes OUTDIR/synthetic-vocab.json (as fortune-vocab.json) and OUTDIR/synthetic-cases.json.

The vocabulary has many equal scores (ties: the leftmost pair must merge first), -0.0 next to 0.0,
merges whose parts are not tokens, user-defined tokens (matched in text even without parse_special),
overlapping control tokens of equal length, unused (5) and undefined (0) tokens, byte tokens only for
some bytes (the rest fall back to one-byte tokens or are missing) and an empty token text.
"""
import json, os, random, sys, tempfile

import numpy as np
from gguf import GGUFWriter

home = os.environ.get("ORACLE_HOME", os.path.expanduser("~/.cache/ggufkit-oracle"))
for d in (home, "/work/shared/oracle"):
    if os.path.exists(os.path.join(d, "oracle.py")):
        sys.path.insert(0, d)
        break
import oracle  # noqa: E402
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_extra_cases import tok_bytes, detok_bytes  # noqa: E402

NORMAL, UNKNOWN, CONTROL, USER, UNUSED, BYTE, UNDEF = 1, 2, 3, 4, 5, 6, 0


def vocab():
    v = [("<unk>", 0.0, UNKNOWN), ("<s>", 0.0, CONTROL), ("</s>", 0.0, CONTROL)]
    # byte tokens for every byte except 0x85 and 0x86: those fall back to one-byte tokens (raw bytes, not
    # valid UTF-8 alone; llama.cpp throws std::out_of_range when neither exists, so no byte is left without)
    for b in range(256):
        if b in (0x85, 0x86):
            continue
        v.append(("<0x%02X>" % b, 0.0, BYTE))
    v.append((b"\x85", 0.0, NORMAL))
    v.append((b"\x86", 0.0, NORMAL))
    chars = ["▁", "a", "b", "c", "d", "x", "y", "z", "<", ">", "|", "é", "日", "本", "\n"]
    for c in chars:
        v.append((c, -100.0, NORMAL))
    merges = [("ab", 0.0), ("bc", 0.0), ("ca", 0.0), ("abc", 0.0), ("▁a", -0.0), ("▁b", 0.0), ("aa", -1.0),
              ("aaa", -1.0), ("aaaa", -1.0), ("cab", 0.5), ("abca", 0.5), ("▁▁", -2.0), ("▁▁▁", -2.0),
              ("xy", -3.0), ("yz", -3.0), ("xyz", -3.0), ("dd", 1.0), ("ddd", 1.0), ("d▁", 0.0), ("▁d", 0.0),
              ("日本", -0.5), ("éé", 0.0), ("bd", -5.0), ("abd", 2.0),  # "abd": parts "ab"+"d"
              ("zz", 0.0), ("qq", 0.0), ("", 0.0)]
    types = {"zz": UNUSED, "qq": UNDEF}
    for t, s in merges:
        v.append((t, s, types.get(t, NORMAL)))
    v += [("<|user|>", 0.0, USER), ("xyz!", 0.0, USER), ("<|a|>", 0.0, CONTROL), ("|a|><", 0.0, CONTROL),
          ("<|b|>", 0.0, CONTROL), ("b|><|", 0.0, USER), ("▁user", 0.0, USER)]
    return v


def write_gguf(path, v):
    w = GGUFWriter(path, "llama")
    w.add_context_length(64)
    w.add_embedding_length(8)
    w.add_block_count(1)
    w.add_feed_forward_length(16)
    w.add_head_count(2)
    w.add_head_count_kv(2)
    w.add_layer_norm_rms_eps(1e-5)
    w.add_tokenizer_model("llama")
    w.add_token_list([t.encode("utf-8") if isinstance(t, str) else t for t, _, _ in v])
    w.add_token_scores([s for _, s, _ in v])
    w.add_token_types([k for _, _, k in v])
    w.add_bos_token_id(1)
    w.add_eos_token_id(2)
    w.add_unk_token_id(0)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


def random_text(r):
    alphabet = ["a", "b", "c", "d", " ", "x", "y", "z", "<", ">", "|", "é", "日", "本", "\n", "q", "▁", "!",
                "<s>", "</s>", "<unk>", "<|user|>", "<|a|>", "<|b|>", "xyz!", "user", "aa", "abc", "\x85", "\x86"]
    n = r.randint(0, 24)
    return "".join(r.choice(alphabet) for _ in range(n))


def main():
    outdir = sys.argv[1]
    v = vocab()
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "synthetic.gguf")
        write_gguf(path, v)
        m = oracle.Model(path, vocab_only=True)
        try:
            r = random.Random(20261128)
            texts = ["", " ", "abc", "abca", "cabc", "aaaaaaa", "ddddd", "abd", "ab d", "dd d dd", "xyzxyz!",
                     "<|user|>x", "a<|a|><b", "<|a|><|b|>", "|a|><|a|>", "b|><|a|>", " user", "user user",
                     "zz qq", "\x85\x86\u0085", "日本本日", "éééé", "wq", "\u0080\u009f", "  a  b  "]
            texts += [random_text(r) for _ in range(300)]
            cases = []
            for s in texts:
                b = s.encode("utf-8")
                spb = tok_bytes(m, b, True, True)
                cases.append({"text": s, "text_hex": b.hex(),
                              "ids": tok_bytes(m, b, True, False), "ids_nobos": tok_bytes(m, b, False, False),
                              "ids_nobos_parse_special": tok_bytes(m, b, False, True), "ids_parse_special": spb,
                              "detok_hex": detok_bytes(m, tok_bytes(m, b, False, False)).hex(),
                              "detok_special_hex": detok_bytes(m, spb).hex(),
                              "detok_special_remove_hex": detok_bytes(m, spb, remove_special=True).hex(),
                              "detok_special_unparse_hex": detok_bytes(m, spb, unparse_special=True).hex(),
                              "detok_special_remove_unparse_hex": detok_bytes(m, spb, True, True).hex()})
            pieces = [m.piece(i).hex() for i in range(len(v))]
        finally:
            m.close()
    out = {"source": "make_synthetic.py (vocab-only GGUF, not kept)", "model": "llama",
           "bos_token_id": 1, "eos_token_id": 2, "unknown_token_id": 0, "add_bos_token": None,
           "add_space_prefix": None,
           "tokens_hex": [(t.encode("utf-8") if isinstance(t, str) else t).hex() for t, _, _ in v],
           "scores": [float(np.float32(s)) for _, s, _ in v], "token_types": [k for _, _, k in v],
           "pieces_hex": pieces}
    with open(os.path.join(outdir, "synthetic-vocab.json"), "w") as f:
        json.dump(out, f, indent=0)
        f.write("\n")
    with open(os.path.join(outdir, "synthetic-cases.json"), "w") as f:
        json.dump({"model": "synthetic-vocab.json", "what": "as extra-cases.json", "cases": cases}, f,
                  ensure_ascii=False, indent=0)
        f.write("\n")
    print(len(v), "tokens,", len(cases), "cases")


if __name__ == "__main__":
    main()
