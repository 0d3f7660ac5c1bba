"""Fitting a code frame's source line to the terminal, as rustc does: a line wider than the
terminal is cut around the span, with ``…`` where text was left out, so the caret row stays
under its text instead of wrapping onto a row of its own."""

from __future__ import annotations

from dataclasses import dataclass

ELLIPSIS = "…"
MIN_WIDTH = 12  # narrower than this, show at least a little around the span anyway


@dataclass(frozen=True)
class FittedLine:
    """A source line as shown: ``text`` (``…`` marks cut text), and the caret row's position
    and length in terminal cells (a wide character takes two)."""

    text: str
    caret_at: int
    caret_len: int


def fit_line(text: str, start: int, end: int, width: int | None) -> FittedLine:
    """Show ``text`` in ``width`` cells (None: unlimited) with the span ``[start, end)`` (0-based
    character offsets; an empty span is one caret at ``start``) visible and roughly centred.

    When the span itself is wider than the room, it is shown from its start and its caret row
    stops at the cut."""
    n = len(text)
    start = min(max(start, 0), n)
    end = min(max(end, start), n)
    cells = _cells(text)
    total = sum(cells)
    span = sum(cells[start:end])
    past_end = 1 if start == n else 0  # a caret after the last character needs a cell of its own
    if width is None or total + past_end <= width:
        return FittedLine(text, sum(cells[:start]), max(span, 1))
    width = max(width, MIN_WIDTH) - past_end
    if span + 2 > width:  # the span alone does not fit: from its start, as far as the room goes
        a = start
        room = width - (1 if a > 0 else 0) - 1
        b, used = a, 0
        while b < n and used + cells[b] <= room:
            used += cells[b]
            b += 1
        return _shown(text, cells, a, b, start, min(end, b))
    shown_end = end if end > start else min(start + 1, n)  # an empty span: keep the character it is at
    for room in (width - 1, width - 2):
        a, b = _window(cells, start, shown_end, room)
        ellipses = (a > 0) + (b < n)
        if sum(cells[a:b]) + ellipses <= width:
            break
    else:  # the one-ellipsis room overflowed both ways: the two-ellipsis window always fits
        a, b = _window(cells, start, shown_end, width - 2)
    return _shown(text, cells, a, b, start, end)


def _cells(text: str) -> list[int]:
    """Terminal cells of each character (rich's table); printable ASCII is one cell each, without
    loading the table (most source lines, and every line of a piped report that has no other)."""
    if text.isascii() and text.isprintable():
        return [1] * len(text)
    from rich.cells import get_character_cell_size

    return [get_character_cell_size(c) for c in text]


def _window(cells: list[int], start: int, end: int, room: int) -> tuple[int, int]:
    """Characters ``[a, b)`` around the span using at most ``room`` cells: half the spare room
    before the span, the rest after it, then whatever is left before it again."""
    n = len(cells)
    a, b = start, end
    used = sum(cells[a:b])
    left_target = (room - used) // 2
    left = 0
    while a > 0 and left + cells[a - 1] <= left_target:
        a -= 1
        left += cells[a]
    used += left
    while b < n and used + cells[b] <= room:
        used += cells[b]
        b += 1
    while a > 0 and used + cells[a - 1] <= room:
        a -= 1
        used += cells[a]
    return a, b


def _shown(text: str, cells: list[int], a: int, b: int, start: int, end: int) -> FittedLine:
    lead = ELLIPSIS if a > 0 else ""
    tail = ELLIPSIS if b < len(text) else ""
    caret_at = len(lead) + sum(cells[a:start])
    return FittedLine(lead + text[a:b] + tail, caret_at, max(sum(cells[start:end]), 1))
