"""sources.yaml.loader composes with libyaml (CSafeLoader) for speed; this checks that it yields the same
node graph, styles and character offsets as the pure-Python composer the span code was written
against, on real files and on random YAML."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vllm_lint.sources.yaml import loader

REPO = Path(__file__).resolve().parents[3]
pytestmark = pytest.mark.skipif(loader._CComposeLoader is None, reason="PyYAML built without libyaml")


def _shape(node, seen=None):
    """A comparable picture of a node graph: kind, tag, value, style, offsets (aliases by id).
    ``flow_style`` is compared as a truth value: for an indentless block sequence PyYAML says
    None and libyaml False, and every user of it in the sources only tests its truth."""
    seen = {} if seen is None else seen
    if id(node) in seen:
        return ("alias", seen[id(node)])
    seen[id(node)] = len(seen)
    base = (type(node).__name__, node.tag, node.start_mark.index, node.end_mark.index,
            node.start_mark.line, node.start_mark.column)
    if isinstance(node, yaml.ScalarNode):
        return base + (node.value, node.style)
    if isinstance(node, yaml.SequenceNode):
        return base + (bool(node.flow_style), tuple(_shape(c, seen) for c in node.value))
    return base + (bool(node.flow_style), tuple((_shape(k, seen), _shape(v, seen)) for k, v in node.value))


def _pure(text):
    docs = []
    composer = loader._ComposeLoader(text)
    try:
        while composer.check_node():
            docs.append(composer.get_node())
    finally:
        composer.dispose()
    return docs


def _fast(text):
    docs: list = []
    loader._compose_all(text, docs)
    return docs


def _same(text: str) -> None:
    try:
        want = _pure(text)
    except (yaml.YAMLError, RecursionError):
        return  # acceptance of invalid YAML may differ; the span code only sees valid documents
    try:
        got = _fast(text)
    except yaml.YAMLError:
        return
    assert [_shape(d) for d in got] == [_shape(d) for d in want], text


def _yaml_files() -> list[Path]:
    roots = [REPO / "tests" / "fixtures", REPO / "examples", REPO / "rules", REPO.parent / "shared" / "corpus"]
    return sorted(p for r in roots if r.is_dir() for p in r.rglob("*") if p.suffix in (".yaml", ".yml"))


@pytest.mark.parametrize("path", _yaml_files(), ids=lambda p: p.name)
def test_same_nodes_on_real_files(path):
    text = path.read_text(encoding="utf-8", errors="replace").lstrip("\ufeff")
    _same(text)
    _same(text.replace("\n", "\r\n"))


SCALARS = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=12),
    st.sampled_from(["--max-model-len", "8192", "true", "~", "null", "0x1F", "1e3", "é😀", "a: b", "- x", "#c", "'q'", '"d"']),
)
VALUES = st.recursive(SCALARS, lambda c: st.lists(c, max_size=4) | st.dictionaries(SCALARS, c, max_size=4), max_leaves=12)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=VALUES, style=st.sampled_from([None, "'", '"', "|", ">"]), flow=st.sampled_from([None, True, False]),
       width=st.sampled_from([20, 80]), crlf=st.booleans())
def test_same_nodes_on_random_yaml(value, style, flow, width, crlf):
    text = yaml.safe_dump(value, default_style=style, default_flow_style=flow, width=width, allow_unicode=True)
    if crlf:
        text = text.replace("\n", "\r\n")
    _same(text)


def test_bom_and_deep_nesting_fall_back_to_pure_python():
    assert _shape(_fast("a: [1, 2]\n")[0]) == _shape(_pure("a: [1, 2]\n")[0])
    text = "x: \ufeffy\n"
    assert [_shape(d) for d in _fast(text)] == [_shape(d) for d in _pure(text)]
    with pytest.raises(RecursionError):  # past libyaml's 1000-level cap the pure composer cannot finish either
        _fast("a: " + "[" * 3000 + "]" * 3000 + "\n")


@pytest.mark.slow  # the pure-Python scanner's cost grows with the depth: about a second here
def test_past_libyaml_nesting_cap_the_pure_composer_reads_what_the_recursion_limit_allows():
    text = "[" * 1100 + "]" * 1100 + "\n"
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(10_000)
    try:
        docs = _fast(text)
    finally:
        sys.setrecursionlimit(old)
    node, depth = docs[0], 0
    while node.value:
        node, depth = node.value[0], depth + 1
    assert depth == 1099
