"""llama.cpp's ids for `ggufkit run -cnv` on the synthetic qwen2 with the Qwen2 vocabulary: expected.json.

Run from this folder after `swift build`, with the oracle's venv python (llama-cpp-python, gguf; the oracle:
/work/shared/oracle/README.md):
    ~/.cache/ggufkit-oracle/venv/bin/python make_refs.py ../../../.build/debug
The model is BPEModelTests' (`ggufkit-bench make-model --spec ../bpe/qwen2-bpe.spec --vocab
../../tokenizer/vocab/ggml-vocab-qwen2.gguf --seed 1 --scale 0.5`); its tokenizer.chat_template is Qwen2's (chatml).
What llama-completion -cnv (without --jinja, tools/completion at 0c1e570) evaluates, rebuilt from llama.cpp's parts:
the texts come from libllama's `llama_chat_apply_template` over the model's template, combined as
common_chat_format_single does (the history with the new message minus the history without it, "\\n" first when
the history ends with one); the opening (system message) is tokenized by `oracle tokenize --special` (BOS as the
vocabulary says), each user turn by `oracle tokenize --no-bos --special`; each reply is `oracle-avx2 generate` (greedy,
`--flash-attn off --no-repack`) of everything evaluated so far, N tokens. A reply cut at N tokens is not added to
the history (llama-completion records a reply only at an end-of-generation token); the script stops if a reply
meets a control token, which would need the other path. User lines go through llama.cpp's escape processing
(`\\n` becomes a newline)."""
import ctypes, json, os, subprocess, sys, tempfile
import gguf
import llama_cpp

bindir = sys.argv[1] if len(sys.argv) > 1 else "../../../.build/debug"
home = os.environ.get("ORACLE_HOME", os.path.expanduser("~/.cache/ggufkit-oracle"))
SYSTEM = "You are a helpful assistant."
LINES = ["Hello! Who are you?", "Tell me about café \\n naïve 你好"]
N = 12


def oracle(tool, *args):
    r = subprocess.run([f"{home}/{tool}", *args], check=True, capture_output=True, text=True)
    return json.loads(r.stdout)


def apply(tmpl, msgs, add_ass):
    arr = (llama_cpp.llama_chat_message * max(len(msgs), 1))()
    keep = []
    for i, (r, c) in enumerate(msgs):
        keep += [r.encode(), c.encode()]
        arr[i].role, arr[i].content = keep[-2], keep[-1]
    buf = ctypes.create_string_buffer(1 << 16)
    n = llama_cpp.llama_chat_apply_template(tmpl, arr, len(msgs), add_ass, buf, len(buf))
    assert 0 <= n <= len(buf), n
    return buf.raw[:n].decode()


def format_single(tmpl, past, new, add_ass):
    """common_chat_format_single (common/chat.cpp)."""
    fmt_past = apply(tmpl, past, False) if past else ""
    fmt_new = apply(tmpl, past + [new], add_ass)
    diff = fmt_new.encode()[len(fmt_past.encode()):].decode()
    return ("\n" if add_ass and fmt_past.endswith("\n") else "") + diff


def piece(model, ids):
    """llama.cpp's common_token_to_piece(ctx, id, special=false) of each id, concatenated."""
    mp = llama_cpp.llama_model_default_params()
    mp.vocab_only = True
    m = llama_cpp.llama_model_load_from_file(model.encode(), mp)
    vocab = llama_cpp.llama_model_get_vocab(m)
    out = b""
    for t in ids:
        buf = ctypes.create_string_buffer(256)
        n = llama_cpp.llama_token_to_piece(vocab, t, buf, len(buf), 0, False)
        out += buf.raw[:n]
    llama_cpp.llama_model_free(m)
    return out.decode()


