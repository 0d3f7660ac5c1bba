"""Shared helpers for hostile-input tests: run the real pipeline under a time budget (CPU seconds,
``time_budgets.time_budget``) and check that what comes out is well formed (no internal error,
spans inside their files)."""

from __future__ import annotations

import contextlib
import dataclasses
import io
from pathlib import Path

from time_budgets import time_budget

from vllm_lint.lint import LintOptions, lint_paths
from vllm_lint.results import LintResult


def make_limits(*, size: int | None = None, depth: int | None = None, aliases: int | None = None):
    """A Limits object of the type LintOptions carries, whatever its field names turn out to be."""
    cls = type(LintOptions().limits)
    names = {f.name for f in dataclasses.fields(cls)}
    kw = {}
    for value, candidates in (
        (size, ("max_bytes", "max_file_size", "max_size")),
        (depth, ("max_depth", "max_nesting")),
        (aliases, ("max_aliases", "max_alias_expansions")),
    ):
        if value is None:
            continue
        name = next((c for c in candidates if c in names), None)
        assert name, f"{cls.__name__} has no field for this limit: {sorted(names)}"
        kw[name] = value
    return cls(**kw)


def lint(paths: list[Path] | Path, budget: int = 30, **limits) -> LintResult:
    paths = paths if isinstance(paths, list) else [paths]
    options = LintOptions()
    if limits:
        options.limits = make_limits(**limits)
    with time_budget(budget):
        return lint_paths(paths, options)


def run_cli(args: list[str], budget: int = 60) -> tuple[int, str, str]:
    """cli.main in-process with stdout/stderr captured; returns (exit code, stdout, stderr)."""
    from vllm_lint import cli

    out, err = io.StringIO(), io.StringIO()
    with time_budget(budget), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = cli.main([str(a) for a in args])
        except SystemExit as exc:  # argparse
            code = exc.code if isinstance(exc.code, int) else 2
    return code, out.getvalue(), err.getvalue()


def internal_errors(result: LintResult) -> list:
    return [d for d in result.diagnostics if d.rule == "VL000"]


def assert_clean_run(result: LintResult) -> None:
    """No internal error, and every span in every diagnostic and launch is well formed."""
    bad = internal_errors(result)
    assert not bad and not result.internal_error, [d.message for d in bad]
    assert_spans_ok(result)


def assert_spans_ok(result: LintResult) -> None:
    for d in [*result.diagnostics, *result.suppressed]:
        if d.span is None:
            continue
        src = result.sources.get(d.path)
        if src is None:
            continue
        check_span(d.span, src, f"{d.rule} {d.message}")
        for fix in [d.fix, *d.suggestions]:
            for edit in (fix.edits if fix else ()):
                other = result.sources.get(edit.span.path)
                if other is not None:
                    check_span(edit.span, other, f"fix of {d.rule}")
    for ctx in result.launches:
        launch = ctx.launch
        src = ctx.src
        check_span(launch.span, src, f"launch {launch.name}")
        for tok in [*launch.program, *launch.args]:
            if tok.span is None or tok.style == "synthetic":
                continue
            tsrc = result.sources.get(tok.span.path, src if tok.span.path == src.display else None)
            if tsrc is None:
                continue
            check_span(tok.span, tsrc, f"token {tok.text!r}")
            if tok.raw is not None:
                assert tok.span.slice(tsrc.text) == tok.raw, (tok, tok.span.slice(tsrc.text))


def check_span(span, src, what: str) -> None:
    n = len(src.text)
    assert 0 <= span.start <= span.end <= n, f"{what}: span {span.start}..{span.end} outside 0..{n}"
    assert (span.line, span.column) == src.index.position(span.start), f"{what}: start line/col wrong"
    assert (span.end_line, span.end_column) == src.index.position(span.end), f"{what}: end line/col wrong"
