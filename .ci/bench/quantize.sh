#!/usr/bin/env bash
# Benchmark: ggufkit quantize vs llama-quantize on a >= 1 GB F16 model, same threads; seconds, peak RSS,
# and whether the outputs are byte-identical. Usage: ORACLE_HOME=... bash .ci/bench/quantize.sh [WORKDIR] [TYPES]
# (MODEL=FILE: quantize that F16 model instead of the default one; THREADS=N)
set -euo pipefail
cd "$(dirname "$0")/../.."
W=${1:-/tmp/ggufkit-bench-quantize}
TYPES=${2:-"Q4_K_M Q6_K Q2_K"}
T=${THREADS:-$(nproc)}
mkdir -p "$W"
command -v /usr/bin/time >/dev/null || apt-get install -y -qq time >/dev/null
swift build -c release --product ggufkit >/dev/null
swift build -c release --product ggufkit-bench >/dev/null
BIN=$(swift build -c release --show-bin-path)
# Default: 1.7 GB F16 with TinyLlama-like proportions (dim 2048, 16 layers, GQA 4, ffn 5632, vocab 32000).
M=${MODEL:-$W/model-f16.gguf}
[ -f "$M" ] || "$BIN/ggufkit-bench" make-model "$M" --dim 2048 --layers 16 --heads 16 --kv-heads 4 --ffn 5632 --vocab 32000 --type f16
echo "input: $M, $(stat -c %s "$M") bytes, $T threads, load $(cut -d' ' -f1 /proc/loadavg),$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"
cat "$M" > /dev/null
for t in $TYPES; do
  /usr/bin/time -f "%e %M" -o "$W/t1" "$BIN/ggufkit" quantize "$M" "$W/ours.gguf" "$t" -t "$T" --force --no-progress 2>/dev/null >/dev/null
  /usr/bin/time -f "%e %M" -o "$W/t2" "$ORACLE_HOME/bin/llama-quantize" "$M" "$W/ref.gguf" "$t" "$T" >/dev/null 2>&1
  read -r s1 m1 < "$W/t1"; read -r s2 m2 < "$W/t2"
  same=$(cmp -s "$W/ours.gguf" "$W/ref.gguf" && echo identical || echo DIFFERENT)
  printf "%-7s ggufkit %6.2f s %7.1f MB RSS | llama-quantize %6.2f s %7.1f MB RSS | %.2fx | %s\n" "$t" "$s1" "$(echo "$m1/1024" | bc -l)" "$s2" "$(echo "$m2/1024" | bc -l)" "$(echo "$s2/$s1" | bc -l)" "$same"
  rm -f "$W/ours.gguf" "$W/ref.gguf"
done
