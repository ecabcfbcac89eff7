#!/usr/bin/env bash
# Makes Fixtures/quantize/expected.tsv: sha256 of llama-quantize's output (llama.cpp 0c1e570, the shared
# oracle) for synthetic models written by `ggufkit-bench make-model` (deterministic; the tests rebuild the
# same bytes with SyntheticModel and check the model's own sha256 first).
# Usage: ORACLE_HOME=... bash Fixtures/quantize/make_expected.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
Q=${ORACLE_HOME:?set ORACLE_HOME}/bin/llama-quantize
swift build --product ggufkit-bench >/dev/null
BENCH=$(swift build --show-bin-path)/ggufkit-bench
W=$(mktemp -d)
OUT=Fixtures/quantize/expected.tsv
echo -e "# model\tmodel sha256\ttype\toptions\toutput sha256 (llama-quantize)" > $OUT
declare -A MODELS=(
  [gqa8]="--dim 256 --layers 8 --heads 8 --kv-heads 1 --ffn 320 --vocab 512 --type f16 --seed 1"
  [tied32]="--dim 256 --layers 4 --heads 4 --kv-heads 4 --ffn 512 --vocab 300 --type f32 --tied --seed 2"
  [bf16]="--dim 512 --layers 2 --heads 8 --kv-heads 2 --ffn 768 --vocab 512 --type bf16 --seed 3"
)
for m in gqa8 tied32 bf16; do
  $BENCH make-model $W/$m.gguf ${MODELS[$m]} >/dev/null
  msha=$(sha256sum < $W/$m.gguf | cut -c1-64)
  for t in Q2_K Q3_K_S Q3_K_M Q3_K_L Q4_K_S Q4_K_M Q5_K_S Q5_K_M Q6_K Q4_0 Q4_1 Q5_0 Q5_1 Q8_0 F16 BF16 F32; do
    $Q $W/$m.gguf $W/out.gguf $t 2 >/dev/null 2>&1
    echo -e "$m\t$msha\t$t\t\t$(sha256sum < $W/out.gguf | cut -c1-64)" >> $OUT
  done
done
# Options, on the GQA model.
m=gqa8; msha=$(sha256sum < $W/$m.gguf | cut -c1-64)
while IFS='|' read -r t opts; do
  # shellcheck disable=SC2086
  $Q $opts $W/$m.gguf $W/out.gguf $t 2 >/dev/null 2>&1
  echo -e "$m\t$msha\t$t\t$opts\t$(sha256sum < $W/out.gguf | cut -c1-64)" >> $OUT
done <<'CASES'
Q4_K_M|--pure
Q2_K|--pure
Q4_K_M|--leave-output-tensor
Q5_K_M|--output-tensor-type q8_0
Q4_K_M|--token-embedding-type q6_k
Q3_K_M|--tensor-type attn_v=q8_0 --tensor-type ffn_down=q5_k
Q4_K_S|--tensor-type blk\.[0-3]\.attn_q=q8_0
Q4_0|--override-kv general.name=str:renamed --override-kv llama.context_length=int:4096
Q6_K|--override-kv test.flag=bool:true --override-kv test.f=float:0.5
CASES
# Requantizing an already-quantized file.
$Q $W/gqa8.gguf $W/q8.gguf Q8_0 2 >/dev/null 2>&1
q8sha=$(sha256sum < $W/q8.gguf | cut -c1-64)
$Q --allow-requantize $W/q8.gguf $W/out.gguf Q4_K_M 2 >/dev/null 2>&1
echo -e "gqa8>Q8_0\t$q8sha\tQ4_K_M\t--allow-requantize\t$(sha256sum < $W/out.gguf | cut -c1-64)" >> $OUT
rm -rf $W
wc -l $OUT
