"""Moving image tags (VL503) read from the image evidence, not from a list of tag words."""

from __future__ import annotations

import pytest

from vllm_lint.lint import LintOptions, lint_paths
from vllm_lint.vllm.moving_tags import fixed_build, moving_tag


@pytest.mark.parametrize("image", [
    "vllm/vllm-openai:latest", "vllm/vllm-openai:nightly", "vllm/vllm-openai:latest-x86_64-cu130",
    "vllm/vllm-openai:cu130-nightly-x86_64", "vllm/vllm-openai:latest-aarch64", "vllm/vllm-openai-rocm:latest",
    "rocm/vllm:latest", "rocm/vllm:instinct_main", "rocm/vllm-dev:main",
])
def test_moving(image):
    assert moving_tag(image)


@pytest.mark.parametrize("image", [
    "vllm/vllm-openai:v0.11.2-cu130", "vllm/vllm-openai:v0.10.1.1",
    "vllm/vllm-openai:nightly-0123456789abcdef0123456789abcdef01234567", "vllm/vllm-openai:nightly-2025-08-25",
    "rocm/vllm-dev:nightly_main_20250120", "rocm/vllm:rocm6.3.1_vllm_0.8.5_20250521",
    "vllm/vllm-openai:gptoss",  # a one-off tag that names no release: not known to move
    "lmcache/vllm-openai:latest",  # not a repository vllm-lint maps (VL503 keeps its own word check there)
    "nvcr.io/nvidia/vllm:25.10-py3",
])
def test_not_moving(image):
    assert not moving_tag(image)


def test_fixed_build_words():
    assert fixed_build("nightly-3f2a9c1") and fixed_build("nightly_main_20250120") and not fixed_build("latest-cu130")


def test_vl503_reports_variant_moving_tags_in_chart_values(tmp_path):
    (tmp_path / "values.yaml").write_text(
        "servingEngineSpec:\n  modelSpec:\n"
        "  - name: a\n    repository: vllm/vllm-openai\n    tag: latest-x86_64-cu130\n"
        "    modelURL: Qwen/Qwen2.5-0.5B-Instruct\n    requestGPU: 1\n"
        "  - name: b\n    repository: vllm/vllm-openai\n    tag: nightly-3f2a9c1d\n"
        "    modelURL: Qwen/Qwen2.5-0.5B-Instruct\n    requestGPU: 1\n")
    res = lint_paths([tmp_path / "values.yaml"], LintOptions(select=["VL503"]))
    found = [d for d in res.diagnostics if d.rule == "VL503"]
    assert [d.line for d in found] == [5] and "`latest-x86_64-cu130`" in found[0].message
