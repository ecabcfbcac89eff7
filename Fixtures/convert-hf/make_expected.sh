#!/bin/sh
# Converts every checkpoint under checkpoints/ with llama.cpp's convert_hf_to_gguf.py (the oracle's
# convert-hf, commit 0c1e570) for each outtype, and prints "sha256  checkpoint  options" lines: expected.txt.
#   sh make_expected.sh > expected.txt          (every checkpoint)
#   sh make_expected.sh NAME... >> expected.txt  (only those)
set -e
CONVERT="${CONVERT:-$HOME/.cache/ggufkit-oracle/convert-hf}"
HERE=$(cd "$(dirname "$0")" && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
if [ $# -gt 0 ]; then NAMES="$*"; else NAMES=$(cd "$HERE/checkpoints" && ls); fi
for name in $NAMES; do
    dir="$HERE/checkpoints/$name"
    for opts in "--outtype f32" "--outtype f16" "--outtype bf16" "--outtype q8_0" "--outtype auto" "--outtype f16 --vocab-only"; do
        out="$TMP/out.gguf"
        rm -f "$out"
        "$CONVERT" $opts --outfile "$out" "$dir" >"$TMP/log" 2>&1 || { cat "$TMP/log" >&2; exit 1; }
        echo "$(sha256sum "$out" | cut -d' ' -f1)  $name  $opts"
    done
done
