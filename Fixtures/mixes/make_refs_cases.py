#!/usr/bin/env python3
"""Turn the shared fixtures' mix references into refs-cases.json (stdlib only).

Usage: python3 Fixtures/mixes/make_refs_cases.py [FIXTURES_DIR]   (default /work/shared/fixtures)

Sources (all from the shared fixtures, see their README):
  refs/mixes.json           per-tensor types of the 2023 GGML files and the current-quantizer files
  refs/gguf_tensors.json    shapes/types/order and KV keys of every GGUF made (inputs and outputs)
  trained/ggml, gqa/ggml, stories260K/must-refuse: GGML files, parsed here for shapes (GGJT v1/v3)
Each case: model (input tensors in input order), target, era, expected [name, type] in output order.
"""
import json, os, struct, sys

FX = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/fixtures"
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "refs-cases.json")
GT = {0: "F32", 1: "F16", 2: "Q4_0", 3: "Q4_1", 6: "Q5_0", 7: "Q5_1", 8: "Q8_0",
      10: "Q2_K", 11: "Q3_K", 12: "Q4_K", 13: "Q5_K", 14: "Q6_K"}
BS = {0: (1, 4), 1: (1, 2), 2: (32, 18), 3: (32, 20), 6: (32, 22), 7: (32, 24), 8: (32, 34),
      10: (256, 84), 11: (256, 110), 12: (256, 144), 13: (256, 176), 14: (256, 210)}
FTYPE = {0: "F32", 1: "F16", 2: "Q4_0", 3: "Q4_1", 7: "Q8_0", 8: "Q5_0", 9: "Q5_1", 10: "Q2_K", 11: "Q3_K_S",
         12: "Q3_K_M", 13: "Q3_K_L", 14: "Q4_K_S", 15: "Q4_K_M", 16: "Q5_K_S", 17: "Q5_K_M", 18: "Q6_K"}


def ggjt(path):
    """[(name, ne, type)] of a GGJT file in file order, and its hparams."""
    f = open(path, "rb").read()
    o = 8
    hp = struct.unpack_from("<7I", f, o); o += 28
    for _ in range(hp[0]):
        l, = struct.unpack_from("<I", f, o); o += 4 + l + 4
    out = []
    while o < len(f):
        nd, nl, t = struct.unpack_from("<III", f, o); o += 12
        ne = list(struct.unpack_from("<%dI" % nd, f, o)); o += 4 * nd
        name = f[o:o + nl].decode(); o += nl
        o = (o + 31) // 32 * 32
        n = 1
        for x in ne: n *= x
        b, s = BS[t]; o += n // b * s
        out.append([name, ne, GT[t]])
    return out, hp


mixes = json.load(open(os.path.join(FX, "refs/mixes.json")))
gt = json.load(open(os.path.join(FX, "refs/gguf_tensors.json")))
models, cases = {}, []

# ---- 2023: quantize runs of the 2023 tool. Sources: the F16 GGJT v1 files (F32 for F32 and stories260K).
fort, _ = ggjt(os.path.join(FX, "trained/ggml/fortune-llama-f16.ggmlv3.bin"))   # same names/shapes/types as the v1 source
models["fortune-ggml-f16"] = {"n_layer": 4, "n_head": 4, "n_head_kv": 4, "tensors": fort}
models["fortune-ggml-f32"] = {"n_layer": 4, "n_head": 4, "n_head_kv": 4,
                              "tensors": [[n, ne, "F32"] for n, ne, _ in fort]}
gq, _ = ggjt(os.path.join(FX, "gqa/ggml/gqa-random-q4_0.ggmlv3.bin"))
models["gqa-ggml-f16"] = {"n_layer": 2, "n_head": 8, "n_head_kv": 2,
                          "tensors": [[n, ne, "F16" if len(ne) == 2 else "F32"] for n, ne, _ in gq]}
st, _ = ggjt(os.path.join(FX, "stories260K/must-refuse/stories260K-q4_0.ggmlv3.bin"))
models["stories260K-ggml-f32"] = {"n_layer": 5, "n_head": 8, "n_head_kv": 4,
                                  "tensors": [[n, ne, "F32"] for n, ne, _ in st]}

def add2023(key, model, ftype, types_in_order):
    m = models[model]
    names = [t[0] for t in m["tensors"]]
    assert [n for n, _ in types_in_order] == names, key
    cases.append({"source": key, "era": "2023", "model": model, "target": ftype, "args": [],
                  "expect": [[n, t] for n, t in types_in_order]})

for key, v in mixes["2023"].items():
    if "convertpy" in key or key.startswith("stories260K/"):
        continue  # converter outputs / files of unknown provenance, not quantize runs
    ft = FTYPE[v["ftype"]]
    model = ("gqa-ggml-f16" if key.startswith("gqa/") else
             "fortune-ggml-f32" if ft == "F32" else "fortune-ggml-f16")
    add2023(key, model, ft, list(v["tensors"].items()))
for ft in ("q4_0", "q8_0"):
    key = "stories260K/must-refuse/stories260K-%s.ggmlv3.bin" % ft
    t, _ = ggjt(os.path.join(FX, key))
    add2023(key, "stories260K-ggml-f32", ft.upper(), [(n, ty) for n, _, ty in t])

# ---- current: oracle.py quantize gguf/fortune-llama-f16.gguf X TYPE (= llama-quantize X Y TYPE 2)
src = gt["trained/gguf/fortune-llama-f16.gguf"]
models["fortune-gguf-f16"] = {"n_layer": 4, "n_head": 4, "n_head_kv": 4,
                              "tensors": [[n, ne, ty] for n, ty, ne, _ in src["tensors"]],
                              "kv_keys": [k[0] if isinstance(k, list) else k["key"] if isinstance(k, dict) else k
                                          for k in src["kv"]]}
for key, v in mixes["current"].items():
    ft = FTYPE[v["file_type"]]
    g = gt.get(key)
    order = [t[0] for t in g["tensors"]] if g else list(v["tensors"])
    assert set(order) == set(v["tensors"])
    c = {"source": key, "era": "current", "model": "fortune-gguf-f16", "target": ft, "args": [],
         "expect": [[n, v["tensors"][n]] for n in order]}
    if g:
        c["kv_keys"] = [k[0] if isinstance(k, list) else k["key"] if isinstance(k, dict) else k for k in g["kv"]]
    cases.append(c)

json.dump({"generator": "Fixtures/mixes/make_refs_cases.py", "models": models, "cases": cases},
          open(OUT, "w"), separators=(",", ":"))
print(OUT, len(cases), "cases")
