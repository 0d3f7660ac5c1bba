"""TOML key/value pairs with exact character offsets of their strings (TOML 1.0 string rules).

``tomllib`` gives values without positions; this scanner reads tables (``[a.b]``, ``[[a]]``),
dotted and quoted keys, basic/literal strings (single- and multi-line, escapes, line-ending
backslashes), arrays and inline tables, and records for every string the file offset of each of
its characters. It is tolerant: a value it cannot read (a template placeholder such as
``{eager_flag}`` inside an array, as a deployment generator writes them) becomes an ``Other``
item with its raw text, so the rest of the file is still read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

from vllm_lint.sources.mapped_text import ListLiteral, MappedText, RawLiteral, TextLiteral

_ESC = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", '"': '"', "\\": "\\", "e": "\x1b"}
_BARE = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


@dataclass(slots=True)
class TTable:
    pairs: list[tuple[str, "TNode"]]
    lo: int
    hi: int


TNode = Union[TextLiteral, RawLiteral, ListLiteral, TTable]


def parse_toml(text: str, max_depth: int = 200) -> list[tuple[tuple[str, ...], TNode]]:
    """Every ``key = value`` of the document as (full key path, value node), in file order."""
    return _Scanner(text, max_depth).document()


class _Scanner:
    def __init__(self, s: str, max_depth: int) -> None:
        self.s = s
        self.n = len(s)
        self.i = 0
        self.max_depth = max_depth

    def ws(self, newlines: bool = False) -> None:
        s, n = self.s, self.n
        while self.i < n:
            c = s[self.i]
            if c in " \t" or (newlines and c in "\r\n"):
                self.i += 1
            elif c == "#" and newlines:
                j = s.find("\n", self.i)
                self.i = n if j == -1 else j
            else:
                break

    def skip_line(self) -> None:
        j = self.s.find("\n", self.i)
        self.i = self.n if j == -1 else j + 1

    def document(self) -> list[tuple[tuple[str, ...], TNode]]:
        out: list[tuple[tuple[str, ...], TNode]] = []
        table: tuple[str, ...] = ()
        counts: dict[tuple[str, ...], int] = {}
        while self.i < self.n:
            start = self.i
            self.ws(newlines=True)
            if self.i >= self.n:
                break
            c = self.s[self.i]
            if c == "[":
                array = self.s.startswith("[[", self.i)
                self.i += 2 if array else 1
                self.ws()
                keys = self.key()
                if array:
                    k = counts.get(tuple(keys), 0)
                    counts[tuple(keys)] = k + 1
                    table = tuple(keys) + (str(k),)
                else:
                    table = tuple(keys)
                self.skip_line()
                continue
            keys = self.key()
            self.ws()
            if not keys or self.i >= self.n or self.s[self.i] != "=":
                self.skip_line()
                if self.i == start:
                    self.i += 1
                continue
            self.i += 1
            self.ws()
            node = self.value(0)
            out.append((table + tuple(keys), node))
            if isinstance(node, TTable):
                out.extend((table + tuple(keys) + (k,), v) for k, v in node.pairs)
            self.ws()
            if self.i < self.n and self.s[self.i] not in "\r\n#":
                self.skip_line()
        return out

    def key(self) -> list[str]:
        keys: list[str] = []
        s, n = self.s, self.n
        while self.i < n:
            self.ws()
            if self.i >= n:
                break
            c = s[self.i]
            if c in "\"'":
                node = self.string()
                keys.append(node.text if isinstance(node, TextLiteral) else node.raw)
            else:
                lo = self.i
                while self.i < n and s[self.i] in _BARE:
                    self.i += 1
                if self.i == lo:
                    break
                keys.append(s[lo:self.i])
            self.ws()
            if self.i < n and s[self.i] == ".":
                self.i += 1
                continue
            break
        return keys

    def value(self, depth: int) -> TNode:
        s, n = self.s, self.n
        if self.i >= n:
            return RawLiteral("", self.i, self.i)
        c = s[self.i]
        if c in "\"'":
            return self.string()
        if c == "[" and depth < self.max_depth:
            return self.array(depth)
        if c == "{" and depth < self.max_depth:
            return self.table(depth)
        lo = self.i
        level = 0
        while self.i < n:
            d = s[self.i]
            if d in "{[":
                level += 1
            elif d in "}]":
                if level == 0:
                    break
                level -= 1
            elif level == 0 and d in ",\r\n#":
                break
            self.i += 1
        hi = self.i
        while hi > lo and s[hi - 1] in " \t":
            hi -= 1
        return RawLiteral(s[lo:hi], lo, hi)

    def array(self, depth: int) -> ListLiteral:
        lo = self.i
        self.i += 1
        items: list[TNode] = []
        while self.i < self.n:
            self.ws(newlines=True)
            if self.i >= self.n:
                break
            c = self.s[self.i]
            if c == "]":
                self.i += 1
                return ListLiteral(items, lo, self.i)
            if c == ",":
                self.i += 1
                continue
            before = self.i
            items.append(self.value(depth + 1))
            if self.i == before:
                self.i += 1
        return ListLiteral(items, lo, self.i)

    def table(self, depth: int) -> TTable:
        lo = self.i
        self.i += 1
        pairs: list[tuple[str, TNode]] = []
        while self.i < self.n:
            self.ws()  # an inline table ends with its line (TOML 1.0)
            if self.i >= self.n or self.s[self.i] in "\r\n":
                break
            c = self.s[self.i]
            if c == "}":
                self.i += 1
                return TTable(pairs, lo, self.i)
            if c == ",":
                self.i += 1
                continue
            keys = self.key()
            self.ws()
            if not keys or self.i >= self.n or self.s[self.i] != "=":
                if self.i < self.n and self.s[self.i] not in "}\r\n":
                    self.i += 1  # not ``key = value`` (a template placeholder): step over it
                continue
            self.i += 1
            self.ws()
            pairs.append((".".join(keys), self.value(depth + 1)))
        return TTable(pairs, lo, self.i)

    def string(self) -> TextLiteral | RawLiteral:
        s, n = self.s, self.n
        lo = self.i
        q = s[lo]
        multi = s.startswith(q * 3, lo)
        i = lo + (3 if multi else 1)
        out = MappedText()
        if multi:
            if s.startswith("\r\n", i):
                i += 2
            elif i < n and s[i] == "\n":
                i += 1
        while i < n:
            c = s[i]
            if multi and s.startswith(q * 3, i):
                # up to two quotes may end the content just before the closing delimiter
                while s.startswith(q * 4, i) and i + 3 < n:
                    out.add(q, i)
                    i += 1
                self.i = i + 3
                return TextLiteral(out, lo, self.i)
            if not multi and c == q:
                self.i = i + 1
                return TextLiteral(out, lo, self.i)
            if not multi and c in "\r\n":
                break
            if q == '"' and c == "\\" and i + 1 < n:
                e = s[i + 1]
                if e in _ESC:
                    out.add(_ESC[e], i, i + 2)
                    i += 2
                    continue
                if e in "uU":
                    width = 4 if e == "u" else 8
                    h = s[i + 2:i + 2 + width]
                    if len(h) == width and all(x in "0123456789abcdefABCDEF" for x in h):
                        cp = int(h, 16)
                        out.add(chr(cp) if cp < 0x110000 and not 0xD800 <= cp < 0xE000 else "\ufffd", i, i + 2 + width)
                        i += 2 + width
                        continue
                if multi and e in " \t\r\n":
                    j = i + 1
                    while j < n and s[j] in " \t":
                        j += 1
                    if j < n and s[j] in "\r\n":  # line-ending backslash: trim up to the next text
                        while j < n and s[j] in " \t\r\n":
                            j += 1
                        i = j
                        continue
                out.add(c, i)
                i += 1
                continue
            out.add(c, i)
            i += 1
        self.i = i
        return RawLiteral(s[lo:i], lo, i)
