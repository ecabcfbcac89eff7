#!/usr/bin/env bash
# Records llama-quantize@0c1e570's per-tensor type choices for synthetic llama models -> oracle-cases.json.
#
# Usage: bash Fixtures/mixes/make_mixes.sh            (needs the shared oracle: ORACLE_HOME, default ~/.cache/ggufkit-oracle)
#
# For every (model, ftype, options) case it runs `llama-quantize --dry-run [options] MODEL FTYPE`, which computes
# the target types with the same code as a real run (llama_tensor_get_type in the preliminary loop) and logs one
# line per tensor in write order. A subset (VERIFY list below) is also quantized for real with the same flags and
# read back with `oracle mix --json`; the script stops if a file disagrees with the dry run.
# Only the expectations are kept (models are made in a temporary directory and deleted):
#   models: make-model arguments, n_layer/n_head/n_head_kv, input tensors [name, ne, type] in file order,
#           input KV keys, and `order` = the tensor order llama-quantize writes;
#   cases:  model, target, args (llama-quantize flags), types = space-separated types aligned with `order`,
#           kv_keys (output KV keys, for cases quantized for real).
set -euo pipefail
ORACLE_HOME=${ORACLE_HOME:-$HOME/.cache/ggufkit-oracle}
HERE=$(cd "$(dirname "$0")" && pwd)
Q=$ORACLE_HOME/bin/llama-quantize
PY=$ORACLE_HOME/venv/bin/python
W=$(mktemp -d "${TMPDIR:-/tmp}/mixes.XXXXXX")
trap 'rm -rf "$W"' EXIT

# name | make-model arguments
MODELS=(
  "tiny4|--dim 256 --layers 4 --heads 4 --ffn 768"
  "gqa8|--dim 512 --layers 4 --heads 16 --kv-heads 2 --ffn 768"
  "gqa4-16l|--dim 256 --layers 16 --heads 8 --kv-heads 2 --ffn 512"
  "deep32|--dim 256 --layers 32 --heads 4 --kv-heads 2 --ffn 512"
  "llama70|--dim 256 --layers 80 --heads 8 --kv-heads 1 --ffn 512"
  "llama65|--dim 256 --layers 80 --heads 8 --ffn 512"
  "dim320|--dim 320 --layers 3 --heads 5 --ffn 864"
  "ffn1000|--dim 256 --layers 2 --heads 4 --ffn 1000"
  "tied|--dim 256 --layers 4 --heads 4 --ffn 768 --tied"
  "tied320|--dim 320 --layers 2 --heads 5 --ffn 640 --tied"
  "f32src|--dim 256 --layers 2 --heads 4 --ffn 768 --type f32"
  "bf16src|--dim 256 --layers 2 --heads 4 --ffn 768 --type bf16"
)
FTYPES="Q2_K Q3_K_S Q3_K_M Q3_K_L Q4_K_S Q4_K_M Q5_K_S Q5_K_M Q6_K Q4_0 Q4_1 Q5_0 Q5_1 Q8_0 F16 BF16 F32"

