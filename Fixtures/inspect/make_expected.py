"""Expected figures for the inspect/diff tests, from the gguf Python package (gguf-py 0.19.0).

Run with the oracle's python from the repository root (needs ../shared/fixtures):
    $ORACLE_HOME/venv/bin/python Fixtures/inspect/make_expected.py [ORACLE_Q4_K_M.gguf]

1. gguf-dump/<name>.json: `gguf_dump --json --json-array` of two GGUF files that the tests rebuild by
   converting the committed Fixtures/ggml/*.zst (byte-identical, sha256 checked), plus each tensor's data
   offset from the start of the file and byte size (gguf_dump's "offset" is that of the tensor-info record).
2. values.json: per tensor RMSE and max |a-b| of the dequantized values (gguf.quants, bit-identical to ggml)
   of fortune-llama-f16 against its Q8_0 (current llama-quantize), its GGML-era Q4_K_M (converted), and a
   Q4_K_M requantized by the oracle (argument; optional), computed in float64 with numpy.
"""
import hashlib, io, json, os, subprocess, sys, contextlib
import numpy as np
import gguf
from gguf.scripts import gguf_dump

ARGS = list(sys.argv)
HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.normpath(os.path.join(HERE, "../../../shared/fixtures"))

def dump(path):
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        sys.argv = ["gguf_dump", "--json", "--json-array", path]
        gguf_dump.main()
    d = json.loads(buf.getvalue())
    r = gguf.GGUFReader(path)
    for t in r.tensors:
        e = d["tensors"][t.name]
        e["data_offset"] = int(t.data_offset)
        e["n_bytes"] = int(t.n_bytes)
    d["filename"] = os.path.basename(path)
    d["sha256"] = hashlib.sha256(open(path, "rb").read()).hexdigest()
    return d

def values(pa, pb):
    ra, rb = gguf.GGUFReader(pa), gguf.GGUFReader(pb)
    tb = {t.name: t for t in rb.tensors}
    out, sse, n, mx = [], 0.0, 0, 0.0
    for t in ra.tensors:
        u = tb[t.name]
        a = gguf.quants.dequantize(t.data, t.tensor_type).astype(np.float64).reshape(-1)
        b = gguf.quants.dequantize(u.data, u.tensor_type).astype(np.float64).reshape(-1)
        d = a - b
        s = float(np.sum(d * d))
        m = float(np.max(np.abs(d))) if d.size else 0.0
        out.append({"name": t.name, "elements": int(d.size), "rmse": float(np.sqrt(s / d.size)), "max_abs": m})
        sse += s; n += d.size; mx = max(mx, m)
    return {"a": os.path.relpath(pa, SHARED), "b": os.path.relpath(pb, SHARED), "tensors": out,
            "total": {"elements": n, "rmse": float(np.sqrt(sse / n)), "max_abs": mx}}

os.makedirs(os.path.join(HERE, "gguf-dump"), exist_ok=True)
for rel in ["trained/gguf/fortune-llama-q4_K_M.gguf", "gqa/gguf/gqa-random-q4_0.gguf"]:
    d = dump(os.path.join(SHARED, rel))
    with open(os.path.join(HERE, "gguf-dump", os.path.basename(rel) + ".json"), "w") as f:
        json.dump(d, f, indent=1)
f16 = os.path.join(SHARED, "trained/gguf/fortune-llama-f16.gguf")
pairs = [values(f16, os.path.join(SHARED, "trained/gguf-current/fortune-llama-Q8_0.gguf")),
         values(f16, os.path.join(SHARED, "trained/gguf/fortune-llama-q4_K_M.gguf"))]
if len(ARGS) > 1:
    v = values(f16, ARGS[1])
    v["b"] = "oracle quantize trained/gguf/fortune-llama-f16.gguf Q4_K_M (sha256 %s)" % hashlib.sha256(open(ARGS[1], "rb").read()).hexdigest()
    pairs.append(v)
with open(os.path.join(HERE, "values.json"), "w") as f:
    json.dump({"generator": "Fixtures/inspect/make_expected.py, gguf " + getattr(gguf, "__version__", "0.19.0") + ", numpy " + np.__version__,
               "pairs": pairs}, f, indent=1)
print("ok")
