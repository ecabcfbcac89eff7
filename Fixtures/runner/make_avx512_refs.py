"""Writes llama.cpp's logits of fortune-llama F32/F16/Q8_0/q4_0/q4_K_M/q2_K/q3_K_M/q5_K_M/q6_K with llama.cpp built for an
AVX-512 CPU (-march=native on a Sapphire Rapids class Xeon: AVX512 F/DQ/BW/VL/VNNI/BF16/VBMI, AVX-VNNI): the runner's
bit-exactness references at KernelLevel.avx512 (docs/kernels.md, "CPU levels").

Run from this folder with the oracle's python (its native build, not oracle-avx2), on such a machine:
    $ORACLE_HOME/venv/bin/python make_avx512_refs.py ../../../shared/fixtures
Plain path (flash attention off, repacking off), n_ctx 256, 2 threads. For each type two files:
fortune-llama-TYPE.avx512-batch.npy (the 24 tokens in one batch: tinyBLAS matmuls, tinyBLAS_Q0 for Q8_0/Q4_0, the tiled K-quant
matmul for K-quants) and
fortune-llama-TYPE.avx512-single.npy (the same tokens decoded one at a time: ggml_vec_dot).
"""
import json, os, sys
import numpy as np

sys.path.insert(0, os.environ.get("ORACLE_HOME", os.path.expanduser("~/.cache/ggufkit-oracle")))
import oracle  # noqa: E402

shared = sys.argv[1] if len(sys.argv) > 1 else "../../../shared/fixtures"
tokens = json.load(open("expected.json"))["tokens"]
for t, path in [("f32", "gguf/fortune-llama-f32"), ("f16", "gguf/fortune-llama-f16"),
                ("Q8_0", "gguf-current/fortune-llama-Q8_0"), ("q4_0", "gguf/fortune-llama-q4_0"),
                ("q4_K_M", "gguf/fortune-llama-q4_K_M"), ("q2_K", "gguf/fortune-llama-q2_K"),
                ("q3_K_M", "gguf/fortune-llama-q3_K_M"), ("q5_K_M", "gguf/fortune-llama-q5_K_M"),
                ("q6_K", "gguf/fortune-llama-q6_K")]:
    m = oracle.Model(f"{shared}/trained/{path}.gguf", n_ctx=256, n_batch=256, threads=2,
                     flash_attn="off", repack=False)
    batch = m.decode(tokens, 0, True)
    m.clear()
    single = np.stack([m.decode([tok], i, True)[0] for i, tok in enumerate(tokens)])
    m.close()
    np.save(f"fortune-llama-{t}.avx512-batch.npy", batch)
    np.save(f"fortune-llama-{t}.avx512-single.npy", single)
