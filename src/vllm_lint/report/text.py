"""Human output: ruff-style findings grouped by file, with a code frame, the fix, and a summary.

Colour comes from rich when writing to a terminal; plain text otherwise or with NO_COLOR.
"""

from __future__ import annotations

from collections import Counter
from itertools import groupby

from rich.console import Console
from rich.markup import escape

from vllm_lint.diagnostic import Diagnostic
from vllm_lint.results import LintResult

_STYLE = {"error": "bold red", "warning": "bold yellow", "info": "bold cyan"}


def _frame(diag: Diagnostic, result: LintResult) -> list[str]:
    src = result.sources.get(diag.path)
    span = diag.span
    if src is None or span is None:
        return []
    idx = src.index
    width = len(str(span.end_line))
    out = []
    # A multi-line span (a whole launch) is shown by its first line; more is noise.
    last = span.line if span.end_line - span.line > 2 else span.end_line
    for line in range(span.line, last + 1):
        text = idx.line_text(line).replace("\t", " ")
        out.append(f"[blue]{line:>{width}} |[/] {escape(text)}")
        start = span.column if line == span.line else 1
        end = span.end_column if line == span.end_line else len(text) + 1
        if end <= start:
            end = start + 1
        out.append(f"[blue]{'':>{width}} |[/] {' ' * (start - 1)}[{_STYLE[diag.severity.value]}]{'^' * (end - start)}[/]")
    return out


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


def write_text(result: LintResult, console: Console, *, quiet: bool = False, verbose: bool = False) -> None:
    for path, diags in groupby(result.diagnostics, key=lambda d: d.path):
        for diag in diags:
            if quiet:
                console.print(f"{escape(diag.path)}:{diag.line}:{diag.column}: {diag.rule} {diag.severity.value} "
                              f"{escape(diag.message)}", soft_wrap=True)
                continue
            style = _STYLE[diag.severity.value]
            console.print(
                f"[bold]{escape(diag.path)}:{diag.line}:{diag.column}:[/] [{style}]{diag.rule}[/] "
                f"[{style}]{diag.severity.value}[/] [dim]({diag.name})[/] {escape(diag.message)}",
                soft_wrap=True,
            )
            for line in _frame(diag, result):
                console.print("  " + line, soft_wrap=True, highlight=False)
            for note in diag.notes:
                console.print(f"  [blue]=[/] note: {escape(note)}", soft_wrap=True, highlight=False)
            if diag.fix:
                safety = "" if diag.fix.safe else " (unsafe: --unsafe-fixes)"
                console.print(f"  [green]= fix{safety}:[/] {escape(diag.fix.description)}", soft_wrap=True, highlight=False)
            for s in diag.suggestions:
                console.print(f"  [green]= or:[/] {escape(s.description)}", soft_wrap=True, highlight=False)
            console.print()
    if verbose:
        for diag in result.suppressed:
            console.print(f"[dim]{escape(diag.path)}:{diag.line}: {diag.rule} suppressed: {escape(diag.suppressed or '')}[/]")
        for path, notes in sorted(result.notes.items()):
            console.print(f"[dim]{escape(path)}: 0 vLLM launches: {escape('; '.join(notes))}[/]", soft_wrap=True)
    if not quiet:
        console.print(format_summary(result), highlight=False)


def write_statistics(result: LintResult, console: Console) -> None:
    """``--statistics``: one line per rule with its count, most frequent first (ruff's form);
    ``[*]`` marks a safe fix, ``[-]`` one that needs ``--unsafe-fixes``."""
    counts = Counter((d.rule, d.name) for d in result.diagnostics)
    fixable = Counter(d.rule for d in result.diagnostics if d.fix is not None and d.fix.safe)
    unsafe_fixable = Counter(d.rule for d in result.diagnostics if d.fix is not None and not d.fix.safe)
    for (rule, name), n in counts.most_common():
        mark = "[*]" if fixable.get(rule) else ("[-]" if unsafe_fixable.get(rule) else "   ")
        console.print(f"{n:>5}  {rule}  {mark} {name}", highlight=False)
