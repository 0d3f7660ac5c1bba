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
        ``rules.certainty`` settles its severity, message and fix from them after the check.

        A finding on a word whose value came from another file says where (``MAX_LEN from
        .env:2``); one of a rule that rests on the GPU, in a launch that may start on any of
        several accelerators, names the one it was checked against."""
        where = span or (token.span if token is not None and token.span is not None else None) or self.launch.span
        at = token if token is not None else next(
            (t for t in self.launch.args if t.span is not None and where is not None and t.span == where), None)
        valued = self._value_of(at)
        if valued is not None:
            message = f"{message} ({valued.origin[len('value: '):]})"  # MAX_LEN from .env:2
        choice = self.launch.facts.accelerator_choices
        if choice and rule_id in _RESTS_ON_GPU and "checked against " not in message:
            message = f"{message} (checked against {choice})"  # one of several SkyPilot accelerators
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

    def _value_of(self, at: Token | None) -> Token | None:
        """The word whose value's origin a finding at ``at`` should name: ``at`` itself, or for a
        finding on an option (``--tensor-parallel-size``) the value word after it."""
        if at is None:
            return None
        if at.origin.startswith("value: "):
            return at
        args = self.launch.args
        if at.text.startswith("-") and "=" not in at.text:
            i = self._arg_index.get(id(at))
            if i is not None and args[i] is not at:  # the list changed since the index was built
                i = next((k for k, t in enumerate(args) if t is at), None)
            if i is not None and i + 1 < len(args) and args[i + 1].origin.startswith("value: "):
                return args[i + 1]
        return None

    @cached_property
    def _arg_index(self) -> dict[int, int]:
        """Each word's first place in the launch's argv (a launch of 9,000 flags reports as many
        findings: a scan per finding would be quadratic)."""
        index: dict[int, int] = {}
        for k, t in enumerate(self.launch.args):
            index.setdefault(id(t), k)
        return index

    @cached_property
    def _chart_keys(self) -> dict[str, str]:
        return chart_keys(self.launch) if self.launch.source == "helm" else {}


# rules whose findings rest on the launch's GPU (its memory, count or compute capability)
_RESTS_ON_GPU = frozenset({"VL101", "VL102", "VL103", "VL104", "VL301", "VL302", "VL303", "VL308", "VL309",
                           "VL310", "VL312", "VL313", "VL315"})
