"""Inline directives in comments, one syntax for YAML, shell, Dockerfile and .env files.

    <line>  # vllm-lint: disable=VL101            this line only (trailing comment)
    # vllm-lint: disable=VL101 -- reason         own line: the next line that is not blank or
                                                 a comment, with the lines that continue it
                                                 (a command whose lines end in a backslash)
    # vllm-lint: disable=VL201                   own line followed later by
    ...                                          # vllm-lint: enable=VL201  -> the range between
    # vllm-lint: disable-file[=VL101,VL2]        the whole file
    # vllm-lint: gpu=L4 / vllm-version=0.6.3     state the file's target

Ids may be exact ids, prefixes (VL1) or rule names. No ids means every rule. The text after
``--`` is the reason, shown with ``--verbose``. A directive is a comment: its ``#`` starts the
line or follows whitespace (YAML and shell only treat such a ``#`` as a comment).

Kubernetes objects may carry ``ignore-check.vllm-lint.io/<ID>: "<reason>"`` annotations
(kube-linter's form), which survive ``helm template`` where comments do not; see
``annotation_suppressions``.

Every suppression records which of its ids matched a finding, so ``VL006 unused-suppression``
can report the ones that suppress nothing, and offer to delete them (ruff's RUF100).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_DIRECTIVE = re.compile(
    r"(?:^|(?<=\s))#\s*vllm-lint:\s*(?P<verb>disable-file|disable|enable|gpu|vllm-version)\b"
    r"(?:\s*=\s*(?P<value>[^\s#]+(?:\s*,\s*[^\s#]+)*))?(?:\s*--\s*(?P<reason>.*))?"
)
_COMMENT_ONLY = re.compile(r"^\s*(#.*)?\r?$")

ANNOTATION_PREFIX = "ignore-check.vllm-lint.io/"


@dataclass(slots=True)
class Suppression:
    """One ``# vllm-lint: disable...`` comment (or Kubernetes annotation): which rules it silences
    on which lines, and which of its ids silenced something (for VL006)."""

    ids: tuple[str, ...]  # empty = all rules
    first_line: int
    last_line: int
    line: int  # where the comment is
    reason: str | None = None
    # Where it is written, for VL006's fix (character offsets into the file's text).
    verb: str = "disable"
    own_line: bool = True
    comment_start: int = -1  # the '#'
    comment_end: int = -1  # end of the line's text (before CR/LF)
    line_start: int = -1
    line_end: int = -1  # after the line's newline
    code_end: int = -1  # end of the code before a trailing comment (whitespace excluded)
    value_start: int = -1  # the ids list, when there is one
    value_end: int = -1
    closer: tuple[int, int] | None = None  # (start, end) of the whole `enable` line closing a range
    origin: str = "comment"  # or "annotation"
    used_ids: set[str] = field(default_factory=set)

    def matching_ids(self, rule: str, name: str) -> list[str]:
        """The ids of this suppression that name ``rule`` (all for a bare disable: [""])."""
        if not self.ids:
            return [""]
        return [i for i in self.ids if rule.startswith(i.upper()) or i == name]

    @property
    def used(self) -> bool:
        """True once it silenced a finding (``mark`` records the ids that did)."""
        return bool(self.used_ids)

    def covers(self, rule: str, name: str, line: int) -> bool:
        """True when a finding of ``rule`` on ``line`` falls under this suppression."""
        if not (self.first_line <= line <= self.last_line):
            return False
        return bool(self.matching_ids(rule, name))

    def mark(self, rule: str, name: str) -> None:
        """Record that this suppression silenced a finding of ``rule``."""
        self.used_ids.update(self.matching_ids(rule, name))

    def scope_text(self) -> str:
        """Where it applies, in message words: "on line 3", "on lines 3-9", "in this file"."""
        if self.verb == "disable-file":
            return "in this file"
        if self.first_line == self.last_line:
            return f"on line {self.first_line}"
        return f"on lines {self.first_line}-{self.last_line}"


@dataclass(slots=True)
class Directives:
    """Every ``# vllm-lint:`` directive of one file: suppressions, and the ``gpu=`` and
    ``vllm-version=`` settings that override the command line for the file's launches."""

    suppressions: list[Suppression] = field(default_factory=list)
    gpu: str | None = None
    gpu_at: tuple[int, int] | None = None  # character offsets of the gpu= value (VL007 points there)
    vllm_version: str | None = None
    version_at: tuple[int, int] | None = None  # character offsets of the vllm-version= value (VL007 points there)
    # (rule, name) -> the suppressions naming that rule; a file with thousands of directives
    # then costs per finding only the directives about its rule.
    _by_rule: dict = field(default_factory=dict, repr=False, compare=False)

    def matches(self, rule: str, name: str, line: int) -> list[Suppression]:
        """Every suppression covering a finding (all of them count as used), in file order."""
        key = (rule, name)
        cands = self._by_rule.get(key)
        if cands is None:
            cands = [s for s in self.suppressions if s.matching_ids(rule, name)]
            self._by_rule[key] = cands
        return [s for s in cands if s.first_line <= line <= s.last_line]


