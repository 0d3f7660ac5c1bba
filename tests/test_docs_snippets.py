"""The pre-commit and GitHub snippets of docs/github.md (copied into the README) are valid:
the workflow against SchemaStore's workflow schema, the pre-commit config by pre-commit itself."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "github.md"


def _yaml_blocks() -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)


def _block(marker: str) -> dict:
    (text,) = [b for b in _yaml_blocks() if marker in b]
    return yaml.safe_load(text)


def test_workflow_snippet_is_a_valid_workflow_using_the_action():
    from jsonschema import Draft7Validator

    schema = json.loads((REPO / "tests" / "data" / "schemas" / "github-workflow.json").read_text(encoding="utf-8"))
    workflow = _block("jobs:")
    # PyYAML reads the key `on` as YAML 1.1's boolean; GitHub reads it as the string "on".
    if True in workflow:
        workflow["on"] = workflow.pop(True)
    errors = list(Draft7Validator(schema).iter_errors(workflow))
    assert not errors, [e.message for e in errors]
    steps = workflow["jobs"]["vllm-lint"]["steps"]
    ours = [s for s in steps if s.get("uses", "").startswith("vllm-lint/vllm-lint@")]
    assert len(ours) == 1
    action = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
    assert set(ours[0]["with"]) <= set(action["inputs"])
    upload = [s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif@")]
    assert upload and upload[0]["with"]["sarif_file"] == ours[0]["with"]["sarif"]
    assert workflow["permissions"]["security-events"] == "write"


def test_precommit_snippet_is_a_valid_config_naming_our_hook(tmp_path):
    from pre_commit.clientlib import load_config

    config = _block("repos:")
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert config["repos"][0]["hooks"][0]["id"] in {h["id"] for h in hooks}
    path = tmp_path / ".pre-commit-config.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    load_config(str(path))  # raises on an invalid config
