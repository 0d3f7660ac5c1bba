"""Inline directives in comments, one syntax for YAML, shell, Dockerfile and .env files.

    <line>  # vllm-lint: disable=VL101            this line only (trailing comment)
    # vllm-lint: disable=VL101 -- reason         own line: the next line
    # vllm-lint: disable=VL201                   own line followed later by
    ...                                          # vllm-lint: enable=VL201  -> the range between
    # vllm-lint: disable-file[=VL101,VL2]        the whole file
    # vllm-lint: gpu=L4 / vllm-version=0.6.3     state the file's target

Ids may be exact ids, prefixes (VL1) or rule names. No ids means every rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_DIRECTIVE = re.compile(
    r"#\s*vllm-lint:\s*(?P<verb>disable-file|disable|enable|gpu|vllm-version)\b"
    r"(?:\s*=\s*(?P<value>[^\s#]+(?:\s*,\s*[^\s#]+)*))?(?:\s*--\s*(?P<reason>.*))?"
)


@dataclass(slots=True)
class Suppression:
    ids: tuple[str, ...]  # empty = all rules
    first_line: int
    last_line: int
    line: int  # where the comment is
    reason: str | None = None
    used: bool = False

    def covers(self, rule: str, name: str, line: int) -> bool:
        if not (self.first_line <= line <= self.last_line):
            return False
        return not self.ids or any(rule.startswith(i.upper()) or i == name for i in self.ids)


@dataclass(slots=True)
class Directives:
    suppressions: list[Suppression] = field(default_factory=list)
    gpu: str | None = None
    vllm_version: str | None = None

    def match(self, rule: str, name: str, line: int) -> Suppression | None:
        for s in self.suppressions:
            if s.covers(rule, name, line):
                return s
        return None


def parse_directives(text: str) -> Directives:
    """Read every ``# vllm-lint:`` comment of a file. Pure; cheap when there are none."""
    out = Directives()
    if "vllm-lint:" not in text:
        return out
    lines = text.split("\n")
    n = len(lines)
    open_ranges: list[Suppression] = []
    for i, raw in enumerate(lines, start=1):
        m = _DIRECTIVE.search(raw)
        if not m:
            continue
        verb, value, reason = m.group("verb"), m.group("value"), m.group("reason")
        reason = reason.strip() if reason else None
        ids = tuple(v.strip() for v in value.split(",")) if value and verb != "gpu" and verb != "vllm-version" else ()
        own_line = raw[: m.start()].strip() == ""
        if verb == "gpu":
            out.gpu = value
        elif verb == "vllm-version":
            out.vllm_version = value
        elif verb == "disable-file":
            out.suppressions.append(Suppression(ids, 1, n, i, reason))
        elif verb == "disable":
            if own_line:
                s = Suppression(ids, i + 1, i + 1, i, reason)
                open_ranges.append(s)
            else:
                s = Suppression(ids, i, i, i, reason)
            out.suppressions.append(s)
        elif verb == "enable":
            # Close the most recent own-line disable with the same ids: it becomes a range.
            for s in reversed(open_ranges):
                if s.ids == ids or not ids:
                    s.last_line = i
                    open_ranges.remove(s)
                    break
    return out
