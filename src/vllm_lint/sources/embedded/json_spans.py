"""JSON parsed into nodes with exact character offsets (RFC 8259), for notebooks and JSON configs.

Python's ``json`` module gives values but not where they are; here every string node carries
the file offset of each of its characters (an escape such as ``\\n`` or ``\\u00e9`` maps its one
character to the escape's source range), so a command line stored in a JSON string (a notebook
cell, a ``"start_command"``) is read with spans into the file. Nesting deeper than the limit
and malformed text raise ``JsonError`` with the offending offset.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

from vllm_lint.sources.mapped_text import ListLiteral, MappedText, RawLiteral, TextLiteral

_ESC = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_WS = " \t\r\n"


class JsonError(ValueError):
    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


@dataclass(slots=True)
class JObject:
    pairs: list[tuple[TextLiteral, "JNode"]] = field(default_factory=list)
    lo: int = 0
    hi: int = 0

    def get(self, key: str) -> "JNode | None":
        for k, v in reversed(self.pairs):
            if k.text == key:
                return v
        return None


JNode = Union[TextLiteral, RawLiteral, ListLiteral, JObject]


def parse_json(text: str, max_depth: int = 200) -> JNode:
    """The document's root node; ``JsonError`` when the text is not one JSON value."""
    p = _Parser(text, max_depth)
    p.skip()
    node = p.value(0)
    p.skip()
    if p.i != len(text):
        raise JsonError("extra data after the JSON value", p.i)
    return node


class _Parser:
    def __init__(self, s: str, max_depth: int) -> None:
        self.s = s
        self.i = 0
        self.n = len(s)
        self.max_depth = max_depth

    def skip(self) -> None:
        s, n = self.s, self.n
        while self.i < n and s[self.i] in _WS:
            self.i += 1

    def value(self, depth: int) -> JNode:
        if depth > self.max_depth:
            raise JsonError(f"JSON nested deeper than {self.max_depth} levels", self.i)
        if self.i >= self.n:
            raise JsonError("unexpected end of JSON", self.i)
        c = self.s[self.i]
        if c == "{":
            return self.obj(depth)
        if c == "[":
            return self.arr(depth)
        if c == '"':
            return self.string()
        lo = self.i
        while self.i < self.n and self.s[self.i] not in _WS + ",]}":
            self.i += 1
        raw = self.s[lo:self.i]
        if not raw or not (raw in ("true", "false", "null") or _is_number(raw)):
            raise JsonError(f"invalid JSON value {raw[:20]!r}" if raw else f"unexpected {c!r}", lo)
        return RawLiteral(raw, lo, self.i)

    def obj(self, depth: int) -> JObject:
        node = JObject(lo=self.i)
        self.i += 1
        self.skip()
        if self.i < self.n and self.s[self.i] == "}":
            self.i += 1
            node.hi = self.i
            return node
        while True:
            self.skip()
            if self.i >= self.n or self.s[self.i] != '"':
                raise JsonError("expected a string key", self.i)
            key = self.string()
            self.skip()
            if self.i >= self.n or self.s[self.i] != ":":
                raise JsonError("expected ':' after a key", self.i)
            self.i += 1
            self.skip()
            node.pairs.append((key, self.value(depth + 1)))
            self.skip()
            if self.i < self.n and self.s[self.i] == ",":
                self.i += 1
                continue
            if self.i < self.n and self.s[self.i] == "}":
                self.i += 1
                node.hi = self.i
                return node
            raise JsonError("expected ',' or '}'", self.i)

    def arr(self, depth: int) -> ListLiteral:
        lo = self.i
        items: list[JNode] = []
        self.i += 1
        self.skip()
        if self.i < self.n and self.s[self.i] == "]":
            self.i += 1
            return ListLiteral(items, lo, self.i)
        while True:
            self.skip()
            items.append(self.value(depth + 1))
            self.skip()
            if self.i < self.n and self.s[self.i] == ",":
                self.i += 1
                continue
            if self.i < self.n and self.s[self.i] == "]":
                self.i += 1
                return ListLiteral(items, lo, self.i)
            raise JsonError("expected ',' or ']'", self.i)

    def string(self) -> TextLiteral:
        s, n = self.s, self.n
        lo = self.i
        i = lo + 1
        out = MappedText()
        while i < n:
            c = s[i]
            if c == '"':
                self.i = i + 1
                return TextLiteral(out, lo, self.i)
            if c == "\\":
                if i + 1 >= n:
                    break
                e = s[i + 1]
                if e in _ESC:
                    out.add(_ESC[e], i, i + 2)
                    i += 2
                    continue
                if e == "u":
                    cp = _hex4(s, i + 2)
                    if cp is None:
                        raise JsonError("invalid \\u escape", i)
                    end = i + 6
                    if 0xD800 <= cp < 0xDC00 and s.startswith("\\u", end):
                        low = _hex4(s, end + 2)
                        if low is not None and 0xDC00 <= low < 0xE000:
                            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00)
                            end += 6
                    out.add(chr(cp) if not 0xD800 <= cp < 0xE000 else "\ufffd", i, end)
                    i = end
                    continue
                raise JsonError(f"invalid escape \\{e}", i)
            if c < " ":
                raise JsonError("control character in a string", i)
            out.chars.append(c)
            out.starts.append(i)
            out.ends.append(i + 1)
            i += 1
        raise JsonError("unterminated string", lo)


def _hex4(s: str, i: int) -> int | None:
    h = s[i:i + 4]
    if len(h) == 4 and all(c in "0123456789abcdefABCDEF" for c in h):
        return int(h, 16)
    return None


def _is_number(raw: str) -> bool:
    try:
        float(raw)
    except ValueError:
        return False
    return raw[0] in "-0123456789" and raw not in ("-",) and "_" not in raw


def walk(node: JNode, path: tuple[str, ...] = (), _depth: int = 0):
    """(key path, node) for every node, depth first (the root has an empty path)."""
    stack = [(path, node)]
    while stack:
        p, n = stack.pop()
        yield p, n
        if isinstance(n, JObject):
            for k, v in reversed(n.pairs):
                stack.append((p + (k.text,), v))
        elif isinstance(n, ListLiteral):
            for i, v in reversed(list(enumerate(n.items))):
                stack.append((p + (str(i),), v))
