"""Navigation over composed PyYAML nodes for the Kubernetes-family sources.

The Kubernetes, Helm, KServe, KubeAI and Ray readers never construct Python objects from a
manifest: they walk the composed node graph (so every value keeps its marks, unknown tags such
as ``!Ref`` cannot run anything, and an alias is followed only within a visit budget). These are
the small, pure lookups they share: mapping access by key (with ``<<`` merge keys, as YAML 1.1
defines them), sequence items, scalar text, and a bounded walk.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from vllm_lint.sources.yaml import lookup

BOOL_TAG = "tag:yaml.org,2002:bool"
NULL_TAG = "tag:yaml.org,2002:null"
INT_TAG = "tag:yaml.org,2002:int"
FLOAT_TAG = "tag:yaml.org,2002:float"


class BudgetExceeded(Exception):
    """A walk visited more nodes than the limit allows (alias bomb or absurd document)."""


@dataclass
class Budget:
    """Counts node visits across one file; aliases are counted again on every visit."""

    remaining: int = 100_000
    max_depth: int = 200

    def spend(self, n: int = 1) -> None:
        self.remaining -= n
        if self.remaining < 0:
            raise BudgetExceeded("YAML node budget exceeded")


def is_map(node: object) -> bool:
    return isinstance(node, MappingNode)


def is_seq(node: object) -> bool:
    return isinstance(node, SequenceNode)


def is_scalar(node: object) -> bool:
    return isinstance(node, ScalarNode)


def is_null(node: Node | None) -> bool:
    return node is None or (isinstance(node, ScalarNode) and node.tag == NULL_TAG)


def pairs(node: Node | None) -> list[tuple[Node, Node]]:
    """The (key, value) pairs of a mapping, merge keys (``<<: *x``) resolved (see ``lookup.mapping_pairs``)."""
    return lookup.mapping_pairs(node)


def key_text(node: Node) -> str:
    return node.value if isinstance(node, ScalarNode) else ""


def get(node: Node | None, key: str) -> Node | None:
    """The value node of ``key`` in a mapping (last occurrence wins, like most YAML loaders)."""
    found = get_pair(node, key)
    return None if found is None else found[1]


def get_pair(node: Node | None, key: str) -> tuple[Node, Node] | None:
    """The (key, value) pair of ``key`` in a mapping (the last occurrence)."""
    if not isinstance(node, MappingNode):
        return None
    # searched from the end: the last occurrence wins and the search stops at it (~85,000
    # look-ups on a 2,000-file tree)
    for k, v in reversed(pairs(node)):
        if (k.value if isinstance(k, ScalarNode) else "").strip() == key:
            return (k, v)
    return None


def path(node: Node | None, *keys: str) -> Node | None:
    for k in keys:
        node = get(node, k)
        if node is None:
            return None
    return node


def items(node: Node | None) -> list[Node]:
    return list(node.value) if isinstance(node, SequenceNode) else []


def text(node: Node | None) -> str | None:
    """The scalar's value as a string (None for non-scalars and YAML nulls)."""
    if isinstance(node, ScalarNode) and node.tag != NULL_TAG:
        return node.value
    return None


def as_bool(node: Node | None) -> bool | None:
    """Truthiness of a scalar the way Helm/Go templates and Kubernetes read YAML 1.1 booleans."""
    if not isinstance(node, ScalarNode):
        return None
    v = node.value.strip().lower()
    if node.tag == BOOL_TAG or (node.style is None and v in ("true", "false", "yes", "no", "on", "off")):
        return v in ("true", "yes", "on")
    if node.tag == NULL_TAG:
        return False
    return None


def as_number(node: Node | None) -> float | None:
    t = text(node)
    if t is None:
        return None
    try:
        return float(t.strip().strip('"').strip("'"))
    except ValueError:
        return None


def walk(node: Node | None, budget: Budget, depth: int = 0) -> Iterator[tuple[tuple[str, ...], Node]]:
    """Every node under ``node`` with its key path; raises BudgetExceeded on alias bombs."""
    stack: list[tuple[tuple[str, ...], Node, int]] = [((), node, depth)] if node is not None else []
    while stack:
        p, n, d = stack.pop()
        budget.spend()
        if d > budget.max_depth:
            raise BudgetExceeded("YAML nesting too deep")
        yield p, n
        if isinstance(n, MappingNode):
            for k, v in reversed(pairs(n)):
                stack.append((p + (key_text(k),), v, d + 1))
        elif isinstance(n, SequenceNode):
            for i, v in reversed(list(enumerate(n.value))):
                stack.append((p + (str(i),), v, d + 1))


_TEMPLATE_RE = re.compile(r"\{\{|\$\{|%\{")


def templated(value: str | None) -> bool:
    """True when a value holds Go/Helm (``{{ }}``) or Terraform (``${ }``, ``%{ }``) template syntax."""
    return bool(value) and _TEMPLATE_RE.search(value) is not None


def last_content_line(node: Node, text_: str) -> int:
    """1-based line of the last written character of ``node`` (a block collection's end mark
    sits at the next token, past trailing blank lines)."""
    i = min(node.end_mark.index, len(text_))
    while i > node.start_mark.index and text_[i - 1] in " \t\r\n":
        i -= 1
    return text_.count("\n", 0, max(i - 1, 0)) + 1
