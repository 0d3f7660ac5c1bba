"""Running a rule file's examples: the documentation's inputs, linted for real.

Used by the test suite (every bad example must trigger its rule, every good one must not) and
by anything else that needs to materialise an example (docs, network-isolation tests).
"""

from __future__ import annotations

import base64
from pathlib import Path

from vllm_lint.diagnostic import Diagnostic


def write_example(root: Path, ex: dict) -> Path:
    """Write an example's file (and the files beside it) under ``root``; returns the linted file."""
    for rel, text in (ex.get("files") or {}).items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    target = root / ex["filename"]
    target.parent.mkdir(parents=True, exist_ok=True)
    if ex.get("content_base64"):
        target.write_bytes(base64.b64decode(ex["content"]))
    else:
        target.write_bytes(ex["content"].encode("utf-8"))
    return target


def run_example(root: Path, rule_id: str, ex: dict) -> tuple[list[Diagnostic], list[Diagnostic]]:
    """Lint an example with only ``rule_id`` selected: (its findings, internal errors)."""
    from vllm_lint.lint import LintOptions, lint_paths
    from vllm_lint.resolve.context import RunOptions

    target = write_example(root, ex)
    opts = ex.get("options") or {}
    options = LintOptions(
        run=RunOptions(gpu=opts.get("gpu"), vllm_version=opts.get("vllm_version")),
        select=[rule_id],
        values_files=[root / v for v in opts.get("values", [])],
    )
    result = lint_paths([target], options)
    internal = [d for d in result.diagnostics if d.rule == "VL000"]
    return [d for d in result.diagnostics if d.rule == rule_id], internal
