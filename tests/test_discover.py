"""discover/classify: names, content sniffing, skipped folders, .gitignore, symlinks, odd names."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from vllm_lint.discover import classify, discover


@pytest.mark.parametrize("name,head,kind", [
    ("docker-compose.yml", "", "compose"),
    ("docker-compose.prod.yaml", "", "compose"),
    ("compose.yaml", "", "compose"),
    ("stack.yml", "services:\n  a:\n    image: x\n", "compose"),
    ("run.sh", "", "shell"),
    ("start.bash", "", "shell"),
    ("entrypoint", "", "shell"),
    ("launch", "#!/usr/bin/env bash\nvllm serve m\n", "shell"),
    ("launch", "#!/bin/sh\n", "shell"),
    ("launch", "just text\n", None),
    ("Dockerfile", "", "dockerfile"),
    ("Dockerfile.vllm", "", "dockerfile"),
    ("serve.Dockerfile", "", "dockerfile"),
    ("Containerfile", "", "dockerfile"),
    (".env", "", "env"),
    ("prod.env", "", "env"),
    (".env.example", "", "env"),
    ("env.example", "", "env"),
    ("deploy.yaml", "apiVersion: apps/v1\nkind: Deployment\n", "kubernetes"),
    ("config.yaml", "model: x\nmax-model-len: 4096\ntensor-parallel-size: 2\n", "vllm-config"),
    ("task.yaml", "resources:\n  accelerators: A100:8\nrun: |\n  vllm serve m\n", "skypilot"),
    ("x.sky.yaml", "", "skypilot"),
    ("other.yaml", "foo: 1\nbar: 2\n", None),
    ("README.md", "vllm serve m", None),  # Markdown: only with --include-docs
    ("tool.py", "import subprocess\nsubprocess.run(['vllm', 'serve', 'm'])\n", "python"),
    ("tool.py", "from vllm import LLM\n", "python"),
    ("tool.py", "print('hello')\n", None),  # Python that does not start vLLM
    ("vllm.service", "", "systemd"),
    ("vllm.container", "", "systemd"),
    ("Makefile", "", "makefile"),
    ("GNUmakefile", "", "makefile"),
    ("serve.mk", "", "makefile"),
    ("Procfile", "", "procfile"),
    ("run.ps1", "", "powershell"),
    ("run.bat", "", "batch"),
    ("serve.ipynb", '{"cells": [{"source": ["!vllm serve m"]}]}', "notebook"),
    ("serve.ipynb", '{"cells": []}', None),
    ("bench.json", '{"cmd": "vllm serve m --max-model-len 4096"}', "embedded"),
    ("package.json", '{"name": "x"}', None),
    ("cerebrium.toml", 'entrypoint = ["vllm", "serve", "m"]', "embedded"),
    ("pyproject.toml", '[project]\nname = "x"\n', None),
    ("scenario.yaml", "name: x\nserver: vllm serve m --port 1\n", "embedded"),
    ("scenario.yaml", "name: x\ndescription: uses vllm\n", None),
    ("wf.yaml", "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nspec: {image: vllm/vllm-openai}\n", "argo"),
    ("site.yml", "- hosts: gpu\n  tasks:\n    - shell: vllm serve m\n", "ansible"),
    ("site.yml", "- hosts: web\n  tasks:\n    - shell: nginx\n", None),  # no vLLM in it
])
def test_classify(name: str, head: str, kind: str | None) -> None:
    assert classify(Path("/x") / name, head) == kind


def test_explicit_unusual_name_by_content() -> None:
    assert classify(Path("/x/cmd.txt"), "vllm serve m --port 1\n", explicit=True) == "shell"
    assert classify(Path("/x/cmd.txt"), "hello\n", explicit=True) is None
    assert classify(Path("/x/cmd.txt"), "vllm serve m\n") is None
    assert classify(Path("/x/build"), "# c\nFROM vllm/vllm-openai:latest\nCMD [\"m\"]\n", explicit=True) == "dockerfile"
    assert classify(Path("/x/README.md"), "vllm serve m\n", explicit=True) == "markdown"  # named: read or noted
    assert classify(Path("/x/README.md"), "vllm serve m\n", include_docs=True) == "markdown"
    # a Baseten/Truss template: its start_command string is a command line
    yaml_tpl = "model_name: {x}\nbase_image:\n  image: y\ndocker_server:\n  start_command: vllm serve m\n"
    assert classify(Path("/x/config.yaml.tpl"), yaml_tpl, explicit=True) == "embedded"


def _tree(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)


def test_walk_skips_vcs_venvs_and_gitignored(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    _tree(tmp_path, {
        ".gitignore": "build/\n*.local.yml\n",
        "a/docker-compose.yml": "services: {}\n",
        "a/x.local.yml": "services: {}\n",
        "a/.gitignore": "secret.sh\n!keep.local.yml\n",
        "a/secret.sh": "vllm serve m\n",
        "a/keep.local.yml": "services: {}\n",
        "build/run.sh": "vllm serve m\n",
        ".venv/bin/activate.sh": "x\n",
        "env1/pyvenv.cfg": "home = /usr\n",
        "env1/run.sh": "x\n",
        "node_modules/x/run.sh": "x\n",
        "__pycache__/run.sh": "x\n",
        ".git/hooks/pre-commit.sh": "x\n",
        "b/run.sh": "vllm serve m\n",
        "b/README.md": "x\n",
    })
    got = {str(p.relative_to(tmp_path)): k for p, k in discover([tmp_path])}
    assert got == {"a/docker-compose.yml": "compose", "a/keep.local.yml": "compose", "b/run.sh": "shell"}
    got_all = {str(p.relative_to(tmp_path)) for p, _ in discover([tmp_path], respect_gitignore=False)}
    assert "build/run.sh" in got_all and "a/secret.sh" in got_all


def test_gitignore_above_walk_root_applies(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    _tree(tmp_path, {".gitignore": "ignored.sh\n", "sub/ignored.sh": "x\n", "sub/kept.sh": "x\n"})
    got = {p.name for p, _ in discover([tmp_path / "sub"])}
    assert got == {"kept.sh"}


def test_exclude_and_force_exclude(tmp_path: Path) -> None:
    _tree(tmp_path, {"a/run.sh": "x\n", "b/run.sh": "x\n"})
    got = {str(p.relative_to(tmp_path)) for p, _ in discover([tmp_path], exclude=["a/"])}
    assert got == {"b/run.sh"}
    explicit = tmp_path / "a" / "run.sh"
    assert discover([explicit], exclude=["run.sh"]) == [(explicit, "shell")]
    assert discover([explicit], exclude=["run.sh"], force_exclude=True) == []


def test_symlink_loop_and_dangling_link(tmp_path: Path) -> None:
    _tree(tmp_path, {"d/run.sh": "x\n"})
    os.symlink(tmp_path / "d", tmp_path / "d" / "loop")
    os.symlink(tmp_path / "nowhere.sh", tmp_path / "d" / "dangling.sh")
    got = [p.name for p, _ in discover([tmp_path])]
    assert got == ["run.sh"]


def test_non_utf8_file_name(tmp_path: Path) -> None:
    name = os.fsdecode(b"run-\xff.sh")
    (tmp_path / name).write_text("vllm serve m\n")
    got = discover([tmp_path])
    assert len(got) == 1 and got[0][1] == "shell"


def test_duplicates_and_missing(tmp_path: Path) -> None:
    _tree(tmp_path, {"run.sh": "x\n"})
    assert len(discover([tmp_path, tmp_path / "run.sh"])) == 1
    missing = discover([tmp_path / "gone.sh"])
    assert missing == [(tmp_path / "gone.sh", "shell")]


def test_manifest_templates_found_by_a_directory_walk(tmp_path: Path) -> None:
    (tmp_path / "vllm.tftpl").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      volumes:\n"
        "%{ for s in secrets ~}\n        - name: ${s}\n%{ endfor ~}\n      containers:\n        - name: vllm\n"
        "          image: vllm/vllm-openai:v0.5.5\n          args: [\"--model\", \"${model_id}\"]\n")
    (tmp_path / "gpu.tpl").write_text("# Go template\nservingEngineSpec:\n  modelSpec:\n  - name: a\n")
    (tmp_path / "deploy.yaml.j2").write_text("{% if x %}\napiVersion: v1\nkind: Pod\n{% endif %}\n")
    (tmp_path / "config.yaml.tpl").write_text("model_name: {name}\ndocker_server:\n  start_command: vllm serve m\n")
    (tmp_path / "notes.tpl").write_text("Thank you for installing {{ .Chart.Name }}\n")
    chart = tmp_path / "chart" / "templates"
    chart.mkdir(parents=True)
    (chart / "_helpers.tpl").write_text('{{- define "x" -}}\napiVersion: v1\nkind: Pod\n{{- end }}\n')
    (chart / "deployment.tpl").write_text("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n")
    found = {p.name: k for p, k in discover([tmp_path])}
    # config.yaml.tpl (a Baseten/Truss template) holds a command line in a string
    assert found == {"vllm.tftpl": "kubernetes", "gpu.tpl": "helm-values", "deploy.yaml.j2": "kubernetes",
                     "config.yaml.tpl": "embedded"}


@pytest.mark.shared
def test_corpus_manifest_templates_are_linted_from_the_directory(corpus_lint) -> None:
    """production-stack CoreWeave .tpl (gpt-oss-120b TP=2 via extraArgs, no /dev/shm -> VL308) and
    ai-on-gke vllm.tftpl (VLLM_PORT: 80 -> VL504) are found without being named."""
    got = {(d.rule, Path(d.path).name, d.line) for d in corpus_lint("L4").diagnostics}
    assert ("VL308", "gpu-gpt-qwn-gem-glm-cw.tpl", 48) in got
    assert ("VL504", "vllm.tftpl", 60) in got
