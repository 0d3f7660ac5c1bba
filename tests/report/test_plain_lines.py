"""Piped text output is written without rich (``report.lines.PlainLines``) and must be exactly what
the rich Console the CLI would otherwise build writes off a terminal."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from rich.console import Console

from vllm_lint.lint import LintOptions, lint_paths
from vllm_lint.report.lines import PlainLines, RichLines, plain_stream_ok, to_text
from vllm_lint.report.text import write_text
from vllm_lint.resolve.context import RunOptions

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _no_forced_terminal(monkeypatch):
    """The reference console must be off a terminal, whatever the environment running the tests."""
    for var in ("FORCE_COLOR", "TTY_COMPATIBLE"):
        monkeypatch.delenv(var, raising=False)


def _rich_console(stream) -> Console:
    """The console cli.py builds for a file (``-o``) and, minus colour, for piped stdout."""
    return Console(file=stream, no_color=True, width=200, highlight=False, emoji=False)


TRICKY = [
    ["plain"],
    [],
    [("bold", "bold"), " ", ("[red]markup[/red] stays", "dim"), " :100: emoji codes stay"],
    ["tab\tafter ascii", "\tand\t\tmore"],
    ["wide 漢字\tthen tab", "; é\u0301 combining\tx"],
    ["control \x07bell \x08bs \x0bvt \x0cff \rcr and \x1b[31mescape\x1b[0m"],
    ["crlf line\r\nnext line\n\ttab on the next line"],
    ["trailing spaces   "],
    ["x" * 250 + "   "],
    ["ends with newline\n"],
    ["\t"],
    ["emoji 🙂\tafter"],
]


@pytest.mark.parametrize("parts", TRICKY, ids=range(len(TRICKY)))
def test_plain_line_equals_rich(parts):
    want, got = io.StringIO(), io.StringIO()
    RichLines(_rich_console(want), None).line(parts)
    RichLines(_rich_console(want), None).hanging(["  ", ("=", "blue"), " note: "], parts)
    RichLines(_rich_console(want), None).blank()
    out = PlainLines(got)
    out.line(parts)
    out.hanging(["  ", ("=", "blue"), " note: "], parts)
    out.blank()
    assert got.getvalue() == want.getvalue()


def _lint(paths: list[Path]):
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        return lint_paths([p.relative_to(ROOT) for p in paths], LintOptions(run=RunOptions(gpu="A10G")))
    finally:
        os.chdir(cwd)


@pytest.fixture(scope="module")
def result():
    res = _lint([ROOT / "examples", ROOT / "tests" / "cli" / "fixtures" / "render"])
    assert res.diagnostics, "the examples must produce findings, or this test compares nothing"
    return res


@pytest.mark.parametrize("mode", [{}, {"quiet": True}, {"verbose": True}])
def test_report_equals_rich(result, mode):
    want, got = io.StringIO(), io.StringIO()
    write_text(result, _rich_console(want), width=None, **mode)
    write_text(result, PlainLines(got), **mode)
    assert got.getvalue() == want.getvalue()
    assert got.getvalue().count("\n") > 10


ENVS = [
    {},
    {"FORCE_COLOR": "1"},
    {"FORCE_COLOR": ""},
    {"FORCE_COLOR": "0"},
    {"TTY_COMPATIBLE": "1"},
    {"TTY_COMPATIBLE": "0", "FORCE_COLOR": "1"},
    {"TTY_COMPATIBLE": "", "FORCE_COLOR": "1"},
    {"NO_COLOR": "1"},
]


@pytest.mark.parametrize("env", ENVS, ids=lambda e: ",".join(f"{k}={v}" for k, v in e.items()) or "none")
@pytest.mark.parametrize("tty", [False, True])
def test_plain_only_where_rich_sees_no_terminal(monkeypatch, env, tty):
    for var in ("FORCE_COLOR", "TTY_COMPATIBLE", "NO_COLOR", "TTY_INTERACTIVE"):
        monkeypatch.delenv(var, raising=False)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    if tty:
        pytest.importorskip("pty")
        master, slave = os.openpty()
        stream = os.fdopen(slave, "w")
    else:
        stream = io.StringIO()
    try:
        assert plain_stream_ok(stream) == (not Console(file=stream).is_terminal)
    finally:
        if tty:
            stream.close()
            os.close(master)


def test_to_text_keeps_styles():
    text = to_text(["a ", ("b", "bold")], style="dim")
    assert text.plain == "a b" and str(text.style) == "dim"
    assert [(s.start, s.end, str(s.style)) for s in text.spans] == [(2, 3, "bold")]


@pytest.mark.parametrize("text", ["".join(map(chr, range(32, 127))), "漢字 é\u0301 🙂 \x1b[0m tab\tend", ""])
def test_frame_cells_equal_rich(text):
    from rich.cells import get_character_cell_size

    from vllm_lint.report.frame import _cells

    assert _cells(text) == [get_character_cell_size(c) for c in text]
