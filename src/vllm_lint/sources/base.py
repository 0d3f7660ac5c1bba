"""Types shared by every source format: the file being read, extraction options and results.

A ``SourceFile`` is decoded text plus where it came from; format modules turn it into
``Launch`` objects (see ``vllm_lint.launch``) and input diagnostics (VL001-VL003).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from vllm_lint.diagnostic import Diagnostic
from vllm_lint.launch import Launch
from vllm_lint.span import LineIndex, Span

DEFAULT_MAX_BYTES = 1024 * 1024  # 1 MiB: the largest real deployment file seen is 43 KB; see docs/security.md


@dataclass(frozen=True, slots=True)
class Limits:
    """Resource limits that keep hostile input (huge files, alias bombs, deep nesting) cheap.

    ``max_aliases`` bounds how many nodes a walk of a composed YAML graph may visit, counting
    each visit through an alias again (a "billion laughs" file composes small but expands huge).
    ``max_depth`` bounds YAML nesting and recursive shell expansion.
    """

    max_bytes: int = DEFAULT_MAX_BYTES
    max_depth: int = 200
    max_aliases: int = 100_000
    max_args: int = 10_000  # argv words of one launch (real ones have well under 200)


@dataclass(slots=True)
class SourceFile:
    """One decoded input file. Offsets in ``index``/spans are character offsets into ``text``."""

    path: Path
    display: str
    text: str
    index: LineIndex
    kind: str
    had_bom: bool = False
    encoding: str = "utf-8"
    limits: Limits = field(default_factory=Limits)

    @classmethod
    def from_text(cls, text: str, display: str = "<text>", kind: str = "", path: Path | None = None,
                  limits: Limits | None = None) -> "SourceFile":
        """Build a SourceFile from a string (tests, YAML-in-a-string, stdin)."""
        return cls(path=path or Path(display), display=display, text=text, index=LineIndex(display, text),
                   kind=kind, limits=limits or Limits())

    def span(self, start: int, end: int) -> Span:
        return self.index.span(start, end)


@dataclass(slots=True)
class ExtractOptions:
    """Options every format's ``extract`` receives.

    ``values_files`` are Helm ``--values`` overlays in order; ``values_chains`` the values files the
    configuration merges as one release each (``[tool.vllm-lint] values``); ``env`` is extra environment the
    user states (e.g. from the command line) used when expanding ``${VAR}``. ``include_docs``
    reads the shell and YAML code blocks of Markdown files.
    """

    values_files: list[Path] = field(default_factory=list)
    values_chains: tuple[tuple[Path, ...], ...] = ()
    limits: Limits = field(default_factory=Limits)
    env: dict[str, str] = field(default_factory=dict)
    include_docs: bool = False


@dataclass(slots=True)
class ExtractResult:
    """Launches and input diagnostics of one file; ``notes`` say why a file holds no launch
    (shown with ``--verbose``)."""

    launches: list[Launch] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def extend(self, other: "ExtractResult") -> None:
        self.launches.extend(other.launches)
        self.diagnostics.extend(other.diagnostics)
        self.notes.extend(other.notes)


def input_diagnostic(rule_id: str, path: str, span: Span | None, message: str) -> Diagnostic:
    """A VL0xx diagnostic about unreadable or invalid input (name/severity from rules/<id>.yaml)."""
    from vllm_lint.rule_meta import make_diagnostic

    return make_diagnostic(rule_id, path, span, message)
