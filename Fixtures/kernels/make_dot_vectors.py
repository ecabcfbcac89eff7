"""vec_dot vectors of the IQ grid types from llama.cpp's AVX2-only build (the reference of the C kernels),
written as TYPE.dot.bin / TYPE.qy.bin / w.TYPE.q.bin plus index-dot.txt (same format as index.txt). For IQ4_NL,
IQ4_XS, TQ1_0, TQ2_0 and MXFP4 it checks that make_vectors.py's TYPE.dot.bin / TYPE.qy.bin (made by the native
build) equal the AVX2 build's.

Run through oracle-avx2's python (ORACLE_ISA=avx2, PYTHONPATH=$ORACLE_HOME/avx2-py), see make_vectors.sh.
The weight rows are the committed TYPE.q.bin of make_vectors.py (for the grid types random blocks with a sane
fp16 scale) plus rows quantized by ggml with importance weights (real codes).
"""
import ctypes, os, sys
import numpy as np

sys.path.insert(0, os.environ["ORACLE_HOME"])
import oracle  # noqa: E402

out = sys.argv[1]
assert os.environ.get("ORACLE_ISA") == "avx2", "run with oracle-avx2's environment"


def load(name):
    for line in open(os.path.join(out, "index.txt")):
        f = line.split()
        if f and f[0] == name:
            dt = np.float32 if f[1] in ("x", "y", "dq", "dot") else np.uint8
            return np.fromfile(os.path.join(out, name), dtype=dt).reshape(int(f[3]), -1)
    raise SystemExit(f"{name} not in index.txt")


index = []


def chunk(x, t, w):
    """ggml_quantize_chunk(type, x, dst, 0, rows, n, w) (it runs ggml_quantize_init for the grid types)."""
    g = oracle.G()
    gt = oracle._gtype(t)
    x = np.ascontiguousarray(x, dtype=np.float32)
    rows, n = x.shape
    q = np.zeros((rows, g.ggml_row_size(gt, n)), dtype=np.uint8)
    k = g.ggml_quantize_chunk(gt, x.ctypes.data_as(ctypes.POINTER(ctypes.c_float)), q.ctypes.data, 0, rows, n,
                             np.ascontiguousarray(w, dtype=np.float32).ctypes.data)
    assert k == q.nbytes
    return q


def save(name, kind, typ, a):
    a = np.ascontiguousarray(a)
    a.tofile(os.path.join(out, name))
    rows, cols = a.shape
    index.append(f"{name} {kind} {typ} {rows} {cols}")


y = load("y.f32.bin")
x = load("x.f32.bin")
grid = ["IQ2_XXS", "IQ2_XS", "IQ2_S", "IQ3_XXS", "IQ3_S", "IQ1_S", "IQ1_M"]
# importance weights for the grid types' real rows (ggml requires them for IQ2/IQ1)
w = (1.0 + np.abs(np.random.default_rng(7).standard_normal(x.shape[1]))).astype(np.float32)
for t in grid + ["IQ4_NL", "IQ4_XS", "TQ1_0", "TQ2_0", "MXFP4"]:
    q = load(f"{t}.q.bin")
    if t in grid:
        # rows 0, 1, 8, 9 of x (normal, student_t2, llama_f16, shifted), quantized with weights (the ±1e30
        # row makes ggml's grid search abort)
        real = chunk(x[[0, 1, 8, 9]], t, w)
        save(f"w.{t}.q.bin", "q", t, real)
        q = np.concatenate([q, real])
    d, vname, qy = oracle.ggml_vec_dot_rows(q, t, y)
    if t in grid:
        save(f"{t}.dot.bin", "dot", t, d)
        save(f"{t}.qy.bin", "qy", vname, qy)
    else:
        assert np.array_equal(d.view(np.uint32), load(f"{t}.dot.bin").view(np.uint32)), t
        assert np.array_equal(qy, load(f"{t}.qy.bin")), t

# IQ4_NL and MXFP4 pair their 32-blocks and finish an odd count in scalar code: rows of 15 blocks
for t in ["IQ4_NL", "MXFP4"]:
    q = oracle.ggml_quantize_rows(x[:, :480], t, "chunk")
    save(f"odd.{t}.q.bin", "q", t, q)
    d, vname, qy = oracle.ggml_vec_dot_rows(q, t, y[:, :480])
    save(f"odd.{t}.dot.bin", "dot", t, d)
    save(f"odd.{t}.qy.bin", "qy", vname, qy)

with open(os.path.join(out, "index-dot.txt"), "w") as f:
    f.write("# name kind type rows cols  (made by make_dot_vectors.py with llama.cpp's AVX2 build; dot columns: "
            "the rows of TYPE.q.bin, then those of w.TYPE.q.bin)\n")
    f.write("\n".join(index) + "\n")
print("wrote", len(index), "files")
