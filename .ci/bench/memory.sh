#!/usr/bin/env bash
# Benchmark: peak RSS of `ggufkit run` and of llama.cpp's `llama-completion` on the same files, next to both
# columns of `ggufkit inspect`'s RAM estimate, at ctx 512 (400-token prompt), 2048 and 4096 (512 tokens).
# Usage: ORACLE_HOME=... bash .ci/bench/memory.sh [WORKDIR]      (BIN=DIR: release binaries built elsewhere)
#
# Model: the oracle's `make-model --dim 2048 --layers 16 --heads 16 --kv-heads 4 --ffn 5632 --vocab 32000
# --ctx 4096 --type f16` (852 M parameters, 1.71 GB) and its Q4_K_M (0.52 GB), as in docs/inspect.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
W=${1:-/tmp/ggufkit-bench-memory}
ORACLE_HOME=${ORACLE_HOME:-$HOME/.cache/ggufkit-oracle}
mkdir -p "$W"
if [ -z "${BIN:-}" ]; then
  swift build -c release --product ggufkit >/dev/null
  BIN=$(swift build -c release --show-bin-path)
fi
[ -f "$W/m-f16.gguf" ] || "$ORACLE_HOME/make-model" --dim 2048 --layers 16 --heads 16 --kv-heads 4 --ffn 5632 \
  --vocab 32000 --ctx 4096 --type f16 --seed 1 --out "$W/m-f16.gguf" >/dev/null
[ -f "$W/m-Q4_K_M.gguf" ] || "$BIN/ggufkit" quantize "$W/m-f16.gguf" "$W/m-Q4_K_M.gguf" Q4_K_M --no-progress >/dev/null
printf "| file | ctx | prompt | ggufkit run peak RSS | ggufkit column | error | llama.cpp peak RSS | llama.cpp column | error |\n|---|---|---|---|---|---|---|---|---|\n"
for f in m-f16 m-Q4_K_M; do
  for c in 512 2048 4096; do
    np=512; [ "$c" = 512 ] && np=400
    ours=$(python3 Fixtures/inspect/measure_ggufkit.py "$BIN/ggufkit" "$W/$f.gguf" "$c" "$np")
    theirs=$("$ORACLE_HOME/venv/bin/python" Fixtures/inspect/measure_llamacpp.py "$W/$f.gguf" "$c" 512 "$np")
    est=$("$BIN/ggufkit" inspect "$W/$f.gguf" --json --ctx "$c" --threads 2)
    python3 - "$f" "$c" "$np" "$ours" "$theirs" "$est" <<'PY'
import json, sys
f, c, np_, ours, theirs, est = sys.argv[1:]
o, t, e = json.loads(ours), json.loads(theirs), json.loads(est)["memory"]
mb = lambda b: "%.1f MB" % (b / 1e6)
eg, el = e["ggufkit"]["total"], e["llamacpp"]["total"]
print(f"| {f} | {c} | {np_} | {mb(o['peak_rss'])} | {mb(eg)} | {100 * (eg / o['peak_rss'] - 1):+.1f} % "
      f"| {mb(t['peak_rss'])} | {mb(el)} | {100 * (el / t['peak_rss'] - 1):+.1f} % |")
PY
  done
done
