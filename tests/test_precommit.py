"""The pre-commit hook: its manifest, its file filter, and the real `pre-commit try-repo` run
against this checkout (installs the package into pre-commit's own virtualenv)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]


def _hook() -> dict:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    (hook,) = [h for h in hooks if h["id"] == "vllm-lint"]
    return hook


def test_manifest_fields():
    hook = _hook()
    assert hook["language"] == "python"
    assert hook["require_serial"] is True
    argv = hook["entry"].split()
    assert argv[0] == "vllm-lint" and "--force-exclude" in argv
    assert 'vllm-lint = "vllm_lint.cli:main"' in (REPO / "pyproject.toml").read_text(encoding="utf-8")
    from vllm_lint.cli import _lint_parser

    ns = _lint_parser().parse_args(argv[1:] + ["x.yaml"])  # the entry's options are real options
    assert ns.force_exclude


CAUGHT = [
    "docker-compose.yml", "deploy/compose.yaml", "k8s/deployment.yaml", "charts/vllm/values.yaml",
    "charts/vllm/values-prod.yml", "kustomize/overlays/gpu/patch-vllm.yaml", "config.yaml",
    "vllm-multinode.sky.yaml", "run_vllm.sh", "scripts/entrypoint.bash", "Dockerfile",
    "docker/Dockerfile.vllm", "Dockerfile-gpu", "build/vllm.Dockerfile", "Containerfile",
    ".env", "deploy/.env", ".env.example", "vllm.env", "deploy/vllm.env.example",
    # service units, Makefiles, other shells, Python, notebooks and CI: every format that can start vLLM
    "deploy/vllm.service", "vllm.container", "systemd/vllm.service.example", "vllm.service.j2", "run_vllm.sh.j2", "Makefile", "makefile", "GNUmakefile", "mk/serve.mk", "Procfile",
    "run.ps1", "scripts/start.bat", "start.cmd", "src/app.py", "notebooks/serve.ipynb", "bench/harness.json",
    "cerebrium.toml", "pyproject.toml", "package.json", "jobs/vllm.nomad", "jobs/vllm.nomad.hcl",
    ".github/workflows/ci.yml", ".gitlab-ci.yml", "playbooks/site.yml",
]
LEFT = [
    "README.md", "docs/serving.md", "docs/yaml.txt", "vllm_serve_cmd.txt", "terraform/sample.tfvars",
    "chart/templates/_helpers.tpl", "environment.txt", "envoy.conf", "Dockerfiles/README", "yaml", "notes.yaml.bak",
    "scripts/sh", "model.safetensors", "logo.png", "app.service.d", "Makefile.bak", "requirements.txt",
]


@pytest.mark.parametrize("path", CAUGHT)
def test_files_pattern_catches(path):
    assert re.search(_hook()["files"], path), path


@pytest.mark.parametrize("path", LEFT)
def test_files_pattern_leaves_others(path):
    assert not re.search(_hook()["files"], path), path


BAD = """\
# vllm-lint: gpu=L4
services:
  llama:
    image: vllm/vllm-openai:v0.10.2
    command:
      - --model
      - meta-llama/Llama-3.1-8B-Instruct
      - --max-model-len
      - "65536"
    deploy:
      resources:
        reservations:
          devices:
            - driver: nvidia
              count: 1
              capabilities: [gpu]
"""


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                   env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@e", "GIT_COMMITTER_NAME": "t",
                        "GIT_COMMITTER_EMAIL": "t@e"})


def _pre_commit() -> list[str]:
    exe = shutil.which("pre-commit") or str(Path(sys.executable).with_name("pre-commit"))
    assert Path(exe).exists(), "pre-commit is not installed (it is a test dependency: pip install '.[test]')"
    return [exe]


@pytest.mark.precommit
def test_real_pre_commit_try_repo(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    _git(project, "init", "-q")
    compose = project / "docker-compose.yml"
    compose.write_text(BAD, encoding="utf-8")
    (project / "README.md").write_text("not linted\n")
    # Excluded by configuration: pre-commit names it, --force-exclude must still skip it.
    (project / "legacy").mkdir()
    (project / "legacy" / "docker-compose.yml").write_text(BAD, encoding="utf-8")
    (project / ".vllm-lint.toml").write_text('exclude = ["legacy/"]\n', encoding="utf-8")
    _git(project, "add", ".")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache"), "NO_COLOR": "1"}
    env.pop("GITHUB_ACTIONS", None)  # text output even when the suite itself runs in Actions
    env.pop("PYTHONPATH", None)  # the hook must run from its own installed copy

    def run() -> subprocess.CompletedProcess:
        return subprocess.run([*_pre_commit(), "try-repo", str(REPO), "vllm-lint", "--all-files", "--verbose"],
                              cwd=project, env=env, capture_output=True, text=True, timeout=900)

    bad = run()
    out = bad.stdout + bad.stderr
    assert bad.returncode == 1, out
    assert "VL101" in out and "docker-compose.yml" in out, out
    assert "legacy" not in out, out

    compose.write_text(BAD.replace('"65536"', '"8192"'), encoding="utf-8")
    _git(project, "add", ".")
    good = run()
    assert good.returncode == 0, good.stdout + good.stderr
    assert "Passed" in good.stdout


ENV_COMPOSE = """\
# vllm-lint: gpu=L4
services:
  llama:
    image: vllm/vllm-openai:v0.10.2
    command: ["--model", "${MODEL}", "--max-model-len", "${MAX_LEN:-8192}"]
    deploy:
      resources:
        reservations:
          devices:
            - driver: nvidia
              count: 1
              capabilities: [gpu]
"""


def test_hook_entry_reads_context_of_a_changed_file_from_disk(tmp_path, monkeypatch, capsys):
    """pre-commit passes only the changed compose file; its .env (unchanged) still counts."""
    from vllm_lint.cli import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    (tmp_path / "docker-compose.yml").write_text(ENV_COMPOSE, encoding="utf-8")
    (tmp_path / ".env").write_text("MODEL=meta-llama/Llama-3.1-8B-Instruct\nMAX_LEN=65536\n", encoding="utf-8")
    entry = _hook()["entry"].split()[1:]
    assert main([*entry, "--quiet", "--no-color", "docker-compose.yml"]) == 1
    assert "VL101 error --max-model-len 65536" in capsys.readouterr().out
    (tmp_path / ".env").write_text("MODEL=meta-llama/Llama-3.1-8B-Instruct\nMAX_LEN=8192\n", encoding="utf-8")
    assert main([*entry, "--quiet", "--no-color", "docker-compose.yml"]) == 0


def test_hook_passes_a_commit_whose_only_findings_are_info(tmp_path, monkeypatch, capsys):
    """The hook's entry keeps the command line's default threshold: an info finding (here VL105,
    no GPU named) is shown but does not refuse the commit; a warning does."""
    from vllm_lint.cli import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    entry = _hook()["entry"].split()[1:]
    assert "--fail-on" not in entry and "--exit-zero" not in entry
    (tmp_path / "serve.sh").write_text("#!/bin/sh\nvllm serve Qwen/Qwen2.5-0.5B-Instruct\n", encoding="utf-8")
    assert main([*entry, "--quiet", "--no-color", "serve.sh"]) == 0
    assert "VL105 info" in capsys.readouterr().out
    (tmp_path / "serve.sh").write_text("#!/bin/sh\nvllm serve Qwen/Qwen2.5-0.5B-Instruct --trust-remote-code\n",
                                       encoding="utf-8")
    assert main([*entry, "--quiet", "--no-color", "serve.sh"]) == 1
