"""``--compile-cache`` and the ``compile-cache`` configuration key: a deployment that persists vLLM's
torch.compile cache starts warm, so no compile spike or L2-flush buffer is charged to the activation."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from vllm_lint.cli import main
from vllm_lint.config import ConfigError, parse_config

ARGS = ["--gpu", "H200", "--vllm-version", "0.26.0", "--format", "json"]
SERVE = ["--", "google/gemma-2-9b-it", "--max-num-batched-tokens", "16384"]


def _capacity(capsys, *extra: str) -> dict:
    assert main(["capacity", *ARGS, *extra, *SERVE]) == 0
    return json.loads(capsys.readouterr().out)


def test_capacity_warm_start_has_no_compile_spike(capsys):
    cold = _capacity(capsys)
    warm = _capacity(capsys, "--compile-cache", "warm")
    assert cold == _capacity(capsys, "--compile-cache", "cold")
    # Gemma-2-9B at 16384 tokens: the 1.93 GiB spike against the 1.69 GiB warm forward
    assert cold["activation_gib"] == pytest.approx(1.928, abs=0.002)
    assert warm["activation_gib"] < cold["activation_gib"] - 0.2
    assert warm["kv_cache_gib"] > cold["kv_cache_gib"]


def test_configuration_key_and_overrides(tmp_path: Path):
    cfg = parse_config({"compile-cache": "warm", "overrides": [{"path": "staging/*", "compile-cache": "cold"}]},
                       tmp_path, "test")
    assert cfg.for_path(tmp_path / "prod" / "a.yaml").compile_cache == "warm"
    assert cfg.for_path(tmp_path / "staging" / "a.yaml").compile_cache == "cold"
    with pytest.raises(ConfigError, match="compile-cache"):
        parse_config({"compile-cache": "hot"}, tmp_path, "test")
    with pytest.raises(ConfigError, match="compile-cache"):
        parse_config({"overrides": [{"path": "x/*", "compile-cache": 1}]}, tmp_path, "test")


def test_lint_reads_the_configuration(tmp_path: Path, capsys):
    def left_per_gpu(name: str, config: str) -> float:
        folder = tmp_path / name  # one folder per configuration: configurations are read once per run
        folder.mkdir()
        (folder / "run.sh").write_text("#!/bin/sh\nvllm serve google/gemma-2-9b-it --max-num-batched-tokens 16384\n")
        (folder / ".vllm-lint.toml").write_text(f'gpu = "L4"\nvllm-version = "0.26.0"\n{config}')
        main([str(folder / "run.sh"), "--format", "json"])
        found = re.findall(r"([0-9.]+) GiB is left per GPU", capsys.readouterr().out)
        assert len(found) == 1, found
        return float(found[0])

    # Gemma-2-9B on an L4: the 1.93 GiB cold spike against a 1.66 GiB warm forward
    cold, warm = left_per_gpu("cold", ""), left_per_gpu("warm", 'compile-cache = "warm"\n')
    assert warm == pytest.approx(cold + 0.27, abs=0.06)