def _next_code_lines(lines: list[str]) -> list[int]:
    """For each 1-based line i (index i), the first line after it that is not blank or only a
    comment; computed in one backward pass so a file of many directives stays linear."""
    n = len(lines)
    out = [n] * (n + 2)
    nxt = n  # past the end: the last line
    for j in range(n, 0, -1):
        out[j] = nxt
        if not _COMMENT_ONLY.match(lines[j - 1]):
            nxt = j
    out[0] = nxt
    return out


def _continued_to(lines: list[str], line: int) -> int:
    """The last line of the command that starts on 1-based ``line``: through every line ending in a
    backslash continuation (a comment line ends it, as bash does)."""
    last = line
    while last < len(lines) and lines[last - 1].rstrip("\r").endswith("\\") \
            and not lines[last - 1].lstrip().startswith("#") and not lines[last].lstrip().startswith("#"):
        last += 1
    return last


def parse_directives(text: str) -> Directives:
    """Read every ``# vllm-lint:`` comment of a file. Pure; cheap when there are none."""
    out = Directives()
    if "vllm-lint:" not in text:
        return out
    lines = text.split("\n")
    n = len(lines)
    open_ranges: list[Suppression] = []
    next_code: list[int] | None = None
    offset = 0
    for i, raw in enumerate(lines, start=1):
        line_start = offset
        offset += len(raw) + 1
        m = _DIRECTIVE.search(raw)
        if not m:
            continue
        verb, value, reason = m.group("verb"), m.group("value"), m.group("reason")
        reason = reason.strip() if reason else None
        ids = tuple(v.strip() for v in value.split(",")) if value and verb not in ("gpu", "vllm-version") else ()
        before = raw[: m.start()]
        # Own line: nothing but (possibly) another comment before it.
        own_line = before.strip() == "" or before.lstrip().startswith("#")
        content_end = len(raw) - 1 if raw.endswith("\r") else len(raw)
        where = dict(
            verb=verb,
            own_line=own_line,
            comment_start=line_start + m.start(),
            comment_end=line_start + content_end,
            line_start=line_start,
            line_end=min(offset, len(text)),
            code_end=line_start + len(before.rstrip()),
            value_start=line_start + m.start("value") if value else -1,
            value_end=line_start + m.end("value") if value else -1,
        )
        if verb == "gpu":
            out.gpu = value
            out.gpu_at = (where["value_start"], where["value_end"]) if value else None
        elif verb == "vllm-version":
            out.vllm_version = value
            out.version_at = (where["value_start"], where["value_end"]) if value else None
        elif verb == "disable-file":
            out.suppressions.append(Suppression(ids, 1, n, i, reason, **where))
        elif verb == "disable":
            if own_line:
                if next_code is None:
                    next_code = _next_code_lines(lines)
                target = next_code[i]
                s = Suppression(ids, target, _continued_to(lines, target), i, reason, **where)
                open_ranges.append(s)
            else:
                s = Suppression(ids, i, i, i, reason, **where)
            out.suppressions.append(s)
        elif verb == "enable":
            # Close the most recent own-line disable with the same ids: it becomes a range.
            for s in reversed(open_ranges):
                if s.ids == ids or not ids:
                    s.first_line = s.line + 1
                    s.last_line = i
                    whole = where["code_end"] == where["line_start"]
                    s.closer = (where["line_start"], where["line_end"]) if whole else (where["code_end"], where["comment_end"])
                    open_ranges.remove(s)
                    break
    return out


def annotation_suppressions(annotations: object, line: int = 1) -> list[Suppression]:
    """Suppressions from Kubernetes annotations ``ignore-check.vllm-lint.io/<ID|prefix|name>:
    "<reason>"``; they cover every finding of their launch."""
    if not isinstance(annotations, dict):
        return []
    out: list[Suppression] = []
    for key, value in annotations.items():
        if not isinstance(key, str) or not key.startswith(ANNOTATION_PREFIX):
            continue
        rule = key[len(ANNOTATION_PREFIX):].strip()
        if not rule:
            continue
        reason = str(value).strip() if value not in (None, "") else None
        out.append(Suppression((rule,), 1, 10**9, line, reason or f"annotation {key}", verb="annotation",
                               own_line=False, origin="annotation"))
    return out
