"""Exact source spans of YAML scalars and the argv tokens made from them.

``scalar_offset_map`` re-scans a scalar's source text with the folding/escape rules of PyYAML's
scanner (``scan_plain``, ``scan_flow_scalar``, ``scan_block_scalar``) and returns the file offset
of every character of the scalar's value, verified against the value PyYAML produced.
"""

from __future__ import annotations

import yaml
from yaml.nodes import Node, ScalarNode, SequenceNode

from vllm_lint.launch import Token
from vllm_lint.sources.base import SourceFile
from vllm_lint.sources.yaml.loader import BREAKS
from vllm_lint.sources.yaml.lookup import is_null
from vllm_lint.span import Span

# ----------------------------------------------------------------------------- offsets


def node_span(node: Node, src: SourceFile) -> Span:
    """The whole node as written (quotes, block header and all)."""
    return src.index.span(node.start_mark.index, node.end_mark.index)


def key_span(key: Node, src: SourceFile) -> Span:
    return scalar_span(key, src) if isinstance(key, ScalarNode) else node_span(key, src)


def scalar_span(node: ScalarNode, src: SourceFile) -> Span:
    """The characters of the scalar's value: inside the quotes for quoted scalars, the content
    lines (without the ``|``/``>`` header) for block scalars, the text itself for plain ones."""
    offs = scalar_offset_map(node, src.text)
    if offs:
        return src.index.span(offs[0], offs[-1] + _char_width(src.text, offs[-1]))
    start = node.start_mark.index
    if node.style in ("'", '"'):
        start += 1
    elif node.style in ("|", ">"):
        start = node.end_mark.index
    return src.index.span(start, max(start, node.end_mark.index - (1 if node.style in ("'", '"') else 0)))


def _char_width(text: str, off: int) -> int:
    return 2 if text.startswith("\r\n", off) else 1


class _Scan:
    """A tiny cursor mirroring PyYAML's Reader: offset, column, and line-break normalisation."""

    __slots__ = ("text", "pos", "column", "end")

    def __init__(self, text: str, pos: int, end: int, column: int = 0) -> None:
        self.text, self.pos, self.end, self.column = text, pos, end, column

    def peek(self, k: int = 0) -> str:
        i = self.pos + k
        return self.text[i] if i < self.end else "\0"

    def forward(self, n: int = 1) -> None:
        for _ in range(n):
            ch = self.peek()
            self.pos += 1
            if ch in "\n\x85\u2028\u2029" or (ch == "\r" and self.peek() != "\n"):
                self.column = 0
            elif ch != "\ufeff":
                self.column += 1

    def line_break(self) -> tuple[str, int]:
        """PyYAML's scan_line_break: '\\r\\n', '\\r', '\\n', NEL -> '\\n'; LS/PS kept."""
        at = self.pos
        ch = self.peek()
        if ch in "\r\n\x85":
            if self.text.startswith("\r\n", self.pos):
                self.forward(2)
            else:
                self.forward()
            return "\n", at
        if ch in "\u2028\u2029":
            self.forward()
            return ch, at
        return "", at


def _column_of(text: str, pos: int) -> int:
    line_start = max(text.rfind("\n", 0, pos), text.rfind("\r", 0, pos)) + 1
    return pos - line_start


def scalar_offset_map(node: Node, text: str) -> list[int] | None:
    """File offset of each character of ``node.value`` (a ScalarNode), or None if the source
    cannot be matched to the value (then callers fall back to the whole node's span)."""
    if not isinstance(node, ScalarNode):
        return None
    if not isinstance(text, str):  # a SourceFile was passed
        text = text.text
    start, end = node.start_mark.index, node.end_mark.index
    if start > len(text) or end > len(text):
        return None
    # Fast path (most scalars): the value is its source text verbatim, so offsets are a range.
    style = node.style
    if style is None:
        if text[start:end] == node.value:
            return list(range(start, end))
    elif style in ("'", '"') and end - start >= 2:
        body = text[start + 1:end - 1]
        if body == node.value and (style == '"' and "\\" not in body or style == "'" and "'" not in body):
            return list(range(start + 1, end - 1))
    try:
        if node.style in ("|", ">"):
            result = _block_scalar(node, text)
        elif node.style in ("'", '"'):
            chars: list[str] = []
            offs: list[int] = []
            _flow(text, start + 1, end - 1, node.style == '"', chars, offs)
            result = (chars, offs)
        else:
            chars, offs = [], []
            _flow(text, start, end, False, chars, offs, plain=True)
            result = (chars, offs)
    except (IndexError, ValueError):
        return None
    if result is None:
        return None
    chars, offs = result
    if "".join(chars) != node.value:
        return None
    return offs


