"""llama.cpp's prompt ids and greedy continuations for phi3-spm.spec (the runner's SPM model test): expected.json.

Run from this folder after `swift build` (the oracle: /work/shared/oracle/README.md):
    python3 make_refs.py ../../../.build/debug
The model: `ggufkit-bench make-model --spec phi3-spm.spec --vocab ../../tokenizer/vocab/ggml-vocab-phi-3.gguf --seed 1
--scale 0.5` (F16; SCALE=X overrides: at 0.08 the continuations are one token repeated). For each prompt: `oracle tokenize MODEL PROMPT --special` (llama-completion's
common_tokenize(prompt, add_special=true, parse_special=true)), then `oracle-avx2 generate MODEL --tokens IDS --n 16
--flash-attn off --no-repack` (greedy ids)."""
import json, os, subprocess, sys, tempfile

bindir = sys.argv[1] if len(sys.argv) > 1 else "../../../.build/debug"
home = os.environ.get("ORACLE_HOME", os.path.expanduser("~/.cache/ggufkit-oracle"))
PROMPTS = ["Hello world, this is a test of 12345 tokens: café, naïve — 你好!",
           "<|user|>\nWhat is the capital of France?<|end|>\n<|assistant|>\n",
           "def f(x):\n    return x * 2  # <|endoftext|> inside\n\n\n   spaces"]
N = 16
SCALE = os.environ.get("SCALE", "0.5")
tmp = tempfile.mkdtemp()
model = f"{tmp}/phi3-spm-F16.gguf"
subprocess.run([f"{bindir}/ggufkit-bench", "make-model", model, "--spec", "phi3-spm.spec", "--vocab",
                "../../tokenizer/vocab/ggml-vocab-phi-3.gguf", "--seed", "1", "--scale", SCALE], check=True, stdout=subprocess.DEVNULL)
out = {"seed": 1, "scale": float(SCALE), "n": N, "cases": []}
for p in PROMPTS:
    ids = json.loads(subprocess.run([f"{home}/oracle", "tokenize", model, p, "--special"], check=True,
                                    capture_output=True, text=True).stdout)["ids"]
    g = json.loads(subprocess.run([f"{home}/oracle-avx2", "generate", model, "--tokens", ",".join(map(str, ids)), "--n", str(N),
                                   "--flash-attn", "off", "--no-repack", "--threads", "2"], check=True,
                                  capture_output=True, text=True).stdout)
    gen = g.get("ids") or g.get("tokens") or g.get("generated")
    print(p[:30], ids[:8], gen, {k: v for k, v in g.items() if k not in ("ids", "tokens", "generated")})
    out["cases"].append({"prompt": p, "prompt_ids": ids, "greedy": gen})
json.dump(out, open("expected.json", "w"), indent=1)
open("expected.json", "a").write("\n")
