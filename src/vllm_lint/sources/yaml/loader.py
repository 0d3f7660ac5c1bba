"""YAML loaded as nodes with exact source offsets, safely.

Documents are *composed* with PyYAML's SafeLoader (``compose_all``), never constructed: unknown
tags (``!Ref``, ``!!python/object``) stay plain nodes, and nothing in the file is instantiated.
An alias bomb composes small (aliases share one node object) but expands huge when walked, so
``check_limits`` measures the expanded size of the node graph with memoisation before any
format walks it, and reports files over the alias or depth limit instead of processing them.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from vllm_lint.diagnostic import Diagnostic
from vllm_lint.sources.base import Limits, SourceFile, input_diagnostic

BREAKS = "\r\n\x85\u2028\u2029"
MERGE_TAG = "tag:yaml.org,2002:merge"


class _ComposeLoader(yaml.SafeLoader):
    """SafeLoader used only for ``compose``: the constructor is never invoked."""


_LIBYAML_MAX_DEPTH = 1000  # libyaml's nesting cap (yaml_parser's MAX_NESTING_LEVEL)

# libyaml's composer (when PyYAML was built with it) is ~17x faster than the pure-Python one and
# gives the same nodes and character-offset marks for BOM-free text (checked by
# tests/sources/yaml/test_yaml_cloader.py); it caps nesting at 1000 levels with a ScannerError.
_CComposeLoader = getattr(yaml, "CSafeLoader", None)


def _compose_all(text: str, docs: list[Node]) -> int | None:
    """Append every document's node graph to ``docs`` (those before a syntax error stay there
    when the error propagates); libyaml when available, else pure Python.

    Falls back to the pure-Python composer when the text holds a BOM character (libyaml does
    not count it in offsets) and when libyaml stops at its own nesting cap, so that the
    configurable depth limit, not libyaml's, decides what is reported (unless the recursion limit
    is too low for the pure-Python composer to get that deep: then RecursionError at once).

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
            if sys.getrecursionlimit() <= 2 * _LIBYAML_MAX_DEPTH:
                # the pure-Python composer takes two frames a level: past libyaml's cap it would
                # exhaust the recursion limit too, after a scan whose cost grows with the depth
                raise RecursionError("YAML nesting deeper than libyaml's cap") from None
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
