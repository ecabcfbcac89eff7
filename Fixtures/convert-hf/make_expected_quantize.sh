#!/bin/sh
# convert_hf_to_gguf.py (--outtype OUTTYPE) followed by llama-quantize TYPE, both from the oracle:
# "sha256  checkpoint  TYPE  --outtype OUTTYPE" lines, what `ggufkit quantize HF_DIR OUT TYPE` must equal.
#   sh make_expected_quantize.sh > expected-quantize.txt
set -e
ORACLE="${ORACLE_HOME:-$HOME/.cache/ggufkit-oracle}"
HERE=$(cd "$(dirname "$0")" && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
for name in Llama-3.2-1B-Instruct tiny-mistral Mixtral-3x1K-v0.1; do
    for outtype in auto f32; do
        "$ORACLE/convert-hf" --outtype $outtype --outfile "$TMP/conv.gguf" "$HERE/checkpoints/$name" >"$TMP/log" 2>&1 || { cat "$TMP/log" >&2; exit 1; }
        for type in Q4_K_M Q8_0 Q5_1 Q6_K; do
            "$ORACLE/bin/llama-quantize" "$TMP/conv.gguf" "$TMP/q.gguf" $type >"$TMP/log" 2>&1 || { cat "$TMP/log" >&2; exit 1; }
            echo "$(sha256sum "$TMP/q.gguf" | cut -d' ' -f1)  $name  $type  --outtype $outtype"
        done
    done
done
