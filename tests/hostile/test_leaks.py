"""Leak nothing: the runner's environment variables and files outside the linted tree that a
linted file points at (env_file, sourced scripts, kustomize resources) never show up in the
lint report, in any output format. See docs/security.md, promise 4."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hostile_support import run_cli

ENV_SECRET = "hf_ENVLEAKENVLEAKENVLEAK0001"
FILE_SECRET = "hf_FILELEAKFILELEAKFILELEAK02"


def _tree(tmp_path: Path) -> Path:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.env").write_text(
        f"HF_TOKEN={FILE_SECRET}\nDTYPE=FILELEAKDTYPE\nMAXLEN=FILELEAKMAXLEN\nVLLM_API_KEY={FILE_SECRET}\n")
    (outside / "secret.yaml").write_text(f"""\
apiVersion: apps/v1
kind: Deployment
metadata: {{name: x}}
spec:
  template:
    spec:
      containers:
        - name: vllm
          image: vllm/vllm-openai:v0.8.5
          args: ["--model", "meta-llama/Llama-3.1-8B-Instruct", "--api-key", "{FILE_SECRET}", "--dtype", "FILELEAKDTYPE"]
""")
    repo = tmp_path / "repo"
    (repo / "k").mkdir(parents=True)
    secret_env = outside / "secret.env"
    (repo / "docker-compose.yml").write_text(f"""\
services:
  vllm:
    image: vllm/vllm-openai:v0.8.5
    env_file: [{secret_env}, ../outside/secret.env]
    command: ["--model", "meta-llama/Llama-3.1-8B-Instruct", "--dtype", "${{DTYPE}}",
              "--max-model-len", "${{MAXLEN}}", "--api-key", "${{HF_TOKEN}}", "--served-model-name", "${{LEAKY_ENV}}"]
""")
    (repo / "serve.sh").write_text(f"""\
#!/bin/sh
. {secret_env}
source ../outside/secret.env
vllm serve meta-llama/Llama-3.1-8B-Instruct --dtype "$DTYPE" --max-model-len "$MAXLEN" --api-key "$HF_TOKEN" --tokenizer "$LEAKY_ENV"
""")
    (repo / "k" / "kustomization.yaml").write_text(
        f"resources:\n  - ../../outside/secret.yaml\n  - {outside / 'secret.yaml'}\n")
    return repo


@pytest.mark.parametrize("fmt", ["text", "json", "github", "sarif"])
def test_report_leaks_no_environment_and_no_outside_file(tmp_path, monkeypatch, fmt):
    repo = _tree(tmp_path)
    monkeypatch.setenv("LEAKY_ENV", ENV_SECRET)
    monkeypatch.setenv("HF_TOKEN", ENV_SECRET)
    monkeypatch.setenv("DTYPE", "ENVLEAKDTYPE")
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.chdir(repo)
    code, out, err = run_cli([".", "--format", fmt, "--gpu", "A10G"])
    assert code in (0, 1), err
    for leak in ("ENVLEAK", "FILELEAK"):
        assert leak not in out and leak not in err, f"{leak} reached the {fmt} report"
    if fmt in ("json", "sarif"):
        json.loads(out)


def test_process_environment_is_never_used_for_interpolation(tmp_path, monkeypatch):
    """${VAR} in a compose file is interpolated from the project's .env only; the runner's
    environment (CI secrets) must not feed values into launches."""
    from hostile_support import lint

    monkeypatch.setenv("LEAKY_ENV", ENV_SECRET)
    (tmp_path / "docker-compose.yml").write_text(
        "services:\n  vllm:\n    image: vllm/vllm-openai:v0.8.5\n"
        "    command: [\"--model\", \"meta-llama/Llama-3.1-8B-Instruct\", \"--served-model-name\", \"${LEAKY_ENV}\"]\n")
    (tmp_path / "serve.sh").write_text("#!/bin/sh\nvllm serve meta-llama/Llama-3.1-8B-Instruct --served-model-name \"$LEAKY_ENV\"\n")
    result = lint(tmp_path)
    assert result.launches
    for ctx in result.launches:
        for tok in ctx.launch.args:
            assert ENV_SECRET not in tok.text, tok
        for ev in ctx.launch.env.values():
            assert ENV_SECRET not in ev.value


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_committed_symlink_to_a_host_file_is_not_read(tmp_path, monkeypatch, fmt):
    """A pull request can commit `serve.sh -> ~/.bash_history` or `values.yaml -> ~/.kube/config`:
    the target must not be linted (its lines would be printed in code frames)."""
    outside = tmp_path / "home"
    outside.mkdir()
    (outside / ".bash_history").write_text(
        f"vllm serve meta-llama/Llama-3.1-8B-Instruct --dtype FILELEAKDTYPE --api-key {FILE_SECRET} --max-model-len 99999999\n")
    (outside / "kubeconfig.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: FILELEAKNAME}\nspec:\n  template:\n    spec:\n"
        "      containers:\n        - name: vllm\n          image: vllm/vllm-openai:v0.8.5\n"
        "          args: [\"--model\", \"meta-llama/Llama-3.1-8B-Instruct\", \"--dtype\", \"FILELEAKDTYPE\"]\n")
    repo = tmp_path / "repo"
    (repo / "deploy").mkdir(parents=True)
    (repo / "serve.sh").symlink_to(outside / ".bash_history")
    (repo / "deploy" / "values.yaml").symlink_to(outside / "kubeconfig.yaml")
    (repo / "deploy" / "deployment.yaml").symlink_to(outside / "kubeconfig.yaml")
    (repo / "real.sh").write_text("#!/bin/sh\nvllm serve meta-llama/Llama-3.1-8B-Instruct --dtype INSIDEDTYPE --max-model-len 99999999\n")
    (repo / "inside-link.sh").symlink_to(repo / "real.sh")
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.chdir(repo)
    for args in (["."], ["serve.sh", "deploy/values.yaml", "real.sh"]):
        code, out, err = run_cli([*args, "--format", fmt, "--gpu", "A10G", "--no-color"] if fmt == "text"
                                 else [*args, "--format", fmt, "--gpu", "A10G"])
        assert code in (0, 1), err
        assert "FILELEAK" not in out and FILE_SECRET not in out, out
        assert "real.sh" in out or "INSIDEDTYPE" in out  # files (and links) inside the tree are still linted
