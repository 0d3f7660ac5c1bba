"""Local folders a file itself fills from the Hub: ``hf download <id> --local-dir <dir>``.

Deployments often download a model into a volume in an init container or an entrypoint
(``hf download google/gemma-3-27b-it --local-dir /data/models/gemma-3-27b-v``) and serve that folder
(``--model /data/models/gemma-3-27b-v``). The folder's name may be a nickname; the download line says
which repository it holds. ``download_hints`` reads those lines (``hf``/``huggingface-cli download``,
``snapshot_download(repo_id=..., local_dir=...)``) into a folder -> Hub id map; values with shell or
template expansions are left out.
"""

from __future__ import annotations

import re

from vllm_lint.models.variants import HUB_ID

_CLI = re.compile(r"\b(?:hf|huggingface-cli)\s+download\b(?P<rest>[^\n;&|]*)")
_PY = re.compile(r"\bsnapshot_download\s*\((?P<args>[^)]*)\)")
_KWARG = re.compile(r"\b(repo_id|local_dir)\s*=\s*(['\"])(?P<v>[^'\"]+)\2")
_FIRST_STR = re.compile(r"^\s*(['\"])(?P<v>[^'\"]+)\1")
# options of `hf download` that take a value (the positional repo id is the first other word)
_VALUED = {"--revision", "--repo-type", "--include", "--exclude", "--cache-dir", "--token", "--local-dir",
           "--max-workers"}


def _literal(word: str) -> str | None:
    w = word.strip().strip("'\"")
    return None if not w or any(c in w for c in "$`{}<>*") else w


def download_hints(text: str) -> dict[str, str]:
    """Local folder (no trailing slash) -> the Hub id a download in ``text`` puts there."""
    if "download" not in text:
        return {}
    out: dict[str, str] = {}
    joined = re.sub(r"\\\s*\n", " ", text)  # shell line continuations
    for m in _CLI.finditer(joined):
        words = m.group("rest").split()
        repo = local = None
        i = 0
        while i < len(words):
            w = words[i]
            if w.startswith("--local-dir="):
                local = _literal(w.split("=", 1)[1])
            elif w == "--local-dir" and i + 1 < len(words):
                local = _literal(words[i + 1])
                i += 1
            elif w in _VALUED:
                i += 1
            elif not w.startswith("-") and repo is None:
                repo = _literal(w)
            i += 1
        if repo and local and HUB_ID.match(repo):
            out[local.rstrip("/") or "/"] = repo
    for m in _PY.finditer(text):
        args = m.group("args")
        kw = {k.group(1): _literal(k.group("v")) for k in _KWARG.finditer(args)}
        repo = kw.get("repo_id")
        if repo is None and (first := _FIRST_STR.match(args)):
            repo = _literal(first.group("v"))
        local = kw.get("local_dir")
        if repo and local and HUB_ID.match(repo):
            out[local.rstrip("/") or "/"] = repo
    return out