def converse(model, tmpl, control, eog, cut_at=None):
    """The inputs and greedy replies of llama-completion -cnv -sys SYSTEM -n N over LINES. A reply ends at an id of
    `eog` (recorded in the history, evaluated with the next turn) or after N ids (not recorded). `cut_at`: stop the
    first reply after that many ids, its next id to be made the EOT token (returned)."""
    history = [("system", SYSTEM)]
    opening = apply(tmpl, history, False)
    inputs = [{"text": opening, "ids": oracle("oracle", "tokenize", model, opening, "--special")["ids"]}]
    evaluated = list(inputs[0]["ids"])
    replies = []
    eot = None
    for line in LINES:
        text = line.replace("\\n", "\n")   # llama.cpp's string_process_escapes (only \n is used here)
        part = format_single(tmpl, history, ("user", text), True)
        history.append(("user", text))
        ids = oracle("oracle", "tokenize", model, part, "--no-bos", "--special")["ids"]
        inputs.append({"text": part, "ids": ids})
        evaluated += ids
        g = oracle("oracle-avx2", "generate", model, "--tokens", ",".join(map(str, evaluated)), "--n", str(N),
                   "--flash-attn", "off", "--no-repack", "--threads", "2", "--ctx", "256")
        reply = (g.get("ids") or g.get("tokens") or g.get("generated"))[:N]
        if cut_at is not None and not replies:
            eot = reply[cut_at]
            assert eot not in reply[:cut_at], reply
            eog = eog | {eot}
        ends = [i for i, t in enumerate(reply) if t in eog]
        if ends:
            reply = reply[:ends[0] + 1]
            history.append(("assistant", piece(model, reply[:-1])))
        assert not set(reply) & set(control), f"reply {reply} meets a control token"
        replies.append(reply)
        evaluated += reply
        print(repr(part), ids, reply)
    return inputs, replies, eot


def main():
    tmp = tempfile.mkdtemp()
    model = f"{tmp}/qwen2-bpe-F16.gguf"
    subprocess.run([f"{bindir}/ggufkit-bench", "make-model", model, "--spec", "../bpe/qwen2-bpe.spec", "--vocab",
                    "../../tokenizer/vocab/ggml-vocab-qwen2.gguf", "--seed", "1", "--scale", "0.5"], check=True,
                   stdout=subprocess.DEVNULL)
    # the model's template and control tokens, from the file
    r = gguf.GGUFReader(model)
    f = r.fields["tokenizer.chat_template"]
    tmpl = bytes(f.parts[f.data[0]]).decode()
    ty = r.fields["tokenizer.ggml.token_type"]
    control = [i for i, d in enumerate(ty.data) if int(ty.parts[d][0]) == 3]
    cases = []
    # 1. the model's template (chatml); replies cut by -n
    inputs, replies, _ = converse(model, tmpl.encode(), control, set())
    cases.append({"name": "chatml, -n", "chat_template": None, "eot": None, "inputs": inputs, "replies": replies})
    # 2. --chat-template llama2-sys on the same weights with tokenizer.ggml.eot_token_id set to the fifth id of the
    #    first reply: that reply ends there (an end-of-generation token), joins the history, and its end token is
    #    evaluated before the second turn (whose llama2 text depends on the recorded reply)
    _, _, eot = converse(model, b"llama2-sys", control, set(), cut_at=4)
    eot_model = f"{tmp}/qwen2-bpe-eot.gguf"
    subprocess.run([f"{home}/venv/bin/gguf-new-metadata", model, eot_model, "--special-token-by-id", "eot", str(eot),
                    "--force"], check=True, stdout=subprocess.DEVNULL)
    inputs, replies, _ = converse(eot_model, b"llama2-sys", control, {eot})
    assert replies[0][-1] == eot and len(replies[0]) == 5, replies
    cases.append({"name": "llama2-sys, EOT", "chat_template": "llama2-sys", "eot": eot, "inputs": inputs,
                  "replies": replies})
    out = {"seed": 1, "scale": 0.5, "n": N, "system": SYSTEM, "lines": LINES, "template": tmpl, "cases": cases}
    with open("expected.json", "w") as f:
        json.dump(out, f, indent=1, ensure_ascii=False)
        f.write("\n")


main()
