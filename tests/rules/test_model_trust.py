"""Findings that rest on a model resolved from its name are at most warnings and say how the model was
resolved; partial facts (context only, parameter count only) still let VL401 and VL102 run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vllm_lint.resolve.context import RunOptions
from vllm_lint.lint import LintOptions, lint_paths


@pytest.fixture(autouse=True)
def _empty_hf_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf-cache"))


def lint(tmp_path: Path, line: str, rules: list[str], *, gpu: str | None = None, files: dict | None = None):
    script = tmp_path / "serve.sh"
    script.write_text(f"#!/bin/sh\n{line}\n")
    for name, text in (files or {}).items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    res = lint_paths([script], LintOptions(run=RunOptions(gpu=gpu, vllm_version="0.11.0"), select=rules))
    assert not [d for d in res.diagnostics if d.rule == "VL000"], res.diagnostics
    return res.diagnostics


def test_vl401_runs_on_a_config_with_only_the_context(tmp_path):
    # the shapes are unreadable, the context is a fact of the config: VL401 stays an error
    cfg = json.dumps({"model_type": "llama", "hidden_size": "wide", "max_position_embeddings": 4096})
    found = lint(tmp_path, "vllm serve ./m --max-model-len 8192", ["VL401"], files={"m/config.json": cfg})
    assert [d.rule for d in found] == ["VL401"]
    assert found[0].severity.value == "error" and "max_position_embeddings=4096" in found[0].message


def test_vl401_on_a_context_read_from_the_name_is_a_warning(tmp_path):
    found = lint(tmp_path, "vllm serve acme/Some-Model-4k-Instruct --max-model-len 8192", ["VL401"])
    assert len(found) == 1 and found[0].severity.value == "warning"
    assert "(model: only context 4k from the name)" in found[0].message
    assert found[0].fix is None or not found[0].fix.safe


def test_vl102_runs_on_a_parameter_count_from_the_name(tmp_path):
    found = lint(tmp_path, "vllm serve acme/never-heard-70b --max-model-len 4096", ["VL102"], gpu="L4")
    assert len(found) == 1 and found[0].severity.value == "warning"
    assert "70B parameters from the name" in found[0].message and "NVIDIA L4" in found[0].message
    # 140 GB over 8 H100s fits: silent
    assert not lint(tmp_path, "vllm serve acme/never-heard-70b -tp 8", ["VL102"], gpu="H100:8")
    # 4-bit from the suffix: 35 GB on one 80 GB card fits
    assert not lint(tmp_path, "vllm serve acme/never-heard-70b-AWQ", ["VL102"], gpu="A100-80GB")


def test_variant_findings_are_warnings_that_say_how_the_model_was_resolved(tmp_path, synthetic_catalog):
    found = lint(tmp_path, "vllm serve acme/Huge-400B-Instruct-FP8 --max-model-len 200000", ["VL401"])
    assert len(found) == 1 and found[0].severity.value == "warning"
    assert "geometry of acme/Huge-400B-Instruct, fp8 weights from the name" in found[0].message
    found = lint(tmp_path, "vllm serve acme/Huge-400B-Instruct-FP8 --max-model-len 8192", ["VL102"], gpu="L4")
    assert len(found) == 1 and found[0].severity.value == "warning"
    assert "fp8" in found[0].message


def test_exact_catalog_model_keeps_its_error(tmp_path, synthetic_catalog):
    found = lint(tmp_path, "vllm serve acme/Huge-400B-Instruct --max-model-len 200000", ["VL401"])
    assert len(found) == 1 and found[0].severity.value == "error" and "(model:" not in found[0].message


def test_a_flavour_does_not_inherit_its_siblings_context(tmp_path, synthetic_catalog):
    # as Qwen3-30B-A3B (40960 positions) and its -Thinking-2507 (262144): siblings' contexts differ
    assert not lint(tmp_path, "vllm serve acme/Tiny-7B-Thinking-2507 --max-model-len 262144", ["VL401"])
    assert not lint(tmp_path, "vllm serve acme/Tiny-7B-Thinking-2507", ["VL101", "VL103"], gpu="T4")
    # with its context stated, the capacity checks run (at most as warnings)
    found = lint(tmp_path, "vllm serve acme/Tiny-7B-Thinking-2507 --max-model-len 262144", ["VL101"], gpu="A10G")
    assert found and all(d.severity.value == "warning" for d in found)


def test_a_weight_width_from_the_name_is_not_a_quantization_method(tmp_path, synthetic_catalog):
    line = "vllm serve RedHatAI/Tiny-7B-Instruct-FP8-dynamic --quantization compressed-tensors"
    assert not lint(tmp_path, line, ["VL403"])
    assert not lint(tmp_path, "vllm serve RedHatAI/Tiny-7B-Instruct-FP8-dynamic", ["VL310", "VL313"], gpu="T4")


def test_bare_sibling_name_gets_the_publishers_org(tmp_path, synthetic_catalog):
    found = lint(tmp_path, "vllm serve Tiny-7B-Chat", ["VL406"])
    assert len(found) == 1 and "'acme/Tiny-7B-Chat'" in found[0].message


def test_unresolved_model_hint_names_current_commands(tmp_path):
    found = lint(tmp_path, "vllm serve acme/never-heard-of-it --max-model-len 4096", ["VL407"])
    assert len(found) == 1
    text = " ".join(found[0].notes)
    assert "hf download <id> config.json" in text and "huggingface-cli" not in text


def test_served_name_resolution_is_hedged(tmp_path):
    found = lint(tmp_path, "vllm serve /mnt/models --served-model-name meta-llama/Llama-3.1-8B-Instruct "
                           "--max-model-len 200000", ["VL401"])
    assert len(found) == 1 and found[0].severity.value == "warning"
    assert "--served-model-name meta-llama/Llama-3.1-8B-Instruct" in found[0].message
