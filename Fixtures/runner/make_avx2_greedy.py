"""Writes llama.cpp's greedy continuations on an x86 AVX2+FMA+F16C machine (no AVX-512): greedy-avx2.json,
the runner's token-for-token references (docs/runner.md, "Agreement with llama.cpp").

Run from this folder with the oracle's python, on such a machine:
    $ORACLE_HOME/venv/bin/python make_avx2_greedy.py ../../../shared/fixtures
Plain path (flash attention off, repacking off), n_ctx 256, 2 threads; the prompt ids of
refs/greedy_current.json (BOS + the tokenized prompt) in one batch, then 64 tokens one decode at a time,
each the first argmax of the last logits.
"""
import json, os, sys
import numpy as np

sys.path.insert(0, os.environ.get("ORACLE_HOME", os.path.expanduser("~/.cache/ggufkit-oracle")))
import oracle  # noqa: E402

shared = sys.argv[1] if len(sys.argv) > 1 else "../../../shared/fixtures"
prompts = [g["prompt_ids"] for g in json.load(open(f"{shared}/refs/greedy_current.json"))["files"]["trained/gguf/fortune-llama-f16.gguf"]]
files = ["trained/gguf/fortune-llama-f32.gguf", "trained/gguf/fortune-llama-f16.gguf",
         "trained/gguf-current/fortune-llama-Q8_0.gguf", "trained/gguf/fortune-llama-q8_0.gguf",
         "trained/gguf/fortune-llama-q4_0.gguf", "trained/gguf/fortune-llama-q4_1.gguf",
         "trained/gguf/fortune-llama-q5_0.gguf", "trained/gguf/fortune-llama-q5_1.gguf",
         "trained/gguf/fortune-llama-q2_K.gguf", "trained/gguf-current/fortune-llama-Q2_K.gguf",
         "trained/gguf/fortune-llama-q3_K_S.gguf", "trained/gguf/fortune-llama-q3_K_M.gguf",
         "trained/gguf/fortune-llama-q3_K_L.gguf", "trained/gguf-current/fortune-llama-Q3_K_M.gguf",
         "trained/gguf/fortune-llama-q4_K_S.gguf", "trained/gguf/fortune-llama-q4_K_M.gguf",
         "trained/gguf-current/fortune-llama-Q4_K_S.gguf", "trained/gguf/fortune-llama-q5_K_S.gguf",
         "trained/gguf/fortune-llama-q5_K_M.gguf", "trained/gguf/fortune-llama-q6_K.gguf"]
out = {"prompts": prompts, "n_predict": 64, "method": "oracle.Model, n_ctx 256, flash attention off, no repack, 2 threads",
       "files": {}}
for f in files:
    m = oracle.Model(f"{shared}/{f}", n_ctx=256, n_batch=256, threads=2, flash_attn="off", repack=False)
    runs = []
    for p in prompts:
        m.clear()
        logits = m.decode(p, 0, False)
        ids = []
        for i in range(64):
            t = int(np.argmax(logits[-1]))
            ids.append(t)
            logits = m.decode([t], len(p) + i, False)
        runs.append(ids)
    m.close()
    out["files"][f] = runs
    print(f, [r[:4] for r in runs])
json.dump(out, open("greedy-avx2.json", "w"), indent=1)
