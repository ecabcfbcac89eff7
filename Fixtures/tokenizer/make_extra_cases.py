#!/usr/bin/env python3
"""Reference ids for our own extra tokenizer cases, from the shared oracle's llama.cpp (0c1e570).

usage: ORACLE_HOME=~/.cache/ggufkit-oracle $ORACLE_HOME/venv/bin/python make_extra_cases.py MODEL.gguf EVAL.txt OUTDIR
Writes OUTDIR/extra-cases.json (same fields as cases.json, plus detokenize variants; every case also
carries `text_hex` and `detok_hex`, exact bytes: some are not valid UTF-8, and JSON readers may drop U+FEFF) and OUTDIR/eval-ids.json (count, per-1024-id FNV-1a
hashes and the first 1024 of the ids llama.cpp gives the whole perplexity text with BOS, as
llama-perplexity tokenizes it; OUTDIR/eval.txt is a copy of it).
"""
import ctypes, json, os, shutil, sys

home = os.environ.get("ORACLE_HOME", os.path.expanduser("~/.cache/ggufkit-oracle"))
for d in (home, "/work/shared/oracle"):
    if os.path.exists(os.path.join(d, "oracle.py")):
        sys.path.insert(0, d)
        break
import oracle  # noqa: E402

TEXTS = [
    "<s>Hello</s>", "Hello<s>world", "<s> spaced", "a</s>b<unk>c", "<s><s>", " <s>", "<s>\n", "x <s> y",
    "<unk><unk>", "</s></s>text", "<<s>>", "<s", "s>",
    "a\u0000b", "\r", "\r\n\r\n", "\f\v", "%\n%\n%", "0123456789 9876543210", "Mr. O'Neil's",
    "the The THE tHe", "          ten spaces", "supercalifragilisticexpialidocious",
    "a" * 200, "ab" * 100, "\t\t-- Albert Einstein\n", "日本語とEnglishの混在", "\ufeffBOM", "e\u0301 o\u0308",
    "".join(chr(c) for c in range(32, 127)), "±§¶©® ÷×", "Ã©tÃ© â€œquotedâ€\x9d", "🇺🇸🇩🇪", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "▁a▁ b", "  ▁  ", "▁", "\u2581\u2581\u2581", "q\u200dq", "\U0010FFFF\U000E0001",
    "Q: Why did the chicken cross the road?\nA:", "The best thing about Linux is",
    "You will be married within a year.\n%\nYou will be surrounded by luxury.\n",
    "if (x != 0) { return -1; }\n\treturn 0;", "ﬀﬁﬂ ﬃ ﬄ", "\u00a0\u00a0nbsp",
]
# not valid UTF-8: llama.cpp takes any bytes
BYTES = [b"\xff", b"\xc3", b"\xe2\x96", b"abc\x80def", b"\xf0\x9f\x98", b"\xf0\x9f\x98 x", b"\xed\xa0\x80",
         b"\xc0\xaf", b"a\xfe\xffb", b" \xe2\x96\x81\xe2", b"\xf8\x88\x80\x80\x80"]


def tok_bytes(m, b, add_special, parse_special):
    l = oracle.L()
    n = len(b) + 16
    buf = (l.llama_token * n)()
    k = l.llama_tokenize(m.vocab, b, len(b), buf, n, add_special, parse_special)
    assert k >= 0
    return list(buf[:k])


def detok_bytes(m, toks, remove_special=False, unparse_special=False):
    l = oracle.L()
    arr = (l.llama_token * max(len(toks), 1))(*toks)
    n = 16 * len(toks) + 64
    buf = ctypes.create_string_buffer(n)
    k = l.llama_detokenize(m.vocab, arr, len(toks), buf, n, remove_special, unparse_special)
    assert k >= 0
    return buf.raw[:k]


def case(m, b):
    ids = tok_bytes(m, b, True, False)
    nb = tok_bytes(m, b, False, False)
    sp = tok_bytes(m, b, False, True)
    spb = tok_bytes(m, b, True, True)
    return {"ids": ids, "ids_nobos": nb, "ids_nobos_parse_special": sp, "ids_parse_special": spb,
            "pieces_hex": [m.piece(t).hex() for t in nb],
            "detok_hex": detok_bytes(m, nb).hex(),
            # detokenize variants over the BOS + parse_special ids
            "detok_special_hex": detok_bytes(m, spb).hex(),
            "detok_special_remove_hex": detok_bytes(m, spb, remove_special=True).hex(),
            "detok_special_unparse_hex": detok_bytes(m, spb, unparse_special=True).hex(),
            "detok_special_remove_unparse_hex": detok_bytes(m, spb, True, True).hex()}


def fnv1a64(ids):
    h = 0xcbf29ce484222325
    for t in ids:
        for b in int(t).to_bytes(4, "little", signed=True):
            h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h


def main():
    model, evaltxt, outdir = sys.argv[1:4]
    m = oracle.Model(model, vocab_only=True)
    try:
        cases = []
        for s in TEXTS:
            c = {"text": s, "text_hex": s.encode("utf-8").hex()}  # hex too: JSON readers may drop a U+FEFF
            c.update(case(m, s.encode("utf-8")))
            c["detok"] = bytes.fromhex(c["detok_hex"]).decode("utf-8", "replace")
            cases.append(c)
        for b in BYTES:
            c = {"text": b.decode("utf-8", "replace"), "text_hex": b.hex()}
            c.update(case(m, b))
            cases.append(c)
        out = {"model": os.path.basename(model),
               "what": "llama.cpp 0c1e570 (shared oracle): as cases.json; ids_parse_special = BOS + parse_special; "
                       "detok_special_* = llama_detokenize(ids_parse_special, remove_special, unparse_special)",
               "cases": cases}
        with open(os.path.join(outdir, "extra-cases.json"), "w") as f:
            json.dump(out, f, ensure_ascii=False, indent=1)
            f.write("\n")
        text = open(evaltxt, "rb").read()
        ids = tok_bytes(m, text, True, False)
        shutil.copyfile(evaltxt, os.path.join(outdir, "eval.txt"))
        chunk = 1024
        with open(os.path.join(outdir, "eval-ids.json"), "w") as f:
            json.dump({"text": "eval.txt", "bytes": len(text), "add_special": True, "parse_special": False,
                       "count": len(ids), "hash": "FNV-1a 64 of the ids as int32 little-endian, per chunk of 1024 ids",
                       "chunk": chunk,
                       "chunk_fnv1a64": ["%016x" % fnv1a64(ids[i:i + chunk]) for i in range(0, len(ids), chunk)],
                       "first_ids": ids[:chunk]}, f, separators=(",", ":"))
            f.write("\n")
        print(len(cases), "cases;", len(ids), "eval ids")
    finally:
        m.close()


if __name__ == "__main__":
    main()
