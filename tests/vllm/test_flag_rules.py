"""VL2xx rules: every example of rules/VL2*.yaml through the real linter, and the fixes they carry."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import vllm_lint.rules.flags  # noqa: F401  (registers VL201-VL214 even before checks.py imports it)
from vllm_lint.rules.registry import iter_examples

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "rules"))
from test_rule_examples import run_example  # noqa: E402

EXAMPLES = [(m, k, e) for m, k, e in iter_examples() if m.id.startswith("VL2")]


def test_all_flag_rules_have_examples():
    assert {m.id for m, _, _ in EXAMPLES} == {f"VL2{i:02d}" for i in range(1, 15)}


@pytest.mark.parametrize("meta,kind,ex", EXAMPLES, ids=[f"{m.id}-{k}-{e['name']}" for m, k, e in EXAMPLES])
def test_flag_rule_example(tmp_path, meta, kind, ex):
    found = run_example(tmp_path, meta.id, ex)
    if kind == "good":
        assert not found, f"good example triggered {meta.id}: {found[0].message}"
        return
    assert found, f"bad example did not trigger {meta.id}"
    expect = ex.get("expect") or {}
    if "line" in expect:
        assert any(d.line == expect["line"] for d in found), [d.line for d in found]
    if "message_contains" in expect:
        assert any(expect["message_contains"] in d.message for d in found), [d.message for d in found]


def _apply(text: str, fix) -> str:
    for e in sorted(fix.edits, key=lambda e: e.span.start, reverse=True):
        text = text[: e.span.start] + e.replacement + text[e.span.end :]
    return text


@pytest.mark.parametrize(
    "rule,version,before,after",
    [
        ("VL201", "0.10.2", "vllm serve m --max-model-length 8192\n", "vllm serve m --max-model-len 8192\n"),
        ("VL201", "0.10.2", "vllm serve m --max-model-length=8192\n", "vllm serve m --max-model-len=8192\n"),
        ("VL203", "0.33.0", "vllm serve m --max-num-seq 8\n", "vllm serve m --max-num-seqs 8\n"),
        ("VL205", "0.10.2", "vllm serve m --enable-chunked-prefill=false\n", "vllm serve m --no-enable-chunked-prefill\n"),
        ("VL205", "0.33.0", "vllm serve m --enforce-eager False --port 8000\n", "vllm serve m --no-enforce-eager --port 8000\n"),
        ("VL202", "0.26.0", "vllm serve m --swap-space 4 --port 8000\n", "vllm serve m --port 8000\n"),
    ],
)
def test_shell_fixes(tmp_path, rule, version, before, after):
    ex = {"name": "fix", "filename": "run.sh", "content": "#!/bin/sh\n" + before, "options": {"vllm_version": version}}
    (d,) = run_example(tmp_path, rule, ex)
    assert d.fix is not None and d.fix.safe
    assert _apply(ex["content"], d.fix) == "#!/bin/sh\n" + after


def test_yaml_list_item_fixes(tmp_path):
    content = (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: v\nspec:\n  template:\n    spec:\n"
        "      containers:\n        - name: v\n          image: vllm/vllm-openai:v0.26.0\n          args:\n"
        "            - Qwen/Qwen2.5-7B-Instruct\n            - --swap-space\n            - \"4\"\n"
        "            - --enable-chunked-prefill=false\n"
    )
    ex = {"name": "k8s", "filename": "deploy.yaml", "content": content}
    (d,) = run_example(tmp_path, "VL202", ex)
    fixed = _apply(content, d.fix)
    assert "--swap-space" not in fixed and '"4"' not in fixed and "- Qwen/Qwen2.5-7B-Instruct\n" in fixed
    (d,) = run_example(tmp_path, "VL205", ex)
    assert _apply(content, d.fix).endswith("            - --no-enable-chunked-prefill\n")
