"""Printing prose to a terminal: wrapped at word boundaries, continuation rows indented past their
label (a gutter, a rule's columns), or as one unwrapped line when piped (``width`` None)."""

from __future__ import annotations

import re

from rich.console import Console
from rich.text import Text

_LEAD = re.compile(r" *(?:[−=+] )?")  # an indented note's lead ("  − weights"): continuation goes under its text
_MIN_ROOM = 8
_MIN_BODY = 20  # narrower room after a label than this, and the text goes on the lines below it


def emit(console: Console, line: Text, width: int | None) -> None:
    """Print ``line`` wrapped at word boundaries to ``width`` (None: one unwrapped line)."""
    if width is None:
        console.print(line, soft_wrap=True, highlight=False)
        return
    for row in line.wrap(console, width, overflow="fold"):
        console.print(row, soft_wrap=True, highlight=False)


def emit_hanging(console: Console, label: Text, body: Text, width: int | None) -> None:
    """Print ``label`` then ``body``; wrapped rows of ``body`` start under its first character
    (under the text of an indented body), so the label's column stays clear."""
    if width is None:
        console.print(label + body, soft_wrap=True, highlight=False)
        return
    if width - label.cell_len < _MIN_BODY:  # a narrow terminal: the body goes below its label
        head = label.copy()
        head.rstrip()
        console.print(head, soft_wrap=True, highlight=False)
        pad = min(label.cell_len - len(label.plain.lstrip(" ")) + 4, max(width // 4, 2))
        for row in body.wrap(console, max(width - pad, _MIN_ROOM), overflow="fold"):
            console.print(Text(" " * pad) + row, soft_wrap=True, highlight=False)
        return
    rows = body.wrap(console, width - label.cell_len, overflow="fold")
    lead = _LEAD.match(body.plain)
    indent = label.cell_len + (lead.end() if lead else 0)
    if len(rows) > 1 and indent != label.cell_len:
        rest = body[len(rows[0].plain):]
        rest = rest[len(rest.plain) - len(rest.plain.lstrip(" ")):]
        rows = [rows[0], *rest.wrap(console, max(width - indent, _MIN_ROOM), overflow="fold")]
    for i, row in enumerate(rows):
        console.print((label if i == 0 else Text(" " * indent)) + row, soft_wrap=True, highlight=False)
