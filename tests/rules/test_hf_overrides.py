"""VL408 (--hf-overrides keys the model's config does not have): catalog models (partial keys:
only case and separator slips), a local config.json (whole: near spellings too, nested configs),
the dotted option form, and unknown models (silent)."""

from __future__ import annotations

import json
from pathlib import Path

from vllm_lint.lint import LintOptions, lint_paths

CONFIG = {
    "architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 2048,
    "intermediate_size": 5632, "num_attention_heads": 32, "num_hidden_layers": 22,
    "num_key_value_heads": 4, "vocab_size": 32000, "max_position_embeddings": 2048,
    "rope_scaling": None, "rope_theta": 10000.0, "torch_dtype": "bfloat16",
    "text_config": {"vocab_size": 32000, "rope_theta": 10000.0},
}


def run(tmp_path: Path, script: str) -> list:
    (tmp_path / "serve.sh").write_text("#!/bin/sh\n" + script + "\n")
    res = lint_paths([tmp_path / "serve.sh"], LintOptions(select=["VL408"]))
    assert not [d for d in res.diagnostics if d.rule == "VL000"], res.diagnostics
    return [d for d in res.diagnostics if d.rule == "VL408"]


def local_model(tmp_path: Path) -> None:
    (tmp_path / "tiny").mkdir()
    (tmp_path / "tiny" / "config.json").write_text(json.dumps(CONFIG))


def test_catalog_model_separator_slip(tmp_path):
    found = run(tmp_path, "vllm serve openai/gpt-oss-20b --hf-overrides '{\"Rope-Scaling\": {\"factor\": 2}}'")
    assert len(found) == 1 and "did you mean 'rope_scaling'?" in found[0].message
    assert found[0].column == len("vllm serve openai/gpt-oss-20b --hf-overrides '{\"") + 1  # on the key


def test_catalog_keys_are_partial_so_near_spellings_stay_silent(tmp_path):
    # `use_sliding_window` is a real Qwen2 key even where the catalog keeps only `sliding_window`
    assert not run(tmp_path, "vllm serve openai/gpt-oss-20b --hf-overrides '{\"use_sliding_window\": false}'")


def test_whole_local_config_near_spelling_and_nested(tmp_path):
    local_model(tmp_path)
    found = run(tmp_path, "vllm serve ./tiny --hf-overrides "
                          "'{\"max_position_embedding\": 4096, \"text_config\": {\"rope-theta\": 5e5}, \"new_key\": 1}'")
    assert sorted(d.message.split("did you mean ")[1] for d in found) == [
        "'max_position_embeddings'?", "'text_config.rope_theta'?"]


def test_dotted_form(tmp_path):
    local_model(tmp_path)
    found = run(tmp_path, "vllm serve ./tiny --hf-overrides.rope-theta 500000")
    assert len(found) == 1 and "'rope_theta'" in found[0].message and found[0].line == 2


def test_unknown_model_is_not_judged(tmp_path):
    assert not run(tmp_path, "vllm serve example-org/nowhere --hf-overrides '{\"rope-scaling\": {\"factor\": 2}}'")
