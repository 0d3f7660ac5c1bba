"""YAML loaded as nodes with exact source offsets, safely.

Documents are *composed* with PyYAML's SafeLoader (``compose_all``), never constructed: unknown
tags (``!Ref``, ``!!python/object``) stay plain nodes, and nothing in the file is instantiated.
An alias bomb composes small (aliases share one node object) but expands huge when walked, so
``check_limits`` measures the expanded size of the node graph with memoisation before any
format walks it, and reports files over the alias or depth limit instead of processing them.

``scalar_offset_map`` re-scans a scalar's source text with the folding/escape rules of PyYAML's
scanner (``scan_plain``, ``scan_flow_scalar``, ``scan_block_scalar``) and returns the file offset
of every character of the scalar's value, verified against the value PyYAML produced.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from vllm_lint.diagnostic import Diagnostic
from vllm_lint.launch import Token
from vllm_lint.span import Span
from vllm_lint.sources.base import Limits, SourceFile, input_diagnostic

__all__ = [
    "Node", "MappingNode", "ScalarNode", "SequenceNode", "YamlDocs", "load_documents", "check_limits",
    "mapping_pairs", "get", "get_str", "keys", "to_python", "is_null", "scalar_offset_map", "scalar_span",
    "node_span", "key_span", "scalar_token", "sequence_tokens", "walk", "scalar_tokens",
]

_BREAKS = "\r\n\x85\u2028\u2029"
_MERGE_TAG = "tag:yaml.org,2002:merge"
_STR_TAG = "tag:yaml.org,2002:str"


class _ComposeLoader(yaml.SafeLoader):
    """SafeLoader used only for ``compose``: the constructor is never invoked."""


# libyaml's composer (when PyYAML was built with it) is ~17x faster than the pure-Python one and
# gives the same nodes and character-offset marks for BOM-free text (checked by
# tests/hostile/test_yaml_cloader.py); it caps nesting at 1000 levels with a ScannerError.
_CComposeLoader = getattr(yaml, "CSafeLoader", None)


def _compose_all(text: str, docs: list[Node]) -> int | None:
    """Append every document's node graph to ``docs`` (those before a syntax error stay there
    when the error propagates); libyaml when available, else pure Python.

    Falls back to the pure-Python composer when the text holds a BOM character (libyaml does
    not count it in offsets) and when libyaml stops at its own nesting cap, so that the
    configurable depth limit, not libyaml's, decides what is reported.

    Returns the deepest nesting level (a document's root is level 0) when libyaml composed the
    documents and no node is reached twice (no alias: nothing to expand), else None."""
    if _CComposeLoader is not None and "\ufeff" not in text:
        loader = _CComposeLoader(text)
        try:
            while loader.check_node():
                node = loader.get_node()
                if node is not None:
                    docs.append(node)
        except yaml.MarkedYAMLError as exc:
            if "maximum nesting depth" not in str(exc.problem):
                _plain_style_none(docs)
                raise
            docs.clear()
        except BaseException:
            _plain_style_none(docs)
            raise
        else:
            return _plain_style_none(docs)
        finally:
            loader.dispose()
    loader = _ComposeLoader(text)
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is not None:
                docs.append(node)
    finally:
        loader.dispose()
    return None


def _plain_style_none(docs: list[Node]) -> int | None:
    """libyaml marks plain scalars with style ``''``; PyYAML (and this package) uses None.

    Returns the deepest nesting level when every node is reached once (a tree), else None: the
    same walk tells ``load_documents`` whether ``check_limits`` has anything to expand."""
    seen: set[int] = set()
    stack = [(d, 0) for d in docs]
    deepest = 0
    tree = True
    while stack:
        n, depth = stack.pop()
        if id(n) in seen:
            tree = False
            continue
        seen.add(id(n))
        if depth > deepest:
            deepest = depth
        if isinstance(n, ScalarNode):
            if n.style == "":
                n.style = None
        elif isinstance(n, SequenceNode):
            depth += 1
            stack.extend([(c, depth) for c in n.value])
        elif isinstance(n, MappingNode):
            depth += 1
            for k, v in n.value:
                stack.append((k, depth))
                stack.append((v, depth))
    return deepest if tree else None


@dataclass(slots=True)
class YamlDocs:
    documents: list[Node]
    diagnostics: list[Diagnostic]


def _looks_templated(text: str) -> bool:
    return "{{" in text and "}}" in text


def load_documents(src: SourceFile, *, templated_ok: bool = False) -> YamlDocs:
    """Compose every document of ``src``; documents before a syntax error are kept.

    A YAMLError becomes VL001 at the parser's problem mark. When ``templated_ok`` is true and the
    text holds Go-template braces (a Helm template), the error is dropped silently: such a file is
    not YAML until rendered. Nesting that exhausts Python's recursion becomes VL002.
    """
    docs: list[Node] = []
    diags: list[Diagnostic] = []
    tree_depth: int | None = None
    try:
        tree_depth = _compose_all(src.text, docs)
    except yaml.MarkedYAMLError as exc:
        if not (templated_ok and _looks_templated(src.text)):
            diags.append(_yaml_error(src, exc))
    except yaml.YAMLError as exc:
        if not (templated_ok and _looks_templated(src.text)):
            diags.append(input_diagnostic("VL001", src.display, None, f"invalid YAML: {exc}"))
    except RecursionError:
        diags.append(input_diagnostic(
            "VL002", src.display, None,
            "YAML nesting is too deep to read safely (exceeds the recursion limit)"))
        docs = []
    if not diags:
        limits = src.limits
        if tree_depth is not None and tree_depth <= min(limits.max_depth, _TREE_DEPTH_SAFE) and limits.max_aliases >= 0:
            # no alias and no node deeper than the limit: check_limits would find nothing, and
            # its memoised walk of every node cost ~0.1 s on a 2,000-file tree
            problem = None
        else:
            problem = check_limits(docs, limits)
        if problem:
            diags.append(input_diagnostic("VL002", src.display, None, problem))
            docs = []
    return YamlDocs(docs, diags)


def _yaml_error(src: SourceFile, exc: yaml.MarkedYAMLError) -> Diagnostic:
    mark = exc.problem_mark or exc.context_mark
    span = None
    if mark is not None:
        start = min(mark.index, len(src.text))
        end = min(start + 1, len(src.text))
        if end < len(src.text) + 1 and start < len(src.text) and src.text[start] in "\r\n":
            end = start
        span = src.index.span(start, end)
    parts = [p for p in (exc.context, exc.problem) if p]
    message = "invalid YAML: " + ("; ".join(parts) if parts else str(exc).splitlines()[0])
    if mark is not None:
        message += f" (line {mark.line + 1}, column {mark.column + 1})"
    return input_diagnostic("VL001", src.display, span, message)


# below this depth check_limits' recursive walk cannot exhaust Python's recursion limit, so its
# verdict on an alias-free tree within max_depth is always None
_TREE_DEPTH_SAFE = 400


def check_limits(docs: list[Node], limits: Limits) -> str | None:
    """A message when the documents' alias expansion or nesting exceeds ``limits``, else None.

    Expanded size is computed with memoisation over node identity (linear in distinct nodes);
    a self-referencing anchor counts as unbounded.
    """
    sizes: dict[int, int] = {}
    active: set[int] = set()
    distinct = 0
    cap = limits.max_aliases * 4 + 1_000_000

    def size(node: Node, depth: int) -> int:
        nonlocal distinct
        if depth > limits.max_depth:
            raise _TooDeep
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in active:
            raise _Cyclic
        active.add(key)
        distinct += 1
        total = 1
        if isinstance(node, SequenceNode):
            for child in node.value:
                total += size(child, depth + 1)
                if total > cap:
                    break
        elif isinstance(node, MappingNode):
            for k, v in node.value:
                total += size(k, depth + 1) + size(v, depth + 1)
                if total > cap:
                    break
        active.discard(key)
        sizes[key] = total
        return total

    try:
        expanded = sum(size(d, 0) for d in docs)
    except _TooDeep:
        return f"YAML nesting is deeper than the limit of {limits.max_depth} levels (--max-yaml-depth)"
    except _Cyclic:
        return "YAML holds a recursive alias (an anchor that contains itself)"
    except RecursionError:
        return "YAML nesting is too deep to read safely"
    if expanded - distinct > limits.max_aliases:
        return (f"YAML aliases expand to more than {limits.max_aliases} extra nodes "
                f"(alias-expansion limit, --max-yaml-aliases; {distinct} distinct nodes)")
    return None


class _TooDeep(Exception):
    pass


class _Cyclic(Exception):
    pass


# ----------------------------------------------------------------------------- mapping helpers


def mapping_pairs(node: Node | None, _depth: int = 0) -> list[tuple[Node, Node]]:
    """Key/value node pairs of a mapping with YAML merge keys (``<<: *a`` or ``<<: [*a, *b]``)
    applied: keys written in the mapping win over merged ones, and earlier merge sources win
    over later ones (YAML merge-key spec). Non-mappings give []."""
    if not isinstance(node, MappingNode) or _depth > 50:
        return []
    own: list[tuple[Node, Node]] = []
    merged: list[tuple[Node, Node]] = []
    for k, v in node.value:
        if isinstance(k, ScalarNode) and (k.tag == _MERGE_TAG or (k.value == "<<" and k.style is None)):
            sources = v.value if isinstance(v, SequenceNode) else [v]
            for s in sources:
                for mk, mv in mapping_pairs(s, _depth + 1):
                    merged.append((mk, mv))
        else:
            own.append((k, v))
    if not merged:
        return own
    seen = {_key_text(k) for k, _ in own}
    result = list(own)
    for k, v in merged:
        kt = _key_text(k)
        if kt in seen:
            continue
        seen.add(kt)
        result.append((k, v))
    return result


def _key_text(node: Node) -> str:
    return node.value if isinstance(node, ScalarNode) else f"<{id(node)}>"


def keys(node: Node | None) -> list[str]:
    return [_key_text(k) for k, _ in mapping_pairs(node)]


def get(node: Node | None, key: str) -> Node | None:
    """The value node for ``key`` (merge keys applied), or None."""
    pair = get_pair(node, key)
    return pair[1] if pair else None


def get_pair(node: Node | None, key: str) -> tuple[Node, Node] | None:
    for k, v in mapping_pairs(node):
        if isinstance(k, ScalarNode) and k.value == key:
            return k, v
    return None


def is_null(node: Node | None) -> bool:
    return node is None or (isinstance(node, ScalarNode) and node.tag == "tag:yaml.org,2002:null")


def get_str(node: Node | None, key: str) -> str | None:
    """A scalar value as written (string form), or None when absent, null or not a scalar."""
    v = get(node, key)
    if isinstance(v, ScalarNode) and not is_null(v):
        return v.value
    return None


_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_PLAIN_TAGS = {"tag:yaml.org,2002:" + t for t in ("bool", "int", "float", "null")}


def to_python(node: Node | None, _depth: int = 0) -> object:
    """Plain Python value of a node (dict/list/str/int/float/bool/None), merge keys applied.

    Only core scalar tags are converted; timestamps, binary and unknown or ``!!python`` tags stay
    the string written in the file. Call after ``check_limits`` (expansion is bounded then).
    """
    if node is None or _depth > 500:
        return None
    if isinstance(node, ScalarNode):
        if node.tag in _PLAIN_TAGS:
            try:
                return _CONSTRUCTOR.construct_object(node, deep=False)
            except Exception:  # a malformed number under an explicit tag
                return node.value
        return node.value
    if isinstance(node, SequenceNode):
        return [to_python(c, _depth + 1) for c in node.value]
    if isinstance(node, MappingNode):
        out: dict = {}
        for k, v in mapping_pairs(node):
            kv = to_python(k, _depth + 1)
            try:
                hash(kv)
            except TypeError:
                kv = str(kv)
            out[kv] = to_python(v, _depth + 1)
        return out
    return None


def walk(node: Node | None, _depth: int = 0) -> Iterator[Node]:
    """Every node under ``node`` (depth-first, each alias target visited once)."""
    seen: set[int] = set()
    stack = [node] if node is not None else []
    while stack:
        n = stack.pop()
        if id(n) in seen:
            continue
        seen.add(id(n))
        yield n
        if isinstance(n, SequenceNode):
            stack.extend(reversed(n.value))
        elif isinstance(n, MappingNode):
            for k, v in reversed(n.value):
                stack.append(v)
                stack.append(k)


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
        if ch in " \t" or ch in _BREAKS:
            ws_start = sc.pos
            while sc.peek() in " \t":
                sc.forward()
            if sc.peek() in _BREAKS and sc.pos < hi:
                lb, lb_at = sc.line_break()
                breaks: list[tuple[str, int]] = []
                while sc.pos < hi:
                    while sc.peek() in " \t" and sc.pos < hi:
                        sc.forward()
                    if sc.peek() in _BREAKS and sc.pos < hi:
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
            elif e in _BREAKS:
                sc.line_break()
                while sc.pos < hi:
                    while sc.peek() in " \t" and sc.pos < hi:
                        sc.forward()
                    if sc.peek() in _BREAKS and sc.pos < hi:
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
        while sc.peek() not in "\0" + _BREAKS:
            sc.forward()
    sc.line_break()
    body = sc.pos
    if increment is None:
        # Auto-detected indentation: the deepest leading blank line or the first content line.
        probe = _Scan(text, body, len(text), 0)
        max_indent = 0
        while probe.peek() in " " + _BREAKS and probe.peek() != "\0":
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
        while sc.peek() in _BREAKS and sc.peek() != "\0":
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
        while sc.peek() not in "\0" + _BREAKS:
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
    from vllm_lint.sources.shellwords import expand_words

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
