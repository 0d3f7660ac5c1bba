"""Markdown code blocks (with ``--include-docs``): READMEs are where wrong flags get copied from.

Fenced blocks (CommonMark: three or more backticks or tildes, an info string naming the
language) are read by language: ``bash``/``sh``/``shell``/``zsh`` as a script, ``console``/
``shell-session`` as prompts (``$ `` or ``# `` lines are commands, the rest is output),
``yaml``/``yml`` as whichever YAML format its text is (compose, Kubernetes, Helm values,
SkyPilot, a vLLM config, or any schema with a command in a string), ``dockerfile`` as a
Dockerfile, ``powershell``/``ps1`` as PowerShell, ``python`` for ``LLM(...)`` and subprocess
calls. Each block is read in a copy of the file with everything outside the block blanked, so
lines, columns and fixes point into the Markdown file itself.
"""

from __future__ import annotations

import re
from pathlib import Path

from vllm_lint.launch import Launch
from vllm_lint.sources.base import ExtractOptions, ExtractResult, SourceFile
from vllm_lint.sources.mapped import script_launches
from vllm_lint.sources.mapped_text import MappedText
from vllm_lint.span import LineIndex

_FENCE = re.compile(r"^([ ]{0,3})(`{3,}|~{3,})[ \t]*([\w+.\-]*)[^\n]*\n", re.M)
_SHELL = frozenset({"bash", "sh", "shell", "zsh", "shellscript", "sh-session"})
_CONSOLE = frozenset({"console", "shell-session", "terminal", "shellsession"})
_PROMPT = re.compile(r"[ \t]*(?:\(\S+\)\s*)?(?:[\w@.\-~:/]*)?[$#>][ \t]+")


def blocks(text: str) -> list[tuple[str, int, int]]:
    """(language, start, end) offsets of each fenced block's content."""
    out = []
    pos = 0
    while True:
        m = _FENCE.search(text, pos)
        if m is None:
            return out
        fence = m.group(2)
        close = re.compile(r"^[ ]{0,3}" + re.escape(fence[0]) + "{" + str(len(fence)) + r",}[ \t]*$", re.M)
        c = close.search(text, m.end())
        end = c.start() if c else len(text)
        out.append((m.group(3).lower(), m.end(), end))
        pos = c.end() if c else len(text)


def _blanked(src: SourceFile, lo: int, hi: int, name: str) -> SourceFile:
    """``src`` with every character outside [lo, hi) but newlines turned into spaces."""
    text = src.text
    outside = re.compile(r"[^\r\n]")
    blank = outside.sub(" ", text[:lo]) + text[lo:hi] + outside.sub(" ", text[hi:])
    return SourceFile(path=src.path.with_name(name), display=src.display, text=blank,
                      index=LineIndex(src.display, blank), kind=src.kind, had_bom=src.had_bom, encoding=src.encoding,
                      limits=src.limits)


def extract(src: SourceFile, opts: ExtractOptions | None = None) -> ExtractResult:
    opts = opts or ExtractOptions()
    result = ExtractResult()
    if not opts.include_docs:
        result.notes.append("Markdown code blocks are read with --include-docs")
        return result
    for lang, lo, hi in blocks(src.text):
        result.extend(_block(src, lang, lo, hi, opts))
    for launch in result.launches:
        launch.facts.documentation = True
    result.launches.sort(key=lambda x: x.span.start)
    if not result.launches and not result.diagnostics:
        result.notes.append("no code block starts vLLM")
    return result


def _block(src: SourceFile, lang: str, lo: int, hi: int, opts: ExtractOptions) -> ExtractResult:
    from vllm_lint.sources.dispatch import extract as extract_kind

    res = ExtractResult()
    text = src.text
    if lang in _SHELL or lang in _CONSOLE or (not lang and re.search(r"\bvllm\s+serve\b|docker\s+run", text[lo:hi])):
        mapped = MappedText()
        for m in re.finditer(r"[^\n]*\n?", text[lo:hi]):
            a, b = lo + m.start(), lo + m.end()
            if a == b:
                continue
            if lang in _CONSOLE:
                p = _PROMPT.match(text, a, b)
                if p is None and not (len(mapped) and mapped.text.rstrip().endswith("\\")):
                    continue  # output of the previous command
                a = p.end() if p else a
            mapped.copy(text, a, b)
        res.launches.extend(_named(script_launches(src, mapped, source="markdown", env=dict(opts.env))))
        return res
    kind, name = _kind(lang, text[lo:hi])
    if kind is None:
        return res
    sub = _blanked(src, lo, hi, name)
    sub.kind = kind
    got = extract_kind(sub, ExtractOptions(limits=opts.limits, env=dict(opts.env)))
    for launch in got.launches:
        launch.source = f"markdown:{launch.source}"
    res.launches.extend(_named(got.launches))
    res.diagnostics.extend(d for d in got.diagnostics if d.rule != "VL001")  # a snippet need not be whole
    return res


def _kind(lang: str, body: str) -> tuple[str | None, str]:
    from vllm_lint.discover import classify

    if lang in ("yaml", "yml"):
        kind = classify(Path("block.yaml"), body, explicit=True)
        return (kind if kind not in (None, "unknown", "yaml") else "embedded"), "block.yaml"
    if lang in ("dockerfile", "docker", "containerfile"):
        return "dockerfile", "Dockerfile"
    if lang in ("powershell", "ps1", "pwsh"):
        return "powershell", "block.ps1"
    if lang in ("python", "py", "python3"):
        return "python", "block.py"
    if lang in ("json",):
        return "embedded", "block.json"
    if lang in ("toml",):
        return "embedded", "block.toml"
    if lang in ("ini", "systemd"):
        return "systemd", "block.service"
    if lang in ("makefile", "make"):
        return "makefile", "Makefile"
    return None, ""


def _named(launches: list[Launch]) -> list[Launch]:
    for launch in launches:
        launch.name = f"code block: {launch.name}"
    return launches
