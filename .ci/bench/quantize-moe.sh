#!/usr/bin/env bash
# Benchmark: ggufkit quantize vs llama-quantize on a ~1 GB F16 MoE model (qwen3moe, 3-D expert tensors), same
# threads; seconds, peak RSS, and whether the outputs are byte-identical (the comparison is quantize.sh's).
# Usage: ORACLE_HOME=... bash .ci/bench/quantize-moe.sh [WORKDIR] [TYPES]      (THREADS=N)
set -euo pipefail
cd "$(dirname "$0")/../.."
W=${1:-/tmp/ggufkit-bench-quantize-moe}
TYPES=${2:-"Q4_K_M Q3_K_M Q8_0"}
T=${THREADS:-$(nproc)}
mkdir -p "$W"
swift build -c release --product ggufkit-bench >/dev/null
BIN=$(swift build -c release --show-bin-path)
# qwen3moe: dim 1024, 8 layers, 16 experts of ffn 1024 (2 used), GQA 4, vocab 32000: 1.0 GB in F16.
D=1024 L=8 E=16 FE=1024 V=32000
{
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
} > "$W/moe.spec"
[ -f "$W/moe-f16.gguf" ] || "$BIN/ggufkit-bench" make-model "$W/moe-f16.gguf" --spec "$W/moe.spec" >/dev/null
MODEL="$W/moe-f16.gguf" THREADS=$T bash .ci/bench/quantize.sh "$W" "$TYPES"
