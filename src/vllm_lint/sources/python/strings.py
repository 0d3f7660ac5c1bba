"""Python string literals as text with the source offset of every character (Python 3 lexical rules).

``ast`` gives a literal's value and where the whole expression starts and ends; a command line
inside it (``os.system("vllm serve ...")``) needs the position of each character. This re-reads
the literal's source: prefixes (``r``, ``b``, ``f``, ``u``, any case), single and triple quotes,
escapes (``\\n``, ``\\x41``, ``\\u00e9``, ``\\N{...}``, octal, backslash-newline) and implicit
concatenation of adjacent literals. In an f-string each replacement field ``{expr}`` is kept as
written and reported as a field (its value is only known at run time); ``{{``/``}}`` are braces.
The result is checked against ``ast``'s value where there is one.
"""

from __future__ import annotations

import re
import unicodedata

from vllm_lint.sources.mapped_text import MappedText

_PREFIX = re.compile(r"[rRbBuUfF]{0,2}(?=['\"])")
_SIMPLE = {"\\": "\\", "'": "'", '"': '"', "a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}


def literal_text(text: str, lo: int, hi: int, expected: str | None = None
                 ) -> tuple[MappedText, list[tuple[int, int]]] | None:
    """(characters with offsets, f-string field ranges) of the literal(s) in ``text[lo:hi]``,
    or None when the source does not read back as ``expected``."""
    out = MappedText()
    fields: list[tuple[int, int]] = []
    i = lo
    try:
        while i < hi:
            c = text[i]
            if c in " \t\r\n\f":
                i += 1
                continue
            if c == "\\" and text.startswith("\n", i + 1):
                i += 2
                continue
            if c == "\\" and text.startswith("\r\n", i + 1):
                i += 3
                continue
            if c == "#":
                j = text.find("\n", i, hi)
                i = hi if j == -1 else j
                continue
            if c in "()":
                i += 1
                continue
            m = _PREFIX.match(text, i, hi)
            if m is None:
                return None
            prefix = m.group(0).lower()
            i = m.end()
            i = _one(text, i, hi, "r" in prefix, "f" in prefix, out, fields)
    except (IndexError, ValueError):
        return None
    if expected is not None and out.text != expected:
        return None
    return out, fields


def _one(text: str, i: int, hi: int, raw: bool, fmt: bool, out: MappedText, fields: list[tuple[int, int]]) -> int:
    q = text[i]
    triple = text.startswith(q * 3, i)
    close = q * 3 if triple else q
    i += len(close)
    while i < hi:
        if text.startswith(close, i):
            return i + len(close)
        c = text[i]
        if not triple and c == "\n":
            raise ValueError("unterminated string")
        if fmt and c == "{":
            if text.startswith("{{", i):
                out.add("{", i, i + 2)
                i += 2
                continue
            j = _field_end(text, i, hi)
            out.copy(text, i, j)
            fields.append((i, j))
            i = j
            continue
        if fmt and c == "}" and text.startswith("}}", i):
            out.add("}", i, i + 2)
            i += 2
            continue
        if c == "\\" and not raw:
            i = _escape(text, i, out)
            continue
        if c == "\\" and raw and i + 1 < hi:
            out.copy(text, i, i + 2)  # a raw string keeps the backslash and the next character
            i += 2
            continue
        out.copy(text, i, i + 1)
        i += 1
    raise ValueError("unterminated string")


def _field_end(text: str, i: int, hi: int) -> int:
    depth = 0
    j = i
    while j < hi:
        c = text[j]
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return j + 1
        elif c in "'\"":
            k = text.find(c, j + 1, hi)
            j = hi - 1 if k == -1 else k
        j += 1
    raise ValueError("unterminated replacement field")


def _escape(text: str, i: int, out: MappedText) -> int:
    e = text[i + 1]
    if e == "\n":
        return i + 2
    if e == "\r":
        return i + 3 if text.startswith("\r\n", i + 1) else i + 2
    if e in _SIMPLE:
        out.add(_SIMPLE[e], i, i + 2)
        return i + 2
    if e in "01234567":
        j = i + 1
        while j < i + 4 and text[j] in "01234567":
            j += 1
        out.add(chr(int(text[i + 1:j], 8)), i, j)
        return j
    width = {"x": 2, "u": 4, "U": 8}.get(e)
    if width is not None:
        h = text[i + 2:i + 2 + width]
        out.add(chr(int(h, 16)), i, i + 2 + width)
        return i + 2 + width
    if e == "N" and text.startswith("{", i + 2):
        j = text.index("}", i + 3)
        out.add(unicodedata.lookup(text[i + 3:j]), i, j + 1)
        return j + 1
    out.add("\\", i, i + 1)  # an unknown escape keeps its backslash
    return i + 1
