"""Source positions: character offsets into a decoded file and their 1-based line/column form.

Offsets index the decoded text exactly as read (no newline translation, BOM stripped), so a CRLF
file keeps its ``\\r`` characters and a span sliced out of the text is the original characters.
Columns count characters, 1-based; ``end_column`` is exclusive (the column after the last
character), as in SARIF and ruff's JSON output.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Span:
    """A half-open range ``[start, end)`` of character offsets in one file, with its line/column form."""

    path: str
    start: int
    end: int
    line: int
    column: int
    end_line: int
    end_column: int

    def slice(self, text: str) -> str:
        """The characters the span covers in ``text`` (the file's decoded text)."""
        return text[self.start : self.end]


class LineIndex:
    """Maps character offsets of one text to 1-based (line, column) pairs, and back."""

    __slots__ = ("path", "text", "_starts")

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.text = text
        starts = [0]
        find = text.find
        i = find("\n")
        while i != -1:
            starts.append(i + 1)
            i = find("\n", i + 1)
        self._starts = starts

    @property
    def line_count(self) -> int:
        return len(self._starts)

    def position(self, offset: int) -> tuple[int, int]:
        """(line, column), both 1-based, of a character offset."""
        offset = max(0, min(offset, len(self.text)))
        line = bisect.bisect_right(self._starts, offset) - 1
        return line + 1, offset - self._starts[line] + 1

    def offset(self, line: int, column: int) -> int:
        """Character offset of a 1-based (line, column)."""
        line = max(1, min(line, len(self._starts)))
        return min(self._starts[line - 1] + column - 1, len(self.text))

    def line_start(self, line: int) -> int:
        """Character offset where a 1-based line begins (clamped to the text's lines)."""
        return self._starts[max(1, min(line, len(self._starts))) - 1]

    def line_text(self, line: int) -> str:
        """The text of a 1-based line without its line ending."""
        start = self.line_start(line)
        end = self.text.find("\n", start)
        end = len(self.text) if end == -1 else end
        return self.text[start:end].rstrip("\r")

    def span(self, start: int, end: int) -> Span:
        """A Span for ``[start, end)``, kept as given: an empty range is an insertion point (fixes
        insert there; the text report draws one caret for it)."""
        line, col = self.position(start)
        end_line, end_col = self.position(end)
        return Span(self.path, start, end, line, col, end_line, end_col)
