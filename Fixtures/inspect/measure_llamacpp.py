"""Runs llama.cpp's llama-completion on MODEL and prints its buffer sizes and peak RSS as one JSON line.

    $ORACLE_HOME/venv/bin/python Fixtures/inspect/measure_llamacpp.py MODEL CTX UBATCH [N_PROMPT [EXTRA ARGS...]]

-c CTX -ub UBATCH -t 2 -n 16 --ignore-eos, a prompt of N_PROMPT " the" tokens (default 512), -v so that llama.cpp
prints its buffers ("CPU_Mapped model", "CPU_REPACK model", "CPU KV", "CPU compute", "CPU output" buffer sizes,
MiB with 2 decimals, converted to bytes); peak_rss from wait4 (bytes). The runs behind docs/inspect.md are in
llamacpp-measured.jsonl (models made with the oracle's make-model, see docs/inspect.md).
"""
import os, re, subprocess, sys, json, threading
home = os.environ.get("ORACLE_HOME", "/root/.cache/ggufkit-oracle")
model, ctx, ub = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
n_prompt = int(sys.argv[4]) if len(sys.argv) > 4 else 512
extra = sys.argv[5:]
prompt = " ".join(["the"] * max(n_prompt - 1, 0))
cmd = [home + "/bin/llama-completion", "-m", model, "-c", str(ctx), "-ub", str(ub), "-n", "16", "-t", "2",
       "--temp", "0", "--ignore-eos", "-no-cnv", "-ngl", "0", "-v", "-p", prompt] + extra
p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, errors="replace")
bufs = {}
ts = [threading.Thread(target=lambda n, f: bufs.__setitem__(n, f.read()), args=(n, f)) for n, f in (("o", p.stdout), ("e", p.stderr))]
[t.start() for t in ts]
_, st, ru = os.wait4(p.pid, 0)
[t.join() for t in ts]
log = bufs["e"] + bufs["o"]
if os.waitstatus_to_exitcode(st) != 0:
    sys.stderr.write(log[-3000:]); sys.exit(1)
out = {"model": os.path.basename(model), "ctx": ctx, "ubatch": ub, "n_prompt": n_prompt, "extra": extra,
       "peak_rss": ru.ru_maxrss * 1024}
for m in re.finditer(r"(\S+)\s+(model|KV|compute|output) buffer size =\s+([\d.]+) MiB", log):
    out[f"{m.group(1)} {m.group(2)}"] = round(float(m.group(3)) * 1048576)
for m in re.finditer(r"(n_ctx|n_batch|n_ubatch|flash_attn)\s+=\s+(\S+)", log):
    out[m.group(1)] = m.group(2)
m = re.search(r"prompt eval time =.*?(\d+) tokens", log)
if m: out["prompt_tokens"] = int(m.group(1))
print(json.dumps(out))
