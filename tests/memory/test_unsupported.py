"""Architectures the estimate does not model are refused, with the reason, instead of estimated."""

from __future__ import annotations

import pytest

from vllm_lint.hardware.gpus import parse_gpu_option
from vllm_lint.memory.estimate import UnsupportedModel, estimate, fits
from vllm_lint.memory.settings import EngineSettings
from vllm_lint.models.arch import ModelArch
from memory_helpers import LLAMA31_8B, arch

KV_SHARED = {"model_type": "gemma3n_text", "hidden_size": 2048, "num_hidden_layers": 35, "num_attention_heads": 8,
             "num_key_value_heads": 2, "head_dim": 256, "intermediate_size": 16384, "vocab_size": 262400,
             "max_position_embeddings": 32768, "num_kv_shared_layers": 15}


def test_kv_sharing_is_refused_with_the_reason():
    m = arch(KV_SHARED)
    assert "per-layer KV sharing: the last 15 layers" in m.unsupported
    gpu, _ = parse_gpu_option("L4")
    with pytest.raises(UnsupportedModel):
        estimate(m, gpu, EngineSettings(), "0.15.1")
    with pytest.raises(UnsupportedModel):
        fits(m, gpu, EngineSettings(), "0.15.1")


def test_kv_sharing_inside_text_config():
    m = ModelArch.from_config({"model_type": "wrapper", "text_config": KV_SHARED})
    assert m.unsupported and "15 layers" in m.unsupported


def test_unknown_layer_kind_and_missing_shapes():
    assert "'hyper_attn'" not in (arch(LLAMA31_8B).unsupported or "")
    odd = arch(LLAMA31_8B, layer_types=["full_attention"] * 31 + ["mystery_block"])
    assert "'mystery_block'" in odd.unsupported
    assert "num_hidden_layers" in ModelArch.from_config({"model_type": "x", "hidden_size": 64}).unsupported


def test_ordinary_models_are_supported():
    assert arch(LLAMA31_8B).unsupported is None
    assert arch(LLAMA31_8B, num_kv_shared_layers=0).unsupported is None


def _lint(tmp_path, gpu):
    import json

    from vllm_lint.resolve.context import RunOptions
    from vllm_lint.lint import LintOptions, lint_paths

    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "config.json").write_text(json.dumps(KV_SHARED))
    # 300k tokens of 35 layers' KV would not fit an L4 if every layer were counted: VL101 must stay silent
    (tmp_path / "run.sh").write_text("#!/bin/sh\nvllm serve ./m --max-model-len 300000\n")
    select = ["VL101", "VL102", "VL103", "VL104", "VL105", "VL106"]
    return lint_paths([tmp_path / "run.sh"], LintOptions(run=RunOptions(gpu=gpu), select=select))


@pytest.mark.parametrize("gpu", ["L4", None])
def test_lint_says_once_that_capacity_was_not_checked(tmp_path, gpu):
    res = _lint(tmp_path, gpu)
    ids = [d.rule for d in res.diagnostics]
    assert ids == ["VL106"], ids
    assert "KV-cache capacity was not checked" in res.diagnostics[0].message


def test_capacity_command_refuses_with_exit_2(tmp_path, monkeypatch, capsys):
    import json

    from vllm_lint.capacity_cmd import capacity_command

    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "config.json").write_text(json.dumps(KV_SHARED))
    monkeypatch.chdir(tmp_path)
    rc = capacity_command(["./m", "--max-model-len", "8192"], gpu="L4", version="0.15.1", fmt="json", online=False,
                          console=None)
    assert rc == 2
    err = capsys.readouterr().err
    assert "capacity not estimated" in err and "per-layer KV sharing" in err
