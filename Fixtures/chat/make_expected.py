"""llama.cpp's own chat-template outputs for Tests/GGUFChatTests: expected.json and templates/.

Run with the oracle's venv python (llama-cpp-python over libllama of llama.cpp 0c1e570):
    ~/.cache/ggufkit-oracle/venv/bin/python make_expected.py
For every built-in name (`llama_chat_builtin_templates`), every models/templates/*.jinja of llama.cpp's
source and a set of short marker texts (one per rule of `llm_chat_detect_template`), the formatted text of
each conversation below, with add_ass true and false, from `llama_chat_apply_template` (-1: not recognised).
Recognised .jinja files are copied to templates/ (the tests detect from their text); for the unrecognised
ones expected.json keeps only the name and the SHA-256 (the test of -1 uses the marker texts instead).
`same_as` lists the built-in names whose outputs equal a template's on every conversation (which template
llama.cpp detected); a template's own outputs are kept only when no name gives them (dots1 has no name)."""
import ctypes, glob, hashlib, json, os, shutil
import llama_cpp

HOME = os.environ.get("ORACLE_HOME", os.path.expanduser("~/.cache/ggufkit-oracle"))
LLAMA = f"{HOME}/src/llama_cpp_python-0.3.36/vendor/llama.cpp"

CONVERSATIONS = {
    "system+user": [("system", "You are a helpful assistant."), ("user", "Hello")],
    "user": [("user", "Hello")],
    "multi-turn": [("system", "Be brief."), ("user", "Hi there"), ("assistant", "Hello! How can I help?"),
                   ("user", "What is 2+2?")],
    "no-system": [("user", "One"), ("assistant", "Two"), ("user", "Three")],
    "ends-with-assistant": [("user", "Q?"), ("assistant", "A.")],
    "empty": [("system", ""), ("user", ""), ("assistant", ""), ("user", "")],
    "unicode-space": [("system", "  Système: réponds en français.\n"), ("user", "\t你好，世界 🌍  \n"),
                      ("assistant", " Привет! \r\n"), ("user", "ça va? ñ\u00a0")],
    "two-systems": [("system", "First."), ("system", " Second "), ("user", "go")],
    "tool-roles": [("user", "call it"), ("assistant_tool_call", "[f()]"), ("tool", "{\"r\": 1}"),
                   ("function", "x"), ("user", "thanks")],
    "no-messages": [],
}

# Short texts that reach each rule of llm_chat_detect_template (and some that reach none).
MARKERS = [
    "<|im_start|>x", "<|im_start|><|im_sep|>", "<|im_start|><end_of_utterance>",
    "mistral-like", "[INST] [SYSTEM_PROMPT]", "' [INST] ' + system_message", "[AVAILABLE_TOOLS][INST]",
    "[AVAILABLE_TOOLS]\"[INST]\"", "[INST] content.strip() <<SYS>>", "bos_token + '[INST] <<SYS>>", "[INST] <<SYS>>", "[INST]",
    "<|assistant|><|end|>", "[gMASK]<sop>", "<|assistant|><|user|><|tool_declare|>", "<|assistant|><|user|></s>",
    "<|assistant|><|user|>", "<|{{ item['role'] }}|><|begin_of_image|>", "<|user|><|endoftext|>",
    "bos_token + message['role']", "<start_of_turn>", "'\\n\\nAssistant: ' + eos_token", "GPT4 Correct ",
    "USER: ASSISTANT: ", "USER: ASSISTANT: SYSTEM: ", "### Instruction:<|EOT|>", "<|START_OF_TURN_TOKEN|><|USER_TOKEN|>",
    "<|start_header_id|><|end_header_id|>", "[gMASK]sop", "<用户>", "'Assistant: ' + message['content'] + eos_token",
    "<｜Assistant｜><｜User｜><｜end▁of▁sentence｜>", "[|system|][|assistant|][|endofturn|]",
    "[|system|][|assistant|][|endofturn|][|tool|]", "rwkv-world!", "{{- 'User: ' + message['content']|trim + '\\n\\n' -}}",
    "<|start_of_role|>", "<|start_of_role|><tool_call>g4_default_system_message", "<|start_of_role|><tools>",
    "message['role'] + additional_special_tokens[0] + message['content'] + additional_special_tokens[1]",
    "<|role_start|>", " Ассистент:", "<role>ASSISTANT</role>'HUMAN'", "<role>ASSISTANT</role>\"HUMAN\"<think>",
    "<role>ASSISTANT</role><role>HUMAN</role><|role_end|>", "<|header_start|><|header_end|>", "<|endofuserprompt|>",
    "<|extra_0|><|extra_4|>", "<|start|><|channel|>", "<｜hy_Assistant｜><｜hy_begin▁of▁sentence｜>",
    "<｜hy_Assistant｜><｜hy_place▁holder▁no▁3｜>", "<|im_assistant|>assistant<|im_middle|>", "<seed:bos>",
    "'Assistant: '  + message['content'] + '<|separator|>", "[unused9]系统：[unused10]", "<|begin|><|end|><|content|>",
    # none of the rules
    "", "hello {{ messages }}", "Mistral", " mistral", "<|assistant|>", "<role>ASSISTANT</role>\"HUMAN\"",
    "<｜hy_Assistant｜>", "chatml ", "CHATML", "dots1",
]


