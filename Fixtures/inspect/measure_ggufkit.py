"""Runs `ggufkit run` on MODEL and prints its peak RSS next to `ggufkit inspect`'s estimate, as one JSON line.

    python3 Fixtures/inspect/measure_ggufkit.py GGUFKIT MODEL CTX [N_PROMPT [EXTRA ARGS...]]

`GGUFKIT run MODEL -c CTX -t 2 --tokens <N_PROMPT ids> -n 16 --temp 0 --ignore-eos` (ids 300, 301, ... so the
embedding rows read are deterministic; default N_PROMPT 512, capped at CTX - 16); peak_rss from wait4 (bytes).
The estimate is `GGUFKIT inspect MODEL --json --ctx CTX --threads 2` (memory.ggufkit, all terms). The runs behind
docs/inspect.md are in ggufkit-measured.jsonl.
"""
import os, subprocess, sys, json
exe, model, ctx = sys.argv[1], sys.argv[2], int(sys.argv[3])
n_prompt = min(int(sys.argv[4]) if len(sys.argv) > 4 else 512, ctx - 16)
extra = sys.argv[5:]
ids = ",".join(str(300 + i) for i in range(n_prompt))
cmd = [exe, "run", model, "-c", str(ctx), "-t", "2", "--tokens", ids, "-n", "16", "--temp", "0", "--ignore-eos",
       "--no-display-prompt"] + extra
p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, errors="replace")
err = p.stderr.read()
_, st, ru = os.wait4(p.pid, 0)
if os.waitstatus_to_exitcode(st) != 0:
    sys.stderr.write(err[-3000:]); sys.exit(1)
est = json.loads(subprocess.run([exe, "inspect", model, "--json", "--ctx", str(ctx), "--threads", "2"],
                                capture_output=True, text=True, check=True).stdout)["memory"]["ggufkit"]
peak = ru.ru_maxrss * 1024
print(json.dumps({"model": os.path.basename(model), "file_size": os.path.getsize(model), "ctx": ctx,
                  "n_prompt": n_prompt, "extra": extra, "peak_rss": peak, "estimate": est,
                  "error": round(est["total"] / peak - 1, 4)}))
