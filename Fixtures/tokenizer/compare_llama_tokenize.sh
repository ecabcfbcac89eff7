#!/usr/bin/env bash
# Runs `ggufkit tokenize` and llama.cpp's `llama-tokenize` (the shared oracle's build) on the same vocabularies,
# texts and options and compares their stdout byte for byte (and their exit status).
# usage: bash Fixtures/tokenizer/compare_llama_tokenize.sh [GGUFKIT] [LLAMA_TOKENIZE]
set -u
G=${1:-.build/debug/ggufkit}
T=${2:-$HOME/.cache/ggufkit-oracle/bin/llama-tokenize}
V=$(dirname "$0")/vocab
EVAL=$(dirname "$0")/eval.txt
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
runs=0 fail=0
check() {  # vocab, then the arguments
    local v=$1; shift
    "$T" -m "$V/ggml-vocab-$v.gguf" "$@" --log-disable > "$tmp/a" 2>/dev/null; local ra=$?
    "$G" tokenize "$V/ggml-vocab-$v.gguf" "$@" > "$tmp/b" 2>/dev/null; local rb=$?
    runs=$((runs + 1))
    if [ $ra -ne 0 ] || [ $rb -ne 0 ] || [ ! -s "$tmp/a" ] || ! cmp -s "$tmp/a" "$tmp/b"; then
        fail=$((fail + 1)); echo "DIFF $v $* (status $ra / $rb)"
        diff <(head -c 400 "$tmp/a") <(head -c 400 "$tmp/b") | head -6
    fi
}
for v in llama-bpe qwen2 qwen35 gpt-2 deepseek-llm deepseek-coder falcon starcoder mpt phi-3 llama-spm; do
    check $v -p 'Hello world, it'"'"'s 12345!\n\tdone'
    check $v -p '<|endoftext|><s> x</s><|im_start|>' 
    check $v -p '<|endoftext|><s> x</s><|im_start|>' --no-parse-special
    check $v -p '日本語 🦙 naïve Привет' --ids
    check $v -p 'a\x41b\xffc' --show-count
    check $v -p '  spaces  ' --no-bos --ids
    check $v -p 'a\nb' --no-escape --ids
    check $v -f "$EVAL" --ids --show-count
    check $v -f "$EVAL" --no-escape
done
echo "$runs runs, $fail differ"
[ $fail -eq 0 ]
