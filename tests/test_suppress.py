"""Inline directives, annotations and VL006 unused-suppression (with its fix), on real text."""

from __future__ import annotations

from pathlib import Path

from vllm_lint.config import FileConfig
from vllm_lint.resolve.context import LaunchContext
from vllm_lint.diagnostic import Diagnostic, Severity
from vllm_lint.fix import apply_edits, apply_fixes
from vllm_lint.launch import Launch
from vllm_lint.results import LintResult
from vllm_lint.lint import _apply_suppressions
from vllm_lint.rule_meta import all_meta
from vllm_lint.sources.base import SourceFile
from vllm_lint.suppress import annotation_suppressions, parse_directives

import pytest

from vllm_lint import rule_meta

_REAL = dict(all_meta())
_REAL_META = rule_meta.all_meta
FAKE = {
    "VL101": rule_meta.RuleMeta("VL101", "kv-cache-capacity", Severity.ERROR, "x."),
    "VL201": rule_meta.RuleMeta("VL201", "flag", Severity.WARNING, "x."),
}
ALL = set(_REAL) | set(FAKE)


@pytest.fixture(autouse=True)
def _rules(monkeypatch):
    """VL101/VL201 stand in for the capacity and flag rules whatever has landed yet."""
    metas = {**FAKE, **_REAL}
    monkeypatch.setattr(rule_meta, "all_meta", lambda: metas)


def _diag(src, line: int, rule="VL101", name="kv-cache-capacity", launch=None) -> Diagnostic:
    start = src.index.line_start(line)
    return Diagnostic(rule, name, Severity.ERROR, src.display, src.span(start, start + 1), "m", launch=launch)


def _run(text: str, diags_at: list, *, enabled=None, inline=True, launches=(), display="serve.sh"):
    src = SourceFile.from_text(text, display=display)
    r = LintResult(files=[display], sources={display: src})
    r.diagnostics = [_diag(src, *a) if isinstance(a, tuple) else _diag(src, a) for a in diags_at]
    for name, annots in launches:
        launch = Launch(display, name, "kubernetes", src.span(0, 1), facts={"annotations": annots})
        r.launches.append(LaunchContext(launch, src, FileConfig()))
    _apply_suppressions(r, {display: parse_directives(text)}, {display: enabled or ALL}, inline)
    return r, src


def test_trailing_covers_its_line_own_line_the_next_code_line():
    text = (
        "vllm serve a  # vllm-lint: disable=VL101 -- fits with 8k\n"   # 1
        "# vllm-lint: disable=VL1 -- measured on the node\n"          # 2
        "# another comment\n"                                          # 3
        "\n"                                                           # 4
        "vllm serve b\n"                                               # 5
        "vllm serve c\n"                                               # 6
    )
    r, _ = _run(text, [1, 5, 6])
    assert [d.line for d in r.suppressed] == [1, 5]
    assert [d.suppressed for d in r.suppressed] == ["fits with 8k", "measured on the node"]
    assert [d.line for d in r.diagnostics] == [6]


def test_ranges_and_file_scope_and_names():
    text = (
        "# vllm-lint: disable=kv-cache-capacity\n"  # 1
        "a\n"                                        # 2
        "b\n"                                        # 3
        "# vllm-lint: enable=kv-cache-capacity\n"   # 4
        "c\n"                                        # 5
        "# vllm-lint: disable-file=VL2\n"           # 6
        "d\n"                                        # 7
    )
    r, _ = _run(text, [2, 3, 5, (1, "VL201", "flag")])
    assert sorted(d.line for d in r.suppressed if d.rule == "VL101") == [2, 3]
    assert [d.line for d in r.diagnostics] == [5]
    assert [d.rule for d in r.suppressed if d.rule == "VL201"] == ["VL201"]


def test_no_inline_ignores_disregards_comments_and_annotations():
    text = "a  # vllm-lint: disable=VL101\n"
    r, _ = _run(text, [(1, "VL101", "kv-cache-capacity", "vllm")], inline=False,
                launches=[("vllm", {"ignore-check.vllm-lint.io/VL101": "why"})])
    assert len(r.diagnostics) == 1 and not r.suppressed


