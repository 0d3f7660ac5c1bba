"""Styled lines of the text report, and the two ways to print them.

A line is a sequence of parts, each a string or a ``(text, style)`` pair in rich's style syntax.
``RichLines`` prints them through a rich ``Console`` (colour, and wrapping to a terminal's width);
``PlainLines`` writes the bytes that console would write when it has no terminal and no colour
(the pre-commit hook, CI logs, ``-o FILE``) without importing rich, which costs a tenth of a
one-file run. ``plain_stream_ok`` says when the two agree. ``tests/report/test_plain_lines.py``
holds them to the same output.
"""

from __future__ import annotations

import builtins
import os
from typing import TYPE_CHECKING, Sequence, TextIO, Union

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

Part = Union[str, "tuple[str, str]"]
Parts = Sequence[Part]

# What rich's Text drops from every string it is given (rich.control.STRIP_CONTROL_CODES:
# bell, backspace, vertical tab, form feed, carriage return).
_STRIP = {7: None, 8: None, 11: None, 12: None, 13: None}
TAB_SIZE = 8  # rich's default


def plain_stream_ok(stream: TextIO, environ: "os._Environ[str] | dict[str, str] | None" = None) -> bool:
    """True when a rich Console on ``stream`` would be no terminal and so write no style: the
    stream is not a tty, and neither ``TTY_COMPATIBLE=1`` nor a non-empty ``FORCE_COLOR`` makes
    rich treat it as one (rich's ``Console.is_terminal``); never inside Jupyter/IPython, where
    rich colours what is not a terminal."""
    env = os.environ if environ is None else environ
    if hasattr(builtins, "get_ipython"):
        return False
    compatible = env.get("TTY_COMPATIBLE", "")
    if compatible == "0":
        return True
    if compatible == "1":
        return False
    force = env.get("FORCE_COLOR")
    if force is not None:
        return force == ""
    isatty = getattr(stream, "isatty", None)
    try:
        return isatty is None or not isatty()
    except ValueError:  # a closed stream: rich says "not a terminal" too
        return True


def plain(parts: Parts) -> str:
    return "".join(p if isinstance(p, str) else p[0] for p in parts)


class PlainLines:
    """Writes lines as rich's ``Console.print(Text, soft_wrap=True)`` does off a terminal: the
    text without rich's stripped control codes, tabs expanded to 8-cell stops, then a newline."""

    width = None

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def line(self, parts: Parts, style: str | None = None) -> None:
        text = plain(parts).translate(_STRIP)
        if "\t" in text:
            text = "\n".join(_expand_tabs(row) for row in text.split("\n"))
        self.stream.write(text + "\n")
        self.stream.flush()

    def hanging(self, label: Parts, body: Parts) -> None:
        self.line([*label, *body])

    def row(self, parts: Parts) -> None:
        self.line(parts)

    def blank(self) -> None:
        self.line(())


def _expand_tabs(row: str) -> str:
    """rich's ``Text.expand_tabs``: a tab becomes a space, then spaces up to the next multiple of
    8 cells (wide characters count two)."""
    if "\t" not in row:
        return row
    from rich.cells import cell_len

    out, cells = [], 0
    pieces = row.split("\t")
    for i, piece in enumerate(pieces):
        if i == len(pieces) - 1:
            out.append(piece)
            break
        piece += " "
        cells += cell_len(piece)
        pad = (TAB_SIZE - cells % TAB_SIZE) % TAB_SIZE
        cells += pad
        out.append(piece + " " * pad)
    return "".join(out)


class RichLines:
    """Lines through a rich Console: styled, and wrapped at words to ``width`` (a terminal's
    columns; None prints each line whole)."""

    def __init__(self, console: "Console", width: int | None) -> None:
        self.console = console
        self.width = width

    def line(self, parts: Parts, style: str | None = None) -> None:
        from vllm_lint.report.wrap import emit

        emit(self.console, to_text(parts, style), self.width)

    def hanging(self, label: Parts, body: Parts) -> None:
        from vllm_lint.report.wrap import emit_hanging

        emit_hanging(self.console, to_text(label), to_text(body), self.width)

    def row(self, parts: Parts) -> None:
        """A line printed whole even on a terminal (a code frame row, already fitted)."""
        self.console.print(to_text(parts), soft_wrap=True, highlight=False)

    def blank(self) -> None:
        self.console.print()


def to_text(parts: Parts, style: str | None = None) -> "Text":
    from rich.text import Text

    return Text.assemble(*parts, style=style or "")
