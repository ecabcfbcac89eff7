"""llama.cpp's logits and perplexity (AVX2 build, plain path) for two tiny llama models whose matrices use the IQ,
TQ and MXFP4 types, and the models themselves (committed: ~610 KB together): expected.json.

Run from this folder on an x86 machine with AVX2 after `swift build` (ggufkit-bench makes the F16 model):
    ORACLE_HOME=$HOME/.cache/ggufkit-oracle ORACLE_ISA=avx2 PYTHONPATH=$HOME/.cache/ggufkit-oracle/avx2-py \\
        $HOME/.cache/ggufkit-oracle/venv/bin/python make_iq_refs.py ../../../.build/debug
Steps: `ggufkit-bench make-model --spec tiny-llama.spec --seed 1 --scale 0.08` (F16); calib.txt (written here, a
deterministic pseudo-text); llama-imatrix on it (1 thread: with 2 its sums vary); llama-quantize (AVX2 build) with per-tensor types to
  iq-grid.gguf: IQ2_XXS, IQ2_XS, IQ2_S, IQ3_XXS, IQ1_S, IQ1_M, IQ3_S, IQ4_XS (with the imatrix)
  iq-lut.gguf:  IQ4_NL, TQ1_0, TQ2_0, MXFP4 (no imatrix)
then llama.cpp's logits for TOKENS one token at a time, for the first BATCH tokens in one batch and for all of
TOKENS in one batch ("batch_full") (n_ctx 256,
2 threads, flash attention off, no repacking), stored as the SHA-256 of the float32 little-endian logits plus the
first 32 logits of the last row; and llama-perplexity's output on calib.txt (-c 64 --chunks 4 -b 64 -t 2 -fa off -nr).
BATCH is 7, below the 8 tokens from which llama.cpp computes IQ4_XS and the grid types with its tiled matmul
(ggml-cpu/tiled): "batch" checks vec_dot (and tinyBLAS_Q0 for IQ4_NL), "batch_full" the tiled path.
"""
import hashlib, json, os, re, subprocess, sys, tempfile
import numpy as np

home = os.environ.get("ORACLE_HOME", os.path.expanduser("~/.cache/ggufkit-oracle"))
sys.path.insert(0, home)
import oracle  # noqa: E402

assert os.environ.get("ORACLE_ISA") == "avx2", "run with oracle-avx2's environment (see the docstring)"
bindir = sys.argv[1] if len(sys.argv) > 1 else "../../../.build/debug"
tools = f"{home}/build-avx2/bin"
TOKENS = [1, 300, 5, 77, 260, 261, 262, 263, 42, 100, 318, 319, 7, 8, 9, 264, 265, 200, 150, 3, 4, 290, 291, 299]
BATCH = 7
HEAD = 32
MODELS = {
    "iq-grid": ("IQ2_XXS", True, {"attn_q": "iq2_xxs", "attn_k": "iq2_xs", "attn_v": "iq2_s", "attn_output": "iq3_xxs",
                                  "ffn_gate": "iq1_s", "ffn_up": "iq1_m", "ffn_down": "iq3_s"}, "iq4_xs", "iq4_xs"),
    "iq-lut": ("IQ4_NL", False, {"attn_q": "iq4_nl", "attn_k": "tq1_0", "attn_v": "tq2_0", "attn_output": "mxfp4",
                                 "ffn_gate": "iq4_nl", "ffn_up": "tq2_0", "ffn_down": "mxfp4"}, "tq1_0", "iq4_nl"),
}

# calib.txt: words of the vocabulary (▁t0 … ▁t60) and byte-fallback text, deterministic
r = np.random.default_rng(5)
words = [f"t{int(i)}" for i in r.integers(0, 61, 900)]
for k in range(0, 900, 13):
    words[k] = ["the", "a", "of", "and", "x9", "q", ",", "."][k % 8]
open("calib.txt", "w").write("\n".join(" ".join(words[i:i + 15]) for i in range(0, 900, 15)) + "\n")

tmp = tempfile.mkdtemp()
f16 = f"{tmp}/tiny-F16.gguf"
subprocess.run([f"{bindir}/ggufkit-bench", "make-model", f16, "--spec", "tiny-llama.spec", "--seed", "1", "--scale", "0.08"],
               check=True, stdout=subprocess.DEVNULL)
imat = f"{tmp}/imatrix.gguf"
subprocess.run([f"{tools}/llama-imatrix", "-m", f16, "-f", "calib.txt", "-c", "64", "-o", imat, "-t", "1", "--no-ppl"],
               check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

out = {"tokens": TOKENS, "batch_tokens": BATCH, "models": {}}
for name, (ftype, use_imatrix, types, embd, outp) in MODELS.items():
    # run in the temp folder with a relative imatrix path: quantize.imatrix.file keeps the path as given
    cmd = [f"{tools}/llama-quantize"] + (["--imatrix", "imatrix.gguf"] if use_imatrix else [])
    for k, v in types.items():
        cmd += ["--tensor-type", f"{k}={v}"]
    cmd += ["--token-embedding-type", embd, "--output-tensor-type", outp, f16, os.path.abspath(f"{name}.gguf"), ftype, "2"]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tmp)
    m = oracle.Model(f"{name}.gguf", n_ctx=256, n_batch=256, threads=2, flash_attn="off", repack=False)
    batch = np.ascontiguousarray(m.decode(TOKENS[:BATCH], 0, True), dtype="<f4")
    m.clear()
    full = np.ascontiguousarray(m.decode(TOKENS, 0, True), dtype="<f4")
    m.clear()
    single = np.ascontiguousarray(np.stack([m.decode([t], i, True)[0] for i, t in enumerate(TOKENS)]), dtype="<f4")
    m.close()
    rec = {"sha256_file": hashlib.sha256(open(f"{name}.gguf", "rb").read()).hexdigest()}
    for mode, a in [("batch", batch), ("single", single), ("batch_full", full)]:
        rec[mode] = {"sha256": hashlib.sha256(a.tobytes()).hexdigest(), "last_row_head": [float(x) for x in a[-1][:HEAD]]}
    # llama-perplexity's log thread loses its last lines at exit in about half the runs (exit status 0): run it again
    for attempt in range(20):
        ppl = subprocess.run([f"{tools}/llama-perplexity", "-m", f"{name}.gguf", "-f", "calib.txt", "-c", "64", "--chunks",
                              "4", "-b", "64", "-t", "2", "-fa", "off", "-nr"], check=True, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True)
        text = ppl.stdout
        final = re.search(r"Final estimate: PPL = ([0-9.]+)", text)
        if final:
            break
    assert final, text[-2000:]
    rec["ppl_running"] = [float(v) for v in re.findall(r"\[\d+\]([0-9.]+),", text)]
    rec["ppl_final"] = float(final.group(1))
    out["models"][name] = rec
    print(name, os.path.getsize(f"{name}.gguf"), "bytes; ppl", rec["ppl_running"], rec["ppl_final"])
json.dump(out, open("expected.json", "w"), indent=0)
open("expected.json", "a").write("\n")
