from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from vllm_lint.report.sarif import build_sarif, write_sarif

from report_helpers import COMPOSE, sample_result

SCHEMA = Path(__file__).resolve().parents[1] / "data" / "schemas" / "sarif-2.1.0.json"


@pytest.fixture(scope="module")
def validator():
    from jsonschema import Draft4Validator

    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    Draft4Validator.check_schema(schema)
    return Draft4Validator(schema)


def _log():
    out = io.StringIO()
    write_sarif(sample_result(), out)
    return json.loads(out.getvalue())


def test_validates_against_the_official_schema(validator):
    log = _log()
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors]


def test_invalid_output_would_fail(validator):
    log = _log()
    log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startColumn"] = 0
    assert list(validator.iter_errors(log))


def test_rules_carry_what_code_scanning_needs():
    log = _log()
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert rules
    for r in rules:
        assert r["fullDescription"]["text"] and r["help"]["text"] and r["shortDescription"]["text"]
        assert r["helpUri"].endswith(f"docs/rules/{r['id']}.md")
        assert r["defaultConfiguration"]["level"] in ("error", "warning", "note")


def test_results_regions_levels_fixes():
    log = _log()
    run = log["runs"][0]
    results = run["results"]
    assert len(results) == 3  # the suppressed finding is left out; <project> is a notification
    flag, cap, multi = results
    assert flag["ruleId"] == "VL201" and flag["level"] == "warning"
    loc = flag["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"] == {"uri": "deploy/docker-compose.yml", "uriBaseId": "%SRCROOT%"}
    line7 = COMPOSE.splitlines()[6]
    col = line7.index("--max_model_len") + 1
    assert loc["region"] == {"startLine": 7, "startColumn": col, "endLine": 7, "endColumn": col + len("--max_model_len")}
    change = flag["fixes"][0]["artifactChanges"][0]
    assert change["replacements"][0]["insertedContent"]["text"] == "--max-model-len"
    assert change["replacements"][0]["deletedRegion"] == loc["region"]
    assert cap["level"] == "error" and "only 3.20 GiB" in cap["message"]["text"]
    assert "unsafe" in cap["fixes"][0]["description"]["text"]
    assert multi["level"] == "note" and multi["locations"][0]["physicalLocation"]["region"]["endLine"] == 8
    assert all(len(r["locations"]) == 1 for r in results)  # code scanning needs a location
    (note,) = run["invocations"][0]["toolExecutionNotifications"]
    assert note["level"] == "error" and note["message"]["text"] == "VL000 boom"
    assert run["invocations"][0]["executionSuccessful"] is True
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"].startswith("file://")
    for r in results:
        if "locations" in r:
            reg = r["locations"][0]["physicalLocation"]["region"]
            assert reg["startColumn"] >= 1 and reg["endColumn"] >= 1


def test_fingerprints_survive_line_moves_and_differ_between_findings():
    a = build_sarif(sample_result())["runs"][0]["results"]
    moved = sample_result()
    from vllm_lint.sources.base import SourceFile

    # the same file with two lines inserted at the top: spans move, content does not
    text = "# header\n# more\n" + COMPOSE
    src = SourceFile.from_text(text, display="deploy/docker-compose.yml")
    moved.sources = {src.display: src}
    for d in moved.diagnostics:
        if d.span is not None:
            d.span = src.span(d.span.start + 16, d.span.end + 16)
    b = build_sarif(moved)["runs"][0]["results"]
    fa = [r["partialFingerprints"] for r in a]
    fb = [r["partialFingerprints"] for r in b]
    assert fa == fb
    assert len({json.dumps(f) for f in fa}) == len(fa)


def test_uris_are_percent_encoded_and_relative():
    from vllm_lint.report.sarif import artifact_uri

    assert artifact_uri("./charts/my chart/values.yaml") == "charts/my%20chart/values.yaml"


def test_file_outside_the_root_gets_an_absolute_file_uri(validator):
    from vllm_lint.report.sarif import artifact_location

    assert artifact_location("/srv/deploy/a b.yaml") == {"uri": "file:///srv/deploy/a%20b.yaml"}
    result = sample_result()
    result.diagnostics[0].path = "/srv/deploy/compose.yaml"
    log = build_sarif(result)
    assert log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"] == {"uri": "file:///srv/deploy/compose.yaml"}
    assert not list(validator.iter_errors(log))


def test_rule_and_tool_links_share_the_project_homepage():
    """informationUri, each helpUri and pyproject's Homepage are one URL, kept in vllm_lint.HOMEPAGE."""
    import re
    from pathlib import Path

    from vllm_lint import HOMEPAGE
    from vllm_lint.report.sarif import INFORMATION_URI
    from vllm_lint.rule_meta import all_meta

    assert INFORMATION_URI == HOMEPAGE
    meta = all_meta()["VL101"]
    assert meta.help_uri == f"{HOMEPAGE}/blob/main/docs/rules/VL101.md"
    assert (Path(__file__).resolve().parents[2] / "docs" / "rules" / "VL101.md").is_file()
    pyproject = (Path(__file__).resolve().parents[2] / "pyproject.toml").read_text()
    assert re.search(r'^Homepage = "' + re.escape(HOMEPAGE) + '"$', pyproject, re.M)
