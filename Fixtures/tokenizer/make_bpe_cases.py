#!/usr/bin/env python3
"""Reference results of llama.cpp (0c1e570, through llama-cpp-python 0.3.36's bindings in the shared oracle's
venv) for our own tokenizer cases over llama.cpp's vocabulary files (models/ggml-vocab-*.gguf).

usage: ORACLE_HOME=~/.cache/ggufkit-oracle $ORACLE_HOME/venv/bin/python make_bpe_cases.py VOCAB_DIR EVAL.txt OUT.json

For every vocabulary: its facts (add_bos/add_eos, BOS/EOS, EOG ids, FNV-1a of all token attributes and of all
pieces), the ids of eval.txt (count and FNV-1a), and per case (text as hex: some are not valid UTF-8):
ids with add_special, without, with parse_special (with and without add_special), the pieces of the
add_special + parse_special ids, and llama_detokenize of those ids in the four (remove_special,
unparse_special) variants, all as exact bytes.
"""
import ctypes, json, os, sys

import llama_cpp as L

VOCABS = ["llama-bpe", "qwen2", "qwen35", "deepseek-llm", "deepseek-coder", "falcon", "gpt-2", "starcoder",
          "refact", "mpt", "command-r", "gemma-4", "llama-spm", "phi-3"]

TEXTS = [
    # scripts
    "日本語のテキストと中文字符，还有한국어 문장。", "Привет, мир! Ёлка и щука.", "مرحبا بالعالم، كيف حالك؟",
    "नमस्ते दुनिया। हिन्दी पाठ", "Ελληνικά: Καλημέρα κόσμε", "שלום עולם", "ไทย ภาษาไทย สวัสดี",
    "e\u0301 o\u0308 n\u0303 a\u030a\u0323", "Ａｂｃ　全角！？", "ℌ𝔢𝔩𝔩𝔬 𝕎𝕠𝕣𝕝𝕕", "ﬀﬁﬂ ﬃ ﬄ",
    # emoji
    "👨\u200d👩\u200d👧\u200d👦 family", "🏳️\u200d🌈 flag", "🇺🇸🇩🇪🇯🇵", "👍🏽 ok 🦙🦙🦙", "✨🔥💯",
    # code
    "def f(x):\n\treturn x**2 + 1  # square\n", "if (a != b && c <= d) { return -1; }",
    "for (int i = 0; i < n; ++i) {\n    sum += a[i];\n}", "<html><body class=\"x\">Hi</body></html>",
    "SELECT * FROM t WHERE id='42';", "$ ls -la | grep '^d' > out.txt 2>&1", "x = [1,2,3]; y = {'a': 1}",
    "https://example.com/path?q=1&r=two#frag", "user@example.org", "C:\\Windows\\System32",
    # numbers
    "1", "12", "123", "1234", "12345", "123456", "1234567", "12345678901234567890", "3.14159", "1,000,000",
    "1 000 000", "-42", "+7", "0x1F", "1e-10", "२०२४ ١٢٣ 一二三", "½ ¾ ² ³ Ⅻ", "v1.2.3-rc4", "2024-06-01T12:00:00Z",
    # whitespace
    " ", "  ", "   ", "\t", "\t\t", "\n", "\n\n", "\r\n", "\r\n\r\n", " \n ", "a  b   c    d", "a\tb\t\tc",
    "line1\nline2\r\nline3\rline4", "   leading", "trailing   ", "\u00a0nbsp\u00a0", "\u3000ideographic space",
    "\u2028\u2029sep", "\v\f", "x \n\n y", "tabs\t \t end",
    # apostrophes
    "it's", "IT'S", "we'll", "WE'LL", "they're", "I've", "I'm", "he'd", "don't", "'s 't 're 've 'm 'll 'd",
    "'S 'T 'RE 'VE 'M 'LL 'D", "rock 'n' roll", "the dog's bone", "O'Neil's", "’curly’ quotes", "l'homme",
    # punctuation and clean_spaces material
    "Hello , world !", "What ? Really .", "a ' b", "x 's y 'm z 're w 've", "...!!!???", "—–-", "«»„“”",
    "Hello world", " Hello world", "Hello World!", "HELLO   world", "camelCaseWords andSnake_case",
    "supercalifragilisticexpialidocious", "a" * 100, "ab" * 50,
    # misc
    "\u0000nul", "\ufeffBOM", "\x7fdel", "Ã©tÃ© â€œquotedâ€\x9d", "▁a▁ b", "\U0010FFFF\U000E0001", "ĠĊ ċ",
]
BYTES = [b"\xff", b"\xc3", b"\xe2\x96", b"abc\x80def", b"\xf0\x9f\x98", b"\xf0\x9f\x98 x", b"\xed\xa0\x80",
         b"\xc0\xaf", b"a\xfe\xffb", b"\xf8\x88\x80\x80\x80"]


