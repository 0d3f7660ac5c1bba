"""report/launches.py: facts holding spans print as positions, not Span reprs."""

from __future__ import annotations

import io
import json

from rich.console import Console

from vllm_lint.launch import Launch
from vllm_lint.report.launches import launches_json, render_launches
from vllm_lint.span import LineIndex


def _launch() -> Launch:
    index = LineIndex("a.yaml", "one\n  two: x\n")
    span = index.span(6, 9)
    return Launch(path="a.yaml", name="n", source="kubernetes", span=index.span(0, 1),
                  facts={"ignored_keys": [("two", span)], "literal_dollar_env": [("X", span)], "plain": 1})


def test_span_facts_json_are_positions() -> None:
    facts = json.loads(launches_json([_launch()]))["launches"][0]["facts"]
    assert facts["ignored_keys"] == [["two", {"line": 2, "column": 3, "end_line": 2, "end_column": 6}]]
    assert facts["plain"] == 1


def test_span_facts_text_are_line_col() -> None:
    buf = io.StringIO()
    render_launches([_launch()], "text", Console(file=buf, width=200, color_system=None))
    out = buf.getvalue()
    assert "Span(" not in out and '["two", "2:3"]' in out
