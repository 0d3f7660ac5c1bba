"""Every example in rules/*.yaml runs through the real linter: bad triggers the rule, good does not.

This keeps the documentation honest: the examples shown by `vllm-lint explain` and docs/rules
are exactly the inputs tested here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from vllm_lint.rules import examples
from vllm_lint.rules.registry import iter_examples

EXAMPLES = list(iter_examples())


def run_example(tmp_path: Path, rule_id: str, ex: dict):
    found, internal = examples.run_example(tmp_path, rule_id, ex)
    assert not internal, internal[0].message
    return found


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
    if "severity" in expect:
        assert any(d.severity.value == expect["severity"] for d in found), [d.severity.value for d in found]
    if "fix_contains" in expect:
        texts = [e.replacement for d in found if d.fix for e in d.fix.edits]
        assert any(expect["fix_contains"] in t for t in texts), texts
