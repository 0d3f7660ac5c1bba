"""``--statistics``: a count per rule, most frequent first (ruff's form), with a legend and the
run's totals; as text or, with ``--format json``, as JSON."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from typing import TextIO

from rich.console import Console
from rich.text import Text

from vllm_lint.report.wrap import emit, emit_hanging
from vllm_lint.results import LintResult

_ORDER = ("error", "warning", "info")
_STYLE = {"error": "bold red", "warning": "bold yellow", "info": "bold cyan"}
LEGEND = "[*] fixable with --fix   [-] fixable with --fix --unsafe-fixes"


@dataclass(frozen=True)
class RuleCount:
    rule: str
    name: str
    count: int
    severities: tuple[str, ...]  # most severe first (a rule's findings may be capped below its default)
    fixable: int  # findings with a safe fix
    unsafe_fixable: int  # findings whose fix needs --unsafe-fixes

    @property
    def mark(self) -> str:
        return "[*]" if self.fixable else ("[-]" if self.unsafe_fixable else "   ")


def rule_counts(result: LintResult) -> list[RuleCount]:
    """One row per rule with findings, most frequent first, then by id."""
    counts = Counter(d.rule for d in result.diagnostics)
    names = {d.rule: d.name for d in result.diagnostics}
    sevs: dict[str, set[str]] = {}
    for d in result.diagnostics:
        sevs.setdefault(d.rule, set()).add(d.severity.value)
    safe = Counter(d.rule for d in result.diagnostics if d.fix is not None and d.fix.safe)
    unsafe = Counter(d.rule for d in result.diagnostics if d.fix is not None and not d.fix.safe)
    return [RuleCount(rule, names[rule], n, tuple(s for s in _ORDER if s in sevs[rule]), safe[rule], unsafe[rule])
            for rule, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def write_statistics(result: LintResult, console: Console, width: int | None = None) -> None:
    """The table, the totals and the legend (``width``: a terminal's, to wrap the totals at words)."""
    from vllm_lint.report.text import format_summary

    rows = rule_counts(result)
    sev_width = max((len("/".join(r.severities)) for r in rows), default=0)
    for r in rows:
        sev = "/".join(r.severities)
        console.print(Text.assemble(f"{r.count:>5}  ", (r.rule, "bold"), "  ", (sev.ljust(sev_width), _STYLE[r.severities[0]]),
                                    f"  {r.mark} {r.name}"), soft_wrap=True, highlight=False)
    if rows:
        total = sum(r.count for r in rows)
        emit_hanging(console, Text(f"{total:>5}  "), Text(f"finding{'s' if total != 1 else ''}: {format_summary(result)}"),
                     width)
        if any(r.fixable or r.unsafe_fixable for r in rows):
            emit(console, Text(LEGEND, style="dim"), width)
    else:
        emit(console, Text(format_summary(result)), width)


def write_statistics_json(result: LintResult, out: TextIO) -> None:
    """``{"version": 1, "statistics": [{rule, name, count, severities, fixable, unsafe_fixable}], "summary": {...}}``
    (the summary is ``--format json``'s)."""
    from vllm_lint.report.json_format import summary

    doc = {
        "version": 1,
        "statistics": [{"rule": r.rule, "name": r.name, "count": r.count, "severities": list(r.severities),
                        "fixable": r.fixable, "unsafe_fixable": r.unsafe_fixable} for r in rule_counts(result)],
        "summary": summary(result),
    }
    out.write(json.dumps(doc, indent=2) + "\n")
