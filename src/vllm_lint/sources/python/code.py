"""Python source held in a file or inside another file's text (a notebook cell stored as JSON
strings, a workflow step), and how ``ast`` positions map to file offsets.

``ast`` reports (line, UTF-8 byte column); Python ends a line at ``\\r\\n``, ``\\r`` or ``\\n``.
When the code was rebuilt from another file (``mapped``), every character knows its file
offsets, so a span still slices the file to the characters the token came from.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

from vllm_lint.sources.base import SourceFile
from vllm_lint.sources.mapped_text import MappedText


@dataclass
class PythonCode:
    """The Python text being read and how its positions map to the file."""

    src: SourceFile
    text: str
    mapped: MappedText | None = None  # a notebook cell or a workflow step: per-character file offsets
    line_starts: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        # Python ends a line at \r\n, \r or \n (its lines, not the file's, count ast positions)
        self.line_starts = [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", self.text)]

    def index(self, lineno: int, col: int) -> int:
        """Index into ``text`` of an ast (line, UTF-8 byte column) position."""
        k = max(1, min(lineno, len(self.line_starts)))
        start = self.line_starts[k - 1]
        end = self.line_starts[k] if k < len(self.line_starts) else len(self.text)
        line = self.text[start:end]
        return start + len(line.encode("utf-8", "surrogatepass")[:col].decode("utf-8", "ignore"))

    def off(self, i: int) -> int:
        """File offset of index ``i`` of ``text``."""
        if self.mapped is None:
            return i
        n = len(self.mapped)
        return self.mapped.starts[i] if i < n else (self.mapped.ends[-1] if n else 0)

    def end_off(self, i: int) -> int:
        """File offset after the character before index ``i`` (an exclusive end)."""
        if self.mapped is None:
            return i
        return self.mapped.ends[i - 1] if 0 < i <= len(self.mapped) else self.off(i)

    def node_range(self, node: ast.AST) -> tuple[int, int]:
        lo = self.index(node.lineno, node.col_offset)
        hi = self.index(node.end_lineno or node.lineno, node.end_col_offset or node.col_offset)
        return lo, hi

    def span(self, lo: int, hi: int):
        return self.src.span(self.off(lo), max(self.off(lo), self.end_off(hi)))

    def raw(self, lo: int, hi: int) -> str:
        """The file's characters behind ``text[lo:hi]`` (a notebook cell's are JSON-escaped)."""
        return self.span(lo, hi).slice(self.src.text)

    def to_file(self, m: MappedText) -> MappedText:
        if self.mapped is None:
            return m
        return MappedText(list(m.chars), [self.off(s) for s in m.starts], [self.end_off(e) for e in m.ends])
