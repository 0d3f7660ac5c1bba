"""VL2xx rules: the fixes they carry, in shell and YAML (their rules/VL2*.yaml examples run in
tests/rules/test_rule_examples.py with every other rule's)."""

from __future__ import annotations

import pytest

from vllm_lint.fix import apply_edits
from vllm_lint.rules import examples
from vllm_lint.rules.registry import iter_examples

EXAMPLES = [(m, k, e) for m, k, e in iter_examples() if m.id.startswith("VL2")]


def test_all_flag_rules_have_examples():
    assert {m.id for m, _, _ in EXAMPLES} == {f"VL2{i:02d}" for i in range(1, 16)}


def run_example(tmp_path, rule_id, ex):
    found, internal = examples.run_example(tmp_path, rule_id, ex)
    assert not internal, internal[0].message
    return found


def _apply(text: str, fix) -> str:
    return apply_edits(text, list(fix.edits))


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
