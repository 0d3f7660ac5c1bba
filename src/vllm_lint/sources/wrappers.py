"""Wrappers that hand vLLM extra arguments from an environment variable, read as data
(``data/wrappers.json``) with the shell semantics each applies to the value.

KServe's LLMInferenceService templates run ``eval "exec vllm serve ... ${VLLM_ADDITIONAL_ARGS} $@"``:
the value is parsed by the shell a second time, so ``--kv-transfer-config '{"a": 1}'`` reaches vLLM
as two words, the JSON without its quotes. A plain unquoted ``$VAR`` only splits on blanks and
keeps quotes as literal characters. Reading the value the wrong way turns valid JSON into a
false "invalid JSON" error, so each wrapper's semantics is stated once, here, with its source.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Mapping, Sequence

from vllm_lint.sources.shell.commands import parse_script
from vllm_lint.sources.shell.syntax import Word

_DATA = Path(__file__).resolve().parent / "data" / "wrappers.json"


@dataclass(frozen=True, slots=True)
class Wrapper:
    id: str
    platform: str
    variable: str
    expansion: str  # eval | split
    source: str


@lru_cache(maxsize=1)
def _table() -> dict[str, Wrapper]:
    rows = json.loads(_DATA.read_text("utf-8"))["wrappers"]
    return {r["id"]: Wrapper(r["id"], r["platform"], r["variable"], r["expansion"], r["source"]) for r in rows}


def wrapper(wrapper_id: str) -> Wrapper:
    """The wrapper with this id (KeyError for an id the table does not have)."""
    return _table()[wrapper_id]


def expand(w: Wrapper, value: str, offsets: Sequence[int] | None = None,
           env: Mapping[str, object] | None = None) -> list[Word]:
    """The words vLLM receives from ``value`` of ``w.variable``; ``offsets`` map each character of
    ``value`` to its file offset (a YAML scalar's), ``env`` is the container's environment."""
    if w.expansion == "eval":
        # the value is spliced into one command line: what follows a `;` is another command
        commands = parse_script(value, offsets, env).commands
        return list(commands[0].words) if commands else []
    out = []
    for m in re.finditer(r"[^ \t\n]+", value):
        if offsets:
            a, b = offsets[m.start()], offsets[m.end() - 1] + 1
        else:
            a, b = m.start(), m.end()
        out.append(Word(text=m.group(0), start=a, end=b))
    return out
