"""VL501-VL505 on fixtures of our own, through the real pipeline, plus the pure helpers."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from vllm_lint.lint import LintOptions, lint_paths
from vllm_lint.rules import hygiene

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "rules"


def lint(tmp_path: Path, name: str, rule: str, *, as_name: str | None = None):
    target = tmp_path / (as_name or name)
    shutil.copy(FIXTURES / name, target)
    res = lint_paths([target], LintOptions(select=[rule]))
    assert not [d for d in res.diagnostics if d.rule == "VL000"], res.diagnostics
    return [d for d in res.diagnostics if d.rule == rule]


def test_vl501_compose_env_redacted(tmp_path):
    found = lint(tmp_path, "vl501_compose_env.yml", "VL501", as_name="docker-compose.yml")
    assert [d.line for d in found] == [6]  # EMPTY and ${VLLM_API_KEY} are not secrets
    assert "hf_ZyX…" in found[0].message
    assert "ZyXwVuTsRq" not in found[0].message and all("ZyXwVuTsRq" not in n for n in found[0].notes)


def test_vl501_dockerfile_env_space_form(tmp_path):
    found = lint(tmp_path, "vl501_dockerfile", "VL501", as_name="Dockerfile")
    assert [d.line for d in found] == [2]  # `<your-key>` is a placeholder
    assert found[0].message.count("hf_QwE…") == 1


def test_vl501_api_key_argv(tmp_path):
    (tmp_path / "p.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: v\n"
        "      image: vllm/vllm-openai:v0.11.2\n"
        "      args: [--model, Qwen/Qwen2.5-0.5B-Instruct, --api-key, k3y-9f8e7d6c]\n")
    found = [d for d in lint_paths([tmp_path / "p.yaml"], LintOptions(select=["VL501"])).diagnostics]
    assert len(found) == 1 and "--api-key value k3y…" in found[0].message


def test_redact_never_shows_most_of_it():
    s = "hf_AbCdEfGhIjKlMnOpQrStUvWxYz01234567"
    assert hygiene.redact(s) == "hf_AbC…" and len(hygiene.redact("short-key")) <= 4


def test_vl502_names_model(tmp_path):
    found = lint(tmp_path, "vl502_config.yaml", "VL502")
    assert len(found) == 1 and "'THUDM/glm-4-9b-chat'" in found[0].message and found[0].line == 11


def test_vl503_vl504_vl505(tmp_path):
    found = lint(tmp_path, "vl503_vl504_vl505.yaml", "VL503")
    assert [d.line for d in found] == [10] and "has no tag" in found[0].message
    found = lint(tmp_path, "vl503_vl504_vl505.yaml", "VL504")
    assert len(found) == 1 and "listens on 8080 (--port)" in found[0].message and "8000" in found[0].message
    found = lint(tmp_path, "vl503_vl504_vl505.yaml", "VL505")
    assert [d.line for d in found] == [16]  # $(HOME) in the second Deployment is Kubernetes syntax
    assert "${LD_LIBRARY_PATH}" in found[0].message


@pytest.mark.parametrize("image,tag,digest", [
    ("vllm/vllm-openai", None, False),
    ("vllm/vllm-openai:latest", "latest", False),
    ("localhost:5000/vllm", None, False),
    ("vllm-blackwell:latest", "latest", False),
    ("localhost:5000/vllm:v1", "v1", False),
    ("vllm/vllm-openai@sha256:abc", None, True),
    ("lmcache/vllm-openai:nightly-2025-08-25", "nightly-2025-08-25", False),
])
def test_image_tag(image, tag, digest):
    assert hygiene.image_tag(image) == (tag, digest)


@pytest.mark.parametrize("values,ports", [
    (["8000:8000"], [8000]),
    (["127.0.0.1:8080:8000"], [8000]),
    (["8000"], [8000]),
    (["8000-8002:8000-8002/tcp"], [8000, 8001, 8002]),
    ([{"target": 8000, "published": 80}], [8000]),
    (["${PORT}:8000"], None),
    (["8000", "9000"], [8000, 9000]),
])
def test_container_ports(values, ports):
    assert hygiene.container_ports(values) == ports


def test_vl504_chart_template_ports(tmp_path):
    shutil.copytree(FIXTURES / "vl504_chart", tmp_path / "chart")
    res = lint_paths([tmp_path / "chart" / "values.yaml"], LintOptions(select=["VL504"]))
    found = [d for d in res.diagnostics if d.rule == "VL504"]
    assert len(found) == 1
    # the chart's template is rendered from the values: the finding sits in the template itself
    assert "listens on 8000" in found[0].message and "declares port 9000" in found[0].message
    assert found[0].path.endswith("templates/deployment.yaml") and found[0].line == 9


def test_vl504_chart_template_agreeing_port_is_silent(tmp_path):
    shutil.copytree(FIXTURES / "vl504_chart", tmp_path / "chart")
    t = tmp_path / "chart" / "templates" / "deployment.yaml"
    t.write_text(t.read_text().replace("containerPort: 9000", "containerPort: 8000"))
    assert lint_paths([tmp_path / "chart" / "values.yaml"], LintOptions(select=["VL504"])).diagnostics == []


def test_vl504_vllm_port_env(tmp_path):
    found = lint(tmp_path, "vl504_vllm_port_env.yaml", "VL504")
    assert [d.line for d in found] == [16]
    assert "VLLM_PORT=8080 does not choose the HTTP port" in found[0].message


def test_vl503_local_build_is_not_reported(tmp_path):
    (tmp_path / "docker-compose.yml").write_text(
        "services:\n  vllm:\n    build: .\n    image: my-vllm:latest\n"
        "    command: [--model, Qwen/Qwen2.5-0.5B-Instruct]\n")
    assert lint_paths([tmp_path / "docker-compose.yml"], LintOptions(select=["VL503"])).diagnostics == []


def test_vl501_token_in_env_file_of_compose(tmp_path):
    """A token in the .env a compose service loads is reported on the .env line (when linted)."""
    (tmp_path / ".env").write_text("# tokens\nHF_TOKEN=hf_AbCdEfGhIjKlMnOpQrStUvWxYz01234567\n")
    (tmp_path / "docker-compose.yml").write_text(
        "services:\n  vllm:\n    image: vllm/vllm-openai:v0.10.2\n    env_file: .env\n"
        "    command: [--model, Qwen/Qwen2.5-0.5B-Instruct]\n")
    res = lint_paths([tmp_path], LintOptions(select=["VL501"]))
    found = [d for d in res.diagnostics if d.rule == "VL501"]
    assert [(Path(d.path).name, d.line) for d in found] == [(".env", 2)]


def test_vl501_equals_form_and_hf_token_flag(tmp_path):
    (tmp_path / "run.sh").write_text(
        "#!/bin/sh\nvllm serve Qwen/Qwen2.5-0.5B-Instruct --api-key=prod-key-7f3a9c \\\n"
        "  --hf-token hf_AbCdEfGhIjKlMnOpQrStUvWxYz01234567\n"
        "vllm serve Qwen/Qwen2.5-0.5B-Instruct --api-key \"$VLLM_API_KEY\" --port 8001\n")
    found = [d for d in lint_paths([tmp_path / "run.sh"], LintOptions(select=["VL501"])).diagnostics]
    assert sorted(d.line for d in found) == [2, 3]
    assert any("--api-key value prod-k…" in d.message for d in found)
    assert all("7f3a9c" not in d.message for d in found)


def test_vl505_escaped_dollar_is_meant_literally(tmp_path):
    (tmp_path / "p.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: v\n"
        "      image: vllm/vllm-openai:v0.11.2\n      args: [--model, Qwen/Qwen2.5-0.5B-Instruct]\n"
        "      env:\n        - name: PROMPT_PREFIX\n          value: \"cost: $$HOME\"\n"
        "        - name: TOKEN_REF\n          value: \"$HF_TOKEN\"\n")
    found = lint_paths([tmp_path / "p.yaml"], LintOptions(select=["VL505"])).diagnostics
    assert [d.line for d in found] == [13]
