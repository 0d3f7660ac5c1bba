"""Every shipped data file that has a JSON schema beside it (``name.schema.json`` next to
``name.json``, or next to a family ``name-<key>.json``) validates against it."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "vllm_lint"
SCHEMAS = sorted(SRC.rglob("*.schema.json"))


def test_schemas_are_found():
    assert any(p.name == "non-vllm-options.schema.json" for p in SCHEMAS)


@pytest.mark.parametrize("schema_path", SCHEMAS, ids=lambda p: str(p.relative_to(SRC)))
def test_data_file_matches_its_schema(schema_path: Path):
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema.get("additionalProperties") is False, "a data schema must reject unknown keys"
    name = schema_path.name.replace(".schema.json", "")
    # name.json, or a family of files name-<key>.json (the per-release flags-<release>.json)
    data_paths = [schema_path.with_name(f"{name}.json")] + sorted(schema_path.parent.glob(f"{name}-*.json"))
    data_paths = [p for p in data_paths if p.is_file()]
    assert data_paths, f"no data file for {schema_path.name}"
    validator = jsonschema.Draft202012Validator(schema)
    for data_path in data_paths:
        validator.validate(json.loads(data_path.read_text(encoding="utf-8")))


def test_a_schema_rejects_an_unknown_key():
    schema = json.loads((SRC / "vllm" / "data" / "non-vllm-options.schema.json").read_text(encoding="utf-8"))
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"description": "x", "options": {"--top-p": "a sampling parameter"}, "extra": 1}, schema)


def test_every_data_file_has_a_schema_and_says_how_it_is_made():
    """Every shipped JSON data file has a schema beside it (its own or its family's) and is named in
    tools/README.md, which tells how to regenerate or edit it."""
    readme = (SRC.parents[1] / "tools" / "README.md").read_text(encoding="utf-8")
    data = [p for p in sorted(SRC.rglob("*.json")) if not p.name.endswith(".schema.json")]
    assert data
    for path in data:
        family = path.stem.split("-")[0] if path.stem.startswith("flags-") else path.stem
        assert path.with_name(f"{family}.schema.json").is_file(), f"{path.relative_to(SRC)} has no schema beside it"
        named = path.name if family == path.stem else f"{family}-<"
        assert named in readme, f"tools/README.md does not say how {path.relative_to(SRC)} is made"
