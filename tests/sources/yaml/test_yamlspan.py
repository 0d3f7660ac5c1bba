"""sources.yaml (loader, lookup, spans): safe composition, limits, merge keys, and exact offsets of scalar characters."""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from vllm_lint.sources.base import Limits, SourceFile
from vllm_lint.sources.yaml import loader, lookup, spans

CASES = [
    "a: plain value here\n",
    "a: 'it''s quoted'\n",
    'a: "esc \\t \\" \\\\ \\x41 \\u00e9 end"\n',
    "a: plain\n  folded over\n\n  lines\n",
    "a: 'single\n  folded\n\n\n  more'\n",
    'a: "double\\\n   joined \\\n  x"\n',
    "a: |\n  line one\n    indented\n  line three\n",
    "a: |-\n  strip\n  chomp\n\n",
    "a: |+\n  keep\n\n\nb: 1\n",
    "a: >\n  folded one\n  folded two\n\n  para\n    more indented\n  back\n",
    "a: >-\n  --model x\n  --max-model-len 8192\n",
    "a:\n  - |2\n     two extra\n    base\n",
    "cmd: >\n   bash -c \"vllm serve m\n   --tp 2\"\n",
    "a: |  # comment\n  body\n",
    "k: [\"--model\", 'x', plain, \"q\\\"uote\"]\n",
    "- a\n- \"b c\"\n- |\n  block\n",
]


def _scalars(node):
    for n in lookup.walk(node):
        if isinstance(n, spans.ScalarNode):
            yield n


@pytest.mark.parametrize("text", CASES + [c.replace("\n", "\r\n") for c in CASES])
@pytest.mark.parametrize("bom", [False, True])
def test_every_scalar_char_maps_back(text: str, bom: bool) -> None:
    src = SourceFile.from_text(text, "t.yaml")
    docs = loader.load_documents(src)
    assert not docs.diagnostics
    count = 0
    for doc in docs.documents:
        for node in _scalars(doc):
            offs = spans.scalar_offset_map(node, text)
            assert offs is not None, (node.style, node.value)
            assert len(offs) == len(node.value)
            assert offs == sorted(offs)
            for ch, off in zip(node.value, offs):
                raw = text[off]
                if ch == raw:
                    continue
                # folded line breaks, escapes and '' map to the source char that produced them
                assert raw in "\r\n\\'" or (ch == " " and raw in "\r\n"), (ch, raw, node.value)
            count += 1
    assert count


def test_span_of_quoted_token_is_inside_quotes() -> None:
    text = 'args: ["--model", "meta/x", --max-model-len=8192]\n'
    src = SourceFile.from_text(text, "t.yaml")
    doc = loader.load_documents(src).documents[0]
    toks = spans.sequence_tokens(lookup.get(doc, "args"), src)
    assert [t.text for t in toks] == ["--model", "meta/x", "--max-model-len=8192"]
    assert [t.span.slice(text) for t in toks] == ["--model", "meta/x", "--max-model-len=8192"]
    assert toks[0].span.column == 9 and toks[0].span.line == 1


def test_block_scalar_span_points_at_content() -> None:
    text = "x:\n  command: >-\n    --model m\n    --tp 2\n"
    src = SourceFile.from_text(text)
    node = lookup.get(lookup.get(src_doc(src), "x"), "command")
    offs = spans.scalar_offset_map(node, text)
    assert text[offs[node.value.index("--tp")]:][:4] == "--tp"


def src_doc(src):
    return loader.load_documents(src).documents[0]


def test_merge_keys_and_override() -> None:
    text = ("x-a: &a\n  image: img:1\n  runtime: nvidia\nx-b: &b\n  image: other\n  ipc: host\n"
            "svc:\n  <<: [*a, *b]\n  runtime: runc\n")
    src = SourceFile.from_text(text)
    svc = lookup.get(src_doc(src), "svc")
    assert lookup.get_str(svc, "image") == "img:1"
    assert lookup.get_str(svc, "runtime") == "runc"
    assert lookup.get_str(svc, "ipc") == "host"
    assert lookup.to_python(svc) == {"runtime": "runc", "image": "img:1", "ipc": "host"}