def _flow(text: str, lo: int, hi: int, double: bool, chars: list[str], offs: list[int], plain: bool = False) -> None:
    """Plain, single- and double-quoted scalars: escapes and line folding as PyYAML scans them."""
    sc = _Scan(text, lo, hi)
    single = not double and not plain
    while sc.pos < hi:
        ch = sc.peek()
        if ch in " \t" or ch in BREAKS:
            ws_start = sc.pos
            while sc.peek() in " \t":
                sc.forward()
            if sc.peek() in BREAKS and sc.pos < hi:
                lb, lb_at = sc.line_break()
                breaks: list[tuple[str, int]] = []
                while sc.pos < hi:
                    while sc.peek() in " \t" and sc.pos < hi:
                        sc.forward()
                    if sc.peek() in BREAKS and sc.pos < hi:
                        breaks.append(sc.line_break())
                    else:
                        break
                if lb != "\n":
                    chars.append(lb)
                    offs.append(lb_at)
                elif not breaks:
                    chars.append(" ")
                    offs.append(lb_at)
                for b, at in breaks:
                    chars.append(b)
                    offs.append(at)
            else:
                for i in range(ws_start, sc.pos):
                    chars.append(text[i])
                    offs.append(i)
            continue
        if single and ch == "'" and sc.peek(1) == "'":
            chars.append("'")
            offs.append(sc.pos)
            sc.forward(2)
            continue
        if double and ch == "\\":
            at = sc.pos
            sc.forward()
            e = sc.peek()
            if e in yaml.scanner.Scanner.ESCAPE_REPLACEMENTS:
                chars.append(yaml.scanner.Scanner.ESCAPE_REPLACEMENTS[e])
                offs.append(at)
                sc.forward()
            elif e in yaml.scanner.Scanner.ESCAPE_CODES:
                n = yaml.scanner.Scanner.ESCAPE_CODES[e]
                sc.forward()
                digits = text[sc.pos:sc.pos + n]
                chars.append(chr(int(digits, 16)))
                offs.append(at)
                sc.forward(n)
            elif e in BREAKS:
                sc.line_break()
                while sc.pos < hi:
                    while sc.peek() in " \t" and sc.pos < hi:
                        sc.forward()
                    if sc.peek() in BREAKS and sc.pos < hi:
                        b, b_at = sc.line_break()
                        chars.append(b)
                        offs.append(b_at)
                    else:
                        break
            else:
                raise ValueError("unknown escape")
            continue
        chars.append(ch)
        offs.append(sc.pos)
        sc.forward()


def _block_scalar(node: ScalarNode, text: str) -> tuple[list[str], list[int]] | None:
    start = node.start_mark.index
    folded = text[start] == ">"
    sc = _Scan(text, start + 1, len(text), _column_of(text, start) + 1)
    chomping: bool | None = None
    increment: int | None = None
    for _ in range(2):
        ch = sc.peek()
        if ch in "+-" and chomping is None:
            chomping = ch == "+"
            sc.forward()
        elif ch in "123456789" and increment is None:
            increment = int(ch)
            sc.forward()
    while sc.peek() == " ":
        sc.forward()
    if sc.peek() == "#":
        while sc.peek() not in "\0" + BREAKS:
            sc.forward()
    sc.line_break()
    body = sc.pos
    if increment is None:
        # Auto-detected indentation: the deepest leading blank line or the first content line.
        probe = _Scan(text, body, len(text), 0)
        max_indent = 0
        while probe.peek() in " " + BREAKS and probe.peek() != "\0":
            if probe.peek() != " ":
                probe.line_break()
            else:
                probe.forward()
                max_indent = max(max_indent, probe.column)
        candidates = [max(1, max_indent)] + list(range(1, max_indent))
    else:
        candidates = list(range(increment, increment + 64))
    for indent in candidates:
        got = _block_body(text, body, indent, folded, chomping)
        if "".join(got[0]) == node.value:
            return got
    return None