# model | ftype | flags   (besides: every model x every ftype with no flags and with --pure)
EXTRA=(
  "tiny4|Q4_K_M|--leave-output-tensor"
  "tiny4|Q8_0|--leave-output-tensor"
  "tiny4|Q2_K|--leave-output-tensor --pure"
  "tiny4|Q4_K_M|--output-tensor-type q4_0"
  "tiny4|F16|--output-tensor-type q5_k"
  "tiny4|Q4_0|--token-embedding-type q8_0"
  "tiny4|F32|--token-embedding-type q4_0 --output-tensor-type q8_0"
  "tiny4|Q4_K_M|--output-tensor-type q8_0 --token-embedding-type q8_0"
  "tiny4|Q4_K_M|--tensor-type attn_v=q8_0"
  "tiny4|Q4_K_M|--tensor-type blk\.[0-1]\.ffn_down=q2_k --tensor-type ffn_down=q5_0"
  "tiny4|Q3_K_M|--tensor-type ATTN_Q=Q5_K"
  "tiny4|Q5_K_M|--tensor-type output=q4_0"
  "tiny4|Q5_K_M|--tensor-type ^blk\.2\.attn=iq4_nl --pure"
  "tiny4|Q4_K_S|--tensor-type token_embd=q3_k --token-embedding-type q6_k"
  "tiny4|F16|--tensor-type attn_v=q8_0"
  "tiny4|Q4_K_M|--tensor-type blk\.[02]\.attn_v=f16"
  "gqa8|Q2_K|--tensor-type blk\.0\.attn_v=q8_0"
  "deep32|Q4_K_M|--tensor-type blk\.(1|5|9)\.attn_v=q8_0"
  "deep32|Q5_K_M|--leave-output-tensor --tensor-type ffn_(gate|up)=q4_k"
  "llama70|Q4_K_M|--tensor-type blk\.1[0-9]\.attn_v=q4_k"
  "llama70|Q3_K_S|--pure --output-tensor-type q8_0"
  "dim320|Q4_K_M|--token-embedding-type q4_k"
  "dim320|Q4_K_M|--output-tensor-type q6_k --tensor-type attn_q=q2_k"
  "dim320|Q4_0|--tensor-type ffn_down=q6_k"
  "ffn1000|Q4_K_M|--tensor-type ffn_down=q8_0"
  "ffn1000|Q8_0|--output-tensor-type q4_k"
  "tied|Q4_K_M|--output-tensor-type q5_k"
  "tied|Q4_0|--output-tensor-type q5_k --token-embedding-type q8_0"
  "tied|Q2_K|--tensor-type token_embd=q4_0"
  "tied|Q4_K_M|--leave-output-tensor"
  "tied320|Q4_0|--output-tensor-type q4_k"
  "tied320|Q8_0|--pure"
  "f32src|Q4_K_M|--allow-requantize"
)
# model | ftype | flags: also quantized for real and read back with `oracle mix --json`
VERIFY=(
  "tiny4|Q4_K_M|" "tiny4|Q2_K|" "tiny4|Q3_K_M|" "tiny4|Q8_0|" "tiny4|F16|" "tiny4|BF16|"
  "tiny4|Q4_K_M|--tensor-type attn_v=q8_0" "tiny4|Q3_K_M|--tensor-type ATTN_Q=Q5_K"
  "tiny4|Q4_K_M|--output-tensor-type q8_0 --token-embedding-type q8_0" "tiny4|Q4_K_M|--leave-output-tensor"
  "gqa8|Q2_K|" "gqa8|Q4_K_S|" "dim320|Q4_K_M|" "dim320|Q4_0|" "dim320|Q3_K_S|" "ffn1000|Q4_0|" "ffn1000|Q4_K_M|"
  "tied|Q4_K_M|" "tied|Q4_K_M|--output-tensor-type q5_k" "tied320|Q4_0|" "tied320|Q5_K_M|"
  "deep32|Q4_K_M|" "deep32|Q3_K_M|" "gqa4-16l|Q4_K_S|" "f32src|F16|" "bf16src|F16|" "bf16src|BF16|"
)

