"""NOTES.md §4: production-stack values whose keys the chart never renders."""

from __future__ import annotations

import pytest

from vllm_lint.lint import LintOptions, lint_paths

CASES = [
    ("vllm-project__production-stack/deployment_on_cloud/oci/production_stack_specification.yaml", 35, "extraArgs"),
    ("vllm-project__production-stack/examples/disaggregated_prefill/pd.yaml", 21, "vllmConfig.v1"),
]


@pytest.mark.shared
@pytest.mark.parametrize("rel,line,key", CASES)
def test_ignored_chart_keys_in_corpus(shared_dir, rel, line, key):
    result = lint_paths([shared_dir / "corpus" / rel], LintOptions(select=["VL506"]))
    found = [(d.line, d.message) for d in result.diagnostics if d.rule == "VL506"]
    assert any(ln == line and f"`{key}`" in msg for ln, msg in found), found
