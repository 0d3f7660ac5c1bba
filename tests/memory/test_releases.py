"""The release table (memory/releases.py): one place for per-release memory behaviour, folded in order,
the only place in memory/ that compares versions, and the source of the texts users read."""

from __future__ import annotations

import ast
import json
import re
from dataclasses import fields
from pathlib import Path

import jsonschema
import pytest
import yaml

import vllm_lint
from vllm_lint.hardware.gpus import resolve_gpu
from vllm_lint.memory.activation import cuda_graph_bytes
from vllm_lint.memory.engine import runtime
from vllm_lint.memory.estimate import estimate
from vllm_lint.memory.releases import ROWS, MemoryProfile, cuda_graph_statement, era_text, release, rows_changing
from vllm_lint.memory.settings import EngineSettings
from vllm_lint.rule_meta import rules_dir
from vllm_lint.vllm.versions import KNOWN_VERSIONS, parse_version
from memory_helpers import LLAMA31_8B, arch

PACKAGE = Path(vllm_lint.__file__).parent
# Everything that computes or states capacity; the table itself is the one exception.
CAPACITY_CODE = sorted((PACKAGE / "memory").glob("*.py")) + [
    PACKAGE / "capacity_cmd.py", PACKAGE / "report" / "capacity.py", PACKAGE / "rules" / "capacity.py"]
VERSION_TEXT = re.compile(r"^v?\d+\.\d+(\.\d+)?(\.post\d+)?$")
COMPARISONS = {"at_least", "version_tuple"}  # parse_version is a comparison only inside a Compare


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                ids.add(id(first.value))
    return ids


def version_comparisons(path: Path) -> list[str]:
    """Calls of version helpers and version-looking string constants (outside docstrings) in one module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = _docstrings(tree)
    found = []
    for node in ast.walk(tree):
        validity = isinstance(node, ast.Compare) and all(isinstance(op, (ast.Is, ast.IsNot)) for op in node.ops)
        if isinstance(node, ast.Compare) and not validity:
            for part in ast.walk(node):
                if isinstance(part, ast.Call) and getattr(part.func, "id", getattr(part.func, "attr", "")) \
                        == "parse_version":
                    found.append(f"{path.name}:{node.lineno}: compares parse_version")
        if isinstance(node, ast.Name) and node.id in COMPARISONS:
            found.append(f"{path.name}:{node.lineno}: {node.id}")
        elif isinstance(node, ast.Attribute) and node.attr in COMPARISONS:
            found.append(f"{path.name}:{node.lineno}: .{node.attr}")
        elif isinstance(node, ast.alias) and node.name in COMPARISONS:
            found.append(f"{path.name}: imports {node.name}")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs \
                and VERSION_TEXT.match(node.value.strip()):
            found.append(f"{path.name}:{node.lineno}: {node.value!r}")
    return found


def test_only_the_release_table_compares_versions():
    offenders = [hit for p in CAPACITY_CODE if p.name != "releases.py" for hit in version_comparisons(p)]
    assert offenders == []


def test_the_check_finds_a_comparison(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text('from vllm_lint.vllm.versions import at_least, parse_version\n\n'
                      'def f(v):\n    """Since 0.6.0."""\n    return at_least(v, "0.6.0")\n\n'
                      'def g(v):\n    return parse_version(v) >= (0, 6)\n', encoding="utf-8")
    hits = version_comparisons(sample)
    assert any("imports at_least" in h for h in hits) and any("'0.6.0'" in h for h in hits)
    assert any("compares parse_version" in h for h in hits)
    assert not any("Since" in h for h in hits)


def test_rows_are_ordered_and_the_first_sets_every_field():
    keys = [parse_version(r.since) for r in ROWS]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    names = {f.name for f in fields(MemoryProfile)} - {"version"}
    assert set(ROWS[0].changes) == names
    for row in ROWS:
        assert set(row.changes) <= names, row.since
        assert row.what and row.changes, row.since


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.since)
def test_each_row_takes_effect_at_its_release(row):
    rel = release(row.since)
    for name, value in row.changes.items():
        assert getattr(rel, name) == value
    if row is not ROWS[0]:
        major, minor, patch, _ = parse_version(row.since)
        earlier = f"{major}.{minor}.{patch - 1}" if patch else f"{major}.{minor - 1}.99"
        before = release(earlier)
        assert any(getattr(before, name) != value for name, value in row.changes.items()), row.since


def test_unknown_and_missing_versions_mean_the_newest_release():
    newest = release(KNOWN_VERSIONS[-1])
    assert release(None) == newest and release("banana") == newest
    assert release("0.3.0").engine_default == "v0"  # before the first row: the first row's behaviour


def test_cuda_graph_statement_matches_what_the_estimate_does():
    """One statement of which releases subtract CUDA-graph memory, generated from the rows and
    checked against the estimate over every known release and both model runners."""
    graphs = dict(enforce_eager=False, layers_on_rank=32, capture_size=512, env={})
    first = {}
    for version in KNOWN_VERSIONS:
        for runner in ("v1", "v2"):
            rt = runtime(version, env={"VLLM_USE_V2_MODEL_RUNNER": "1" if runner == "v2" else "0"})
            if rt.runner == runner and cuda_graph_bytes(rt, **graphs) > 0:
                first.setdefault(runner, version)
    text = cuda_graph_statement()
    assert f"from {first['v1'].rsplit('.', 1)[0]} with the V1 model runner" in text
    assert f"from {first['v2'].rsplit('.', 1)[0]} with Model Runner V2" in text


def test_vl101_states_the_generated_cuda_graph_statement():
    doc = yaml.safe_load((rules_dir() / "VL101.yaml").read_text(encoding="utf-8"))
    words = " ".join((doc["what"] + " " + doc["why"]).split())
    assert " ".join(cuda_graph_statement().split()) in words


def test_era_texts_are_generated_from_the_rows():
    llama = arch(dict(LLAMA31_8B, architectures=["LlamaForCausalLM"]))
    cap = estimate(llama, resolve_gpu("H200"), EngineSettings(), "0.26.0")
    assert cap.era_text == era_text("0.26.0", "v1", "v2")
    assert cap.era_text.startswith("vLLM 0.20–0.32 V1 engine, Model Runner V2")
    assert "utilization default 0.92" in cap.era_text and "outside the budget" in cap.era_text
    assert era_text("0.4.0", "v0", "v0").startswith("vLLM 0.4–0.5 V0 engine")
    assert era_text("0.8.5", "v0", "v0").startswith("vLLM 0.6–0.10 V0 engine")
    assert era_text("0.10.2", "v1", "v1").startswith("vLLM 0.8–0.19 V1 engine, V1 model runner")
    assert era_text("0.33.0", "v1", "v2").startswith("vLLM 0.33+ V1 engine, Model Runner V2")
    assert rows_changing("default_utilization")[-1][:2] == ("0.20.0", 0.92)


@pytest.mark.parametrize("name", ["model_runner_v2", "tower_modalities", "uncertainty"])
def test_memory_data_files_match_their_schemas(name):
    data_dir = PACKAGE / "memory" / "data"
    schema = json.loads((data_dir / f"{name}.schema.json").read_text(encoding="utf-8"))
    data = json.loads((data_dir / f"{name}.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(data, schema)
    assert schema.get("additionalProperties") is False
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**data, "extra": 1}, schema)
