#!/usr/bin/env bash
# Makes Fixtures/split/expected.tsv: sha256 of every file llama.cpp's llama-gguf-split and llama-quantize
# (0c1e570, the shared oracle) write from a synthetic model made by `ggufkit-bench make-model`
# (deterministic: the tests rebuild the same bytes with SyntheticModel and check its sha256 first).
# Rows: case, the oracle command (IN/OUT are placeholders), output file name, sha256.
# Usage: ORACLE_HOME=... bash Fixtures/split/make_expected.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${ORACLE_HOME:?set ORACLE_HOME}/bin
SPLIT=$BIN/llama-gguf-split
Q=$BIN/llama-quantize
swift build --product ggufkit-bench >/dev/null
BENCH=$(swift build --show-bin-path)/ggufkit-bench
W=$(mktemp -d)
OUT=Fixtures/split/expected.tsv
$BENCH make-model $W/m.gguf --dim 256 --layers 2 --heads 4 --kv-heads 2 --ffn 512 --vocab 512 --type f16 --seed 7 >/dev/null
echo -e "# case\tcommand\tfile\tsha256" > $OUT
echo -e "model\tggufkit-bench make-model OUT --dim 256 --layers 2 --heads 4 --kv-heads 2 --ffn 512 --vocab 512 --type f16 --seed 7\tm.gguf\t$(sha256sum < $W/m.gguf | cut -c1-64)" >> $OUT
rec() {  # case command files...
  local c=$1 cmd=$2; shift 2
  for f in "$@"; do echo -e "$c\t$cmd\t$(basename $f)\t$(sha256sum < $f | cut -c1-64)" >> $OUT; done
}
# Splits: by tensor count, by size, each with and without --no-tensor-first-split.
while IFS='|' read -r c opts; do
  mkdir -p $W/$c
  # shellcheck disable=SC2086
  $SPLIT --split $opts $W/m.gguf $W/$c/s >/dev/null 2>&1
  rec $c "llama-gguf-split --split $opts IN OUT" $(ls $W/$c/s-*.gguf | sort)
done <<'CASES'
tensors7|--split-max-tensors 7
size1M|--split-max-size 1M
tensors8-nofirst|--split-max-tensors 8 --no-tensor-first-split
size1M-nofirst|--split-max-size 1M --no-tensor-first-split
CASES
# Merge of a set.
$SPLIT --merge $W/tensors7/s-00001-of-00003.gguf $W/merged.gguf >/dev/null 2>&1
rec merge "llama-gguf-split --merge tensors7/s-00001-of-00003.gguf OUT" $W/merged.gguf
# llama-quantize of a split set: whole output, and --keep-split (also of a set whose first part is empty).
$Q $W/tensors7/s-00001-of-00003.gguf $W/q.gguf Q4_K_M 2 >/dev/null 2>&1
rec quantize "llama-quantize tensors7/s-00001-of-00003.gguf OUT Q4_K_M" $W/q.gguf
$Q $W/m.gguf $W/qm.gguf Q4_K_M 2 >/dev/null 2>&1
rec quantize-unsplit "llama-quantize m.gguf OUT Q4_K_M" $W/qm.gguf
mkdir -p $W/k1 $W/k2 $W/k3
$Q --keep-split $W/tensors7/s-00001-of-00003.gguf $W/k1/q.gguf Q4_K_M 2 >/dev/null 2>&1
rec keep-split "llama-quantize --keep-split tensors7/s-00001-of-00003.gguf OUT Q4_K_M" $(ls $W/k1/*.gguf | sort)
$Q --keep-split $W/tensors8-nofirst/s-00001-of-00004.gguf $W/k2/q.gguf Q8_0 2 >/dev/null 2>&1
rec keep-split-nofirst "llama-quantize --keep-split tensors8-nofirst/s-00001-of-00004.gguf OUT Q8_0" $(ls $W/k2/*.gguf | sort)
$Q --keep-split $W/m.gguf $W/k3/q.gguf Q6_K 2 >/dev/null 2>&1
rec keep-split-unsplit "llama-quantize --keep-split m.gguf OUT Q6_K" $(ls $W/k3/*.gguf | sort)
rm -rf $W
wc -l $OUT
