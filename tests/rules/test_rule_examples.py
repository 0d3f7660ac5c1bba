"""Every example in rules/*.yaml runs through the real linter: bad triggers the rule, good does not.

This keeps the documentation honest: the examples shown by `vllm-lint explain` and docs/rules
are exactly the inputs tested here.
"""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from vllm_lint.context import RunOptions
from vllm_lint.lint import LintOptions, lint_paths
from vllm_lint.rules.registry import iter_examples

EXAMPLES = list(iter_examples())


def _write(root: Path, ex: dict) -> Path:
    for rel, text in (ex.get("files") or {}).items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    target = root / ex["filename"]
    target.parent.mkdir(parents=True, exist_ok=True)
    if ex.get("content_base64"):
        target.write_bytes(base64.b64decode(ex["content"]))
    else:
        target.write_bytes(ex["content"].encode("utf-8"))
    return target


def run_example(tmp_path: Path, rule_id: str, ex: dict):
    target = _write(tmp_path, ex)
    opts = ex.get("options") or {}
    options = LintOptions(
        run=RunOptions(gpu=opts.get("gpu"), vllm_version=opts.get("vllm_version")),
        select=[rule_id],
        values_files=[tmp_path / v for v in opts.get("values", [])],
    )
    result = lint_paths([target], options)
    internal = [d for d in result.diagnostics if d.rule == "VL000"]
    assert not internal, internal[0].message
    return [d for d in result.diagnostics if d.rule == rule_id]


@pytest.mark.parametrize(
    "meta,kind,ex", EXAMPLES, ids=[f"{m.id}-{k}-{e['name']}" for m, k, e in EXAMPLES]
)
def test_rule_example(tmp_path, meta, kind, ex):
    found = run_example(tmp_path, meta.id, ex)
    if kind == "good":
        assert not found, f"good example triggered {meta.id}: {found[0].message}"
        return
    assert found, f"bad example did not trigger {meta.id}"
    expect = ex.get("expect") or {}
    if "line" in expect:
        assert any(d.line == expect["line"] for d in found), [d.line for d in found]
    if "column" in expect:
        assert any(d.column == expect["column"] for d in found), [d.column for d in found]
    if "message_contains" in expect:
        assert any(expect["message_contains"] in d.message for d in found), [d.message for d in found]
    if "fix_contains" in expect:
        texts = [e.replacement for d in found if d.fix for e in d.fix.edits]
        assert any(expect["fix_contains"] in t for t in texts), texts
