#!/bin/sh
# Model cards: each checkpoint copied with cards/README-<kind>.md as its README.md, converted by the
# oracle's convert-hf with --outtype f16 --vocab-only: "sha256  checkpoint  card" lines.
#   sh make_expected_cards.sh > expected-cards.txt
set -e
CONVERT="${CONVERT:-$HOME/.cache/ggufkit-oracle/convert-hf}"
HERE=$(cd "$(dirname "$0")" && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
for pair in tiny-mistral:README-mistral.md Llama-3.2-1B-Instruct:README-llama.md; do
    name=${pair%%:*}; card=${pair#*:}
    rm -rf "$TMP/$name"; cp -r "$HERE/checkpoints/$name" "$TMP/$name"; cp "$HERE/cards/$card" "$TMP/$name/README.md"
    "$CONVERT" --outtype f16 --vocab-only --outfile "$TMP/out.gguf" "$TMP/$name" >"$TMP/log" 2>&1 || { cat "$TMP/log" >&2; exit 1; }
    echo "$(sha256sum "$TMP/out.gguf" | cut -d' ' -f1)  $name  $card"
done
