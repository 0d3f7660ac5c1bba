"""Docker Compose variable interpolation with character offsets (compose-spec "Interpolation").

``$$`` is a literal ``$``; ``$VAR``/``${VAR}``; ``${VAR:-d}`` (unset or empty), ``${VAR-d}``
(unset), ``${VAR:+alt}``/``${VAR+alt}``, ``${VAR:?err}``/``${VAR?err}``; defaults may nest.
Quotes mean nothing to interpolation. Compose substitutes an empty string for an unset variable
with a warning; statically we cannot know the caller's environment, so an unset variable with
no default stays *symbolic* (its raw text is kept) and is reported in ``unknowns``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Mapping, Sequence

from vllm_lint.launch import EnvValue

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
MAX_CHARS = 100_000  # longest interpolated value kept; longer ones stay symbolic


@dataclass(slots=True)
class Interp:
    """Interpolated text; for every character the file offsets [start, end) it came from."""

    text: str = ""
    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)
    symbolic: list[bool] = field(default_factory=list)
    unknowns: list[str] = field(default_factory=list)
    used: list[str] = field(default_factory=list)  # variable names read

    @property
    def is_symbolic(self) -> bool:
        return any(self.symbolic)


def interpolate(value: str, starts: Sequence[int] | None, default_start: int, env: Mapping[str, EnvValue]) -> Interp:
    """Interpolate ``value`` whose i-th character sits at file offset ``starts[i]`` (or, when
    ``starts`` is None, every character is attributed to ``default_start``)."""
    out = Interp()
    chars: list[tuple[str, int, int, bool]] = []

    def off(i: int) -> int:
        if starts is None:
            return default_start
        if i < len(starts):
            return starts[i]
        return (starts[-1] + 1) if starts else default_start

    def end(i: int) -> int:  # offset after the source char at i
        return default_start if starts is None else off(i) + 1

    _run(value, 0, len(value), env, off, end, chars, out, 0)
    out.text = "".join(c[0] for c in chars)
    out.starts = [c[1] for c in chars]
    out.ends = [c[2] for c in chars]
    out.symbolic = [c[3] for c in chars]
    return out


def _run(s: str, lo: int, hi: int, env, off, end, chars, out: Interp, depth: int) -> None:
    i = lo
    while i < hi:
        c = s[i]
        if c != "$" or i + 1 >= hi:
            chars.append((c, off(i), end(i), False))
            i += 1
            continue
        nxt = s[i + 1]
        if nxt == "$":
            chars.append(("$", off(i), end(i + 1), False))
            i += 2
            continue
        if nxt == "{":
            close = _match_brace(s, i + 2, hi)
            if close is None or depth > 20:
                for k in range(i, hi):
                    chars.append((s[k], off(k), end(k), True))
                out.unknowns.append(f"unterminated {s[i:hi]!r}")
                return
            _braced(s, i, close, env, off, end, chars, out, depth)
            i = close + 1
            continue
        m = _NAME.match(s, i + 1, hi)
        if m:
            _lookup(m.group(0), s, i, m.end(), env, off, end, chars, out)
            i = m.end()
            continue
        chars.append((c, off(i), end(i), False))
        i += 1


def _match_brace(s: str, i: int, hi: int) -> int | None:
    depth = 1
    while i < hi:
        if s.startswith("${", i):
            depth += 1
            i += 2
            continue
        if s[i] == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return None


def _lookup(name: str, s: str, lo: int, hi: int, env, off, end, chars, out: Interp) -> None:
    out.used.append(name)
    val = env.get(name)
    a, b = off(lo), end(hi - 1)
    if val is None:
        out.unknowns.append(f"${{{name}}} is not set (no default, no .env value)")
        for k in range(lo, hi):
            chars.append((s[k], a, b, True))
        return
    if len(chars) + len(val.value) > MAX_CHARS:
        # a value built by doubling (A1=${A0}${A0} ...) would exhaust memory: keep it symbolic
        out.unknowns.append(f"${{{name}}} expands to more than {MAX_CHARS} characters; left unresolved")
        for k in range(lo, hi):
            chars.append((s[k], a, b, True))
        return
    for ch in val.value:
        chars.append((ch, a, b, val.symbolic))


def _braced(s: str, lo: int, close: int, env, off, end, chars, out: Interp, depth: int) -> None:
    body_lo = lo + 2
    m = _NAME.match(s, body_lo, close)
    if not m:
        out.unknowns.append(f"unsupported interpolation {s[lo:close + 1]!r}")
        for k in range(lo, close + 1):
            chars.append((s[k], off(lo), end(close), True))
        return
    name = m.group(0)
    k = m.end()
    if k == close:
        _lookup(name, s, lo, close + 1, env, off, end, chars, out)
        return
    op = None
    for cand in (":-", ":+", ":?", "-", "+", "?"):
        if s.startswith(cand, k):
            op = cand
            break
    if op is None:
        out.unknowns.append(f"unsupported interpolation {s[lo:close + 1]!r}")
        for j in range(lo, close + 1):
            chars.append((s[j], off(lo), end(close), True))
        return
    out.used.append(name)
    word_lo = k + len(op)
    val = env.get(name)
    colon = op.startswith(":")
    is_set = val is not None
    empty = is_set and not val.symbolic and val.value == ""
    kind = op.lstrip(":")
    if kind == "-":
        if is_set and not (colon and empty):
            _lookup(name, s, lo, close + 1, env, off, end, chars, out)
        else:
            _run(s, word_lo, close, env, off, end, chars, out, depth + 1)
    elif kind == "+":
        if is_set and not (colon and empty):
            _run(s, word_lo, close, env, off, end, chars, out, depth + 1)
    else:  # "?": required
        if is_set and not (colon and empty):
            _lookup(name, s, lo, close + 1, env, off, end, chars, out)
        else:
            out.unknowns.append(f"${{{name}}} is required but not set")
            for j in range(lo, close + 1):
                chars.append((s[j], off(lo), end(close), True))


def interpolate_text(value: str, env: Mapping[str, EnvValue]) -> Interp:
    """Interpolate a string that is not in the linted file (offsets are meaningless)."""
    return interpolate(value, None, 0, env)
