"""Nothing from a linted file is ever executed: the shipped source tree holds no eval/exec, no
unsafe YAML loader, no subprocess/os.system, no pickle, no trust_remote_code=True.

The scan reads Python tokens, so comments and strings (docstrings saying "never eval") do not
count; any hit outside ALLOW fails with its file and line. See docs/security.md.
"""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCANNED = [REPO / "src" / "vllm_lint"]

FORBIDDEN: dict[str, re.Pattern[str]] = {
    "eval/exec/compile": re.compile(r"(?<![\w.])(eval|exec|compile|execfile)\s*\("),
    "dynamic import": re.compile(r"(?<![\w.])__import__\s*\(|\bimportlib\.import_module\s*\(|\bimport_module\s*\("),
    "unsafe yaml": re.compile(
        r"\byaml\.(unsafe_load|full_load|unsafe_load_all|full_load_all)\b|\b(UnsafeLoader|FullLoader)\b"
        r"|\byaml\.Loader\b|\bLoader\s*=\s*yaml\.(Loader|UnsafeLoader|FullLoader)\b"
    ),
    "yaml.load without SafeLoader": re.compile(r"\byaml\.load(_all)?\s*\((?![^)]*Safe)"),
    "subprocess": re.compile(r"\bsubprocess\b|\bpty\.spawn\b|\bos\.(system|popen|exec\w*|spawn\w*|posix_spawn\w*|fork\w*)\s*\("),
    "pickle/marshal/shelve": re.compile(r"\b(pickle|cPickle|marshal|shelve|dill)\b"),
    "trust_remote_code=True": re.compile(r"trust_remote_code\s*=\s*(True|1)\b"),
    "shell=True": re.compile(r"\bshell\s*=\s*True\b"),
    "network": re.compile(r"\b(urllib\.request|http\.client|requests|httpx|socket)\b\s*(\.|import)|^\s*import\s+(socket|requests|httpx)\b|from\s+(urllib\.request|http\.client)\s+import"),
}

# (path relative to the repo, label) -> why it is acceptable. Keep this short and reviewed.
ALLOW: dict[tuple[str, str], str] = {
    ("src/vllm_lint/rule_meta.py", "yaml.load without SafeLoader"):
        "Loader=_loader() returns CSafeLoader or SafeLoader; it reads the project's own rules/*.yaml",
    ("src/vllm_lint/sources/dispatch.py", "dynamic import"):
        "lazy import of a format module named in the static in-code REGISTRY, never from input",
    ("src/vllm_lint/models/hub.py", "network"):
        "--online only: one TCP connect to the Hub host from HF_ENDPOINT (the environment, not input) "
        "before the first fetch of a run (tests/test_network.py)",
}


def code_only(source: str) -> str:
    """The source with comments and string literals blanked out (line structure kept)."""
    lines = source.splitlines(keepends=True)
    out = [list(line) for line in lines]
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError):
        return source
    for tok in tokens:
        if tok.type in (tokenize.COMMENT, tokenize.STRING) or tok.type == getattr(tokenize, "FSTRING_MIDDLE", -1):
            (sr, sc), (er, ec) = tok.start, tok.end
            for r in range(sr, er + 1):
                row = out[r - 1]
                start = sc if r == sr else 0
                end = min(ec if r == er else len(row), len(row))
                row[start:end] = [c if c == "\n" else " " for c in row[start:end]]
    return "".join("".join(r) for r in out)


# matches a line exactly when one of FORBIDDEN's patterns does (most lines match none)
_ANY_FORBIDDEN = re.compile("|".join(f"(?:{p.pattern})" for p in FORBIDDEN.values()))


def scan_text(source: str) -> list[tuple[int, str, str]]:
    """(line, label, line text) for every forbidden construct in a Python source."""
    hits = []
    code = code_only(source)
    raw_lines = source.splitlines()
    for n, line in enumerate(code.splitlines(), 1):
        if not _ANY_FORBIDDEN.search(line):
            continue
        for label, pat in FORBIDDEN.items():
            if pat.search(line):
                hits.append((n, label, raw_lines[n - 1].strip() if n <= len(raw_lines) else line))
    return hits


def scan_tree() -> list[str]:
    found = []
    for root in SCANNED:
        for path in sorted(root.rglob("*.py")):
            rel = path.relative_to(REPO).as_posix()
            for line, label, text in scan_text(path.read_text(encoding="utf-8")):
                if (rel, label) in ALLOW:
                    continue
                found.append(f"{rel}:{line}: {label}: {text}")
    return found


def test_source_tree_runs_nothing_from_input():
    hits = scan_tree()
    assert not hits, "forbidden constructs (see docs/security.md):\n" + "\n".join(hits)


@pytest.mark.parametrize(
    "snippet,label",
    [
        ("x = eval(s)\n", "eval/exec/compile"),
        ("exec(code, {})\n", "eval/exec/compile"),
        ("data = yaml.load(text)\n", "yaml.load without SafeLoader"),
        ("data = yaml.load(text, Loader=yaml.Loader)\n", "unsafe yaml"),
        ("data = yaml.full_load(text)\n", "unsafe yaml"),
        ("import subprocess\n", "subprocess"),
        ("os.system('ls')\n", "subprocess"),
        ("os.popen(cmd)\n", "subprocess"),
        ("AutoConfig.from_pretrained(m, trust_remote_code=True)\n", "trust_remote_code=True"),
        ("import pickle\n", "pickle/marshal/shelve"),
        ("mod = __import__(name)\n", "dynamic import"),
        ("import socket\n", "network"),
        ("from urllib.request import urlopen\n", "network"),
    ],
)
def test_scanner_catches(snippet, label):
    assert label in [h[1] for h in scan_text(snippet)]


@pytest.mark.parametrize(
    "snippet",
    [
        "data = yaml.load(text, Loader=yaml.SafeLoader)\n",
        "loader = yaml.SafeLoader(text)\n",
        "pattern = re.compile(r'x')\n",
        '"""We never eval( anything, nor call yaml.load( or subprocess."""\n',
        "# trust_remote_code=True would be wrong here\n",
        "AutoConfig.from_pretrained(m, local_files_only=True, trust_remote_code=False)\n",
        "self.evaluate(x)\n",
    ],
)
def test_scanner_ignores(snippet):
    assert scan_text(snippet) == []


def test_allowed_registry_loader_is_safe():
    """The one allow-listed yaml.load passes Loader=_loader(): it must stay a safe loader."""
    import yaml

    from vllm_lint.rule_meta import _loader

    assert _loader() in (yaml.SafeLoader, getattr(yaml, "CSafeLoader", yaml.SafeLoader))
