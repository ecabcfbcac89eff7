#!/usr/bin/env bash
# Benchmark: ggufkit-bench kernels (portable release build) vs llama.cpp's CPU kernels (ggml_kernels.c against
# the oracle's libggml), same n, same inputs, one thread. Each side runs RUNS times (default 2), alternating;
# every figure is the best of its runs. Prints both tables and a side-by-side one with ours ÷ llama.cpp.
# Usage: [ORACLE_HOME=…] [GGUFKIT_CPU=native] [RUNS=2] bash .ci/bench/kernels.sh [N] [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-16384}
S=${2:-0.3}
RUNS=${RUNS:-2}
ORACLE_HOME=${ORACLE_HOME:-/root/.cache/ggufkit-oracle}
LIB=${GGML_LIB:-$ORACLE_HOME/venv/lib/python3.11/site-packages/llama_cpp/lib}
INC=${GGML_INCLUDE:-$ORACLE_HOME/src/llama_cpp_python-0.3.36/vendor/llama.cpp/ggml/include}
W=${WORKDIR:-/tmp/ggufkit-bench-kernels}
mkdir -p "$W"
CPU=${GGUFKIT_CPU:-portable}
SCRATCH=.build-rel; [ "$CPU" != portable ] && SCRATCH=.build-rel-$CPU
swift build -c release --scratch-path "$SCRATCH" --product ggufkit-bench >/dev/null
cc -O2 -o "$W/ggml_kernels" .ci/bench/ggml_kernels.c -I"$INC" -L"$LIB" -lggml-base -lggml-cpu -lm -Wl,-rpath,"$LIB"
echo "n = $N, $RUNS runs each, build $CPU, load $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq "$RUNS"); do
  "$SCRATCH/release/ggufkit-bench" kernels --n "$N" --seconds "$S" > "$W/ours.$r"
  "$W/ggml_kernels" "$N" "$S" > "$W/ggml.$r"
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
cat "$W/ours.1"; cat "$W/ggml.1"
# best of runs per cell (all columns are rates: higher is better), then the side-by-side table
awk -v runs="$RUNS" '
  FNR == 1 { file++; next }
  { side = (FILENAME ~ /ours/) ? "o" : "g"; t = toupper($1); if (!(t in order)) { order[t] = ++nt; names[nt] = t }
    for (c = 2; c <= 5; c++) { v = ($c == "-") ? -1 : $c + 0; k = side SUBSEP t SUBSEP c; if (!(k in best) || v > best[k]) best[k] = v } }
  function cell(t, c,   o, g) { o = best["o", t, c]; g = best["g", t, c]
    if (o < 0 || g <= 0) return sprintf("| %s / %s | - ", o < 0 ? "-" : o, g)
    return sprintf("| %s / %s | %.2f ", (c == 5 ? sprintf("%.2f", o) : sprintf("%.0f", o)), (c == 5 ? sprintf("%.2f", g) : sprintf("%.0f", g)), o / g) }
  END {
    print "\n| type | quantize MB/s: ours / llama.cpp | ÷ | dequantize MB/s | ÷ | activations MB/s | ÷ | dot Gelem/s | ÷ |"
    print "| --- | --- | ---: | --- | ---: | --- | ---: | --- | ---: |"
    for (i = 1; i <= nt; i++) { t = names[i]; line = "| " t " "; for (c = 2; c <= 5; c++) line = line cell(t, c); print line "|" }
  }' $(for r in $(seq "$RUNS"); do echo "$W/ours.$r" "$W/ggml.$r"; done)
