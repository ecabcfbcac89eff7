#!/usr/bin/env bash
# Benchmark: `ggufkit run` vs llama.cpp (llama-bench) on today's architectures, tokens/s for a 512-token prompt
# and 128 generated tokens, same threads: a Qwen2-1.5B-shaped model and a ~1 GB MoE (qwen3moe).
# Usage: ORACLE_HOME=... bash .ci/bench/runner-archs.sh [WORKDIR] [MODELS] [TYPES]   (THREADS=N, REPS=N, BIN=DIR)
#   MODELS: any of "qwen2 moe" (default both); TYPES: default "Q4_K_M F16".
#
# qwen2: Qwen2-1.5B's shape (dim 1536, 28 layers, 12 heads / 2 KV heads of 128, ffn 8960, QKV biases, tied
# output, vocab 151936 with the real Qwen2 vocabulary from Fixtures/tokenizer/vocab), random weights.
# moe: qwen3moe, dim 1024, 8 layers, 16 experts of ffn 1024 (2 used), GQA 4, Q/K norms, vocab 32000: 1.0 GB in F16
# (the model of quantize-moe.sh), with the Llama 2 SentencePiece vocabulary.
# ggufkit: prompt = `run --tokens <512 ids> -n 0`; generation = `run --tokens 1 -n 128 --ignore-eos`.
# llama.cpp: llama-bench -p 512 -n 128 of the AVX2-only build (build-avx2/, the numerics ggufkit follows), with
# its defaults and with its plain path (--repack 0 -fa off), and the native build's defaults for reference.
set -euo pipefail
cd "$(dirname "$0")/../.."
W=${1:-/tmp/ggufkit-bench-archs}
MODELS=${2:-"qwen2 moe"}
TYPES=${3:-"Q4_K_M F16"}
T=${THREADS:-$(nproc)}
R=${REPS:-2}
ORACLE_HOME=${ORACLE_HOME:-$HOME/.cache/ggufkit-oracle}
mkdir -p "$W"
if [ -z "${BIN:-}" ]; then
  swift build -c release --product ggufkit >/dev/null
  swift build -c release --product ggufkit-bench >/dev/null
  BIN=$(swift build -c release --show-bin-path)
fi

qwen2_spec() {
  local D=1536 L=28 H=12 KV=2 HD=128 F=8960 V=151936
  printf 'kv\tgeneral.architecture\tstr\tqwen2\nkv\tgeneral.name\tstr\tbench-qwen2-1.5b\n'
  printf 'kv\tqwen2.context_length\tu32\t32768\nkv\tqwen2.embedding_length\tu32\t%d\n' $D
  printf 'kv\tqwen2.block_count\tu32\t%d\nkv\tqwen2.feed_forward_length\tu32\t%d\n' $L $F
  printf 'kv\tqwen2.attention.head_count\tu32\t%d\nkv\tqwen2.attention.head_count_kv\tu32\t%d\n' $H $KV
  printf 'kv\tqwen2.rope.freq_base\tf32\t1000000\nkv\tqwen2.attention.layer_norm_rms_epsilon\tf32\t1e-06\n'
  printf 'tensor\ttoken_embd.weight\t%d,%d\tf16\ntensor\toutput_norm.weight\t%d\tf32\n' $D $V $D
  for ((b = 0; b < L; b++)); do
    printf 'tensor\tblk.%d.attn_norm.weight\t%d\tf32\n' $b $D
    printf 'tensor\tblk.%d.attn_q.weight\t%d,%d\tf16\ntensor\tblk.%d.attn_q.bias\t%d\tf32\n' $b $D $((H * HD)) $b $((H * HD))
    printf 'tensor\tblk.%d.attn_k.weight\t%d,%d\tf16\ntensor\tblk.%d.attn_k.bias\t%d\tf32\n' $b $D $((KV * HD)) $b $((KV * HD))
    printf 'tensor\tblk.%d.attn_v.weight\t%d,%d\tf16\ntensor\tblk.%d.attn_v.bias\t%d\tf32\n' $b $D $((KV * HD)) $b $((KV * HD))
    printf 'tensor\tblk.%d.attn_output.weight\t%d,%d\tf16\n' $b $((H * HD)) $D
    printf 'tensor\tblk.%d.ffn_norm.weight\t%d\tf32\n' $b $D
    printf 'tensor\tblk.%d.ffn_gate.weight\t%d,%d\tf16\ntensor\tblk.%d.ffn_up.weight\t%d,%d\tf16\n' $b $D $F $b $D $F
    printf 'tensor\tblk.%d.ffn_down.weight\t%d,%d\tf16\n' $b $F $D
  done
}

