#!/usr/bin/env bash
# Makes Fixtures/quantize/archs/plans.tsv: the per-tensor types llama-quantize (llama.cpp 0c1e570) plans for every
# architecture spec here and every target GGUFKit cannot write yet (IQ*, TQ*, Q2_K_S, MXFP4_MOE, Q1_0, Q2_0), from
# `llama-quantize --dry-run` (same code path as a real run's type choice). One `order` line per spec lists the
# tensors in write order; each plan line gives the types in that order.
# Usage: ORACLE_HOME=... bash Fixtures/quantize/archs/make_plans.sh
set -euo pipefail
cd "$(dirname "$0")/../../.."
Q=${ORACLE_HOME:?set ORACLE_HOME}/bin/llama-quantize
swift build --product ggufkit-bench >/dev/null
BENCH=$(swift build --show-bin-path)/ggufkit-bench
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
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
  $BENCH make-model $W/$m.gguf --spec "$spec" >/dev/null
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
