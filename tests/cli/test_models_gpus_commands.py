"""`vllm-lint models`, `vllm-lint gpus`, how `launches` shows a model's resolution, and the
[tool.vllm-lint] models mapping in `capacity`."""

from __future__ import annotations

import contextlib
import io
import json
import os
from pathlib import Path

import pytest

from vllm_lint import cli


@pytest.fixture(autouse=True)
def _empty_hf_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf-cache"))
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)


def run(args: list, cwd: Path | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    old = Path.cwd()
    try:
        if cwd is not None:
            os.chdir(cwd)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = cli.main([str(a) for a in args])
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 2
    finally:
        os.chdir(old)
    return code, out.getvalue(), err.getvalue()


def test_models_lists_the_catalog_as_json():
    code, out, _ = run(["models", "--format", "json"])
    assert code == 0
    rows = json.loads(out)["models"]
    from vllm_lint.models.resolve import catalog_ids

    assert [r["id"] for r in rows] == sorted(catalog_ids(), key=str.lower)
    row = next(r for r in rows if r["id"] == "meta-llama/Llama-3.1-8B-Instruct")
    # 32 layers x 8 KV heads x 128 x (K+V) x 2 bytes = 131072 bytes per token
    assert row["kv_bytes_per_token"] == 32 * 8 * 128 * 2 * 2
    assert row["context"] == 131072 and row["family"] == "llama" and 7.9e9 < row["parameters"] < 8.1e9
    assert row["weights"] == "bf16/fp16" and row["source"]
    qwen = next(r for r in rows if r["id"] == "Qwen/Qwen2.5-7B-Instruct")
    assert any("awq" in q for q in qwen["quantizations"]) and any("gptq" in q for q in qwen["quantizations"])
    # an entry whose copy of config.json had no max_position_embeddings claims no context
    assert next(r for r in rows if r["id"] == "Qwen/Qwen3.5-9B")["context"] is None


def test_models_query_filters_on_every_word():
    code, out, _ = run(["models", "qwen3", "fp8", "--format", "json"])
    ids = [r["id"] for r in json.loads(out)["models"]]
    assert ids and all("qwen3" in i.lower() and "fp8" in i.lower() for i in ids)
    code, out, err = run(["models", "no-such-model-anywhere"])
    assert code == 1 and "--resolve" in err


def test_models_text_table():
    code, out, _ = run(["models", "Llama-3.1-8B-Instruct", "--no-color"])
    assert code == 0 and "meta-llama/Llama-3.1-8B-Instruct" in out and "128 KiB" in out and "131,072" in out


def test_models_resolve_shows_each_step_and_the_certainty(synthetic_catalog):
    code, out, _ = run(["models", "--resolve", "acme/Huge-400B-Instruct-FP8", "--no-color"])
    assert code == 0
    assert "1. catalog id: acme/Huge-400B-Instruct-FP8 -> no entry" in out
    assert "resolved (likely): geometry of acme/Huge-400B-Instruct, fp8 weights from the name" in out
    code, out, _ = run(["models", "--resolve", "acme/Tiny-7B-Instruct", "--format", "json"])
    r = json.loads(out)
    assert r["certainty"] == "exact" and r["resolved"] == "acme/Tiny-7B-Instruct" and r["steps"][0]["step"] == "catalog id"
    code, out, _ = run(["models", "--resolve", "acme/unknown-13b", "--format", "json"])
    r = json.loads(out)
    assert code == 1 and r["resolved"] is None and r["parameters"] == 13_000_000_000 and r["certainty"] == "likely"


def test_models_resolve_applies_the_configuration_mapping(tmp_path):
    (tmp_path / ".vllm-lint.toml").write_text('[models]\n"/srv/chat" = "Qwen/Qwen2.5-7B-Instruct"\n')
    code, out, _ = run(["models", "--resolve", "/srv/chat", "--format", "json"], cwd=tmp_path)
    r = json.loads(out)
    assert code == 0 and r["resolved"] == "Qwen/Qwen2.5-7B-Instruct" and r["mapped_from"] == "/srv/chat"


def test_gpus_lists_and_filters():
    code, out, _ = run(["gpus", "--format", "json"])
    rows = json.loads(out)["gpus"]
    from vllm_lint.hardware.gpus import all_gpus

    assert code == 0 and len(rows) == len(all_gpus())
    l4 = next(r for r in rows if r["key"] == "L4")
    assert l4["memory_gib"] == pytest.approx(22.03) and l4["compute_capability"] == "8.9" and "nvidia-l4" in l4["aliases"]
    code, out, _ = run(["gpus", "a100", "80gb", "--format", "json"])
    keys = {r["key"] for r in json.loads(out)["gpus"]}
    assert keys and all("A100" in k and "80" in k for k in keys)
    code, out, _ = run(["gpus", "rtx", "4090", "--no-color"])
    assert code == 0 and "RTX 4090" in out and "23.53" in out and "8.9" in out


def test_gpus_resolve_strict_and_tolerant():
    code, out, _ = run(["gpus", "--resolve", "A100"])
    assert code == 1 and "refused" in out and "A100-40GB, A100-80GB" in out and "assumed" in out
    code, out, _ = run(["gpus", "--resolve", "H100:8", "--format", "json"])
    r = json.loads(out)
    assert code == 0 and r["typed"] == {"gpu": "H100-SXM", "memory_gib": 79.18, "count": 8}


def test_launches_say_how_each_model_resolved(tmp_path, synthetic_catalog):
    (tmp_path / "serve.sh").write_text("#!/bin/sh\nvllm serve RedHatAI/Tiny-7B-Instruct-FP8-dynamic --max-model-len 8192\n"
                                       "vllm serve acme/Tiny-7B-Instruct --max-model-len 8192\n")
    code, out, _ = run(["launches", tmp_path, "--format", "json"])
    models = [x["model"] for x in json.loads(out)["launches"]]
    assert [m["certainty"] for m in models] == ["likely", "exact"]
    assert models[0]["describe"] == "geometry of acme/Tiny-7B-Instruct, fp8 weights from the name, repacked by RedHatAI"
    code, out, _ = run(["launches", tmp_path, "--no-color"])
    assert "model:   geometry of acme/Tiny-7B-Instruct, fp8 weights from the name, repacked by RedHatAI (likely)" in out


def test_capacity_applies_the_models_mapping(tmp_path):
    code, out, err = run(["capacity", "--gpu", "A10G", "--format", "json", "--", "/srv/chat", "--max-model-len", "8192"],
                         cwd=tmp_path)
    assert code == 2 and "[tool.vllm-lint] models" in err  # the advice capacity gives ...
    (tmp_path / "pyproject.toml").write_text('[tool.vllm-lint.models]\n"/srv/chat" = "Qwen/Qwen2.5-7B-Instruct"\n')
    from vllm_lint.config import _config_in_dir

    _config_in_dir.cache_clear()  # the nearest configuration is cached per folder for a process
    code, out, err = run(["capacity", "--gpu", "A10G", "--format", "json", "--", "/srv/chat", "--max-model-len", "8192"],
                         cwd=tmp_path)
    assert code in (0, 1), err  # ... now works
    assert json.loads(out)["model"] == "Qwen/Qwen2.5-7B-Instruct"


def test_capacity_says_when_the_model_is_a_likely_resolution(synthetic_catalog):
    code, out, err = run(["capacity", "--gpu", "H100:8", "--no-color", "--", "acme/Huge-400B-Instruct-FP8", "-tp", "8",
                          "--max-model-len", "8192"])
    assert code in (0, 1) and "geometry of acme/Huge-400B-Instruct, fp8 weights from the name" in err
