"""Human output: ruff-style findings grouped by file, with a code frame, the fix, and a summary.

Colour comes from rich when writing to a terminal; plain text otherwise or with NO_COLOR. Every
line is built as styled parts (``report.lines``; never markup, so a shell line's trailing
backslash or a ``[`` in a message prints as written). On a terminal (``width`` given) prose wraps
at word boundaries with continuation lines indented past their gutter, and a source line wider
than the terminal is cut around its span with ``…`` (``report.frame``) so the caret stays under
its text; piped output is never wrapped or cut, and is written without rich.
"""

from __future__ import annotations

from collections import Counter
from itertools import groupby
from typing import TYPE_CHECKING, Union

from vllm_lint.diagnostic import Diagnostic
from vllm_lint.redact import mask_line, moved_column
from vllm_lint.report.frame import fit_line
from vllm_lint.report.lines import Part, PlainLines, RichLines
from vllm_lint.results import LintResult

if TYPE_CHECKING:
    from rich.console import Console

_STYLE = {"error": "bold red", "warning": "bold yellow", "info": "bold cyan"}
_GUTTER = "blue"


def _frame(diag: Diagnostic, result: LintResult, width: int | None) -> list[list[Part]]:
    src = result.sources.get(diag.path)
    span = diag.span
    if src is None or span is None:
        return []
    idx = src.index
    digits = len(str(span.end_line))
    out: list[list[Part]] = []
    # A multi-line span (a whole launch) is shown by its first line; more is noise.
    last = span.line if span.end_line - span.line > 2 else span.end_line
    caret_style = _STYLE[diag.severity.value]
    for line in range(span.line, last + 1):
        raw = idx.line_text(line).replace("\t", " ")
        start = span.column - 1 if line == span.line else 0
        end = span.end_column - 1 if line == span.end_line else len(raw)
        known = ((start, end),) if diag.rule == "VL501" else ()
        text, secrets = mask_line(raw, known)  # a secret is shown as VL501 shows it, wherever it is
        start, end = moved_column(start, secrets), moved_column(end, secrets, end=True)
        gutter = f"  {line:>{digits}} | "
        fitted = fit_line(text, start, end, None if width is None else width - len(gutter))
        out.append([(f"  {line:>{digits}} |", _GUTTER), " ", fitted.text])
        out.append([(f"  {'':>{digits}} |", _GUTTER), " ", " " * fitted.caret_at,
                    ("^" * fitted.caret_len, caret_style)])
    return out


def _header(diag: Diagnostic) -> list[Part]:
    style = _STYLE[diag.severity.value]
    return [(f"{diag.path}:{diag.line}:{diag.column}:", "bold"), " ", (diag.rule, style), " ",
            (diag.severity.value, style), " ", (f"({diag.name})", "dim"), " ", diag.message]


def _write_diagnostic(diag: Diagnostic, result: LintResult, out: Union[RichLines, PlainLines]) -> None:
    out.line(_header(diag))
    for row in _frame(diag, result, out.width):
        out.row(row)
    tails: list[tuple[list[Part], str]] = [(["  ", ("=", _GUTTER), " note: "], n) for n in diag.notes]
    if diag.fix:
        safety = "" if diag.fix.safe else " (unsafe: --unsafe-fixes)"
        tails.append((["  ", (f"= fix{safety}:", "green"), " "], diag.fix.description))
    tails += [(["  ", ("= or:", "green"), " "], s.description) for s in diag.suggestions]
    for label, body in tails:
        out.hanging(label, [body])
    out.blank()


def severity_totals(result: LintResult) -> str:
    """"2 errors, 1 warning, 3 info in 2 files", or the all-passed sentence when nothing was found (shared by
    the terminal summary and the GitHub step summary)."""
    sev = Counter(d.severity.value for d in result.diagnostics)
    files = len({d.path for d in result.diagnostics if d.path in result.files} or {d.path for d in result.diagnostics})
    parts = []
    for key, word in (("error", "error"), ("warning", "warning"), ("info", "info")):
        n = sev.get(key, 0)
        if n:
            parts.append(f"{n} {word}{'s' if n != 1 and word != 'info' else ''}")
    if not parts:
        return f"All checks passed: {len(result.files)} file{'s' if len(result.files) != 1 else ''}, {len(result.launches)} vLLM launch{'es' if len(result.launches) != 1 else ''}."
    return f"{', '.join(parts)} in {files} file{'s' if files != 1 else ''}"


def format_summary(result: LintResult) -> str:
    totals = severity_totals(result)
    if not result.diagnostics:
        return totals
    safe = sum(1 for d in result.diagnostics if d.fix is not None and d.fix.safe)
    unsafe = sum(1 for d in result.diagnostics if d.fix is not None and not d.fix.safe)
    notes = []
    if safe:
        notes.append(f"{safe} fixable with --fix")
    if unsafe:
        notes.append(f"{unsafe} {'more ' if safe else ''}fixable with --fix --unsafe-fixes")
    tail = f" ({'; '.join(notes)})" if notes else ""
    return f"{totals}{tail}."


def write_text(result: LintResult, console: Union["Console", PlainLines], *, quiet: bool = False,
               verbose: bool = False, width: int | None = None) -> None:
    """The report, to a rich Console or (piped, no colour) ``PlainLines``. ``width``: the
    terminal's columns, to wrap and cut for (None: piped, as is)."""
    out = console if isinstance(console, PlainLines) else RichLines(console, width)
    for _path, diags in groupby(result.diagnostics, key=lambda d: d.path):
        for diag in diags:
            if quiet:
                out.line([f"{diag.path}:{diag.line}:{diag.column}: {diag.rule} {diag.severity.value} "
                          f"{diag.message}"])
                continue
            _write_diagnostic(diag, result, out)
    if verbose:
        for diag in result.suppressed:
            out.line([f"{diag.path}:{diag.line}: {diag.rule} suppressed: {diag.suppressed or ''}"], style="dim")
        for path, notes in sorted(result.file_notes.items()):
            out.line([f"{path}: 0 vLLM launches: {'; '.join(notes)}"], style="dim")
    if not quiet:
        out.line([format_summary(result)])
