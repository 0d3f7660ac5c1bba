"""What a lint run produces: findings, suppressed findings, the files read and their launches."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from vllm_lint.config import DEFAULT_FAIL_ON, FAIL_ON_LEVELS
from vllm_lint.diagnostic import Diagnostic

if TYPE_CHECKING:
    from vllm_lint.resolve.context import LaunchContext

@dataclass
class LintResult:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    suppressed: list[Diagnostic] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    launches: list[LaunchContext] = field(default_factory=list)
    sources: dict = field(default_factory=dict)  # display path -> SourceFile
    internal_error: bool = False
    notes: list[str] = field(default_factory=list)  # about the run's configuration (shown on stderr)
    file_notes: dict[str, list[str]] = field(default_factory=dict)  # display path -> why it holds no launch
    fail_on: dict[str, str] = field(default_factory=dict)  # display path -> its configuration's `fail-on`

    def failing(self, fail_on: str | None = None) -> list[Diagnostic]:
        """The findings that make the run exit 1: those at or above ``fail_on`` (``--fail-on``),
        else at or above their file's configured ``fail-on``, else at or above a warning."""
        def threshold(path: str) -> int:
            return FAIL_ON_LEVELS.index(fail_on or self.fail_on.get(path) or DEFAULT_FAIL_ON)

        return [d for d in self.diagnostics if FAIL_ON_LEVELS.index(d.severity.value) <= threshold(d.path)]
