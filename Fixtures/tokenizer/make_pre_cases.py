#!/usr/bin/env python3
"""Reference ids of llama.cpp (0c1e570, via llama-cpp-python 0.3.36) for every pre-tokenizer it knows, over one
vocabulary: models/ggml-vocab-gpt-2.gguf with its `tokenizer.ggml.pre` string replaced by each name in turn
(the file is patched in a temporary directory; nothing else changes). Covers the pre-tokenizers whose
models have no vocabulary file in llama.cpp (deepseek-v3, tekken, gpt-4o, chameleon, ...).

usage: ORACLE_HOME=~/.cache/ggufkit-oracle $ORACLE_HOME/venv/bin/python make_pre_cases.py ggml-vocab-gpt-2.gguf OUT.json
Per name: ids (add_special false and true, parse_special false) and llama_detokenize (false, false) of the
add_special=false ids as hex, for the texts of make_bpe_cases.py plus some aimed at pre-tokenizer rules.
"""
import json, os, struct, sys, tempfile

import llama_cpp as L

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_bpe_cases import TEXTS, BYTES, Vocab  # noqa: E402

NAMES = [
    "default", "minicpm5", "llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral", "midm-2.0", "lfm2",
    "jina-v5-nano", "deepseek-llm", "deepseek-coder", "deepseek-v3", "spark2_5", "youtu", "falcon", "mpt",
    "starcoder", "gpt-2", "phi-2", "jina-es", "jina-de", "gigachat", "jina-v2-es", "jina-v2-de", "a.x-4.0",
    "mellum", "modern-bert", "jina-v1-en", "jina-v2-code", "roberta-bpe", "exaone4", "jais-2", "gemma4",
    "granite-embed-multi-311m", "sarvam-moe", "refact", "command-r", "qwen2", "deepseek-r1-qwen", "kormo",
    "f2llmv2", "qwen35", "stablelm2", "olmo", "dbrx", "smaug-bpe", "poro-chat", "chatglm-bpe", "glm4", "glm5",
    "viking", "jais", "tekken", "smollm", "codeshell", "bloom", "gpt3-finnish", "exaone", "exaone-moe",
    "chameleon", "minerva-7b", "megrez", "gpt-4o", "llama4", "kanana2", "talkie", "granite-embed-multi-97m",
    "superbpe", "trillion", "granite-docling", "bailingmoe", "bailingmoe2", "llada-moe", "seed-coder", "hunyuan",
    "hunyuan-dense", "hy_v4", "joyai-llm", "ufakzeka", "grok-2", "laguna", "minimax-m2", "solar-open", "mellum2",
    "kimi-k2", "afmoe", "tiny_aya", "cohere2moe",
]

EXTRA = [
    "HelloWorld ABCdef XMLHttpRequest iPhone McDonald's", "ALLCAPS lowercase Title Case mIxEd", "Ǆǅǆ ǈ ǋ ᾈ",
    "1234567890 12 345 6789", "x1y22z333w4444", "４５６ ٤٥٦ ๔๕๖", "中文English混合123测试", "日本語カタカナひらがな漢字",
    "<sentinel:12> IMGIMGABCZ text", "    four spaces\ttab  two", "a.b,c!d?e…f。g，h、i।j۔k،l", "(paren) [bracket] {brace}",
    "'tis the season's end", "Ünïcödé ÀÉÎÕÜ àéîõü", "Ǉudi ǉudi", "x\r\ny\rz\n\n\nw", "  \n  \n", "end.   ",
    "价格是1234567元abc", "ab123cd4567ef89", "漢字Kanji混ぜ書きI'M 他's", " 中文 English's 123456", "1\n22\n333\n4444",
    "(12345) 6,789.01", "!中x", "-中", "a中'S",
]


def patched(src, name, key=b"tokenizer.ggml.pre", data=None):
    data = data if data is not None else open(src, "rb").read()
    i = data.index(struct.pack("<Q", len(key)) + key) + 8 + len(key)
    vtype, n = struct.unpack_from("<IQ", data, i)
    assert vtype == 8
    j = i + 12 + n
    new = data[:i] + struct.pack("<IQ", 8, len(name)) + name.encode() + data[j:]
    return new


def main():
    src, outpath = sys.argv[1:3]
    L.llama_backend_init()
    texts = [s.encode() for s in TEXTS + EXTRA] + BYTES
    result = {"what": "llama.cpp 0c1e570 via llama-cpp-python 0.3.36 (make_pre_cases.py); vocabulary: %s with "
                      "tokenizer.ggml.pre replaced" % os.path.basename(src),
              "texts_hex": [b.hex() for b in texts], "names": {}}
    # "model:whitespace/PRE": tokenizer.ggml.model patched to "whitespace" too (llm_tokenizer_whitespace_session).
    # Pre "whitespace" runs only so: with the gpt2 model llama.cpp aborts (GGML_ASSERT in find_bpe_rank) on
    # any text with a run of two spaces, which its \S+ split leaves as a word.
    runs = [(n, n, None) for n in NAMES] + [("model:whitespace/" + n, n, "whitespace") for n in ("gpt-2", "whitespace", "llama3")]
    with tempfile.TemporaryDirectory() as d:
        for name, pre, model in runs:
            p = os.path.join(d, "v.gguf")
            data = patched(src, pre)
            if model:
                data = patched(src, model, b"tokenizer.ggml.model", data)
            open(p, "wb").write(data)
            v = Vocab(p)
            ids = [v.tok(b, False, False) for b in texts]
            result["names"][name] = {
                "ids": ids,
                "ids_special": [v.tok(b, True, False) for b in texts],
                "detok_hex": [v.detok(x, False, False).hex() for x in ids],
            }
            v.close()
            print(name, file=sys.stderr)
    with open(outpath, "w") as f:
        json.dump(result, f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
