#!/bin/sh
# Variants: a checkpoint copied with the files of variants/<variant>/ added (a model card, a tokenizer.json
# with its tokenizer_config.json and chat_template.jinja), converted by the oracle's convert-hf with
# --outtype f16 --vocab-only: "sha256  checkpoint  variant" lines.
#   sh make_expected_variants.sh > expected-variants.txt
set -e
CONVERT="${CONVERT:-$HOME/.cache/ggufkit-oracle/convert-hf}"
HERE=$(cd "$(dirname "$0")" && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
for pair in tiny-mistral:card-mistral Llama-3.2-1B-Instruct:card-llama tiny-mistral:tokenizer-json Mixtral-3x1K-v0.1:tokenizer-json; do
    name=${pair%%:*}; variant=${pair#*:}
    rm -rf "$TMP/$name"; cp -r "$HERE/checkpoints/$name" "$TMP/$name"; cp "$HERE/variants/$variant/"* "$TMP/$name/"
    "$CONVERT" --outtype f16 --vocab-only --outfile "$TMP/out.gguf" "$TMP/$name" >"$TMP/log" 2>&1 || { cat "$TMP/log" >&2; exit 1; }
    echo "$(sha256sum "$TMP/out.gguf" | cut -d' ' -f1)  $name  $variant"
done
