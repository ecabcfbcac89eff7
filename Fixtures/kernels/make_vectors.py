"""GGUFKernels test vectors, made with llama.cpp's ggml (the oracle's libggml) and written as raw
little-endian .bin files plus index.txt, so the Swift tests need neither numpy nor the oracle.

index.txt, one line per file:  NAME KIND TYPE ROWS COLS
  KIND: x (float32 inputs), y (float32 activations), q (quantized bytes, COLS = row bytes),
        dq (float32 from ggml's to_float), qy (activation rows in the vec_dot_type, COLS = row bytes),
        dot (float32 [rows_y, rows_x], ggml's CPU vec_dot: d[j, i] = x_i . y_j), act (CPU from_float bytes),
        ref (from_float_ref bytes)
"""
import os, sys
import numpy as np

sys.path.insert(0, os.environ["ORACLE_HOME"])
import oracle  # noqa: E402  (ggml through ctypes)

out = sys.argv[1]
N = 512
r = np.random.default_rng(20261128)


def inputs():
    rows = [
        ("normal", r.standard_normal(N)),
        ("student_t2", r.standard_t(2, N)),
        ("zeros", np.zeros(N)),
        ("constant", np.full(N, 3.5)),
        ("tiny", np.full(N, 1e-30) * np.where(np.arange(N) % 3 == 0, -1.0, 1.0)),
        ("huge", r.standard_normal(N) * 1e30),
        ("single", np.where(np.arange(N) == 77, 0.75, 0.0)),
        ("alternating", np.where(np.arange(N) % 2, 1.0, -1.0)),
        ("llama_f16", (r.standard_normal(N) * 0.02).astype(np.float16)),
        ("shifted", r.standard_normal(N) * 0.1 + 0.5),
    ]
    return [n for n, _ in rows], np.stack([v for _, v in rows]).astype(np.float32)


index = []


def save(name, kind, typ, a):
    a = np.ascontiguousarray(a)
    a.tofile(os.path.join(out, name))
    rows, cols = a.shape
    index.append(f"{name} {kind} {typ} {rows} {cols}")


names, x = inputs()
y = r.standard_normal((3, N)).astype(np.float32)
save("x.f32.bin", "x", "F32", x)
save("y.f32.bin", "y", "F32", y)

weights = ["Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q8_0", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K",
           "F16", "BF16", "IQ4_NL", "IQ4_XS", "TQ1_0", "TQ2_0", "MXFP4"]
for t in weights:
    q = oracle.ggml_quantize_rows(x, t, "chunk")
    save(f"{t}.q.bin", "q", t, q)
    save(f"{t}.dq.bin", "dq", t, oracle.ggml_dequantize_rows(q, t))
    d, vname, qy = oracle.ggml_vec_dot_rows(q, t, y)
    save(f"{t}.dot.bin", "dot", t, d)
    save(f"{t}.qy.bin", "qy", vname, qy)

# bulk: 64 rows of 256 from assorted distributions (F16-rounded like weights from an F16 file, and raw F32);
# quantized bytes only
b = []
for i in range(64):
    k = i % 8
    sd = 10.0 ** r.uniform(-4, 1)
    v = [r.standard_normal(256), r.uniform(-1, 1, 256), r.laplace(size=256), r.standard_t(3, 256),
         r.standard_normal(256) + 3.0, -np.abs(r.standard_normal(256)), np.abs(r.standard_normal(256)),
         r.standard_normal(256) * (r.uniform(size=256) < 0.1)][k] * sd
    if i % 2 == 0:
        v = v.astype(np.float16)
    b.append(v)
# signed zeros: ggml's strict-comparison scans keep the first of equal ±0 elements (fp16 d/m = 0x8000 or 0)
for sgn in (1.0, -1.0):
    v = sgn * np.abs(r.standard_normal(256))
    z = r.uniform(size=256) < 0.3
    v[z] = np.where(r.uniform(size=z.sum()) < 0.5, 0.0, -0.0)
    b.append(v)
b.append(np.where(r.uniform(size=256) < 0.5, 0.0, -0.0))
b.append(np.concatenate([[-0.0, 0.0], np.zeros(254)]))
xb = np.stack(b).astype(np.float32)
save("bulk.f32.bin", "x", "F32", xb)
for t in ["Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q8_0", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "F16", "BF16"]:
    save(f"bulk.{t}.q.bin", "q", t, oracle.ggml_quantize_rows(xb, t, "chunk"))
