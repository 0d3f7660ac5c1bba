"""argparse types shared by the commands: what a user types is checked where it is typed, so a
typo is a usage error with a did-you-mean (exit 2), never a setting that silently does nothing."""

from __future__ import annotations

import argparse


def rule_selectors(value: str) -> str:
    """--select/--ignore: every comma-separated item names at least one rule."""
    from vllm_lint.rules.registry import selector_problem

    problems = [p for item in value.split(",") if (p := selector_problem(item))]
    if problems:
        raise argparse.ArgumentTypeError("; ".join(problems))
    return value


def release(value: str) -> str:
    """--vllm-version: a release vLLM published (``v0.8.5`` -> ``0.8.5``)."""
    from vllm_lint.vllm.versions import known_release, release_problem

    known = known_release(value)
    if known is None:
        raise argparse.ArgumentTypeError(release_problem(value) or value)
    return known
