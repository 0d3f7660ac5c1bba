from __future__ import annotations

import io
import re

from vllm_lint.report.github import annotation, escape_data, escape_property, write_github

from report_helpers import sample_result


def _props(line: str) -> dict[str, str]:
    m = re.match(r"^::(error|warning|notice) ([^:]*)::(.*)$", line)
    assert m, line
    return dict(p.split("=", 1) for p in m.group(2).split(","))


def test_escaping_follows_the_runner():
    assert escape_data("50% a\r\nb") == "50%25 a%0D%0Ab"
    assert escape_property("a:b,c%") == "a%3Ab%2Cc%25"


def test_one_command_per_finding_with_positions(monkeypatch, tmp_path):
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    result = sample_result()
    out = io.StringIO()
    write_github(result, out)
    lines = out.getvalue().splitlines()
    assert len(lines) == len(result.diagnostics)
    flag, cap, multi, internal = lines
    assert flag.startswith("::warning ")
    p = _props(flag)
    assert p == {"file": "deploy/docker-compose.yml", "line": "7", "endLine": "7", "col": "9",
                 "endColumn": "24", "title": "vllm-lint VL201 (flag-spelling)"}
    # message: % escaped, the ',' and ':' stay as they are in data
    assert flag.split("::", 2)[2].startswith("VL201 `--max_model_len` is spelled `--max-model-len`, 50%25 of users: a,b%0Afix: rename")
    assert cap.startswith("::error ")
    assert "%0Aonly 3.20 GiB is free%0Anote: weights 14.2 GiB%0Afix (unsafe" in cap
    assert multi.startswith("::notice ")
    pm = _props(multi)
    assert pm["line"] == "2" and pm["endLine"] == "8" and "col" not in pm and "endColumn" not in pm
    assert "file" not in _props(internal)


def test_property_values_are_escaped():
    d = sample_result().diagnostics[0]
    d.path = "a,b:c.yaml"
    assert "file=a%2Cb%3Ac.yaml," in annotation(d)


def test_step_summary_lists_every_finding(monkeypatch, tmp_path):
    summary = tmp_path / "summary.md"
    summary.write_text("previous step\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    result = sample_result()
    # more than GitHub's 10 annotations per level
    result.diagnostics = result.diagnostics[:1] * 15
    write_github(result, io.StringIO())
    text = summary.read_text()
    assert text.startswith("previous step\n## vllm-lint\n")
    assert "15 warnings in 1 file." in text
    rows = [l for l in text.splitlines() if l.startswith("| warning |")]
    assert len(rows) == 15
    assert "VL201" in rows[0] and "flag-spelling" in rows[0] and "`deploy/docker-compose.yml`" in rows[0]
    assert "[VL201](https://github.com/vllm-lint/vllm-lint/blob/main/docs/rules/VL201.md)" in rows[0]
    assert "1 finding suppressed" in text


def test_summary_when_clean(monkeypatch, tmp_path):
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    result = sample_result()
    result.diagnostics = []
    result.suppressed = []
    out = io.StringIO()
    write_github(result, out)
    assert out.getvalue() == ""
    assert "All checks passed: 1 file, 0 vLLM launches." in summary.read_text()


def test_github_is_the_default_under_actions(tmp_path, monkeypatch, capsys):
    from vllm_lint.cli import main

    monkeypatch.chdir(tmp_path)
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    (tmp_path / "docker-compose.yml").write_text(
        "services:\n  vllm:\n<<<<<<< HEAD\n    image: a\n=======\n    image: b\n>>>>>>> x\n")
    assert main(["docker-compose.yml"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out and out[0].startswith("::error file=docker-compose.yml,line=3,endLine=3,col=1,")
    assert "VL003" in summary.read_text()
    monkeypatch.setenv("GITHUB_ACTIONS", "false")
    assert main(["docker-compose.yml"]) == 1
    assert not capsys.readouterr().out.startswith("::")
