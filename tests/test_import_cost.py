"""The pre-commit path stays light: linting a compose file whose model is in the catalog never
imports transformers, torch or huggingface_hub (each costs seconds); piped output (text or
machine-readable) does not build a rich console; and a run on named files with no configuration
file imports neither the .gitignore machinery nor a TOML parser.

Checked in a fresh interpreter (this test process may have imported anything already), both by
looking at ``sys.modules`` after the run and with ``-X importtime``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

COMPOSE = """\
services:
  vllm:
    image: vllm/vllm-openai:v0.8.5
    command: ["--model", "meta-llama/Llama-3.1-8B-Instruct", "--max-model-len", "32768", "--gpu-memory-utilization", "0.9"]
    deploy:
      resources:
        reservations:
          devices:
            - driver: nvidia
              count: 1
              capabilities: [gpu]
"""

HEAVY = ("transformers", "torch", "huggingface_hub", "tokenizers", "safetensors", "numpy")

PROBE = r"""
import json, sys
from vllm_lint.cli import main
code = main(sys.argv[2:])
mods = sorted(m for m in sys.modules)
with open(sys.argv[1], "w") as fh:
    json.dump({"code": code, "modules": mods}, fh)
"""


def _env() -> dict:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "NO_COLOR": "1"}
    for var in ("GITHUB_ACTIONS", "FORCE_COLOR", "TTY_COMPATIBLE"):  # the last two make rich see a terminal
        env.pop(var, None)
    return env


def _modules_after(tmp_path: Path, args: list[str]) -> tuple[int, list[str]]:
    out = tmp_path / "mods.json"
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, str(out), *args],
        capture_output=True, text=True, env=_env(), cwd=tmp_path, timeout=120,
    )
    assert out.exists(), proc.stderr
    data = json.loads(out.read_text())
    return data["code"], data["modules"]


def _top(mods: list[str]) -> set[str]:
    return {m.split(".")[0] for m in mods}


@pytest.fixture
def compose(tmp_path) -> Path:
    p = tmp_path / "docker-compose.yml"
    p.write_text(COMPOSE)
    return p


@pytest.fixture(scope="module")
def lint_modules(tmp_path_factory):
    """``lint_modules(*options)``: (exit code, modules imported) of a fresh ``vllm-lint
    docker-compose.yml --gpu A10G *options`` run; each command line runs once per module."""
    runs: dict[tuple[str, ...], tuple[int, list[str]]] = {}

    def run(*options: str) -> tuple[int, list[str]]:
        if options not in runs:
            tmp = tmp_path_factory.mktemp("lint")
            (tmp / "docker-compose.yml").write_text(COMPOSE)
            runs[options] = _modules_after(tmp, ["docker-compose.yml", "--gpu", "A10G", *options])
        return runs[options]

    return run


@pytest.mark.parametrize("fmt", ["text", "json", "github", "sarif"])
def test_catalog_model_lint_imports_no_heavy_module(lint_modules, fmt):
    code, mods = lint_modules("--format", fmt)
    assert code in (0, 1), code
    heavy = sorted(_top(mods) & set(HEAVY))
    assert not heavy, f"--format {fmt} imported {heavy}"


def test_json_output_does_not_import_rich(lint_modules):
    code, mods = lint_modules("--format", "json")
    assert code in (0, 1)
    assert "rich" not in _top(mods), sorted(m for m in mods if m.startswith("rich"))[:10]


@pytest.mark.parametrize("args", [[], ["-q"], ["-v"]], ids=["text", "quiet", "verbose"])
def test_piped_text_output_builds_no_rich_console(lint_modules, args):
    code, mods = lint_modules(*args)
    assert code == 1  # the compose file has a finding: the report really printed one
    assert not {"rich.console", "rich.text"} & set(mods), sorted(m for m in mods if m.startswith("rich"))


def test_named_file_run_imports_no_pathspec_or_toml_parser(lint_modules):
    code, mods = lint_modules()  # the same run as the piped text report's
    assert code == 1
    assert not {"pathspec", "tomllib", "tomli", "importlib.resources"} & set(mods)


def test_launch_was_really_extracted(compose, capsys):
    """Guard against the tests above passing vacuously (nothing extracted, nothing resolved)."""
    from vllm_lint.cli import main

    assert main(["launches", str(compose), "--format", "json"]) == 0
    launches = json.loads(capsys.readouterr().out)
    assert "meta-llama/Llama-3.1-8B-Instruct" in json.dumps(launches)


def test_importtime_has_no_heavy_module(tmp_path, compose):
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "vllm_lint", str(compose), "--gpu", "A10G", "--format", "json"],
        capture_output=True, text=True, env=_env(), cwd=tmp_path, timeout=120,
    )
    assert proc.returncode in (0, 1), proc.stderr[-2000:]
    imported = set()
    for line in proc.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            name = line.rsplit("|", 1)[1].strip()
            imported.add(name.split(".")[0])
    assert imported, "no -X importtime output"
    assert not imported & set(HEAVY), sorted(imported & set(HEAVY))

