"""vLLM's quantization overrides (ModelConfig._verify_quantization) before the unknown-method and
mismatch checks: VL206 and VL403 on a ModelOpt NVFP4 checkpoint given --quantization nvfp4."""

from __future__ import annotations

import json

import pytest

from vllm_lint.lint import LintOptions, lint_paths
from vllm_lint.resolve.context import RunOptions
from vllm_lint.vllm.quantization import resolve

NVFP4 = {"quant_method": "modelopt", "quantization": {"quant_algo": "NVFP4", "group_size": 16}}
FP8 = {"quant_method": "modelopt", "quant_algo": "FP8"}
AWQ = {"quant_method": "awq", "bits": 4, "group_size": 128}
KNOWN_09 = ("awq", "awq_marlin", "gptq", "gptq_marlin", "fp8", "modelopt", "modelopt_fp4")
KNOWN_08 = ("awq", "awq_marlin", "gptq", "gptq_marlin", "fp8", "modelopt", "nvfp4")


@pytest.mark.parametrize("cfg,user,known,method,checkpoint", [
    (NVFP4, "nvfp4", KNOWN_09, "modelopt_fp4", "modelopt_fp4"),  # the override ignores the flag
    (NVFP4, "fp8", KNOWN_09, "modelopt_fp4", "modelopt_fp4"),
    (NVFP4, None, KNOWN_09, "modelopt_fp4", "modelopt_fp4"),
    (NVFP4, "nvfp4", KNOWN_08, "nvfp4", "nvfp4"),  # 0.8.x named the method nvfp4
    (FP8, "modelopt", KNOWN_09, "modelopt", "modelopt"),
    (AWQ, "awq", KNOWN_09, "awq", "awq"),  # an explicit awq keeps awq
    (None, "nvfp4", KNOWN_09, "nvfp4", None),  # nothing to override: the flag stands
])
def test_resolve(cfg, user, known, method, checkpoint):
    got = resolve(cfg, user, known)
    assert (got.method, got.checkpoint) == (method, checkpoint)


def test_a_marlin_conversion_depends_on_what_cannot_be_checked():
    got = resolve(AWQ, "awq_marlin", KNOWN_09)
    assert got.method == "awq_marlin" and not got.certain


def _model(tmp_path, quant: dict | None) -> None:
    folder = tmp_path / "gemma-nvfp4"
    folder.mkdir()
    cfg = {"model_type": "llama", "architectures": ["LlamaForCausalLM"], "hidden_size": 2048, "num_hidden_layers": 16,
           "num_attention_heads": 32, "num_key_value_heads": 8, "intermediate_size": 8192, "vocab_size": 128256,
           "max_position_embeddings": 131072, "torch_dtype": "bfloat16"}
    if quant:
        cfg["quantization_config"] = quant
    (folder / "config.json").write_text(json.dumps(cfg))


def _run(tmp_path, quant_flag: str) -> list:
    (tmp_path / "run.sh").write_text(f"#!/bin/sh\nvllm serve ./gemma-nvfp4 --quantization {quant_flag}\n")
    res = lint_paths([tmp_path / "run.sh"], LintOptions(select=["VL206", "VL403"], run=RunOptions(vllm_version="0.33.0")))
    return [(d.rule, d.severity.value) for d in res.diagnostics]


def test_nvfp4_on_a_modelopt_nvfp4_checkpoint_is_accepted(tmp_path):
    _model(tmp_path, NVFP4)
    assert _run(tmp_path, "nvfp4") == []


def test_nvfp4_on_an_unquantized_checkpoint_is_an_unknown_method(tmp_path):
    _model(tmp_path, None)
    assert _run(tmp_path, "nvfp4") == [("VL206", "error")]


def test_awq_on_a_modelopt_fp8_checkpoint_is_overridden_too(tmp_path):
    _model(tmp_path, FP8)
    assert _run(tmp_path, "awq") == []


def test_gptq_on_an_awq_checkpoint_is_a_mismatch(tmp_path):
    _model(tmp_path, AWQ)
    assert _run(tmp_path, "gptq") == [("VL403", "error")]
