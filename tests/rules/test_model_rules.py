"""VL401-VL407 on fixtures of our own, through the real pipeline, plus the pure helpers."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from vllm_lint.resolve.context import RunOptions
from vllm_lint.lint import LintOptions, lint_paths
from vllm_lint.rules import model as model_rules

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "rules"


def lint(tmp_path: Path, name: str, rule: str, *, version: str | None = None):
    target = tmp_path / name
    shutil.copy(FIXTURES / name, target)
    res = lint_paths([target], LintOptions(run=RunOptions(vllm_version=version), select=[rule]))
    assert not [d for d in res.diagnostics if d.rule == "VL000"], res.diagnostics
    return [d for d in res.diagnostics if d.rule == rule]


def test_vl401_reports_and_respects_env(tmp_path):
    found = lint(tmp_path, "vl401_long_context.yaml", "VL401")
    assert len(found) == 1, [d.message for d in found]
    d = found[0]
    assert d.line == 14 and d.launch.startswith("Deployment/ctx ")
    assert "User-specified max_model_len (131072) is greater than the derived max_model_len " \
           "(max_position_embeddings=32768" in d.message
    assert d.fix is not None and not d.fix.safe
    assert [e.replacement for e in d.fix.edits] == ["32768"]
    # the edit replaces only the value half of --max-model-len=131072
    text = (tmp_path / "vl401_long_context.yaml").read_text()
    assert d.fix.edits[0].span.slice(text) == "131072"


def test_vl402_and_vl405(tmp_path):
    found = lint(tmp_path, "vl402_vl405.yaml", "VL402")
    assert len(found) == 1 and "131072 tokens" in found[0].message
    assert found[0].severity.value == "info"
    assert found[0].suggestions and "--max-model-len" in found[0].suggestions[0].edits[0].replacement
    found = lint(tmp_path, "vl402_vl405.yaml", "VL405")
    assert len(found) == 1
    assert "max_num_batched_tokens (8192) is smaller than max_model_len (131072)" in found[0].message
    assert found[0].line == 16


def test_vl405_silent_when_chunked_prefill_on(tmp_path):
    text = (FIXTURES / "vl402_vl405.yaml").read_text().replace("            - --no-enable-chunked-prefill\n", "")
    (tmp_path / "a.yaml").write_text(text)
    assert lint_paths([tmp_path / "a.yaml"], LintOptions(select=["VL405"])).diagnostics == []


def test_vl403_mismatch_and_compatible_override(tmp_path):
    found = lint(tmp_path, "vl403_vl404.yaml", "VL403")
    assert len(found) == 1 and found[0].launch.startswith("Deployment/quant ")
    assert "(fp8) does not match the quantization method specified in the `quantization` argument (awq)" in found[0].message


def test_vl403_silent_when_the_checkpoints_quantization_config_was_not_read(tmp_path):
    """Qwen/Qwen3-8B-FP8's catalog entry never read its quantization_config (``assumed``): "fp8" comes from
    the name, which does not say which method vLLM will load, so no error rests on it."""
    text = (FIXTURES / "vl403_vl404.yaml").read_text().replace("Qwen/Qwen3-32B-FP8", "Qwen/Qwen3-8B-FP8")
    (tmp_path / "a.yaml").write_text(text)
    assert lint_paths([tmp_path / "a.yaml"], LintOptions(select=["VL403"])).diagnostics == []


def test_vl404_local_folder(tmp_path):
    (tmp_path / "Mistral-7B-GPTQ").mkdir()
    (tmp_path / "Mistral-7B-GPTQ" / "config.json").write_text(
        '{"model_type": "mistral", "hidden_size": 4096, "num_hidden_layers": 32, "num_attention_heads": 32,'
        ' "num_key_value_heads": 8, "intermediate_size": 14336, "vocab_size": 32000,'
        ' "max_position_embeddings": 32768, "torch_dtype": "bfloat16"}')
    (tmp_path / "run.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: v\n"
        "      image: vllm/vllm-openai:v0.11.2\n      args: [--model, Mistral-7B-GPTQ]\n")
    found = [d for d in lint_paths([tmp_path / "run.yaml"], LintOptions(select=["VL404"])).diagnostics]
    assert len(found) == 1 and "(GPTQ)" in found[0].message and found[0].line == 8


def test_vl406_and_vl407(tmp_path):
    found = lint(tmp_path, "vl406_vl407.yaml", "VL406")
    assert len(found) == 1 and "'Qwen/Qwen2.5-7B-Instruct'" in found[0].message
    assert found[0].fix is not None and found[0].fix.edits[0].replacement == "Qwen/Qwen2.5-7B-Instruct"
    found = lint(tmp_path, "vl406_vl407.yaml", "VL407")
    assert [d.line for d in found] == [14]  # only the private model; the bare name is VL406's


@pytest.mark.parametrize("bare,expected", [
    ("Llama-3.2-1B", "meta-llama/Llama-3.2-1B"),
    ("Meta-Llama-3-8B-Instruct", "meta-llama/Meta-Llama-3-8B-Instruct"),
    ("gemma-2-9b-it", "google/gemma-2-9b-it"),
    ("gpt-oss-20b", "openai/gpt-oss-20b"),
    ("my-finetune", None),
    ("llamafile", None),
])
def test_family_orgs(bare, expected):
    got = next((f"{org}/{bare}" for pat, org in model_rules.FAMILY_ORGS if pat.match(bare)), None)
    assert got == expected


def test_quant_marker():
    assert model_rules._QUANT_MARK.search("Qwen2.5-7B-Instruct-AWQ")
    assert model_rules._QUANT_MARK.search("Llama-3.1-8B-Instruct-FP8-dynamic")
    assert not model_rules._QUANT_MARK.search("Qwen2.5-7B-Instruct")
    assert not model_rules._QUANT_MARK.search("awqward-model")


@pytest.mark.parametrize("version,reported", [("0.26.0", False), ("0.30.0", True)])
def test_vl401_yarn_rule_changed_in_030(tmp_path, version, reported):
    """A YaRN config whose max_position_embeddings stays 32768: 131072 is legal on 0.26, not on 0.30."""
    model = tmp_path / "qwen-yarn"
    model.mkdir()
    (model / "config.json").write_text(
        '{"model_type": "qwen2", "hidden_size": 3584, "num_hidden_layers": 28, "num_attention_heads": 28,'
        ' "num_key_value_heads": 4, "intermediate_size": 18944, "vocab_size": 152064,'
        ' "max_position_embeddings": 32768, "torch_dtype": "bfloat16",'
        ' "rope_scaling": {"type": "yarn", "factor": 4.0, "original_max_position_embeddings": 32768}}')
    (tmp_path / "run.sh").write_text("#!/bin/sh\nvllm serve ./qwen-yarn --max-model-len 131072\n")
    res = lint_paths([tmp_path / "run.sh"], LintOptions(run=RunOptions(vllm_version=version), select=["VL401"]))
    found = [d for d in res.diagnostics if d.rule == "VL401"]
    assert bool(found) is reported, [d.message for d in found]
    if reported:
        assert "derived max_model_len (max_position_embeddings=32768" in found[0].message
        assert "does not apply it" in found[0].message


def test_vl402_leaves_a_context_that_does_not_fit_to_vl101(tmp_path):
    (tmp_path / "run.sh").write_text("#!/bin/sh\nvllm serve meta-llama/Llama-3.1-8B-Instruct\n")
    on_l4 = lint_paths([tmp_path / "run.sh"], LintOptions(run=RunOptions(gpu="L4"), select=["VL402", "VL101"]))
    assert [d.rule for d in on_l4.diagnostics] == ["VL101"]
    on_h100 = lint_paths([tmp_path / "run.sh"], LintOptions(run=RunOptions(gpu="H100"), select=["VL402", "VL101"]))
    assert [d.rule for d in on_h100.diagnostics] == ["VL402"]


@pytest.mark.parametrize("model,reported", [("Llama-3.2-1B", True), ("qwen2.5:7b", False), ("Llama-3.2-1B.gguf", False)])
def test_vl406_only_hub_like_names(tmp_path, model, reported):
    (tmp_path / "run.sh").write_text(f"#!/bin/sh\nvllm serve {model}\n")
    found = lint_paths([tmp_path / "run.sh"], LintOptions(select=["VL406"])).diagnostics
    assert bool(found) is reported


def test_vl403_names_modelopt_nvfp4_checkpoints_as_vllm_does():
    """vLLM's override_quantization_method turns a ModelOpt NVFP4 checkpoint into ``modelopt_fp4`` before it
    compares, so its error names that method; FP8 ModelOpt checkpoints stay ``modelopt``."""
    assert model_rules._vllm_name("modelopt", {"quant_method": "modelopt", "quant_algo": "NVFP4"}) == "modelopt_fp4"
    assert model_rules._vllm_name("modelopt", {"quant_method": "modelopt",
                                     "quantization": {"quant_algo": "NVFP4"}}) == "modelopt_fp4"
    assert model_rules._vllm_name("modelopt", {"quant_method": "modelopt", "quant_algo": "FP8"}) == "modelopt"
    assert model_rules._vllm_name("awq", {"quant_method": "awq"}) == "awq"
