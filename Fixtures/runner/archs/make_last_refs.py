"""llama.cpp's logits of the LAST token only (one batch of the 24 tokens with only the last output requested), for a few
models of this folder: expected-last.json. llama.cpp then computes the last layer after attention (residual, FFN,
post-norms) on that one row only (`inp_out_ids`), so its matmuls take the one-token paths (vec_dot) where a full batch
takes tinyBLAS or the tiled K-quant kernel; the runner's `evaluate(allLogits: false)` must do the same.

Run as make_refs.py (same environment and argument): python make_last_refs.py ../../../.build/debug
"""
import hashlib, json, os, subprocess, sys, tempfile
import numpy as np

sys.path.insert(0, os.environ.get("ORACLE_HOME", os.path.expanduser("~/.cache/ggufkit-oracle")))
import oracle  # noqa: E402

bindir = sys.argv[1] if len(sys.argv) > 1 else "../../../.build/debug"
MODELS = [("llama-moe", "F16"), ("qwen3moe", "Q4_K_M"), ("gemma3", "Q4_K_M"), ("phi3", "Q8_0"), ("qwen2moe", "Q6_K"),
          ("gemma2", "F16")]
exp = json.load(open("expected.json"))
TOKENS, SCALE = exp["tokens"], str(exp["scale"])
out = {"tokens": TOKENS, "models": {}}
tmp = tempfile.mkdtemp()
for s, t in MODELS:
    f16 = f"{tmp}/{s}-F16.gguf"
    if not os.path.exists(f16):
        subprocess.run([f"{bindir}/ggufkit-bench", "make-model", f16, "--spec", f"{s}.spec", "--seed", "1", "--scale", SCALE],
                       check=True, stdout=subprocess.DEVNULL)
    path = f16
    if t != "F16":
        path = f"{tmp}/{s}-{t}.gguf"
        subprocess.run([f"{bindir}/ggufkit", "quantize", f16, path, t], check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
    m = oracle.Model(path, n_ctx=256, n_batch=256, threads=2, flash_attn="off", repack=False)
    last = np.ascontiguousarray(m.decode(TOKENS, 0, False), dtype="<f4")
    m.clear()
    full = np.ascontiguousarray(m.decode(TOKENS, 0, True), dtype="<f4")[-1:]
    m.close()
    out["models"][f"{s}-{t}"] = {"sha256": hashlib.sha256(last.tobytes()).hexdigest(),
                                 "last_equals_full_batch_row": bool(np.array_equal(last, full))}
    print(s, t, "max |last - full batch row|", float(np.abs(last - full).max()))
json.dump(out, open("expected-last.json", "w"), indent=0)
open("expected-last.json", "a").write("\n")
