"""``vllm-lint rules``: one row per rule, names never shortened (they are what users type into
``--select``), summaries wrapped under their own column on a terminal and never padded when piped."""

from __future__ import annotations

from typing import Iterable

from rich.console import Console
from rich.text import Text

from vllm_lint.report.wrap import emit_hanging
from vllm_lint.rule_meta import RuleMeta

_STYLE = {"error": "bold red", "warning": "bold yellow", "info": "bold cyan"}
_MIN_SUMMARY = 40  # a narrower summary column reads badly: the summary goes below instead


def render_rules(metas: Iterable[RuleMeta], console: Console, width: int | None) -> None:
    """Print ``id  name  severity  summary`` for each rule (``width`` None: piped, unwrapped)."""
    metas = list(metas)
    if not metas:
        return
    name_w = max(len(m.name) for m in metas)
    sev_w = max(len(m.severity.value) for m in metas)
    below = width is not None and width - (len(metas[0].id) + name_w + sev_w + 6) < _MIN_SUMMARY
    for m in metas:
        sev = m.severity.value
        head = Text.assemble((m.id, "bold"), "  ", m.name.ljust(name_w), "  ", (sev.ljust(sev_w), _STYLE.get(sev, "")), "  ")
        if below:
            head.rstrip()
            console.print(head, soft_wrap=True, highlight=False)
            emit_hanging(console, Text(" " * (len(m.id) + 2)), Text(m.summary), width)
        else:
            emit_hanging(console, head, Text(m.summary), width)
