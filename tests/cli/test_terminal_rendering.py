"""The text report as a user sees it on 60-, 80- and 120-column terminals: a real pseudo-terminal
read through pyte's emulation, and rich's recorder, must agree with each other and with the
snapshots in tests/cli/snapshots/ (regenerate with VLLM_LINT_UPDATE_SNAPSHOTS=1 after a wanted
change, and read the diff)."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pytest
from rich.cells import cell_len
from rich.console import Console

from vllm_lint.resolve.context import RunOptions
from vllm_lint.lint import LintOptions, lint_paths
from vllm_lint.report.frame import fit_line
from vllm_lint.report.text import write_text
from terminal_screen import run_in_terminal

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures" / "render"
SNAPSHOTS = HERE / "snapshots"
ARGS = [".", "--select", "VL2,VL505", "--vllm-version", "0.10.2"]
WIDTHS = (60, 80, 120)


@pytest.fixture(scope="module")
def screens() -> dict[int, list[str]]:
    return {w: run_in_terminal(ARGS, w, cwd=FIXTURES) for w in WIDTHS}


def _recorded(width: int) -> list[str]:
    cwd = os.getcwd()
    os.chdir(FIXTURES)
    try:
        result = lint_paths([Path(".")], LintOptions(run=RunOptions(vllm_version="0.10.2"), select=["VL2", "VL505"]))
        console = Console(file=io.StringIO(), record=True, width=width, force_terminal=True, color_system=None,
                          highlight=False, emoji=False)
        write_text(result, console, width=width)
    finally:
        os.chdir(cwd)
    lines = [line.rstrip() for line in console.export_text().splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    return lines


@pytest.mark.parametrize("width", WIDTHS)
def test_terminal_matches_snapshot(screens, width):
    snap = SNAPSHOTS / f"render-{width}.txt"
    shown = "\n".join(screens[width]) + "\n"
    if os.environ.get("VLLM_LINT_UPDATE_SNAPSHOTS"):
        snap.write_text(shown, encoding="utf-8")
    assert shown == snap.read_text(encoding="utf-8")


@pytest.mark.parametrize("width", WIDTHS)
def test_recorder_and_terminal_agree(screens, width):
    """Every row the report prints fits the terminal: the emulator wrapped nothing by itself."""
    recorded = _recorded(width)
    assert all(cell_len(line) <= width for line in recorded)
    assert recorded == screens[width]


@pytest.mark.parametrize("width", WIDTHS)
def test_carets_stay_under_their_text(screens, width):
    rows = screens[width]
    carets = [i for i, row in enumerate(rows) if re.match(r"^ +\| +\^+$", row)]
    assert len(carets) == 4
    for i in carets:
        source, caret = rows[i - 1], rows[i]
        at = caret.index("^")
        # the caret's cell column, read off the source row above it (wide characters take two cells)
        prefix = next(k for k in range(len(source) + 1) if cell_len(source[:k]) >= at)
        under = source[prefix:prefix + caret.count("^")]
        assert under.startswith(("--max-model-length", "--enable-chunked", "${HF_HOME}")), (source, caret)


@pytest.mark.parametrize("width", WIDTHS)
def test_long_source_lines_are_cut_with_an_ellipsis_not_wrapped(screens, width):
    rows = screens[width]
    line3 = [r for r in rows if r.startswith("  3 |")]
    assert len(line3) == 1
    assert ("…" in line3[0]) == (width < 160)


@pytest.mark.parametrize("width", WIDTHS)
def test_wrapped_notes_keep_their_gutter(screens, width):
    rows = screens[width]
    for i, row in enumerate(rows):
        if row.startswith("  = note: use $(HF_HOME)"):
            following = rows[i + 1:]
            cont = following[:next((k for k, r in enumerate(following) if not r.startswith(" " * 10)), len(following))]
            text = " ".join([row[len("  = note: "):], *(r.strip() for r in cont)])
            assert text.endswith("render the manifest with envsubst before applying")
            assert cont  # wrapped at every one of these widths
            assert not any(r.startswith("= ") or r[:1].strip() for r in cont)
            return
    pytest.fail("VL505 note not shown")


@pytest.mark.parametrize("width", WIDTHS)
def test_prose_wraps_at_word_boundaries(screens, width):
    words = set(" ".join(_recorded(10_000)).split())
    for row in screens[width]:
        if row.startswith(("  ", "    |")) or not row:
            continue
        for word in row.split():
            assert word in words or "…" in word, (word, row)


def test_line_continuation_backslash_prints_once(screens):
    for rows in screens.values():
        row = next(r for r in rows if r.startswith("  6 |"))
        assert row == "  6 |   --enable-chunked-prefill=false \\"


def test_piped_output_is_neither_wrapped_nor_cut(tmp_path):
    lines = _recorded(10_000)
    result_line = next(r for r in lines if r.startswith("  3 |"))
    assert "…" not in result_line and result_line.endswith("--max-model-length 4096")


@pytest.mark.parametrize("text,start,end,width,shown,caret", [
    ("0123456789", 2, 4, None, "0123456789", (2, 2)),
    ("0123456789", 2, 4, 10, "0123456789", (2, 2)),
    ("a" * 30 + "SPAN" + "b" * 30, 30, 34, 20, "…aaaaaaaSPANbbbbbbb…", (8, 4)),
    ("a" * 30 + "SPAN", 30, 34, 20, "…aaaaaaaaaaaaaaaSPAN", (16, 4)),
    ("SPAN" + "b" * 30, 0, 4, 20, "SPANbbbbbbbbbbbbbbb…", (0, 4)),
    ("a" * 30 + "S" * 40, 30, 70, 20, "…SSSSSSSSSSSSSSSSSS…", (1, 18)),
    ("a" * 40, 40, 40, 20, "…aaaaaaaaaaaaaaaaaa", (19, 1)),  # a caret after the end keeps its cell
    ("模型" * 20 + "SPAN", 40, 44, 21, "…模型模型模型模型SPAN", (17, 4)),
])
def test_fit_line(text, start, end, width, shown, caret):
    fitted = fit_line(text, start, end, width)
    assert (fitted.text, (fitted.caret_at, fitted.caret_len)) == (shown, caret)
    if width is not None:
        assert cell_len(fitted.text) <= width


@pytest.mark.parametrize("width", [32, 40, 50])
def test_narrow_terminals_get_no_row_wider_than_themselves(width):
    assert all(cell_len(line) <= width for line in _recorded(width))
