#!/usr/bin/env bash
# Makes the imatrix fixtures of Fixtures/quantize/imatrix/ with llama.cpp 0c1e570 (the shared oracle):
#  - two runnable synthetic models, rebuilt by the tests (`ggufkit-bench make-model --spec
#    Fixtures/runner/archs/SPEC.spec --seed 1 --scale 0.08`): llama3 (dense) and qwen3moe (3-D experts);
#  - their importance matrices, made by llama-imatrix on Fixtures/tokenizer/eval.txt (-c 64, 6 chunks, 2 threads),
#    in both formats: SPEC.imatrix.gguf (--output-format gguf) and SPEC.imatrix.dat (--output-format dat);
#  - expected.tsv: sha256 of `llama-quantize --imatrix FILE` for every type GGUFKit writes, with each format
#    (run from this folder, so that quantize.imatrix.file is the bare file name), plus --include-weights and
#    --exclude-weights cases.
# Usage: ORACLE_HOME=~/.cache/ggufkit-oracle bash Fixtures/quantize/imatrix/make_expected.sh
#        APPEND="T1 T2 ..." ... make_expected.sh: only add rows for those types, with the committed imatrix files
#        (the IQ1/IQ2/IQ3_XXS/IQ3_XS/Q1_0/Q2_0 rows were added that way once their quantizers existed).
set -euo pipefail
cd "$(dirname "$0")/../../.."
ROOT=$PWD
Q=${ORACLE_HOME:?set ORACLE_HOME}/bin/llama-quantize
I=$ORACLE_HOME/bin/llama-imatrix
swift build --product ggufkit-bench >/dev/null
BENCH=$(swift build --show-bin-path)/ggufkit-bench
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
D=Fixtures/quantize/imatrix
TYPES="Q2_K Q2_K_S Q3_K_S Q3_K_M Q3_K_L Q4_K_S Q4_K_M Q5_K_S Q5_K_M Q6_K Q4_0 Q4_1 Q5_0 Q5_1 Q8_0 F16 BF16 F32 IQ4_NL IQ4_XS TQ1_0 TQ2_0 MXFP4_MOE IQ3_S IQ3_M"
TYPES="$TYPES IQ2_XXS IQ2_XS IQ2_S IQ2_M IQ1_S IQ1_M IQ3_XXS IQ3_XS Q1_0 Q2_0"
if [ -n "${APPEND:-}" ]; then TYPES=$APPEND; fi
cp Fixtures/tokenizer/eval.txt $W/eval.txt
OUT=$D/expected.tsv
[ -n "${APPEND:-}" ] || echo -e "# spec\tmodel sha256\timatrix\ttype\toptions\toutput sha256 (llama-quantize --imatrix)" > $OUT
for m in llama3 qwen3moe; do
  $BENCH make-model $W/$m.gguf --spec Fixtures/runner/archs/$m.spec --seed 1 --scale 0.08 >/dev/null
  msha=$(sha256sum < $W/$m.gguf | cut -c1-64)
  # the dataset name recorded is -f as given: eval.txt
  if [ -z "${APPEND:-}" ]; then
    (cd $W && $I -m $m.gguf -f eval.txt -c 64 --chunks 6 -t 2 --no-ppl -o $ROOT/$D/$m.imatrix.gguf --output-format gguf >$W/ilog 2>&1) || { cat $W/ilog; exit 1; }
    (cd $W && $I -m $m.gguf -f eval.txt -c 64 --chunks 6 -t 2 --no-ppl -o $ROOT/$D/$m.imatrix.dat --output-format dat >$W/ilog 2>&1) || { cat $W/ilog; exit 1; }
  fi
  for f in $m.imatrix.gguf $m.imatrix.dat; do
    for t in $TYPES; do
      if (cd $D && $Q --imatrix $f $W/$m.gguf $W/out.gguf $t 2 >$W/log 2>&1); then
        echo -e "$m\t$msha\t$f\t$t\t\t$(sha256sum < $W/out.gguf | cut -c1-64)" >> $OUT
      else
        echo -e "$m\t$msha\t$f\t$t\t\tREFUSED $(grep -m1 -o 'failed to quantize: .*' $W/log | tr '\t' ' ')" >> $OUT
      fi
    done
  done
  [ -z "${APPEND:-}" ] || continue
  f=$m.imatrix.gguf
  while IFS='|' read -r t opts; do
    # shellcheck disable=SC2086
    (cd $D && $Q --imatrix $f $opts $W/$m.gguf $W/out.gguf $t 2 >$W/log 2>&1)
    echo -e "$m\t$msha\t$f\t$t\t$opts\t$(sha256sum < $W/out.gguf | cut -c1-64)" >> $OUT
  done <<'CASES'
Q4_K_M|--include-weights attn_
Q4_K_M|--exclude-weights ffn_ --exclude-weights attn_v
Q4_0|--exclude-weights blk.0.
Q4_K_M|--prune-layers 0
CASES
done
wc -l $OUT
ls -l $D
