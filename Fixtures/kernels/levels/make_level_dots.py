"""F32/F16/BF16 vec_dot references per CPU level (GGUFKernelsTests.LevelDotTests): the same rows dotted by llama.cpp
built for AVX2+FMA+F16C (run through `oracle-avx2`'s environment) and built natively on an AVX-512 CPU (the `oracle`
build: AVX512 F/DQ/BW/VL/VNNI/BF16). 6 rows x 6 rows of n = 813 values (AVX-512: 12 steps of 64 and a tail of 45; AVX2: 25 steps of 32 and a tail of 13).

From this folder, once per build (the first run writes the inputs, the second checks they are the same):
    ORACLE_ISA=avx2 PYTHONPATH=$ORACLE_HOME/avx2-py \
        $ORACLE_HOME/venv/bin/python make_level_dots.py avx2
    $ORACLE_HOME/venv/bin/python make_level_dots.py avx512
Writes x.f32.bin, y.f32.bin ([6, 813] float32), T.qx.bin / T.qy.bin (the rows as ggml quantizes them: weights with
ggml_quantize_chunk, activations with the CPU from_float) and T.LEVEL.dot.bin (float32 [6 y rows, 6 x rows]).
"""
import os, sys
import numpy as np

sys.path.insert(0, os.environ.get("ORACLE_HOME", os.path.expanduser("~/.cache/ggufkit-oracle")))
import oracle  # noqa: E402

level = sys.argv[1]
rng = np.random.default_rng(16)
n = 813
x = rng.standard_normal((6, n)).astype(np.float32)
y = rng.standard_normal((6, n)).astype(np.float32)
x[1] *= 1e-3; y[2] *= 100.0          # other magnitudes
x[3] = np.abs(x[3]); y[3] = np.abs(y[3])   # no cancellation
first = not os.path.exists("x.f32.bin")
if first:
    x.tofile("x.f32.bin"); y.tofile("y.f32.bin")
for t in ["F32", "F16", "BF16"]:
    qx = oracle.ggml_quantize_rows(x, t, "chunk")
    d, vname, qy = oracle.ggml_vec_dot_rows(qx, t, y)
    if first:
        qx.tofile(f"{t}.qx.bin"); qy.tofile(f"{t}.qy.bin")
    else:
        assert (np.fromfile(f"{t}.qx.bin", np.uint8) == qx.ravel()).all(), t
        assert (np.fromfile(f"{t}.qy.bin", np.uint8) == qy.ravel()).all(), t
    np.asarray(d, np.float32).tofile(f"{t}.{level}.dot.bin")
    print(t, vname, d.shape)