def apply(tmpl: bytes, conv, add_ass: bool):
    msgs = (llama_cpp.llama_chat_message * max(len(conv), 1))()
    keep = []
    for i, (r, c) in enumerate(conv):
        rb, cb = r.encode(), c.encode()
        keep += [rb, cb]
        msgs[i].role, msgs[i].content = rb, cb
    n = 1 << 14
    while True:
        buf = ctypes.create_string_buffer(n)
        res = llama_cpp.llama_chat_apply_template(tmpl, msgs, len(conv), add_ass, buf, n)
        if res < 0:
            return None
        if res <= n:
            return buf.raw[:res].decode("utf-8")
        n = res


def outputs(tmpl: bytes):
    out = {}
    for name, conv in CONVERSATIONS.items():
        for add in (True, False):
            r = apply(tmpl, conv, add)
            if r is None:
                return None
            out[f"{name}|{int(add)}"] = r
    return out


def main():
    n = llama_cpp.llama_chat_builtin_templates(None, 0)
    arr = (ctypes.c_char_p * n)()
    llama_cpp.llama_chat_builtin_templates(arr, n)
    names = [arr[i].decode() for i in range(n)]
    by_name = {nm: outputs(nm.encode()) for nm in names}

    def same_as(o):
        return [nm for nm in names if by_name[nm] == o]

    os.makedirs("templates", exist_ok=True)
    for f in glob.glob("templates/*.jinja"):
        os.remove(f)
    files = []
    for path in sorted(glob.glob(f"{LLAMA}/models/templates/*.jinja")):
        text = open(path, "rb").read()
        o = outputs(text)
        base = os.path.basename(path)
        entry = {"file": base, "sha256": hashlib.sha256(text).hexdigest(), "recognised": o is not None}
        if o is not None:
            shutil.copyfile(path, f"templates/{base}")
            entry["same_as"] = same_as(o)
            if not entry["same_as"]:
                entry["outputs"] = o
        files.append(entry)
        print(base, entry.get("same_as", "-1"))
    markers = []
    for m in MARKERS:
        o = outputs(m.encode())
        markers.append({"text": m, "recognised": o is not None, "same_as": same_as(o) if o else []})
        if o and not markers[-1]["same_as"]:
            markers[-1]["outputs"] = o
        print(repr(m), markers[-1]["same_as"] if o else -1)
    doc = {"llama.cpp": "0c1e570", "conversations": {k: [list(m) for m in v] for k, v in CONVERSATIONS.items()},
           "builtin_names": names, "names": by_name, "files": files, "markers": markers}
    with open("expected.json", "w") as f:
        json.dump(doc, f, indent=1, ensure_ascii=False)
        f.write("\n")


main()
