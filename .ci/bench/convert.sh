#!/usr/bin/env bash
# Benchmark: ggufkit convert vs `cp` vs llama.cpp's Python converter on a multi-GB GGMLv3 file.
# Usage: bash .ci/bench/convert.sh [WORKDIR]   (needs ~3x 2 GB of disk; ORACLE_HOME for the Python side)
# Each tool runs 3 times on a warm page cache; the best wall time and the peak RSS are reported.
set -euo pipefail
cd "$(dirname "$0")/../.."
W=${1:-/tmp/ggufkit-bench-convert}
mkdir -p "$W"
command -v /usr/bin/time >/dev/null || apt-get install -y -qq time >/dev/null
[ -f "$W/in.bin" ] || python3 .ci/bench/make_ggml.py "$W/in.bin" --layers 16
swift build -c release --product ggufkit >/dev/null
BIN=$(swift build -c release --show-bin-path)/ggufkit
SIZE=$(stat -c %s "$W/in.bin")
cat "$W/in.bin" > /dev/null   # warm the cache

run() {  # name, command...
  local name=$1; shift
  local best=999999 rss=0
  for i in 1 2 3; do
    rm -f "$W/out"*
    /usr/bin/time -f "%e %M" -o "$W/time" "$@" >/dev/null 2>"$W/err" || { cat "$W/err"; return 1; }
    read -r t m < "$W/time"
    best=$(python3 -c "print(min($best, $t))"); rss=$m
    sync
  done
  python3 -c "s=$SIZE; t=max($best,1e-3); print(f'{\"$name\":<28} {t:7.2f} s  {s/t/1e6:8.0f} MB/s  peak RSS {$rss/1024:8.1f} MB')"
}

echo "input: $SIZE bytes ($(nproc) cores)"
run "cp" cp "$W/in.bin" "$W/out.cp"
run "ggufkit convert" "$BIN" convert "$W/in.bin" "$W/out.gguf" --gqa 1 --eps 1e-5 --force --no-progress
if [ -n "${ORACLE_HOME:-}" ] && [ -x "$ORACLE_HOME/venv/bin/python" ]; then
  V=$(ls -d "$ORACLE_HOME"/src/llama_cpp_python-*/vendor/llama.cpp)
  # llama.cpp's converter with the one-line fix of issue #11976 (it crashes on quantized input without it).
  sed 's/raw_shape = tempdims/raw_shape = gguf.quant_shape_to_byte_shape(tempdims, tensor.dtype)/' \
      "$V/convert_llama_ggml_to_gguf.py" > "$W/convert_fixed.py"
  run "llama.cpp convert (python)" env NO_LOCAL_GGUF=1 "$ORACLE_HOME/venv/bin/python" "$W/convert_fixed.py" \
      --input "$W/in.bin" --output "$W/out.py.gguf" --gqa 1 --eps 1e-5
fi
