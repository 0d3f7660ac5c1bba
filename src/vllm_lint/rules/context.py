"""The context a check function receives: one resolved launch, plus ``report`` to state a finding.

Resolution (version, flags, GPU, model, capacity) lives in ``vllm_lint.resolve``; this layer adds
only what belongs to the rules: turning a finding into a ``Diagnostic`` placed on the token, span
or launch it is about, with the rule's name and severity from its metadata, worded in the
launch's own terms (a Helm values key rather than the flag the chart renders from it).
"""

from __future__ import annotations

from dataclasses import replace
from functools import cached_property
from typing import Iterable

from vllm_lint.diagnostic import Diagnostic, Fix
from vllm_lint.launch import Token
from vllm_lint.resolve.context import LaunchContext
from vllm_lint.resolve.facts import Fact
from vllm_lint.rule_meta import make_diagnostic
from vllm_lint.sources.helm.chart_keys import chart_keys, respell
from vllm_lint.span import Span


class RuleContext(LaunchContext):
    """A ``LaunchContext`` that check functions report findings through."""

    def report(
        self,
        rule_id: str,
        message: str,
        *,
        token: Token | None = None,
        span: Span | None = None,
        fix: Fix | None = None,
        suggestions: Iterable[Fix] = (),
        notes: Iterable[str] = (),
        rests_on: Iterable[Fact | None] | None = None,
    ) -> Diagnostic:
        """A finding of ``rule_id`` at ``span``, else at ``token``'s span, else at the launch.

        The finding rests on the facts the check has read so far (``reads``), plus ``token``'s guard;
        a rule that knows better names them in ``rests_on`` (then only those count).
        ``rules.certainty`` settles its severity, message and fix from them after the check."""
        where = span or (token.span if token is not None and token.span is not None else None) or self.launch.span
        at = token if token is not None else next(
            (t for t in self.launch.args if t.span is not None and where is not None and t.span == where), None)
        if at is not None and at.origin.startswith("value: "):
            message = f"{message} ({at.origin[len('value: '):]})"  # MAX_LEN from .env:2
        keys = self._chart_keys
        if keys:  # a Helm values launch: name the keys the user edits, not the flags the chart renders
            message, notes = respell(message, keys), [respell(n, keys) for n in notes]
            fix = replace(fix, description=respell(fix.description, keys)) if fix else None
            suggestions = [replace(s, description=respell(s.description, keys)) for s in suggestions]
        diag = make_diagnostic(
            rule_id,
            where.path if where else self.launch.path,
            where,
            message,
            launch=self.launch.name,
            fix=fix,
            suggestions=suggestions,
            notes=notes,
        )
        diag.about = token.text if token is not None else ""
        if rests_on is not None:
            diag.rests_on = tuple(f for f in rests_on if f is not None)
        else:
            for t in (token, at):
                if t is not None:
                    self.note(*self.token_facts(t))
            diag.rests_on = self.reads.snapshot() if self.reads is not None else ()
        return diag

    @cached_property
    def _chart_keys(self) -> dict[str, str]:
        return chart_keys(self.launch) if self.launch.source == "helm" else {}

