"""Look-ups in composed YAML mappings, with merge keys (``<<``) applied as YAML 1.1 defines them,
and conversion of a bounded node graph to plain Python values.
"""

from __future__ import annotations

from typing import Iterator

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from vllm_lint.sources.yaml.loader import MERGE_TAG


def mapping_pairs(node: Node | None, _depth: int = 0) -> list[tuple[Node, Node]]:
    """Key/value node pairs of a mapping with YAML merge keys (``<<: *a`` or ``<<: [*a, *b]``)
    applied: keys written in the mapping win over merged ones, and earlier merge sources win
    over later ones (YAML merge-key spec). Non-mappings give []."""
    if not isinstance(node, MappingNode) or _depth > 50:
        return []
    own: list[tuple[Node, Node]] = []
    merged: list[tuple[Node, Node]] = []
    for k, v in node.value:
        if isinstance(k, ScalarNode) and (k.tag == MERGE_TAG or (k.value == "<<" and k.style is None)):
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
