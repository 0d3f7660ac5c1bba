"""Findings and fixes: what the check stage produces and every reporter consumes."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from vllm_lint.span import Span


class Severity(str, Enum):
    """How sure and how bad: ``error`` means vLLM fails or misbehaves, ``warning`` that it likely
    does, ``info`` that a check could not run or a setting deserves a look."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace the characters of ``span`` (possibly empty, for an insertion) with ``replacement``."""

    span: Span
    replacement: str

    def to_json(self) -> dict:
        s = self.span
        return {
            "path": s.path,
            "line": s.line,
            "column": s.column,
            "end_line": s.end_line,
            "end_column": s.end_column,
            "replacement": self.replacement,
        }


@dataclass(frozen=True, slots=True)
class Fix:
    """A set of edits with a one-line description. ``safe`` fixes keep behaviour (ruff's sense);
    unsafe ones change it (a smaller max_model_len) and need ``--unsafe-fixes``."""

    description: str
    edits: tuple[Edit, ...] = ()
    safe: bool = True

    def to_json(self) -> dict:
        return {
            "description": self.description,
            "safe": self.safe,
            "edits": [e.to_json() for e in self.edits],
        }


@dataclass(slots=True)
class Diagnostic:
    """One finding of one rule at one place, as every reporter shows it (the JSON contract: ``to_json``)."""

    rule: str
    name: str
    severity: Severity
    path: str
    span: Span | None
    message: str
    launch: str | None = None
    fix: Fix | None = None
    suggestions: list[Fix] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # extra lines: memory breakdown, vLLM's own text
    suppressed: str | None = None  # reason, when an inline or annotation suppression matched
    # What the finding assumes, one clause each ("if it runs vLLM 0.33.0: the release is not known")
    assumptions: list[str] = field(default_factory=list)
    # The facts (resolve.facts.Fact) the finding rests on, while rules.certainty settles it
    rests_on: tuple = field(default=(), repr=False, compare=False)
    about: str = field(default="", repr=False, compare=False)  # the word it is about, to match it across readings

    @property
    def line(self) -> int:
        return self.span.line if self.span else 1

    @property
    def column(self) -> int:
        return self.span.column if self.span else 1

    def sort_key(self) -> tuple:
        """Report order: file, then position, then rule id."""
        return (self.path, self.line, self.column, self.rule)

    def to_json(self) -> dict:
        s = self.span
        return {
            "rule": self.rule,
            "name": self.name,
            "severity": self.severity.value,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "end_line": s.end_line if s else 1,
            "end_column": s.end_column if s else 1,
            "message": self.message,
            "launch": self.launch,
            "notes": list(self.notes),
            "assumptions": list(self.assumptions),
            "fix": self.fix.to_json() if self.fix else None,
            "suggestions": [f.to_json() for f in self.suggestions],
        }
