"""action.yml: valid against the GitHub Action metadata schema, and its run step assembles the
vllm-lint command lines from the inputs (run with bash and a stand-in interpreter)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
SCHEMA = REPO / "tests" / "data" / "schemas" / "github-action.json"


def _action() -> dict:
    return yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))


def _validator():
    from jsonschema import Draft7Validator

    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    Draft7Validator.check_schema(schema)
    return Draft7Validator(schema)


def test_action_validates_against_the_schema():
    errors = list(_validator().iter_errors(_action()))
    assert not errors, [e.message for e in errors]


def test_schema_rejects_a_broken_action():
    broken = _action()
    broken["runs"]["steps"][0].pop("shell")  # composite run steps need a shell
    broken["inputs"]["paths"]["bogus"] = 1
    assert list(_validator().iter_errors(broken))


def test_inputs_and_composite_form():
    a = _action()
    assert set(a["inputs"]) == {"paths", "gpu", "vllm-version", "fail-on", "args", "sarif"}
    assert a["runs"]["using"] == "composite"
    install = a["runs"]["steps"][0]["run"]
    assert '"$GITHUB_ACTION_PATH"' in install  # installs from the action's own checkout
    for step in a["runs"]["steps"]:
        # inputs only through env: a `${{ inputs.x }}` inside a script is a shell-injection hole
        assert "${{" not in step.get("run", ""), step["name"]


FAKE_PY = """#!/usr/bin/env bash
# stands in for the venv's python: records argv, writes the SARIF file it is asked for
printf '%s\\n' "$@" > "$LOG_DIR/call$(ls "$LOG_DIR" | wc -l | tr -d ' ')"
prev=""
for a in "$@"; do
  if [ "$prev" = "--output-file" ]; then echo '{"version": "2.1.0"}' > "$a"; fi
  prev="$a"
done
exit "${FAKE_STATUS:-0}"
"""


def _run_step(tmp_path: Path, inputs: dict[str, str], status: int = 0):
    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("bash not available")
    step = [s for s in _action()["runs"]["steps"] if s.get("id") == "lint"][0]
    logs = tmp_path / "calls"
    logs.mkdir()
    fake = tmp_path / "fakepy"
    fake.write_text(FAKE_PY)
    fake.chmod(0o755)
    out_file = tmp_path / "github_output"
    out_file.write_text("")
    env = {"PATH": os.environ["PATH"], "VLLM_LINT_PYTHON": str(fake), "LOG_DIR": str(logs),
           "GITHUB_OUTPUT": str(out_file), "FAKE_STATUS": str(status)}
    defaults = {k: str(v.get("default", "")) for k, v in _action()["inputs"].items()}
    merged = {**defaults, **inputs}
    for key in step["env"]:
        env[key] = merged[key.removeprefix("INPUT_").lower().replace("_", "-")]
    proc = subprocess.run([bash, "-e", "-c", step["run"]], cwd=tmp_path, env=env, capture_output=True, text=True)
    calls = [(logs / f"call{i}").read_text().splitlines() for i in range(len(list(logs.iterdir())))]
    return proc, calls, out_file.read_text()


def test_run_step_defaults(tmp_path):
    proc, calls, outputs = _run_step(tmp_path, {})
    assert proc.returncode == 0, proc.stderr
    assert calls == [["-m", "vllm_lint", "--format", "github", "."]]
    assert outputs == "sarif=\n"


def test_run_step_with_every_input(tmp_path):
    proc, calls, outputs = _run_step(tmp_path, {
        "paths": "deploy/ charts/*.yaml\nk8s", "gpu": "H100:8", "vllm-version": "0.8.5", "fail-on": "error",
        "args": "--select VL1,VL2 --values charts/prod.yaml", "sarif": "out/vllm-lint.sarif"})
    assert proc.returncode == 0, proc.stderr
    common = ["-m", "vllm_lint", "--gpu", "H100:8", "--vllm-version", "0.8.5", "--fail-on", "error", "--select", "VL1,VL2", "--values", "charts/prod.yaml"]
    paths = ["deploy/", "charts/*.yaml", "k8s"]  # no glob expansion by the action
    assert calls[0] == [*common, "--format", "sarif", "--output-file", "out/vllm-lint.sarif", "--exit-zero", *paths]
    assert calls[1] == [*common, "--format", "github", *paths]
    assert (tmp_path / "out" / "vllm-lint.sarif").is_file()
    assert outputs == "sarif=out/vllm-lint.sarif\n"


def test_run_step_fails_on_findings(tmp_path):
    proc, calls, _ = _run_step(tmp_path, {"gpu": "$(touch pwned)"}, status=1)
    assert proc.returncode == 1
    assert calls[-1][2:4] == ["--gpu", "$(touch pwned)"] and not (tmp_path / "pwned").exists()
