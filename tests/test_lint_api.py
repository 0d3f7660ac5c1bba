"""The Python API refuses what the command line refuses: a rule selector that names no rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from vllm_lint.lint import LintOptions, lint_paths


@pytest.mark.parametrize("field,value,words", [
    ("select", ["VL9999"], "unknown rule 'VL9999'"),
    ("select", ["kv-cache-capacty"], "did you mean kv-cache-capacity"),
    ("ignore", ["VL1O1"], "did you mean VL101"),
])
def test_unknown_selectors_are_refused(tmp_path: Path, field: str, value: list[str], words: str) -> None:
    (tmp_path / "run.sh").write_text("#!/bin/sh\nvllm serve m --max-model-length 8192\n", encoding="utf-8")
    with pytest.raises(ValueError, match=words):
        lint_paths([tmp_path], LintOptions(**{field: value}))


def test_known_selectors_lint(tmp_path: Path) -> None:
    (tmp_path / "run.sh").write_text("#!/bin/sh\nvllm serve m --max-model-length 8192\n", encoding="utf-8")
    res = lint_paths([tmp_path], LintOptions(select=["VL2", "kv-cache-capacity"], ignore=["VL215"]))
    assert [d.rule for d in res.diagnostics] == ["VL201"]
