#!/usr/bin/env bash
# Makes the fixtures of Fixtures/imatrix/ with llama.cpp 0c1e570's AVX2 build (the shared oracle's build-avx2,
# whose matmuls GGUFRunner repeats bit for bit):
#  - text.txt: the first 2400 bytes of Fixtures/tokenizer/eval.txt;
#  - for the synthetic models llama3 (dense) and qwen3moe (3-D experts), rebuilt by the tests
#    (`ggufkit-bench make-model --spec Fixtures/runner/archs/SPEC.spec --seed 1 --scale 0.08`):
#    `llama-imatrix -m SPEC.gguf -f text.txt -c 64 --chunks 6 -t 2 -fa off --no-repack -o SPEC.gguf [--output-format dat]`
#    (run in the output folder, so the dataset recorded is text.txt) -> SPEC.imatrix.gguf, SPEC.imatrix.dat,
#    its printed running perplexities -> SPEC.ppl.txt; llama3 with --process-output -> llama3-output.imatrix.gguf;
#  - combined.imatrix.gguf: `llama-imatrix -m llama3.gguf --in-file llama3.imatrix.dat --in-file llama3.imatrix.gguf -c 64`;
#  - llama3.stats.txt: `llama-imatrix -m llama3.gguf --in-file llama3.imatrix.gguf --show-statistics`.
# -fa off --no-repack: GGUFRunner computes llama.cpp's plain path (flash attention off, no weight repacking); with
# llama-imatrix's defaults (flash attention on for the CPU) sums after the first attention differ in the last bits.
# With n_ctx < n_batch (2048), llama-imatrix evaluates n_batch/n_ctx chunks per llama_decode (here all six in one
# ubatch) and adds an expert tensor's rows slot after slot over the whole batch (ImatrixCollector's groups).
# Usage: ORACLE_HOME=~/.cache/ggufkit-oracle bash Fixtures/imatrix/make_expected.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
I=${ORACLE_HOME:?set ORACLE_HOME}/build-avx2/bin/llama-imatrix
swift build --product ggufkit-bench >/dev/null
BENCH=$(swift build --show-bin-path)/ggufkit-bench
D=$PWD/Fixtures/imatrix
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
head -c 2400 Fixtures/tokenizer/eval.txt > $D/text.txt
cp $D/text.txt $W/text.txt
cd $W
for m in llama3 qwen3moe; do
  $BENCH make-model $m.gguf --spec $OLDPWD/Fixtures/runner/archs/$m.spec --seed 1 --scale 0.08 >/dev/null
  $I -m $m.gguf -f text.txt -c 64 --chunks 6 -t 2 -fa off --no-repack -o $m.imatrix.gguf >out.txt 2>log.txt || { cat log.txt; exit 1; }
  grep -o '\[[0-9]*\][0-9.]*' out.txt > $D/$m.ppl.txt
  grep 'Final estimate' out.txt >> $D/$m.ppl.txt
  $I -m $m.gguf -f text.txt -c 64 --chunks 6 -t 2 -fa off --no-repack --no-ppl -o $m.imatrix.dat --output-format dat >/dev/null 2>log.txt || { cat log.txt; exit 1; }
  cp $m.imatrix.gguf $m.imatrix.dat $D/
done
$I -m llama3.gguf -f text.txt -c 64 --chunks 6 -t 2 -fa off --no-repack --no-ppl --process-output -o llama3-output.imatrix.gguf >/dev/null 2>log.txt || { cat log.txt; exit 1; }
cp llama3-output.imatrix.gguf $D/
$I -m llama3.gguf --in-file llama3.imatrix.dat --in-file llama3.imatrix.gguf -c 64 -o combined.imatrix.gguf >/dev/null 2>log.txt || { cat log.txt; exit 1; }
cp combined.imatrix.gguf $D/
# (its asynchronous log often exits before printing the report: retried until complete; time stamps cut)
for try in $(seq 1 30); do
  rm -f stats.log
  $I -m llama3.gguf --in-file llama3.imatrix.gguf --show-statistics -c 64 --log-file stats.log >stats.out 2>&1 || true
  grep -q 'weighted average' stats.log && break
done
grep -q 'weighted average' stats.log || { echo "no statistics report from llama-imatrix"; exit 1; }
sed -E 's/^[0-9]+(\.[0-9]+)+ I //' stats.log > $D/llama3.stats.txt
ls -l $D
