"""Text rebuilt from pieces of a file, each character knowing the file offsets it came from,
and the vLLM launches of such text read as a shell script.

Formats that hold a command line in their own syntax (a systemd ``ExecStart=`` continued over
lines, a Makefile recipe after ``$(VAR)`` expansion, a notebook cell stored as JSON strings, a
TOML string) first undo that syntax into plain text plus per-character offsets, then hand it to
the shell reader (``shell.commands.parse_script`` and ``shell.scripts.command_launch``), so every token keeps
an exact span in the original file.
"""

from __future__ import annotations

import re
from typing import Mapping

from vllm_lint.launch import Launch
from vllm_lint.sources.base import SourceFile
from vllm_lint.sources.mapped_text import MappedText


def script_launches(src: SourceFile, mapped: MappedText, *, source: str, env: Mapping[str, object] | None = None,
                    prefix: str = "", k8s: bool = False, first_only: bool = False, strict: bool = False) -> list[Launch]:
    """Every vLLM launch of ``mapped`` read as a shell script (never run), spans in ``src``.

    ``env`` seeds the shell variables (a None value: set, but unknown). ``prefix`` is put before
    each launch's name (``"ExecStart: "``); ``source`` names the format. ``strict`` keeps only
    commands that begin with a program that can start vLLM (see ``starts_command``): text that is
    not known to be a script (a YAML description) mentions ``vllm serve`` in prose too.
    """
    from vllm_lint.sources.shell.scripts import distinct_launches
    from vllm_lint.sources.shell.commands import parse_script

    if not mapped.chars:
        return []
    script = parse_script(mapped.text, mapped.starts, env, k8s=k8s, ends=mapped.ends)
    out: list[Launch] = []
    commands = (cmd for cmd in script.commands if not strict or starts_command([w.text for w in cmd.words]))
    for launch in distinct_launches(src, script, commands):
        launch.source = source
        launch.name = prefix + launch.name
        out.append(launch)
        if first_only:
            break
    return out


_PROGRAMS = re.compile(r"vllm|python(?:\d+(?:\.\d+)?)?|docker|podman|nerdctl|sh|bash|dash|zsh|uv|conda|micromamba|"
                       r"mamba|pixi|poetry|exec|nohup|env|sudo|time|setsid|stdbuf|nice|numactl|taskset|timeout|"
                       r"dumb-init|tini|gosu|su-exec|chrt|ionice|doas|command")


def starts_command(words: list[str]) -> bool:
    """True when the first word that is not an ``A=b`` assignment names a program that can
    start vLLM (directly, through a wrapper, a container CLI or a shell's ``-c``)."""
    for w in words:
        if re.match(r"[A-Za-z_][A-Za-z0-9_]*=", w):
            continue
        return bool(_PROGRAMS.fullmatch(w.rsplit("/", 1)[-1]))
    return False