def test_kubernetes_annotation_suppresses_findings_of_its_launch_only():
    text = "a\nb\n"
    r, _ = _run(text, [(1, "VL101", "kv-cache-capacity", "vllm"), (2, "VL101", "kv-cache-capacity", "other")],
                launches=[("vllm", {"ignore-check.vllm-lint.io/VL101": "sized by hand", "app": "x"}), ("other", {})])
    assert [(d.launch, d.suppressed) for d in r.suppressed] == [("vllm", "sized by hand")]
    assert [d.launch for d in r.diagnostics] == ["other"]
    assert annotation_suppressions({"ignore-check.vllm-lint.io/VL2": ""})[0].reason.startswith("annotation")
    assert annotation_suppressions(["not", "a", "dict"]) == []


def test_directive_must_be_a_comment():
    d = parse_directives('echo "x#vllm-lint: disable"\nurl: http://h/#vllm-lint:disable\n')
    assert d.suppressions == []


def _unused(text: str, diags_at=(), enabled=None):
    r, src = _run(text, list(diags_at), enabled=enabled)
    return [d for d in r.diagnostics if d.rule == "VL006"], src, r


def test_unused_trailing_directive_is_reported_and_fixed_whole_file():
    text = "vllm serve a --max-model-len 4096   # vllm-lint: disable=VL101 -- old\nnext\n"
    found, src, _ = _unused(text)
    assert len(found) == 1
    d = found[0]
    assert d.line == 1 and d.severity == Severity.WARNING
    assert "VL101 found nothing on line 1" in d.message
    assert d.fix.safe
    assert apply_edits(src.text, list(d.fix.edits)) == "vllm serve a --max-model-len 4096\nnext\n"


def test_unused_own_line_range_removes_its_enable_too_crlf():
    text = "a\r\n# vllm-lint: disable=VL101\r\nb\r\n# vllm-lint: enable=VL101\r\nc\r\n"
    found, src, _ = _unused(text)
    assert len(found) == 1 and "on lines 3-4" in found[0].message
    assert apply_edits(src.text, list(found[0].fix.edits)) == "a\r\nb\r\nc\r\n"


def test_partly_used_directive_keeps_the_used_ids():
    text = "x  # vllm-lint: disable=VL101,VL201,VL999 -- why\n"
    found, src, r = _unused(text, [1])
    assert [d.line for d in r.suppressed] == [1]
    (d,) = found
    assert "VL201 found nothing" in d.message and "VL999 names no rule" in d.message
    assert apply_edits(src.text, list(d.fix.edits)) == "x  # vllm-lint: disable=VL101 -- why\n"


def test_used_and_unjudgeable_directives_are_not_reported():
    text = "x  # vllm-lint: disable=VL101\ny  # vllm-lint: disable=VL201\n# vllm-lint: gpu=L4\n"
    found, _, _ = _unused(text, [1], enabled=ALL - {"VL201"})  # VL201 not enabled
    assert found == []


def test_blanket_disable_unused_and_not_excused_by_itself():
    text = "x  # vllm-lint: disable\n"
    found, _, _ = _unused(text)
    assert len(found) == 1 and "suppresses nothing on line 1" in found[0].message


def test_vl006_can_be_silenced_and_is_off_when_not_selected():
    text = "# vllm-lint: disable-file=VL006\nx  # vllm-lint: disable=VL101\n"
    found, _, r = _unused(text)
    assert found == [] and [d.rule for d in r.suppressed] == ["VL006"]
    found, _, _ = _unused("x  # vllm-lint: disable=VL101\n", enabled=ALL - {"VL006"})
    assert found == []