def fnv1a64(data):
    h = 0xcbf29ce484222325
    for b in data:
        h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return "%016x" % h


class Vocab:
    def __init__(self, path):
        p = L.llama_model_default_params()
        p.vocab_only = True
        self.model = L.llama_model_load_from_file(path.encode(), p)
        assert self.model
        self.v = L.llama_model_get_vocab(self.model)

    def tok(self, b, add, parse):
        n = len(b) + 16
        buf = (L.llama_token * n)()
        k = L.llama_tokenize(self.v, b, len(b), buf, n, add, parse)
        assert k >= 0
        return list(buf[:k])

    def piece(self, t):
        buf = ctypes.create_string_buffer(1024)
        k = L.llama_token_to_piece(self.v, t, buf, 1024, 0, True)
        assert k >= 0
        return buf.raw[:k]

    def detok(self, ids, rs, us):
        arr = (L.llama_token * max(len(ids), 1))(*ids)
        n = 64 * len(ids) + 64
        buf = ctypes.create_string_buffer(n)
        k = L.llama_detokenize(self.v, arr, len(ids), buf, n, rs, us)
        assert k >= 0
        return buf.raw[:k]

    def close(self):
        L.llama_model_free(self.model)


def specials(v):
    """A few special-token texts of this vocabulary to put into the texts."""
    n = L.llama_vocab_n_tokens(v.v)
    out = []
    for t in [L.llama_vocab_bos(v.v), L.llama_vocab_eos(v.v), L.llama_vocab_eot(v.v)]:
        if 0 <= t < n:
            out.append(L.llama_vocab_get_text(v.v, t))
    ctrl = [t for t in range(n) if L.llama_vocab_get_attr(v.v, t) & 8]
    for t in ctrl[:3] + ctrl[-2:]:
        out.append(L.llama_vocab_get_text(v.v, t))
    seen, res = set(), []
    for s in out:
        if s not in seen:
            seen.add(s)
            res.append(s)
    return res[:6]


def main():
    vocab_dir, evaltxt, outpath = sys.argv[1:4]
    L.llama_backend_init()
    evalbytes = open(evaltxt, "rb").read()
    result = {"what": "llama.cpp 0c1e570 via llama-cpp-python 0.3.36 (make_bpe_cases.py)", "vocabs": {}}
    for name in VOCABS:
        path = os.path.join(vocab_dir, "ggml-vocab-%s.gguf" % name)
        if not os.path.exists(path):
            continue
        v = Vocab(path)
        n = L.llama_vocab_n_tokens(v.v)
        sp = specials(v)
        texts = [s.encode() for s in TEXTS] + BYTES
        for s in sp:
            texts += [s, b"Hello" + s + b"world", b" " + s + b" x ", s + s + b"\n", b"a" + s[:-1]]
        cases = []
        for b in texts:
            spb = v.tok(b, True, True)
            cases.append({
                "text_hex": b.hex(),
                "ids": v.tok(b, True, False),
                "ids_nospecial": v.tok(b, False, False),
                "ids_parse": v.tok(b, False, True),
                "ids_special_parse": spb,
                "pieces_hex": [v.piece(t).hex() for t in spb],
                "detok_hex": [v.detok(spb, rs, us).hex() for rs, us in ((False, False), (True, False), (False, True), (True, True))],
            })
        ev = v.tok(evalbytes, True, False)
        eog = [t for t in range(n) if L.llama_vocab_is_eog(v.v, t)]
        attrs = b"".join(int(L.llama_vocab_get_attr(v.v, t)).to_bytes(4, "little") for t in range(n))
        pieces = b"".join(len(p).to_bytes(4, "little") + p for p in (v.piece(t) for t in range(n)))
        result["vocabs"][name] = {
            "n_tokens": n, "add_bos": bool(L.llama_vocab_get_add_bos(v.v)), "add_eos": bool(L.llama_vocab_get_add_eos(v.v)),
            "bos": L.llama_vocab_bos(v.v), "eos": L.llama_vocab_eos(v.v), "eog": eog,
            "attrs_fnv1a64": fnv1a64(attrs), "pieces_fnv1a64": fnv1a64(pieces),
            "eval_count": len(ev), "eval_fnv1a64": fnv1a64(b"".join(int(t).to_bytes(4, "little", signed=True) for t in ev)),
            "cases": cases,
        }
        v.close()
        print(name, len(cases), "cases,", len(ev), "eval ids", file=sys.stderr)
    with open(outpath, "w") as f:
        json.dump(result, f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
