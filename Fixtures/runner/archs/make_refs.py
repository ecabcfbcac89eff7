"""llama.cpp's logits (AVX2 build, plain path) of the runnable synthetic models in this folder: expected.json.

Run from this folder on an x86 machine with AVX2 (any: the oracle's AVX2 build is used), after `swift build`:
    ORACLE_HOME=$HOME/.cache/ggufkit-oracle ORACLE_ISA=avx2 PYTHONPATH=$HOME/.cache/ggufkit-oracle/avx2-py \\
        $HOME/.cache/ggufkit-oracle/venv/bin/python make_refs.py ../../../.build/debug
For each spec: `ggufkit-bench make-model --spec S --seed 1 --scale 0.08` (F16), `ggufkit quantize` to Q8_0, Q4_K_M and
Q6_K (byte-identical to llama-quantize; llama-moe also IQ4_XS and MXFP4_MOE), then llama.cpp's logits for TOKENS in one batch and one token at a time
(n_ctx 256, 2 threads, flash attention off, no repacking). Stored per model and type: the SHA-256 of the float32
little-endian logits ([tokens, vocab], row-major) and the first 32 logits of the last row (for a max |Δ| when the hash differs).
"""
import hashlib, json, os, subprocess, sys, tempfile
import numpy as np

sys.path.insert(0, os.environ.get("ORACLE_HOME", os.path.expanduser("~/.cache/ggufkit-oracle")))
import oracle  # noqa: E402

bindir = sys.argv[1] if len(sys.argv) > 1 else "../../../.build/debug"
TYPES = ["F16", "Q8_0", "Q4_K_M", "Q6_K"]
SPECS = {"llama-moe": TYPES + ["IQ4_XS", "MXFP4_MOE"], "qwen2": TYPES, "qwen3": TYPES, "qwen3moe": TYPES, "qwen3-hd128": ["F16", "Q4_K_M"],
         "llama3": ["F16", "Q4_K_M"], "qwen2moe": TYPES, "gemma": TYPES, "gemma2": TYPES, "gemma3": TYPES, "phi3": TYPES, "phi3-short": ["F16", "Q8_0"], "qwen3moe-32": ["F16", "Q4_K_M"]}
# make_refs.py DIR SPEC...: only those specs, the other entries of expected.json kept
if len(sys.argv) > 2:
    SPECS = {s: SPECS[s] for s in sys.argv[2:]}
TOKENS = [1, 300, 5, 77, 260, 261, 262, 263, 42, 100, 318, 319, 7, 8, 9, 264, 265, 200, 150, 3, 4, 290, 291, 299]
SCALE = "0.08"
HEAD = 32   # values of the last row kept (a max |Δ| when the hash differs)

out = {"tokens": TOKENS, "seed": 1, "scale": float(SCALE), "models": {}}
if len(sys.argv) > 2:
    out["models"] = json.load(open("expected.json"))["models"]
tmp = tempfile.mkdtemp()
for s, types in SPECS.items():
    f16 = f"{tmp}/{s}-F16.gguf"
    subprocess.run([f"{bindir}/ggufkit-bench", "make-model", f16, "--spec", f"{s}.spec", "--seed", "1", "--scale", SCALE],
                   check=True, stdout=subprocess.DEVNULL)
    for t in types:
        path = f16
        if t != "F16":
            path = f"{tmp}/{s}-{t}.gguf"
            subprocess.run([f"{bindir}/ggufkit", "quantize", f16, path, t], check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        m = oracle.Model(path, n_ctx=256, n_batch=256, threads=2, flash_attn="off", repack=False)
        batch = np.ascontiguousarray(m.decode(TOKENS, 0, True), dtype="<f4")
        m.clear()
        single = np.ascontiguousarray(np.stack([m.decode([tok], i, True)[0] for i, tok in enumerate(TOKENS)]), dtype="<f4")
        m.close()
        rec = {}
        for mode, a in [("batch", batch), ("single", single)]:
            rec[mode] = {"sha256": hashlib.sha256(a.tobytes()).hexdigest(), "last_row_head": [float(x) for x in a[-1][:HEAD]],
                         "range": [float(a.min()), float(a.max())]}
        rec["batch_equals_single"] = bool(np.array_equal(batch, single))
        out["models"][f"{s}-{t}"] = rec
        print(s, t, "logits range", rec["batch"]["range"], "batch max|single-batch|", float(np.abs(batch - single).max()))
json.dump(out, open("expected.json", "w"), indent=0)
open("expected.json", "a").write("\n")
