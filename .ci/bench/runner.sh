#!/usr/bin/env bash
# Benchmark: `ggufkit run` vs llama.cpp (llama-bench) on a ~1B llama, tokens/s for a 512-token prompt and
# 128 generated tokens, same threads; and the memory-bandwidth bound of generation.
# Usage: ORACLE_HOME=... bash .ci/bench/runner.sh [WORKDIR] [TYPES]      (THREADS=N, REPS=N, BIN=DIR)
#
# Model: TinyLlama-1.1B's shape (dim 2048, 22 layers, 32 heads / 4 KV heads, ffn 5632, vocab 32000), random
# weights from `ggufkit-bench make-model`, quantized with `ggufkit quantize` (byte-identical to llama-quantize).
# ggufkit: prompt = `run --tokens <512 ids> -n 0`; generation = `run --tokens 1 -n 128 --ignore-eos` (as
# llama-bench's pp512 and tg128: generation from an empty context). Best of REPS runs each.
# llama.cpp: `llama-bench -p 512 -n 128` with its defaults (weight repacking on, flash attention auto) and
# its plain path (`--repack 0 -fa off`, what the runner's numerics follow).
# Bound: weights read per generated token (all tensor bytes except token_embd, of which one row is read)
# ÷ `ggufkit-bench bandwidth` (read GB/s with the same threads).
set -euo pipefail
cd "$(dirname "$0")/../.."
W=${1:-/tmp/ggufkit-bench-runner}
TYPES=${2:-"Q4_K_M Q8_0 F16"}
T=${THREADS:-$(nproc)}
R=${REPS:-2}
ORACLE_HOME=${ORACLE_HOME:-$HOME/.cache/ggufkit-oracle}
mkdir -p "$W"
if [ -z "${BIN:-}" ]; then   # BIN=DIR: use release binaries built elsewhere
  swift build -c release --product ggufkit >/dev/null
  swift build -c release --product ggufkit-bench >/dev/null
  BIN=$(swift build -c release --show-bin-path)
fi
[ -f "$W/model-F16.gguf" ] || "$BIN/ggufkit-bench" make-model "$W/model-F16.gguf" --dim 2048 --layers 22 --heads 32 \
  --kv-heads 4 --ffn 5632 --vocab 32000 --ctx 2048 --type f16
for t in $TYPES; do
  [ -f "$W/model-$t.gguf" ] || "$BIN/ggufkit" quantize "$W/model-F16.gguf" "$W/model-$t.gguf" "$t" -t "$T" --no-progress >/dev/null
done
PROMPT=$(python3 -c "import random; random.seed(1); print(','.join(str(random.randrange(300, 32000)) for _ in range(512)))")
BW=$("$BIN/ggufkit-bench" bandwidth --threads "$T" | sed -E 's/read bandwidth: ([0-9.]+) GB.*/\1/')
echo "threads $T, read bandwidth $BW GB/s, load $(cut -d' ' -f1 /proc/loadavg), best of $R"
printf "| type | file | ggufkit pp512 | ggufkit tg128 | llama.cpp pp512 (default / plain) | llama.cpp tg128 (default / plain) | tg bound |\n|---|---|---|---|---|---|---|\n"
best() { sort -g | tail -1; }
for t in $TYPES; do
  F="$W/model-$t.gguf"
  cat "$F" > /dev/null
  pp=$(for _ in $(seq "$R"); do "$BIN/ggufkit" run "$F" --tokens "$PROMPT" -n 0 -c 1024 -t "$T" --no-display-prompt 2>&1 >/dev/null \
        | sed -nE 's/^prompt: [0-9]+ tokens in [0-9.]+ s \(([0-9.]+) tok\/s\).*/\1/p'; done | best)
  tg=$(for _ in $(seq "$R"); do "$BIN/ggufkit" run "$F" --tokens 1 -n 128 --temp 0 --ignore-eos -c 1024 -t "$T" --no-display-prompt 2>&1 >/dev/null \
        | sed -nE 's/.*generation: .*\(([0-9.]+) tok\/s\).*/\1/p'; done | best)
  lb() { "$ORACLE_HOME/bin/llama-bench" -m "$F" -p 512 -n 128 -t "$T" -r "$R" -o json "$@" 2>/dev/null \
        | python3 -c "import json,sys; r=json.load(sys.stdin); print(' '.join('%.1f' % x['avg_ts'] for x in r))"; }
  read -r lpp ltg <<< "$(lb)"
  read -r ppp ptg <<< "$(lb --repack 0 -fa off)"
  wbytes=$("$BIN/ggufkit" inspect "$F" --json | python3 -c "import json,sys; r=json.load(sys.stdin); print(sum(x['bytes'] for x in r['tensors'] if x['name'] != 'token_embd.weight'))")
  bound=$(python3 -c "print('%.1f' % ($BW * 1e9 / $wbytes))")
  printf "| %s | %.2f GB | %s | %s | %s / %s | %s / %s | %s |\n" "$t" "$(python3 -c "print($(stat -L -c %s "$F") / 1e9)")" "$pp" "$tg" "$lpp" "$ppp" "$ltg" "$ptg" "$bound"
done
