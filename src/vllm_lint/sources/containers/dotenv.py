"""``.env`` files as Docker Compose reads them (compose-go dotenv).

``KEY=value`` per line; ``export KEY=value`` accepted; ``#`` starts a comment line, and after
an unquoted value `` #`` starts an inline comment. Single-quoted values are literal, double-quoted
values take ``\\n``/``\\t``/``\\"``/``\\\\`` escapes and may span lines; unquoted values are trimmed
and may hold spaces or raw JSON (``LIMIT_MM_PER_PROMPT={"image": 4}``). Values reference earlier
keys with ``${VAR}`` (interpolated like compose). A key given twice: the last one wins; the
duplicates are recorded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from vllm_lint.launch import EnvValue
from vllm_lint.span import LineIndex

_KEY_LINE = re.compile(r"[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_.\-]*)[ \t]*=[ \t]*")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "$": "$"}


@dataclass(slots=True)
class DotEnv:
    values: dict[str, EnvValue] = field(default_factory=dict)
    duplicates: list[tuple[str, EnvValue]] = field(default_factory=list)  # earlier, overridden entries
    invalid_lines: list[int] = field(default_factory=list)  # 1-based lines that are not KEY=value
    key_spans: dict[str, object] = field(default_factory=dict)


def parse_dotenv(text: str, index: LineIndex | None = None, interpolate_values: bool = True) -> dict[str, EnvValue]:
    """KEY -> EnvValue (span of the value in the file when ``index`` is given)."""
    return parse_dotenv_full(text, index, interpolate_values).values


def parse_dotenv_full(text: str, index: LineIndex | None = None, interpolate_values: bool = True) -> DotEnv:
    out = DotEnv()
    n = len(text)
    i = 0
    while i < n:
        line_end = text.find("\n", i)
        line_end = n if line_end == -1 else line_end
        stripped = text[i:line_end].strip()
        if not stripped or stripped.startswith("#"):
            i = line_end + 1
            continue
        m = _KEY_LINE.match(text, i, line_end)
        if not m:
            out.invalid_lines.append(text.count("\n", 0, i) + 1)
            i = line_end + 1
            continue
        key = m.group(1)
        v0 = m.end()
        value, vs, ve, nxt, quoted = _value(text, v0, line_end)
        if interpolate_values and quoted != "'" and "$" in value:
            from vllm_lint.sources.containers.interpolate import interpolate_text

            res = interpolate_text(value, out.values)
            value, symbolic = res.text, res.is_symbolic
        else:
            symbolic = False
        span = index.span(vs, ve) if index is not None else None
        ev = EnvValue(value, span, symbolic)
        if key in out.values:
            out.duplicates.append((key, out.values[key]))
        out.values[key] = ev
        if index is not None:
            out.key_spans[key] = index.span(m.start(1), m.end(1))
        i = nxt
    return out


def _value(text: str, v0: int, line_end: int) -> tuple[str, int, int, int, str]:
    """(value, start, end, next line start, quote char or "")."""
    n = len(text)
    if v0 < n and text[v0] in "'\"":
        q = text[v0]
        j = v0 + 1
        buf: list[str] = []
        while j < n and text[j] != q:
            if q == '"' and text[j] == "\\" and j + 1 < n:
                buf.append(_ESCAPES.get(text[j + 1], "\\" + text[j + 1]))
                j += 2
                continue
            buf.append(text[j])
            j += 1
        if j >= n:  # unterminated quote: take the rest of the line literally
            raw_end = line_end - (1 if line_end > v0 and text[line_end - 1] == "\r" else 0)
            return text[v0:raw_end], v0, raw_end, line_end + 1, ""
        close = j
        nl = text.find("\n", close)
        nxt = n if nl == -1 else nl + 1
        return "".join(buf).replace("\r\n", "\n"), v0 + 1, close, nxt, q
    raw = text[v0:line_end]
    cut = len(raw)
    hm = re.search(r"[ \t]#", raw)
    if hm:
        cut = hm.start()
    val = raw[:cut].rstrip(" \t\r")
    return val, v0, v0 + len(val), line_end + 1, ""
