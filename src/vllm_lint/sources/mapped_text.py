"""Text rebuilt from pieces of a file, each character knowing the file offsets it came from.

Formats that hold a command line in their own syntax undo that syntax into a ``MappedText``
(plain text plus per-character offsets) so every word read from it keeps an exact span in
the original file.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class MappedText:
    """``text`` with, per character, the file offsets ``[starts[i], ends[i])`` of its source."""

    chars: list[str] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(self.chars)

    def __len__(self) -> int:
        return len(self.chars)

    def add(self, ch: str, start: int, end: int | None = None) -> None:
        """One character (or an expansion result: every char of ``ch`` maps to the same source)."""
        for c in ch:
            self.chars.append(c)
            self.starts.append(start)
            self.ends.append(start + 1 if end is None else end)

    def copy(self, text: str, lo: int, hi: int) -> None:
        """``text[lo:hi]`` verbatim: each character maps to its own offset."""
        self.chars.extend(text[lo:hi])
        self.starts.extend(range(lo, hi))
        self.ends.extend(range(lo + 1, hi + 1))

    def extend(self, other: "MappedText") -> None:
        self.chars.extend(other.chars)
        self.starts.extend(other.starts)
        self.ends.extend(other.ends)

    def slice(self, lo: int, hi: int) -> "MappedText":
        return MappedText(self.chars[lo:hi], self.starts[lo:hi], self.ends[lo:hi])


# The nodes the offset-keeping parsers (JSON, TOML, HCL) build: each literal knows its file span.

@dataclass(slots=True)
class TextLiteral:
    """A string literal: its decoded text with per-character offsets, and the literal's own span
    (quotes included)."""

    value: MappedText
    lo: int
    hi: int

    @property
    def text(self) -> str:
        return self.value.text


@dataclass(slots=True)
class RawLiteral:
    """Any other scalar (a number, ``true``, ``null``, an unparsed expression) as written."""

    raw: str
    lo: int
    hi: int


@dataclass(slots=True)
class ListLiteral:
    items: list
    lo: int
    hi: int
