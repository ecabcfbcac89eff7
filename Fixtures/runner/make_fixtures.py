"""Copies the runner's expected outputs from the shared llama.cpp references (README §3).

Run from this folder: python3 make_fixtures.py ../../../shared/fixtures
Only fortune-llama references are copied (plain path: flash attention off, repack off).
"""
import json, shutil, sys

shared = sys.argv[1] if len(sys.argv) > 1 else "../../../shared/fixtures"
files = ["f16", "q4_0", "q4_K_M"]
greedy = json.load(open(f"{shared}/refs/greedy_current.json"))
ppl = json.load(open(f"{shared}/refs/ppl_current.json"))
index = json.load(open(f"{shared}/refs/logits/index.json"))
out = {"tokens": None, "prompts": greedy["prompts"], "n_predict": greedy["n_predict"],
       "greedy_method": greedy["ids_method"], "ppl_cmd": ppl["cmd_plain"], "files": {}}
for t in files:
    key = f"trained/gguf/fortune-llama-{t}.gguf"
    shutil.copy(f"{shared}/refs/logits/trained/gguf/fortune-llama-{t}.plain.npy", f"fortune-llama-{t}.plain.npy")
    p = ppl["files"][key]["plain"]
    out["files"][t] = {
        "logits": f"fortune-llama-{t}.plain.npy",
        "greedy": [{"prompt_ids": g["prompt_ids"], "ids_plain": g["ids_plain"]} for g in greedy["files"][key]],
        "ppl": p["ppl"], "running_ppl_first8": p["running_ppl"][:8],
    }
out["tokens"] = index.get("tokens") if isinstance(index, dict) else None
json.dump(out, open("expected.json", "w"), indent=1)