moe_spec() {
  local D=1024 L=8 E=16 FE=1024 V=32000
  printf 'kv\tgeneral.architecture\tstr\tqwen3moe\nkv\tgeneral.name\tstr\tbench-moe\n'
  printf 'kv\tqwen3moe.context_length\tu32\t4096\nkv\tqwen3moe.embedding_length\tu32\t%d\n' $D
  printf 'kv\tqwen3moe.block_count\tu32\t%d\nkv\tqwen3moe.feed_forward_length\tu32\t%d\n' $L $FE
  printf 'kv\tqwen3moe.expert_feed_forward_length\tu32\t%d\n' $FE
  printf 'kv\tqwen3moe.attention.head_count\tu32\t16\nkv\tqwen3moe.attention.head_count_kv\tu32\t4\n'
  printf 'kv\tqwen3moe.attention.layer_norm_rms_epsilon\tf32\t1e-06\nkv\tqwen3moe.rope.dimension_count\tu32\t64\n'
  printf 'kv\tqwen3moe.expert_count\tu32\t%d\nkv\tqwen3moe.expert_used_count\tu32\t2\n' $E
  printf 'tensor\ttoken_embd.weight\t%d,%d\tf16\ntensor\toutput_norm.weight\t%d\tf32\ntensor\toutput.weight\t%d,%d\tf16\n' $D $V $D $D $V
  for ((b = 0; b < L; b++)); do
    printf 'tensor\tblk.%d.attn_norm.weight\t%d\tf32\n' $b $D
    printf 'tensor\tblk.%d.attn_q.weight\t%d,%d\tf16\ntensor\tblk.%d.attn_k.weight\t%d,%d\tf16\n' $b $D $D $b $D $((D / 4))
    printf 'tensor\tblk.%d.attn_v.weight\t%d,%d\tf16\ntensor\tblk.%d.attn_output.weight\t%d,%d\tf16\n' $b $D $((D / 4)) $b $D $D
    printf 'tensor\tblk.%d.attn_q_norm.weight\t64\tf32\ntensor\tblk.%d.attn_k_norm.weight\t64\tf32\n' $b $b
    printf 'tensor\tblk.%d.ffn_norm.weight\t%d\tf32\ntensor\tblk.%d.ffn_gate_inp.weight\t%d,%d\tf32\n' $b $D $b $D $E
    printf 'tensor\tblk.%d.ffn_gate_exps.weight\t%d,%d,%d\tf16\n' $b $D $FE $E
    printf 'tensor\tblk.%d.ffn_up_exps.weight\t%d,%d,%d\tf16\n' $b $D $FE $E
    printf 'tensor\tblk.%d.ffn_down_exps.weight\t%d,%d,%d\tf16\n' $b $FE $D $E
  done
}

echo "threads $T, load $(cut -d' ' -f1 /proc/loadavg), best of $R, CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-)"
printf "| model | type | file | ggufkit pp512 | llama.cpp AVX2 pp512 (default / plain) | native pp512 | ggufkit tg128 | llama.cpp AVX2 tg128 (default / plain) | native tg128 |\n"
printf "|---|---|---|---|---|---|---|---|---|\n"
best() { sort -g | tail -1; }
for m in $MODELS; do
  case $m in
    qwen2) VOCAB=Fixtures/tokenizer/vocab/ggml-vocab-qwen2.gguf; NV=151936 ;;
    moe) VOCAB=Fixtures/tokenizer/vocab/ggml-vocab-llama-spm.gguf; NV=32000 ;;
    *) echo "unknown model $m (qwen2 or moe)" >&2; exit 2 ;;
  esac
  if [ ! -f "$W/$m-F16.gguf" ]; then
    "${m}_spec" > "$W/$m.spec"
    "$BIN/ggufkit-bench" make-model "$W/$m-F16.gguf" --spec "$W/$m.spec" ${VOCAB:+--vocab "$VOCAB"} >/dev/null
  fi
  PROMPT=$(python3 -c "import random; random.seed(1); print(','.join(str(random.randrange(300, $NV - 300)) for _ in range(512)))")
  for t in $TYPES; do
    F="$W/$m-$t.gguf"
    [ -f "$F" ] || "$BIN/ggufkit" quantize "$W/$m-F16.gguf" "$F" "$t" -t "$T" --no-progress >/dev/null
    cat "$F" > /dev/null
    pp=$(for _ in $(seq "$R"); do "$BIN/ggufkit" run "$F" --tokens "$PROMPT" -n 0 -c 1024 -t "$T" --no-display-prompt 2>&1 >/dev/null \
          | sed -nE 's/^prompt: [0-9]+ tokens in [0-9.]+ s \(([0-9.]+) tok\/s\).*/\1/p'; done | best)
    tg=$(for _ in $(seq "$R"); do "$BIN/ggufkit" run "$F" --tokens 1 -n 128 --temp 0 --ignore-eos -c 1024 -t "$T" --no-display-prompt 2>&1 >/dev/null \
          | sed -nE 's/.*generation: .*\(([0-9.]+) tok\/s\).*/\1/p'; done | best)
    lb() { local bin=$1; shift; "$bin" -m "$F" -p 512 -n 128 -t "$T" -r "$R" -o json "$@" 2>/dev/null \
          | python3 -c "import json,sys; r=json.load(sys.stdin); print(' '.join('%.1f' % x['avg_ts'] for x in r))"; }
    read -r app atg <<< "$(lb "$ORACLE_HOME/build-avx2/bin/llama-bench")"
    read -r ppp ptg <<< "$(lb "$ORACLE_HOME/build-avx2/bin/llama-bench" --repack 0 -fa off)"
    read -r npp ntg <<< "$(lb "$ORACLE_HOME/bin/llama-bench")"
    printf "| %s | %s | %.2f GB | %s | %s / %s | %s | %s | %s / %s | %s |\n" "$m" "$t" \
      "$(python3 -c "print($(stat -L -c %s "$F") / 1e9)")" "$pp" "$app" "$ppp" "$npp" "$tg" "$atg" "$ptg" "$ntg"
  done
done
