"""What a lint run produces: findings, suppressed findings, the files read and their launches."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

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
    notes: dict[str, list[str]] = field(default_factory=dict)  # display path -> why it holds no launch
