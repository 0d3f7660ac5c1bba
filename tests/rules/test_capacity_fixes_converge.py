"""VL101's fix, VL103's suggestion and VL402's suggestion name one --max-model-len, and applying the
capacity rules' fixes leaves no VL1xx finding (every VL1xx rule example and launches like the corpus's)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from vllm_lint.resolve.context import RunOptions
from vllm_lint.fix import apply_fixes
from vllm_lint.lint import LintOptions, lint_paths
from vllm_lint.rules.examples import write_example
from vllm_lint.rule_meta import rules_dir

CAPACITY_RULES = ["VL101", "VL102", "VL103", "VL104", "VL105", "VL106", "VL402"]


def _examples():
    for path in sorted(rules_dir().glob("VL1*.yaml")) + [rules_dir() / "VL402.yaml"]:
        meta = yaml.safe_load(path.read_text(encoding="utf-8"))
        for kind in ("bad", "good"):
            for ex in meta.get("examples", {}).get(kind, []):
                yield pytest.param(ex, id=f"{meta['id']}-{kind}-{ex['name']}")


# Launches of the forms the corpus holds, with the GPU and release they name.
FIXTURES = {
    "seed.sh": ("#!/bin/sh\npython -m vllm.entrypoints.openai.api_server --served-model-name Qwen1.5-7B-Chat "
                "--model Qwen/Qwen1.5-7B-Chat\n", "A10G", "0.4.0"),
    "l4-compose.yml": ("services:\n  vllm:\n    image: vllm/vllm-openai:v0.10.2\n    command:\n"
                       "      - --model\n      - meta-llama/Llama-3.1-8B-Instruct\n", "L4", None),
    "edge.sh": ("#!/bin/sh\nvllm serve meta-llama/Llama-3.1-8B-Instruct --max-model-len 32768\n", "L4", "0.10.2"),
    "qwen-a10g.sh": ("#!/bin/sh\nvllm serve Qwen/Qwen2.5-7B-Instruct --max-model-len 32768 "
                     "--gpu-memory-utilization 0.9\n", "A10G", "0.26.0"),
    "deploy.yaml": ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: llm\nspec:\n  template:\n    spec:\n"
                    "      containers:\n        - name: vllm\n          image: vllm/vllm-openai:v0.8.5\n"
                    "          args: [\"--model\", \"Qwen/Qwen2.5-7B-Instruct\", \"--max-model-len\", \"32768\"]\n"
                    "          resources:\n            limits:\n              nvidia.com/gpu: 1\n", "L4", None),
    "t4-weights.yaml": ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: llm\nspec:\n  containers:\n    - name: vllm\n"
                        "      image: vllm/vllm-openai:v0.8.5\n      args: [\"--model\", \"Qwen/Qwen2.5-7B-Instruct\"]\n",
                        "T4", None),
}


def _lint(path: Path, gpu: str | None, version: str | None):
    return lint_paths([path], LintOptions(run=RunOptions(gpu=gpu, vllm_version=version), select=CAPACITY_RULES))


def _converges(path: Path, gpu: str | None, version: str | None) -> None:
    """After every fix (safe and unsafe) is applied, nothing at warning or above is left but findings
    that had no fix to begin with."""
    unfixable = {d.rule for d in _lint(path, gpu, version).diagnostics if d.fix is None}
    for _ in range(4):
        result = _lint(path, gpu, version)
        if not any(d.fix for d in result.diagnostics):
            break
        apply_fixes(result, unsafe=True, write=True)
    left = [d for d in _lint(path, gpu, version).diagnostics
            if d.severity.value in ("error", "warning") and d.rule not in unfixable]
    assert not left, [f"{d.rule} {d.severity.value}: {d.message}" for d in left]


@pytest.mark.parametrize("ex", list(_examples()))
def test_rule_examples_converge(tmp_path, ex):
    target = write_example(tmp_path, ex)
    opts = ex.get("options") or {}
    before = _lint(target, opts.get("gpu"), opts.get("vllm_version"))
    if any(d.fix for d in before.diagnostics):
        _converges(target, opts.get("gpu"), opts.get("vllm_version"))


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_corpus_like_launches_converge(tmp_path, name):
    text, gpu, version = FIXTURES[name]
    target = tmp_path / name
    target.write_text(text, encoding="utf-8")
    _converges(target, gpu, version)


def test_seed_case_has_one_finding_with_one_value(tmp_path):
    text, gpu, version = FIXTURES["seed.sh"]
    target = tmp_path / "seed.sh"
    target.write_text(text, encoding="utf-8")
    found = _lint(target, gpu, version).diagnostics
    assert [d.rule for d in found] == ["VL101"]
    vl101 = found[0]
    value = vl101.fix.description.split()[2].rstrip(",")
    assert f"--max-model-len {value}" in vl101.message
    # the message says why the KV cache now holds fewer tokens than the largest length that fits
    assert "profile run" in vl101.message and "largest --max-model-len that fits" in vl101.message


def test_vl402_and_vl103_recommend_the_same_length(tmp_path):
    target = tmp_path / "run.sh"
    target.write_text("#!/bin/sh\nvllm serve meta-llama/Llama-3.1-8B-Instruct\n", encoding="utf-8")
    found = _lint(target, "A100-80GB", "0.26.0").diagnostics
    rules = [d.rule for d in found]
    assert rules.count("VL402") + rules.count("VL103") + rules.count("VL101") == 1, rules
