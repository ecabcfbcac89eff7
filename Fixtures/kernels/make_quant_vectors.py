"""Quantizer vectors of IQ4_NL, IQ4_XS, TQ1_0, TQ2_0, MXFP4 and IQ3_S (no imatrix and with importance weights), made
with llama.cpp's own ggml_quantize_chunk (the oracle's libggml-base.so, through ctypes) on the inputs that
make_vectors.py wrote (x.f32.bin, bulk.f32.bin, nonfinite.f32.bin). Writes raw .bin files and index-quant.txt
(same format as index.txt). Run through make_vectors.sh (after make_vectors.py) or:
  ORACLE_HOME=~/.cache/ggufkit-oracle $ORACLE_HOME/venv/bin/python make_quant_vectors.py Fixtures/kernels

Importance weights (ggml's quant_weights: a float per column, the same for every row, as llama-quantize passes
an imatrix entry):
  w.x.f32.bin      [1, 512]  log-normal (a typical imatrix), for x.f32.bin
  wzero.x.f32.bin  [1, 512]  all zero (every weight 0), for x.f32.bin
  w.bulk.f32.bin   [1, 256]  log-normal over six decades, 20 % exact zeros, for bulk.f32.bin and nonfinite.f32.bin
Outputs: NAME.{T}.q.bin (no weights: bulk, nonfinite) and W.NAME.{T}.q.bin (with weights W).
Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q2_K ... Q6_K: W.NAME.{T}.q.bin with the three weights on x, bulk and nonfinite.
IQ3_S: on xf.f32.bin = x.f32.bin without its ±1e30 row, and without nonfinite rows: ggml aborts on both
(GGML_ASSERT(grid_index >= 0): x² overflows, every neighbour's distance is inf or NaN).
"""
import ctypes, os, sys
import numpy as np

sys.path.insert(0, os.environ["ORACLE_HOME"])
sys.path.insert(0, os.environ.get("ORACLE_PY", "/work/shared/oracle"))
import oracle  # noqa: E402  (ggml through ctypes)

out = sys.argv[1]
r = np.random.default_rng(20261202)
index = []


def save(name, kind, typ, a):
    a = np.ascontiguousarray(a)
    a.tofile(os.path.join(out, name))
    rows, cols = a.shape
    index.append(f"{name} {kind} {typ} {rows} {cols}")


def load(name, cols):
    return np.fromfile(os.path.join(out, name), dtype=np.float32).reshape(-1, cols)


def gtype(t):
    """ggml type id (the gguf package of the oracle may not know Q1_0/Q2_0: ggml.h's 41, 42)."""
    return {"Q1_0": 41, "Q2_0": 42}.get(t) or oracle._gtype(t)


def dequantize(q, t, n):
    """ggml's own to_float of each row."""
    tr = oracle.G().ggml_get_type_traits(gtype(t)).contents
    fn = oracle._TO_FLOAT(tr.to_float)
    y = np.zeros((q.shape[0], n), dtype=np.float32)
    for i in range(q.shape[0]):
        row = np.ascontiguousarray(q[i])
        fn(row.ctypes.data, y[i].ctypes.data_as(ctypes.POINTER(ctypes.c_float)), n)
    return y


def chunk(x, t, w):
    """ggml_quantize_chunk(type, x, dst, 0, rows, n, w): w None = no imatrix."""
    g = oracle.G()
    gt = gtype(t)
    x = np.ascontiguousarray(x, dtype=np.float32)
    rows, n = x.shape
    q = np.zeros((rows, g.ggml_row_size(gt, n)), dtype=np.uint8)
    wp = None if w is None else np.ascontiguousarray(w, dtype=np.float32).ctypes.data
    k = g.ggml_quantize_chunk(gt, x.ctypes.data_as(ctypes.POINTER(ctypes.c_float)), q.ctypes.data, 0, rows, n, wp)
    assert k == q.nbytes
    return q


