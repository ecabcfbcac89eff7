#!/usr/bin/env bash
# Makes Fixtures/quantize/imatrix/expected-synthetic.tsv: sha256 of `llama-quantize --imatrix` (llama.cpp 0c1e570)
# for two deeper synthetic models of Fixtures/quantize/archs (qwen2-80l: 80 layers, where the first n/8 layers'
# imatrix rules apply; llama-moe8: 3-D experts) with a synthetic legacy imatrix that is not committed: every
# blk.* matrix gets entry values v(name, i) = ((37·i + 11·len(name) + Σ name bytes) mod 101 + 1) / 8 over
# columns × experts, call count 3, chunk count 5, dataset "synthetic.txt" (the tests build the same values).
# Usage: ORACLE_HOME=~/.cache/ggufkit-oracle bash Fixtures/quantize/imatrix/make_synthetic.sh
set -euo pipefail
cd "$(dirname "$0")/../../.."
Q=${ORACLE_HOME:?set ORACLE_HOME}/bin/llama-quantize
PY=$ORACLE_HOME/venv/bin/python
swift build --product ggufkit-bench >/dev/null
BENCH=$(swift build --show-bin-path)/ggufkit-bench
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
OUT=Fixtures/quantize/imatrix/expected-synthetic.tsv
echo -e "# spec\tmodel sha256\timatrix\ttype\toptions\toutput sha256 (llama-quantize --imatrix)" > $OUT
for m in qwen2-80l llama-moe8; do
  spec=Fixtures/quantize/archs/$m.spec
  $BENCH make-model $W/$m.gguf --spec $spec >/dev/null
  msha=$(sha256sum < $W/$m.gguf | cut -c1-64)
  $PY - "$spec" "$W/$m.imatrix.dat" <<'PYEOF'
import struct, sys
entries = []
for line in open(sys.argv[1]):
    f = line.rstrip("\n").split("\t")
    if f[0] != "tensor" or not f[1].startswith("blk."):
        continue
    ne = [int(v) for v in f[2].split(",")]
    if len(ne) < 2:
        continue
    entries.append((f[1], ne[0] * (ne[2] if len(ne) > 2 else 1)))
with open(sys.argv[2], "wb") as o:
    o.write(struct.pack("<i", len(entries)))
    for name, n in sorted(entries):
        b = name.encode()
        base = 11 * len(b) + sum(b)
        o.write(struct.pack("<i", len(b)) + b + struct.pack("<ii", 3, n))
        o.write(struct.pack(f"<{n}f", *[((37 * i + base) % 101 + 1) / 8 for i in range(n)]))
    o.write(struct.pack("<ii", 5, 13) + b"synthetic.txt")
PYEOF
  for t in Q4_0 Q5_0 Q4_1 IQ4_NL IQ4_XS Q2_K_S Q3_K_M Q4_K_M Q6_K; do
    (cd $W && $Q --imatrix $m.imatrix.dat $m.gguf out.gguf $t 2 >log 2>&1) || { cat $W/log; exit 1; }
    echo -e "$m\t$msha\t$m.imatrix.dat\t$t\t\t$(sha256sum < $W/out.gguf | cut -c1-64)" >> $OUT
  done
done
wc -l $OUT
