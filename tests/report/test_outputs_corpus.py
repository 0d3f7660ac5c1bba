"""The GitHub and SARIF outputs of a real run over the corpus (real sources and rules)."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

from vllm_lint.report.github import write_github
from vllm_lint.report.sarif import write_sarif

SCHEMA = Path(__file__).resolve().parents[1] / "data" / "schemas" / "sarif-2.1.0.json"
_COMMAND = re.compile(r"^::(error|warning|notice) (?:[a-zA-Z]+=[^,:]*)(?:,[a-zA-Z]+=[^,:]*)*::[^\r\n]*$")


@pytest.fixture(scope="module")
def corpus_result(corpus_lint):
    return corpus_lint("L4")


@pytest.mark.shared
def test_corpus_sarif_validates(corpus_result):
    from jsonschema import Draft4Validator

    out = io.StringIO()
    write_sarif(corpus_result, out)
    log = json.loads(out.getvalue())
    errors = list(Draft4Validator(json.loads(SCHEMA.read_text(encoding="utf-8"))).iter_errors(log))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]
    results = log["runs"][0]["results"]
    assert len(results) == len([d for d in corpus_result.diagnostics if not d.path.startswith("<")]) > 0
    for r in results:
        assert r["locations"]
        for loc in r["locations"]:
            uri = loc["physicalLocation"]["artifactLocation"]["uri"]
            assert not uri.startswith(("/", "file:", "..")), uri
            reg = loc["physicalLocation"]["region"]
            assert reg["startColumn"] >= 1 and reg["endColumn"] >= 1 and reg["endLine"] >= reg["startLine"]
    ids = {r["id"] for r in log["runs"][0]["tool"]["driver"]["rules"]}
    assert {r["ruleId"] for r in results} <= ids


@pytest.mark.shared
def test_corpus_github_commands_are_well_formed(corpus_result, monkeypatch):
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    out = io.StringIO()
    write_github(corpus_result, out)
    lines = out.getvalue().splitlines()
    assert len(lines) == len(corpus_result.diagnostics) > 0
    for line in lines:
        assert _COMMAND.match(line), line
        props = dict(p.split("=", 1) for p in line.split("::")[1].split(" ", 1)[1].split(","))
        if "col" in props:
            assert props["line"] == props["endLine"]
