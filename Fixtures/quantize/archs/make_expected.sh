#!/usr/bin/env bash
# Makes Fixtures/quantize/archs/expected.tsv, expected-iq.tsv and plans.tsv.
# expected.tsv: sha256 of llama-quantize's output (llama.cpp 0c1e570, the shared
# oracle) for the synthetic models of every architecture in this folder (*.spec, written by make_specs.py;
# `ggufkit-bench make-model --spec` builds them deterministically, and the tests rebuild the same bytes in
# process and check the model's own sha256 first), to every type GGUFKit writes, plus a few options.
# expected-iq.tsv: the same for the IQ4_NL, IQ4_XS, TQ1_0, TQ2_0, MXFP4_MOE, IQ3_S and IQ3_M targets.
# expected-grid.tsv: the same for Q1_0 and Q2_0, plus runs that put the grid types ggml quantizes without an
# importance matrix (IQ2_S, IQ3_XXS, IQ1_M) on token_embd/output (llama-quantize needs no imatrix there).
# plans.tsv: the per-tensor types llama-quantize plans for every spec and every target of TARGETS below, from
# `llama-quantize --dry-run` (the same code path as a real run's type choice): one `order` line per spec
# lists the tensors in write order; each plan line gives the types in that order.
# Usage: ORACLE_HOME=... bash Fixtures/quantize/archs/make_expected.sh     (ONLY=iq: expected-iq.tsv alone,
#        ONLY=grid: expected-grid.tsv alone)
set -euo pipefail
cd "$(dirname "$0")/../../.."
Q=${ORACLE_HOME:?set ORACLE_HOME}/bin/llama-quantize
swift build --product ggufkit-bench >/dev/null
BENCH=$(swift build --show-bin-path)/ggufkit-bench
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
# sweep OUT "TYPES": every spec (but the unknown architecture, which llama-quantize refuses; tested on its
# own) to every type, one line each.
sweep() {
  echo -e "# spec\tmodel sha256\ttype\toptions\toutput sha256 (llama-quantize)" > "$1"
  for spec in Fixtures/quantize/archs/*.spec; do
    m=$(basename "$spec" .spec)
    [ "$m" = unknown-arch ] && continue
    [ -f $W/$m.gguf ] || $BENCH make-model $W/$m.gguf --spec "$spec" >/dev/null
    msha=$(sha256sum < $W/$m.gguf | cut -c1-64)
    for t in $2; do
      if $Q $W/$m.gguf $W/out.gguf $t 2 >$W/log 2>&1; then
        echo -e "$m\t$msha\t$t\t\t$(sha256sum < $W/out.gguf | cut -c1-64)" >> "$1"
      else
        echo -e "$m\t$msha\t$t\t\tREFUSED $(grep -m1 -o 'failed to quantize: .*' $W/log | tr '\t' ' ')" >> "$1"
      fi
    done
  done
  wc -l "$1"
}
if [ "${ONLY:-}" = grid ]; then
  OUT=Fixtures/quantize/archs/expected-grid.tsv
  sweep $OUT "Q1_0 Q2_0"
  for m in qwen3moe llama-dense qwen2; do
    msha=$(sha256sum < $W/$m.gguf | cut -c1-64)
    while IFS='|' read -r t opts; do
      # shellcheck disable=SC2086
      $Q $opts $W/$m.gguf $W/out.gguf $t 2 >/dev/null 2>&1
      echo -e "$m\t$msha\t$t\t$opts\t$(sha256sum < $W/out.gguf | cut -c1-64)" >> $OUT
    done <<'CASES'
Q4_0|--token-embedding-type iq2_s --output-tensor-type iq3_xxs
Q8_0|--token-embedding-type iq1_m --output-tensor-type iq2_s
Q4_K_M|--token-embedding-type iq3_xxs --output-tensor-type iq1_m
Q2_0|--token-embedding-type q1_0 --output-tensor-type q2_0
CASES
  done
  wc -l $OUT
  exit 0
fi
sweep Fixtures/quantize/archs/expected-iq.tsv "IQ4_NL IQ4_XS TQ1_0 TQ2_0 MXFP4_MOE IQ3_S IQ3_M"
[ "${ONLY:-}" = iq ] && exit 0
OUT=Fixtures/quantize/archs/expected.tsv
sweep $OUT "Q2_K Q3_K_S Q3_K_M Q3_K_L Q4_K_S Q4_K_M Q5_K_S Q5_K_M Q6_K Q4_0 Q4_1 Q5_0 Q5_1 Q8_0 F16 BF16 F32"
# Options on two models: pruning, a tensor-type file, and both orders of --tensor-type / --tensor-type-file.
printf 'ffn_down_exps=q8_0\nattn_v=q6_k  attn_k=q5_0\n' > $W/tt.txt
cp $W/tt.txt Fixtures/quantize/archs/tensor-types.txt
for m in qwen3moe llama-dense; do
  msha=$(sha256sum < $W/$m.gguf | cut -c1-64)
  while IFS='|' read -r t opts; do
    # shellcheck disable=SC2086
    $Q ${opts//TTFILE/$W/tt.txt} $W/$m.gguf $W/out.gguf $t 2 >/dev/null 2>&1
    echo -e "$m\t$msha\t$t\t$opts\t$(sha256sum < $W/out.gguf | cut -c1-64)" >> $OUT
  done <<'CASES'
Q4_K_M|--prune-layers 1,2
Q3_K_M|--prune-layers 0
Q4_K_S|--prune-layers 3,1,3
Q4_K_M|--tensor-type-file TTFILE
Q5_K_M|--tensor-type attn_v=q8_0 --tensor-type-file TTFILE
Q5_K_M|--tensor-type-file TTFILE --tensor-type attn_v=q8_0
Q4_K_M|--prune-layers 1 --override-kv general.name=str:pruned
CASES
done
wc -l $OUT

OUT=Fixtures/quantize/archs/plans.tsv
echo -e "# order\tspec\tnames in write order (space-separated)\n# plan\tspec\ttarget\ttypes aligned with the order (or REFUSED reason)" > $OUT
TARGETS="Q2_K_S IQ2_XXS IQ2_XS IQ2_S IQ2_M IQ1_S IQ1_M IQ3_XXS IQ3_XS IQ3_S IQ3_M IQ4_NL IQ4_XS TQ1_0 TQ2_0 MXFP4_MOE Q1_0 Q2_0"
parse() {  # llama-quantize log -> "name type" lines in write order
  sed -nE 's/^\[ *[0-9]+\/ *[0-9]+\] +([^ ]+) +- \[[^]]*\], type = +([A-Za-z0-9_]+), size = .*MiB( -> .*MiB \(([A-Za-z0-9_]+)\))?$/\1 \2 \4/p' "$1" \
    | awk '{ print $1, ($3 == "" ? $2 : $3) }'
}
for spec in Fixtures/quantize/archs/*.spec; do
  m=$(basename "$spec" .spec)
  [ "$m" = unknown-arch ] && continue
  [ -f $W/$m.gguf ] || $BENCH make-model $W/$m.gguf --spec "$spec" >/dev/null
  first=1
  for t in $TARGETS; do
    if $Q --dry-run $W/$m.gguf $t 2 >$W/log 2>&1; then
      parse $W/log > $W/plan
      if [ $first = 1 ]; then echo -e "order\t$m\t$(cut -d' ' -f1 $W/plan | tr '\n' ' ' | sed 's/ $//')" >> $OUT; first=0; fi
      echo -e "plan\t$m\t$t\t$(cut -d' ' -f2 $W/plan | tr '\n' ' ' | sed 's/ $//')" >> $OUT
    else
      echo -e "plan\t$m\t$t\tREFUSED $(grep -m1 -o 'failed to quantize: .*' $W/log | tr '\t' ' ')" >> $OUT
    fi
  done
done
wc -l $OUT