def _block_body(text: str, body: int, indent: int, folded: bool, chomping: bool | None) -> tuple[list[str], list[int]]:
    sc = _Scan(text, body, len(text), 0)
    chars: list[str] = []
    offs: list[int] = []

    def breaks_at_indent() -> list[tuple[str, int]]:
        out: list[tuple[str, int]] = []
        while sc.column < indent and sc.peek() == " ":
            sc.forward()
        while sc.peek() in BREAKS and sc.peek() != "\0":
            out.append(sc.line_break())
            while sc.column < indent and sc.peek() == " ":
                sc.forward()
        return out

    breaks = breaks_at_indent()
    line_break: tuple[str, int] = ("", sc.pos)
    while sc.column == indent and sc.peek() != "\0":
        for b, at in breaks:
            chars.append(b)
            offs.append(at)
        leading_non_space = sc.peek() not in " \t"
        while sc.peek() not in "\0" + BREAKS:
            chars.append(sc.peek())
            offs.append(sc.pos)
            sc.forward()
        line_break = sc.line_break()
        breaks = breaks_at_indent()
        if sc.column == indent and sc.peek() != "\0":
            if folded and line_break[0] == "\n" and leading_non_space and sc.peek() not in " \t":
                if not breaks:
                    chars.append(" ")
                    offs.append(line_break[1])
            else:
                chars.append(line_break[0])
                offs.append(line_break[1])
        else:
            break
    if chomping is not False and line_break[0]:
        chars.append(line_break[0])
        offs.append(line_break[1])
    if chomping is True:
        for b, at in breaks:
            chars.append(b)
            offs.append(at)
    return chars, offs


# ----------------------------------------------------------------------------- tokens


def scalar_token(node: Node, src: SourceFile, style: str = "argv") -> Token:
    """A Token for a scalar: ``text`` is the YAML value, ``span``/``raw`` its characters in the file.
    A non-scalar (a nested list/map where a word was expected) becomes a symbolic token."""
    if not isinstance(node, ScalarNode):
        span = node_span(node, src)
        return Token(text=span.slice(src.text), span=span, raw=span.slice(src.text), style=style, symbolic=True)
    span = scalar_span(node, src)
    return Token(text=node.value, span=span, raw=span.slice(src.text), style=style)


def sequence_tokens(node: Node | None, src: SourceFile, style: str = "argv") -> list[Token]:
    """Tokens of a YAML list of words (null items skipped); a lone scalar gives one token."""
    if node is None or is_null(node):
        return []
    if isinstance(node, SequenceNode):
        return [scalar_token(item, src, style) for item in node.value if not is_null(item)]
    return [scalar_token(node, src, style)]


def scalar_tokens(node: Node, src: SourceFile, style: str = "argv", env: dict | None = None) -> list[Token]:
    """The shell-like words of one scalar (``- "--load-format auto"``, a command string) as
    Tokens whose spans point at each word's characters inside the scalar. ``$VAR`` expands from
    ``env`` (unset ones stay symbolic); nothing is executed."""
    from vllm_lint.sources.shell.commands import expand_words

    if not isinstance(node, ScalarNode) or is_null(node):
        return []
    offs = scalar_offset_map(node, src.text)
    if offs is None:
        tok = scalar_token(node, src, style)
        return [Token(text=w, span=tok.span, raw=tok.raw, style=style, symbolic=tok.symbolic)
                for w in node.value.split()]
    out = []
    for w in expand_words(node.value, offs, env or {}):
        tok = w.token(src.text, src.index, style)
        out.append(tok)
    return out