x, bulk, nonf = load("x.f32.bin", 512), load("bulk.f32.bin", 256), load("nonfinite.f32.bin", 256)
wx = np.exp(r.standard_normal(512) * 1.5).astype(np.float32).reshape(1, -1)
wz = np.zeros((1, 512), dtype=np.float32)
wb = (np.exp(r.uniform(-7, 7, 256)) * (r.uniform(size=256) >= 0.2)).astype(np.float32).reshape(1, -1)
save("w.x.f32.bin", "w", "F32", wx)
save("wzero.x.f32.bin", "w", "F32", wz)
save("w.bulk.f32.bin", "w", "F32", wb)
for t in ["IQ4_NL", "IQ4_XS", "TQ1_0", "TQ2_0", "MXFP4"]:
    save(f"bulk.{t}.q.bin", "q", t, chunk(bulk, t, None))
    save(f"nonfinite.{t}.q.bin", "q", t, chunk(nonf, t, None))
    save(f"w.x.{t}.q.bin", "q", t, chunk(x, t, wx[0]))
    save(f"wzero.x.{t}.q.bin", "q", t, chunk(x, t, wz[0]))
    save(f"w.bulk.{t}.q.bin", "q", t, chunk(bulk, t, wb[0]))
    save(f"w.nonfinite.{t}.q.bin", "q", t, chunk(nonf, t, wb[0]))

xf = np.delete(x, 5, axis=0)   # the "huge" row
save("xf.f32.bin", "x", "F32", xf)
for t in ["IQ3_S"]:
    save(f"xf.{t}.q.bin", "q", t, chunk(xf, t, None))
    save(f"bulk.{t}.q.bin", "q", t, chunk(bulk, t, None))
    save(f"w.xf.{t}.q.bin", "q", t, chunk(xf, t, wx[0]))
    save(f"wzero.xf.{t}.q.bin", "q", t, chunk(xf, t, wz[0]))
    save(f"w.bulk.{t}.q.bin", "q", t, chunk(bulk, t, wb[0]))

# The importance-weighted paths of the legacy and K-quant types (quantize_row_*_impl: Q4_0 ... Q5_1, Q2_K ...
# Q6_K; Q8_0 ignores the weights), on every input set: ggml aborts on none of them.
for t in ["Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q8_0", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K"]:
    save(f"w.x.{t}.q.bin", "q", t, chunk(x, t, wx[0]))
    save(f"wzero.x.{t}.q.bin", "q", t, chunk(x, t, wz[0]))
    save(f"w.bulk.{t}.q.bin", "q", t, chunk(bulk, t, wb[0]))
    save(f"w.nonfinite.{t}.q.bin", "q", t, chunk(nonf, t, wb[0]))
# The grid types of iq2xs_init_impl / iq3xs_init_impl(256) and Q1_0/Q2_0 (appended after the draws above, so the
# earlier files stay the same). Per type: whether ggml requires weights (ggml_quantize_requires_imatrix), and
# the (input, weights) pairs it aborts on, found by running each row in a child process: "huge" = the ±1e30
# row of x (then xf is used for every kind), ("nonfinite", kind) = a NaN/inf row (kind "none": no weights).
# Outputs: {x|xf|bulk|nonfinite}.T.q.bin (no weights), {w|wzero}.{input}.T.q.bin.
ALL = {"none", "w", "wzero"}
GRID = {
    "IQ2_XXS": (True, set()),
    "IQ2_XS": (True, {"huge"} | {("nonfinite", k) for k in ALL}),
    "IQ2_S": (False, {"huge"} | {("nonfinite", k) for k in ALL}),
    "IQ3_XXS": (False, {"huge"} | {("nonfinite", k) for k in ALL}),
    "IQ1_S": (True, set()),
    "IQ1_M": (False, {("nonfinite", "none")}),
    "Q1_0": (False, set()),
    "Q2_0": (False, set()),
}
for t, (needs_w, aborts) in GRID.items():
    xname, xin = ("xf", xf) if "huge" in aborts else ("x", x)
    for name, a, w, kinds in [(xname, xin, wx[0], ["none", "w", "wzero"]), ("bulk", bulk, wb[0], ["none", "w"]),
                              ("nonfinite", nonf, wb[0], ["none", "w"])]:
        for k in kinds:
            if (k == "none" and needs_w) or (name, k) in aborts:
                continue
            if k == "none":
                save(f"{name}.{t}.q.bin", "q", t, chunk(a, t, None))
            else:
                save(f"{k}.{name}.{t}.q.bin", "q", t, chunk(a, t, w if k == "w" else np.zeros_like(w)))
    if t in ("Q1_0", "Q2_0"):   # dequantized llama.cpp rows
        out_f = dequantize(chunk(x, t, None), t, x.shape[1])
        save(f"x.{t}.dq.bin", "dq", t, out_f)

with open(os.path.join(out, "index-quant.txt"), "w") as f:
    f.write("# name kind type rows cols  (made by make_quant_vectors.py; kind w = importance weights)\n")
    f.write("\n".join(index) + "\n")
print("wrote", len(index), "files")