for t in ["Q8_0", "Q8_1", "Q8_K"]:
    save(f"bulk.{t}.act.bin", "act", t, oracle.ggml_quantize_rows(xb, t, "cpu"))

# IQ grid types: ggml cannot quantize them without an imatrix (or its quantize_init), so their dequantizers
# are checked on random blocks whose fp16 super-scale (first two bytes) is set to a sane value
g = oracle.G()
for t in ["IQ2_XXS", "IQ2_XS", "IQ2_S", "IQ3_XXS", "IQ3_S", "IQ1_S", "IQ1_M"]:
    rb = g.ggml_row_size(oracle._gtype(t), N)
    q = r.integers(0, 256, size=(4, rb), dtype=np.uint8)
    bs = rb // (N // 256)
    if t != "IQ1_M":
        for b in range(N // 256):
            q[:, b * bs:b * bs + 2] = np.frombuffer(np.float16(0.0123).tobytes(), dtype=np.uint8)
    save(f"{t}.q.bin", "q", t, q)
    save(f"{t}.dq.bin", "dq", t, oracle.ggml_dequantize_rows(q, t))

# activation quantizers: the CPU backend's from_float (x86 AVX2 for Q8_0/Q8_1) and the references
for t in ["Q8_0", "Q8_1", "Q8_K"]:
    save(f"{t}.act.bin", "act", t, oracle.ggml_quantize_rows(x, t, "cpu"))
for t in ["Q8_0", "Q8_1"]:
    save(f"{t}.ref.bin", "ref", t, oracle.ggml_quantize_rows(x, t, "ref"))

# fp16 / bf16 special values (NaN, Inf, subnormals, ties, overflow)
sp = np.array([0.0, -0.0, 1.0, -1.0, 65504.0, 65519.99, 65520.0, 1e9, -1e9, np.inf, -np.inf, np.nan, -np.nan,
               6e-8, 3e-8, 2.9802322e-08, 5.9604645e-08, 1e-10, 1.00048828125, 1.00146484375, 0.1, 1e-30,
               3.3895314e38, 1.1754942e-38, 1e-45, 2049.0, 2051.0], dtype=np.float32)
sp = np.concatenate([sp, r.standard_normal(512 - len(sp)).astype(np.float32) * np.float32(1000)])
spec = sp.reshape(1, -1)
bits = spec.view(np.uint32).copy()
bits[0, 27] = 0x7FC12345  # NaN with payload
bits[0, 28] = 0xFF812345  # signalling NaN with sign
bits[0, 29] = 0x3F808000  # bf16 tie to even (down)
bits[0, 30] = 0x3F818000  # bf16 tie to even (up)
spec = bits.view(np.float32)
save("special.f32.bin", "x", "F32", spec)
for t in ["F16", "BF16"]:
    save(f"special.{t}.q.bin", "q", t, oracle.ggml_quantize_rows(spec, t, "chunk"))

# non-finite weights (a broken download or a diverged fine-tune): ggml's min/max scans skip NaN when they
# start from ±FLT_MAX (Q4_1, Q5_1) but keep a NaN first element (make_qkx2_quants starts from x[0])
nf = []
for k in range(6):
    v = r.standard_normal(256)
    if k == 0: v[r.integers(0, 256, 5)] = np.nan
    if k == 1: v[0] = -np.nan
    if k == 2: v[[3, 40, 100, 200]] = [np.inf, -np.inf, np.inf, -np.inf]
    if k == 3: v[:] = np.nan
    if k == 4: v[r.uniform(size=256) < 0.3] = np.nan; v[r.uniform(size=256) < 0.2] = np.inf
    if k == 5: v[32:64] = np.nan; v[64:96] = -np.inf
    nf.append(v)
xn = np.stack(nf).astype(np.float32)
save("nonfinite.f32.bin", "x", "F32", xn)
for t in ["Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q8_0", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "F16", "BF16"]:
    save(f"nonfinite.{t}.q.bin", "q", t, oracle.ggml_quantize_rows(xn, t, "chunk"))

with open(os.path.join(out, "index.txt"), "w") as f:
    f.write("# name kind type rows cols  (made by make_vectors.py; rows of " + str(N) + ": " + " ".join(names) + ")\n")
    f.write("\n".join(index) + "\n")
print("wrote", len(index), "files")
