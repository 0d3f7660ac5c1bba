"""``--format github``: GitHub Actions workflow commands, plus a job summary of every finding.

Each finding becomes ``::error file=…,line=…,endLine=…,col=…,endColumn=…,title=…::message``
(``warning`` for warnings, ``notice`` for info). The runner decodes ``%25``, ``%0D`` and
``%0A`` in the message, and additionally ``%3A`` and ``%2C`` in property values (toolkit's
``escapeData``/``escapeProperty``). Columns are left out when a finding spans lines, as the
runner rejects them there. ``endColumn`` is exclusive, as in ruff's github output.

GitHub shows at most 10 annotations of each level per step, so when ``$GITHUB_STEP_SUMMARY``
is set every finding is also appended there as a Markdown table.
"""

from __future__ import annotations

import os
from typing import TextIO

from vllm_lint.diagnostic import Diagnostic
from vllm_lint.results import LintResult
from vllm_lint.report.text import severity_totals

_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(diag: Diagnostic) -> str:
    """One workflow command line for ``diag``."""
    props: list[tuple[str, str]] = []
    if diag.path and not diag.path.startswith("<"):
        props.append(("file", diag.path.replace(os.sep, "/")))
    span = diag.span
    if span is not None:
        props.append(("line", str(span.line)))
        props.append(("endLine", str(span.end_line)))
        if span.line == span.end_line:
            props.append(("col", str(span.column)))
            props.append(("endColumn", str(max(span.end_column, span.column))))
    props.append(("title", f"vllm-lint {diag.rule} ({diag.name})"))
    message = "\n".join(_message_lines(diag))
    head = ",".join(f"{k}={escape_property(v)}" for k, v in props)
    return f"::{_LEVEL[diag.severity.value]} {head}::{escape_data(message)}"


def _message_lines(diag: Diagnostic) -> list[str]:
    lines = [f"{diag.rule} {diag.message}"]
    lines += [f"note: {n}" for n in diag.notes]
    if diag.fix:
        lines.append(("fix: " if diag.fix.safe else "fix (unsafe: --unsafe-fixes): ") + diag.fix.description)
    return lines


def write_github(result: LintResult, out: TextIO) -> None:
    """Write one workflow command per finding to ``out``; append the summary table to
    ``$GITHUB_STEP_SUMMARY`` when the runner set it."""
    for diag in result.diagnostics:
        out.write(annotation(diag) + "\n")
    summary_path = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary_path:
        with open(summary_path, "a", encoding="utf-8") as fh:
            fh.write(step_summary(result))


def _cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\r", "").replace("\n", "<br>")


def step_summary(result: LintResult) -> str:
    """A Markdown section: totals, then a table of every finding (file, line, rule, message)."""
    from vllm_lint.rule_meta import all_meta

    metas = all_meta()
    diags = result.diagnostics
    lines = ["## vllm-lint", ""]
    if not diags:
        lines.append(severity_totals(result))
    else:
        lines.append(severity_totals(result) + ".")
        lines += ["", "| Severity | File | Line | Rule | Message |", "|---|---|---:|---|---|"]
        for d in diags:
            m = metas.get(d.rule)
            rule = f"[{d.rule}]({m.help_uri}) {d.name}" if m else f"{d.rule} {d.name}"
            msg = d.message + ("" if not d.fix else f" (fix: {d.fix.description})")
            lines.append(f"| {d.severity.value} | `{_cell(d.path)}` | {d.line} | {_cell(rule)} | {_cell(msg)} |")
    if result.suppressed:
        lines += ["", f"{len(result.suppressed)} finding{'s' if len(result.suppressed) != 1 else ''} suppressed "
                  "by inline comments or annotations."]
    return "\n".join(lines) + "\n\n"
