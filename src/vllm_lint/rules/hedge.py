"""Findings that rest on a fact vllm-lint assumed rather than read: at most warnings, and they say so.

A launch's model may be resolved from what its name likely means (a quantized repack or a flavour
of a catalog model, a folder named after a Hub id, a served name, a parameter count read from the
name: ``ModelResolution.certain`` is False), and its GPU may be assumed from a node label that does
not fix the card's memory (``LaunchContext.gpu_assumption``). A check wrapped in ``hedged`` or
``on_assumed_gpu`` then reports at most a warning, offers no safe fix, and (for the model) names
how the model was resolved in its message.
"""

from __future__ import annotations

import functools
from dataclasses import replace
from typing import TYPE_CHECKING, Callable, Iterator

from vllm_lint.diagnostic import Diagnostic, Severity

if TYPE_CHECKING:
    from vllm_lint.models.facts import ModelFacts
    from vllm_lint.rules.context import RuleContext

Check = Callable[["RuleContext"], Iterator[Diagnostic]]


def _soften(diag: Diagnostic) -> None:
    if diag.severity == Severity.ERROR:
        diag.severity = Severity.WARNING
    if diag.fix is not None and diag.fix.safe:
        diag.fix = replace(diag.fix, safe=False)


def hedged(check: Check) -> Check:
    """A check whose findings rest on the launch's model: when the model was resolved from what its
    name likely means (a variant, a folder name, a served name, facts read from the name), each
    finding says so in its message, is at most a warning, and offers no safe fix."""

    @functools.wraps(check)
    def run(ctx: "RuleContext") -> Iterator[Diagnostic]:
        res = ctx.model_resolution
        facts = res.model_facts if res is not None else None
        for diag in check(ctx):
            if facts is not None and not facts.certain:
                _soften(diag)
                diag.message += f" (model: {res.describe()})"
            yield diag

    return run


def model_facts(ctx: "RuleContext") -> "ModelFacts | None":
    """What is known of the launch's model: its whole architecture's facts, or partial ones."""
    res = ctx.model_resolution
    return res.model_facts if res is not None else None


def on_assumed_gpu(check: Check) -> Check:
    """A check whose findings rest on the GPU: when the GPU is assumed (a node label that does not fix
    the card's memory, ``Tesla-V100``), its findings are at most warnings and offer no safe fix; the
    notes say what was assumed."""

    @functools.wraps(check)
    def run(ctx: "RuleContext") -> Iterator[Diagnostic]:
        assumed = bool(getattr(ctx, "gpu_assumption", None))
        for diag in check(ctx):
            if assumed:
                _soften(diag)
            yield diag

    return run