def test_fix_of_unused_suppressions_round_trips_on_disk(tmp_path: Path):
    from vllm_lint.sources.readfile import load_source

    before = "\ufeffservices:\r\n  vllm:  # vllm-lint: disable=VL101\r\n    image: x\r\n"
    path = tmp_path / "docker-compose.yml"
    path.write_bytes(before.encode("utf-8"))
    src = load_source(path, str(path), "compose")
    r = LintResult(files=[src.display], sources={src.display: src})
    _apply_suppressions(r, {src.display: parse_directives(src.text)}, {src.display: ALL}, True)
    out = apply_fixes(r, unsafe=False, write=True)
    assert out.fixed == 1
    assert path.read_bytes() == "\ufeffservices:\r\n  vllm:\r\n    image: x\r\n".encode("utf-8")


def test_directive_after_a_comment_counts_as_own_line_and_keeps_the_comment():
    text = "# keep this note  # vllm-lint: disable=VL101\nvllm serve a\n"
    r, _ = _run(text, [2])
    assert [d.line for d in r.suppressed] == [2]
    found, src, _ = _unused("# keep this note  # vllm-lint: disable=VL101\nvllm serve a\n")
    assert apply_edits(src.text, list(found[0].fix.edits)) == "# keep this note\nvllm serve a\n"


def test_many_own_line_directives_stay_linear():
    from time_budgets import time_budget

    text = "# vllm-lint: disable=VL101\n" * 50_000 + "x\n"
    with time_budget(20):  # a quadratic scan needs billions of steps here
        d = parse_directives(text)
    assert len(d.suppressions) == 50_000 and {s.first_line for s in d.suppressions} == {50_001}


def test_thousands_of_unused_directives_are_bounded(tmp_path):
    from time_budgets import time_budget

    from vllm_lint.rules.hygiene_meta import MAX_PER_FILE

    text = "x  # vllm-lint: disable-file=VL101\n" * 20_000 + "# vllm-lint: disable\n" * 20_000 + "y\n"
    with time_budget(40):
        found, _, _ = _unused(text, [1, 2, 3])
    assert len(found) == MAX_PER_FILE
    assert "more unused suppressions" in found[-1].notes[0]


def test_verbose_cli_shows_the_reason(tmp_path, monkeypatch, capsys):
    from vllm_lint.cli import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    (tmp_path / "serve.sh").write_text(
        "#!/bin/sh\n# vllm-lint: disable-file=VL006 -- kept while migrating the old ids\n"
        "vllm serve Qwen/Qwen2.5-0.5B-Instruct  # vllm-lint: disable=VL999\n")
    assert main(["-v", "--no-color", "--select", "VL006", "serve.sh"]) == 0
    out = capsys.readouterr().out
    assert "serve.sh:3: VL006 suppressed: kept while migrating the old ids" in out
    assert main(["--no-inline-ignores", "-q", "--select", "VL006", "serve.sh"]) == 0  # no directives read at all


DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: vllm
spec:
  template:
    metadata:
      annotations:
        ignore-check.vllm-lint.io/kv-cache-capacity: "measured on the node"
    spec:
      nodeSelector:
        cloud.google.com/gke-accelerator: nvidia-l4
      containers:
        - name: vllm
          image: vllm/vllm-openai:v0.10.2
          args: ["--model", "meta-llama/Llama-3.1-8B-Instruct", "--max-model-len", "65536"]
          resources:
            limits:
              nvidia.com/gpu: 1
"""


def test_annotation_through_the_kubernetes_source(tmp_path, monkeypatch):
    from vllm_lint.lint import LintOptions, lint_paths

    monkeypatch.setattr(rule_meta, "all_meta", _REAL_META)
    path = tmp_path / "deploy.yaml"
    path.write_text(DEPLOYMENT)
    result = lint_paths([path], LintOptions(select=["VL101"]))
    assert [(d.rule, d.suppressed) for d in result.suppressed] == [("VL101", "measured on the node")]
    assert result.diagnostics == []
    audit = lint_paths([path], LintOptions(select=["VL101"], inline_ignores=False))
    assert [d.rule for d in audit.diagnostics] == ["VL101"] and audit.suppressed == []
