"""VL215 (environment variables vLLM does not read): the release data, did-you-mean, and the rule on
fixtures of our own that reproduce real forms (a `sh -c` prefix in a Deployment, chart values, a
compose file mixing an official image, a fork and a custom build, a moving tag)."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest

from vllm_lint.diagnostic import Severity
from vllm_lint.lint import LintOptions, lint_paths
from vllm_lint.vllm import env_vars

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "rules" / "vl215"
TOOL = Path(__file__).resolve().parents[2] / "tools" / "extract_env_vars.py"


def lint(tmp_path: Path, name: str, *, as_name: str | None = None):
    target = tmp_path / (as_name or name)
    shutil.copy(FIXTURES / name, target)
    res = lint_paths([target], LintOptions(select=["VL215"]))
    assert not [d for d in res.diagnostics if d.rule == "VL000"], res.diagnostics
    return [d for d in res.diagnostics if d.rule == "VL215"]


# -- data ------------------------------------------------------------------------------------------

def test_release_runs_read_from_envs_py():
    assert env_vars.reading("VLLM_USE_V1").describe() == "0.6.4-0.11.0"
    assert env_vars.reading("VLLM_ATTENTION_BACKEND").read.versions[-1] == "0.14.1"
    assert "0.33.0" in env_vars.reading("VLLM_API_KEY").defined
    assert not env_vars.reading("VLLM_MODEL").known


def test_name_templates_count_as_read():
    # Gaudi bucketing read f"VLLM_{phase}_{dim}_BUCKET_{p}" in 0.6.4-0.8.4
    assert "0.6.4" in env_vars.reading("VLLM_PROMPT_BS_BUCKET_MIN").read
    assert "0.9.0" not in env_vars.reading("VLLM_PROMPT_BS_BUCKET_MIN").read


@pytest.mark.parametrize("name,meant", [
    ("USE_VLLM_V1", "VLLM_USE_V1"),
    ("VLLM_ATTENTION_BACKEN", "VLLM_ATTENTION_BACKEND"),
    ("vllm-use-v1", "VLLM_USE_V1"),
    ("VLM_USE_V1", "VLLM_USE_V1"),
    ("VLLM_USE_FLASHINFER_MXFP4_BF16_MOE", "VLLM_USE_FLASHINFER_MOE_MXFP4_BF16"),
    ("VLLM_WORKER_MULTIPROC_METHD", "VLLM_WORKER_MULTIPROC_METHOD"),
])
def test_did_you_mean(name, meant):
    assert env_vars.did_you_mean(name) == meant


@pytest.mark.parametrize("name", ["VLLM_MODEL", "VLLM_HOST", "VLLM_CACHE_DIR", "VLLM_MAX_MODEL_LEN", "MY_VLLM_ARGS"])
def test_no_guess_for_names_far_from_any_variable(name):
    assert env_vars.did_you_mean(name) is None


def test_runs_text_joins_consecutive_releases():
    assert env_vars.runs_text({"0.4.3", "0.5.0", "0.6.0"}) == "0.4.3-0.5.0, 0.6.0"


# -- the extraction tool (pure parts) --------------------------------------------------------------

def _tool():
    spec = importlib.util.spec_from_file_location("extract_env_vars", TOOL)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_tool_reads_dict_keys_without_running_the_file():
    tool = _tool()
    envs_py = ("import os\nenvironment_variables: dict = {\n"
               "    'VLLM_A': lambda: os.getenv('VLLM_A'),\n    \"LD_LIBRARY_PATH\": lambda: None,\n}\n"
               "raise SystemExit('never run')\n")
    assert tool.defined_names(envs_py) == ["VLLM_A", "LD_LIBRARY_PATH"]
    assert tool.template_pattern("VLLM_{phase}_{dim}_BUCKET_{p}") == "VLLM_*_*_BUCKET_*"
    assert tool.template_pattern("VLLM_USE_V1={x} is not supported") is None


def test_tool_build_keeps_runs_per_name():
    tool = _tool()
    versions = ["0.1.0", "0.2.0", "0.3.0"]
    per = {"0.1.0": ({"VLLM_A"}, set(), set()), "0.2.0": ({"VLLM_A"}, {"VLLM_B"}, set()),
           "0.3.0": (set(), {"VLLM_B"}, {"VLLM_X_*"})}
    data = tool.build(versions, per)
    assert data["variables"] == {"VLLM_A": {"defined": [["0.1.0", "0.2.0"]]},
                                 "VLLM_B": {"mentioned": [["0.2.0", "0.3.0"]]}}
    assert data["patterns"] == {"VLLM_X_*": [["0.3.0", "0.3.0"]]}
    assert tool.render(data) == tool.render(tool.build(versions, per))


# -- the rule --------------------------------------------------------------------------------------

def test_prefix_assignment_in_a_deployment_shell_command(tmp_path):
    found = lint(tmp_path, "k8s-shell-prefix.yaml")
    assert [(d.line, d.severity) for d in found] == [(16, Severity.WARNING)]
    assert "did you mean VLLM_USE_V1?" in found[0].message
    assert found[0].column == 14  # the name inside the quoted command


def test_variable_of_a_later_release_on_a_pinned_image(tmp_path):
    found = lint(tmp_path, "chart-values.yaml")
    assert [d.line for d in found] == [10]  # VLLM_ALLOW_LONG_MAX_MODEL_LEN is read by 0.8.5
    assert "only from 0.17.0 on" in found[0].message and "vLLM 0.8.5" in found[0].message


def test_official_fork_and_custom_images(tmp_path):
    found = lint(tmp_path, "compose-mixed.yml", as_name="docker-compose.yml")
    by_line = {d.line: d for d in found}
    # the ROCm fork's own variables (lines 12-13) are not judged
    assert sorted(by_line) == [5, 7, 19]
    # --fail-on-environ-validation on 0.20.0: an unknown VLLM_* variable stops the start
    assert by_line[5].severity == Severity.ERROR and "refuses to start" in by_line[5].message
    assert by_line[7].severity == Severity.ERROR and "0.5.5-0.15.1" in by_line[7].message
    # a custom image: the did-you-mean holds only if it runs a release, and says so
    assert by_line[19].severity == Severity.WARNING and "if image ghcr.io/example/vllm-server:1.4" in by_line[19].message


def test_moving_tag_bounds_the_releases(tmp_path):
    found = lint(tmp_path, "moving-tag.yml", as_name="docker-compose.yml")
    assert [d.line for d in found] == [5, 6]
    assert all("none of these releases reads it" in d.message for d in found)
    assert any("--attention-backend" in n for n in found[0].notes)


def test_unknown_release_keeps_real_variables_silent(tmp_path):
    (tmp_path / "docker-compose.yml").write_text(
        "services:\n  v:\n    image: ${VLLM_IMAGE}\n    environment:\n      VLLM_USE_V1: '0'\n"
        "    command: vllm serve Qwen/Qwen2.5-0.5B-Instruct\n")
    res = lint_paths([tmp_path / "docker-compose.yml"], LintOptions(select=["VL215"]))
    assert not [d for d in res.diagnostics if d.rule == "VL215"]


def test_value_passed_through_from_the_host_is_not_a_read_back(tmp_path):
    (tmp_path / "docker-compose.yml").write_text(
        "services:\n  v:\n    image: vllm/vllm-openai:v0.10.2\n    environment:\n"
        "      - VLLM_ATTENTION_BACKEN=${VLLM_ATTENTION_BACKEN:-FLASHINFER}\n"
        "    command: [--model, Qwen/Qwen2.5-0.5B-Instruct]\n")
    res = lint_paths([tmp_path / "docker-compose.yml"], LintOptions(select=["VL215"]))
    assert [d.line for d in res.diagnostics if d.rule == "VL215"] == [5]


def test_variable_read_by_the_script_the_container_runs(tmp_path):
    (tmp_path / "docker-compose.yml").write_text(
        "services:\n  vllm:\n    image: vllm/vllm-openai:v0.10.2\n    environment:\n"
        "      VLLM_MODEL: Qwen/Qwen2.5-0.5B-Instruct\n    volumes:\n      - ./start.sh:/start.sh\n"
        "    entrypoint: [\"/bin/bash\", \"/start.sh\"]\n")
    (tmp_path / "start.sh").write_text('#!/bin/bash\nexec vllm serve "$VLLM_MODEL"\n')
    res = lint_paths([tmp_path], LintOptions(select=["VL215"]))
    assert not [d for d in res.diagnostics if d.rule == "VL215"]
