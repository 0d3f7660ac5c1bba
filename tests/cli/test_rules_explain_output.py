"""`vllm-lint rules` and `vllm-lint explain` on terminals of 60, 80 and 120 columns and piped:
rule names are never shortened, code blocks never cropped or padded."""

from __future__ import annotations

import pytest

from terminal_screen import ROOT, run_in_terminal
from vllm_lint.cli import main
from vllm_lint.report.explain import rule_markdown
from vllm_lint.rule_meta import all_meta

WIDTHS = (60, 80, 120)


@pytest.mark.parametrize("width", WIDTHS)
def test_rules_shows_every_name_whole_on_a_terminal(width):
    rows = run_in_terminal(["rules"], width, cwd=ROOT, color=False)
    by_id = {row.split()[0]: row.split() for row in rows if row[:2] == "VL"}
    for rule_id, m in all_meta().items():
        assert by_id[rule_id][1] == m.name, (rule_id, by_id.get(rule_id))
        assert by_id[rule_id][2] == m.severity.value
    text = " ".join(" ".join(rows).split())
    for m in all_meta().values():
        assert " ".join(m.summary.split()) in text  # summaries wrapped, not cut


def test_rules_piped_is_one_unpadded_line_per_rule(capsys):
    assert main(["rules"]) == 0
    lines = capsys.readouterr().out.splitlines()
    metas = sorted(all_meta().values(), key=lambda m: m.id)
    assert len(lines) == len(metas)
    for line, m in zip(lines, metas):
        assert line.split()[:3] == [m.id, m.name, m.severity.value]
        assert line.endswith(m.summary) and line == line.rstrip()


def test_explain_piped_prints_the_markdown_unpadded(capsys):
    assert main(["explain", "VL101"]) == 0
    out = capsys.readouterr().out
    assert out == rule_markdown(all_meta()["VL101"])
    assert all(line == line.rstrip() for line in out.splitlines())


@pytest.mark.parametrize("width", WIDTHS)
def test_explain_wraps_code_blocks_instead_of_cropping_them(width):
    rows = run_in_terminal(["explain", "VL101"], width, cwd=ROOT, color=False)
    good = all_meta()["VL101"].examples["good"][0]["content"]
    longest = max(good.splitlines(), key=len)
    assert len(longest) > 80
    shown = " ".join(" ".join(rows).split())
    assert longest in shown
    assert max(len(r) for r in rows) <= width