def test_unknown_tags_are_not_constructed() -> None:
    text = "a: !Ref Thing\nb: !!python/object/apply:os.system ['echo hi']\nc: !!int 3\n"
    src = SourceFile.from_text(text)
    docs = loader.load_documents(src)
    assert not docs.diagnostics
    assert lookup.to_python(docs.documents[0]) == {"a": "Thing", "b": ["echo hi"], "c": 3}


def test_yaml_error_is_vl001_with_position() -> None:
    text = "a: 1\nb: [unclosed\nc: 2\n"
    docs = loader.load_documents(SourceFile.from_text(text, "bad.yaml"))
    assert len(docs.diagnostics) == 1
    d = docs.diagnostics[0]
    assert d.rule == "VL001" and d.span is not None and "line" in d.message


def test_templated_error_is_quiet_when_allowed() -> None:
    text = "a: {{ .Values.x }}\nb: [\n"
    assert loader.load_documents(SourceFile.from_text(text), templated_ok=True).diagnostics == []
    assert loader.load_documents(SourceFile.from_text(text)).diagnostics


def test_alias_bomb_is_refused() -> None:
    lines = ['a0: &a0 ["x","x","x","x","x","x","x","x","x","x"]']
    for i in range(1, 10):
        prev = f"*a{i-1}"
        lines.append(f"a{i}: &a{i} [{', '.join([prev] * 10)}]")
    text = "\n".join(lines) + "\n"
    docs = loader.load_documents(SourceFile.from_text(text, "bomb.yaml"))
    assert [d.rule for d in docs.diagnostics] == ["VL002"]
    assert "alias" in docs.diagnostics[0].message


def test_deep_nesting_is_refused() -> None:
    text = "[" * 5000 + "]" * 5000 + "\n"
    docs = loader.load_documents(SourceFile.from_text(text, "deep.yaml", limits=Limits(max_depth=100)))
    assert docs.diagnostics and docs.diagnostics[0].rule in ("VL001", "VL002")


def test_recursive_anchor_is_refused() -> None:
    docs = loader.load_documents(SourceFile.from_text("a: &x [*x]\n"))
    assert docs.diagnostics or docs.documents == []


_word = st.text(alphabet="ab -_'\"\\:#\t", min_size=0, max_size=12)


@settings(max_examples=200, deadline=None)
@given(st.lists(_word, min_size=1, max_size=5), st.sampled_from(["plain", "sq", "dq", "lit", "fold"]))
def test_generated_scalars_map_exactly(words: list[str], style: str) -> None:
    body = " ".join(words)
    if style == "sq":
        text = "k: '" + body.replace("'", "''") + "'\n"
    elif style == "dq":
        text = 'k: "' + body.replace("\\", "\\\\").replace('"', '\\"') + '"\n'
    elif style == "lit":
        text = "k: |\n" + "".join("  " + w + "\n" for w in words)
    elif style == "fold":
        text = "k: >\n" + "".join("  " + w + "\n" for w in words)
    else:
        text = "k: " + body + "\n"
    src = SourceFile.from_text(text)
    docs = loader.load_documents(src)
    for doc in docs.documents:
        for node in _scalars(doc):
            offs = spans.scalar_offset_map(node, text)
            if offs is None:
                continue  # unmatched: callers fall back to the node span
            assert all(0 <= o < len(text) for o in offs)
            span = spans.scalar_span(node, src)
            assert 0 <= span.start <= span.end <= len(text)


def test_scalar_tokens_split_one_item_into_words() -> None:
    text = 'args:\n  - "--load-format auto"\n  - >-\n    --max-model-len\n    $LEN\n'
    src = SourceFile.from_text(text)
    items = lookup.get(src_doc(src), "args").value
    a = spans.scalar_tokens(items[0], src)
    assert [t.text for t in a] == ["--load-format", "auto"] and [t.span.slice(text) for t in a] == ["--load-format", "auto"]
    b = spans.scalar_tokens(items[1], src, env={"LEN": "4096"})
    assert [t.text for t in b] == ["--max-model-len", "4096"] and b[1].span.slice(text) == "$LEN"
    assert spans.scalar_offset_map(items[0], src) == spans.scalar_offset_map(items[0], text)