for m in "${MODELS[@]}"; do
  name=${m%%|*}; args=${m#*|}
  # shellcheck disable=SC2086
  "$ORACLE_HOME/make-model" $args --seed 1 --vocab 512 --out "$W/$name.gguf" >/dev/null 2>&1
done

run_case() {  # model ftype flags -> $W/cases/N.{log,meta}
  local model=$1 ftype=$2 flags=$3 n=$4
  # shellcheck disable=SC2086
  set -f; $Q --dry-run $flags "$W/$model.gguf" "$ftype" 1 >"$W/cases/$n.log" 2>&1 || true; set +f
  printf '%s\n%s\n%s\n' "$model" "$ftype" "$flags" >"$W/cases/$n.meta"
}
mkdir -p "$W/cases" "$W/real"
n=0
for m in "${MODELS[@]}"; do
  name=${m%%|*}
  for ft in $FTYPES; do
    run_case "$name" "$ft" "" $((n++))
    run_case "$name" "$ft" "--pure" $((n++))
  done
done
for e in "${EXTRA[@]}"; do
  IFS='|' read -r model ft flags <<<"$e"
  run_case "$model" "$ft" "$flags" $((n++))
done
i=0
for v in "${VERIFY[@]}"; do
  IFS='|' read -r model ft flags <<<"$v"
  set -f
  # shellcheck disable=SC2086
  $Q $flags "$W/$model.gguf" "$W/real/$i.gguf" "$ft" 2 >"$W/real/$i.log" 2>&1 || { echo "quantize failed: $v"; tail -3 "$W/real/$i.log"; }
  set +f
  "$ORACLE_HOME/oracle" mix "$W/real/$i.gguf" --json >"$W/real/$i.json"
  printf '%s\n%s\n%s\n' "$model" "$ft" "$flags" >"$W/real/$i.meta"
  i=$((i + 1))
done

"$PY" - "$W" "$HERE/oracle-cases.json" "${MODELS[@]}" <<'EOF'
import glob, json, os, re, sys
import gguf
W, OUT, specs = sys.argv[1], sys.argv[2], sys.argv[3:]
LINE = re.compile(r"^\[\s*\d+/\s*\d+\]\s+(\S+)\s+- \[[^\]]*\], type =\s*(\S+), size =\s*[\d.]+ MiB(?: ->\s*[\d.]+ MiB \((\S+)\))?")

def norm(t): return t.upper()

models = {}
for s in specs:
    name, args = s.split("|", 1)
    r = gguf.GGUFReader(os.path.join(W, name + ".gguf"))
    kv = {f.name: f for f in r.fields.values()}
    def u(k): return int(kv[k].parts[kv[k].data[0]][0])
    models[name] = {"make_model": args + " --seed 1 --vocab 512",
                    "n_layer": u("llama.block_count"), "n_head": u("llama.attention.head_count"),
                    "n_head_kv": u("llama.attention.head_count_kv"),
                    "tensors": [[t.name, [int(x) for x in t.shape], t.tensor_type.name] for t in r.tensors],
                    "kv_keys": [f.name for f in r.fields.values() if not f.name.startswith("GGUF.")]}

def parse(log):
    out = []
    for line in open(log, errors="replace"):
        m = LINE.match(line.strip())
        if m:
            out.append((m.group(1), norm(m.group(3) or m.group(2))))
    return out

cases, failed = [], []
for meta in sorted(glob.glob(os.path.join(W, "cases", "*.meta")), key=lambda p: int(os.path.basename(p)[:-5])):
    model, ft, flags = open(meta).read().split("\n")[:3]
    got = parse(meta[:-5] + ".log")
    if not got:
        failed.append((model, ft, flags, open(meta[:-5] + ".log").read()[-300:]))
        continue
    names = [n for n, _ in got]
    if "order" not in models[model]:
        models[model]["order"] = names
    assert models[model]["order"] == names, (model, ft, flags)
    cases.append({"model": model, "target": ft, "args": flags.split() if flags else [], "method": "dry-run",
                  "types": " ".join(t for _, t in got)})

verified = 0
for meta in sorted(glob.glob(os.path.join(W, "real", "*.meta"))):
    model, ft, flags = open(meta).read().split("\n")[:3]
    mix = json.load(open(meta[:-5] + ".json"))
    real = [(k, norm(v)) for k, v in mix.items()]
    args = flags.split() if flags else []
    c = next(c for c in cases if c["model"] == model and c["target"] == ft and c["args"] == args)
    dry = list(zip(models[model]["order"], c["types"].split()))
    assert real == dry, ("dry-run and real file differ", model, ft, flags, [(a, b) for a, b in zip(real, dry) if a != b][:5])
    r = gguf.GGUFReader(meta[:-5] + ".gguf")
    c["method"] = "dry-run = file"
    c["kv_keys"] = [f.name for f in r.fields.values() if not f.name.startswith("GGUF.")]
    verified += 1

for i, c in enumerate(cases):
    c["source"] = "oracle-%d" % i
json.dump({"generator": "Fixtures/mixes/make_mixes.sh (llama-quantize --dry-run, llama.cpp@0c1e570)",
           "verified_with_files": verified, "refused": [list(f[:3]) + [f[3]] for f in failed],
           "models": models, "cases": cases}, open(OUT, "w"), separators=(",", ":"))
print(f"{OUT}: {len(cases)} cases, {verified} also checked against real files, {len(failed)} refused")
for f in failed:
    print("refused:", f[:3], f[3].strip().splitlines()[-1:] )
EOF
