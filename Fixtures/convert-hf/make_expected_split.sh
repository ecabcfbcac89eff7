#!/bin/sh
# Split outputs of convert_hf_to_gguf.py (the oracle's convert-hf): "sha256  checkpoint  part/count  options" lines.
#   sh make_expected_split.sh > expected-split.txt
set -e
CONVERT="${CONVERT:-$HOME/.cache/ggufkit-oracle/convert-hf}"
HERE=$(cd "$(dirname "$0")" && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
run() {
    name=$1; shift
    rm -rf "$TMP/out"; mkdir "$TMP/out"
    "$CONVERT" "$@" --outfile "$TMP/out/model.gguf" "$HERE/checkpoints/$name" >"$TMP/log" 2>&1 || { cat "$TMP/log" >&2; exit 1; }
    n=$(ls "$TMP/out" | wc -l)
    i=0
    for f in $(ls "$TMP/out" | sort); do
        i=$((i + 1))
        echo "$(sha256sum "$TMP/out/$f" | cut -d' ' -f1)  $name  $i/$n  $*"
    done
}
run tiny-mistral --outtype f16 --split-max-tensors 5
run Llama-3.2-1B-Instruct --outtype q8_0 --split-max-size 60K
run Mixtral-3x1K-v0.1 --outtype bf16 --split-max-tensors 100
