"""The one place that decides what a finding may say, from the facts it rests on.

The rule (docs/architecture.md, "Conventions"): an error only when every fact behind it is certain; a finding
resting on an assumed fact says so and is at most a warning; an unknown fact switches the check
off; a fix built on an uncertain fact is never safe. Checks do not apply this themselves: they
read facts through ``RuleContext`` (which records the uncertain ones) and report; ``lint`` passes
every finding of every launch check through ``settle``.

An assumed fact with plausible alternatives (the other candidate releases, the other image
ENTRYPOINT, the other memory variant of a GPU, a guard that fails) is tested: the check runs
again under each combination of alternatives (``LaunchContext.in_world``), and a finding that
appears in every one of them does not rest on the fact at all (a typo is an error in every
release). One that does not:
* an error becomes a warning whose message names the assumption and the readings it holds for;
* a warning is kept (so marked) only when it is an error under some reading; otherwise it is a
  side remark about one reading of the file, and is dropped;
* an info never blocks anything and is kept as it is.
"""

from __future__ import annotations

import itertools
from typing import Callable, Iterable

from vllm_lint.diagnostic import Diagnostic, Fix, Severity
from vllm_lint.resolve.facts import GPU, TOKEN, VERSION, Certainty, Fact, World
from vllm_lint.resolve.version import describe_releases
from vllm_lint.rules.context import RuleContext

MAX_WORLDS = 512  # beyond this many combinations the facts are capped without testing

Check = Callable[[RuleContext], Iterable[Diagnostic]]
Key = tuple[str, str, int, int, str]


def _key(d: Diagnostic) -> Key:
    """What a finding is about, to find it under another reading: its rule group (``VL2``: the same
    word may be a removed flag in one release and an unknown one in another), place and word."""
    return (d.rule[:3], d.path, d.line, d.column, d.about)


class Trials:
    """Findings of one rule group's checks on one launch under other readings, each reading run
    once (the same word may be a removed flag in one release and an unknown one in another, so a
    finding is looked for among the findings of every check of its group)."""

    def __init__(self, ctx: RuleContext, checks: Iterable[Check], parser_checks: Iterable[Check] = ()) -> None:
        self.ctx = ctx
        self.checks = list(checks)
        self.parser_checks = list(parser_checks)
        self.cache: dict[World, dict[Key, tuple[Severity, frozenset[str]]]] = {}

    def refused(self, world: World) -> bool:
        """True when vLLM refuses the command line itself under ``world`` (a flag rule's error):
        there, a remark about what the launch would do once started is moot, not contradicted."""
        key = ("refused", world)
        got = self.ctx.shared.get(key)
        if got is None:
            variant = self.ctx.in_world(world)
            got = False
            for check in self.parser_checks:
                try:
                    if any(d.severity is Severity.ERROR for d in check(variant)):  # type: ignore[arg-type]
                        got = True
                        break
                except Exception:  # noqa: BLE001
                    continue
            self.ctx.shared[key] = got
        return got

    def found(self, world: World) -> dict[Key, tuple[Severity, frozenset[str]]]:
        """Each finding's key under ``world``: its worst severity there and the rules saying it."""
        got = self.cache.get(world)
        if got is None:
            variant = self.ctx.in_world(world)
            diags: list[Diagnostic] = []
            for check in self.checks:
                try:
                    diags.extend(check(variant))  # type: ignore[arg-type]
                except Exception:  # noqa: BLE001 - a reading a check cannot handle proves nothing
                    continue
            got = {}
            for d in diags:
                k = _key(d)
                sev, rules = got.get(k, (d.severity, frozenset()))
                worst = Severity.ERROR if Severity.ERROR in (sev, d.severity) else (
                    Severity.WARNING if Severity.WARNING in (sev, d.severity) else Severity.INFO)
                got[k] = (worst, rules | {d.rule})
            self.cache[world] = got
        return got


def settle(trials: Trials, diags: Iterable[Diagnostic]) -> list[Diagnostic]:
    """The findings of one check on one launch as they may be reported."""
    out = []
    for d in diags:
        kept = _settle_one(d, trials)
        if kept is not None:
            out.append(kept)
    return out


# A flag no release knows is wrong whenever the guard around it passes: its finding does not rest on
# the guard, only says when it applies.
WRONG_WHENEVER_PASSED = frozenset({"VL201"})


def _settle_one(d: Diagnostic, trials: Trials) -> Diagnostic | None:
    facts: tuple[Fact, ...] = tuple(d.rests_on)
    d.rests_on = ()
    if d.rule in WRONG_WHENEVER_PASSED:
        guards = [f for f in facts if f.kind == TOKEN and not f.certain]
        if guards:
            facts = tuple(f for f in facts if f not in guards)
            d.message = f"{d.message} ({'; '.join(f.assumption for f in guards)})"
    if any(f.certainty is Certainty.UNKNOWN for f in facts):
        return None
    uncertain = [f for f in facts if not f.certain]
    if not uncertain:
        return d
    if d.severity is Severity.INFO:
        # never blocks, so it is not tried under the other readings: it says what it assumes about
        # the program, the model and the GPU (an assumed release only moves its figures)
        _unsafe(d)
        clauses = [f.assumption or f"assuming {f.source}" for f in uncertain if f.kind != VERSION]
        if clauses:
            d.assumptions = clauses
            d.message = f"{d.message} ({'; '.join(clauses)})"
        return d
    testable = [f for f in uncertain if f.alternatives]
    untestable = [f for f in uncertain if not f.alternatives]
    worlds = _worlds(testable)
    if worlds is None:
        untestable, testable, worlds = uncertain, [], []
    missing: list[World] = []
    same_rule = True
    for world in worlds:
        there = trials.found(world).get(_key(d))
        if there is None or (d.severity is Severity.ERROR and there[0] is not Severity.ERROR):
            if d.severity is Severity.WARNING and not d.rule.startswith("VL2") and trials.refused(world):
                continue  # vLLM stops at its command line in that reading: nothing to contradict
            missing.append(world)
        elif there[1] != {d.rule}:
            same_rule = False
    if not missing and not untestable:
        if not same_rule:
            _unsafe(d)  # another rule speaks under another reading: its fix may not be this one
        return d
    if missing and d.severity is Severity.WARNING and not _fatal_somewhere(d, worlds, trials):
        return None  # a side remark about one reading of the file, harmless in the others
    clauses = [f.assumption or f"assuming {f.source}" for f in untestable]
    gone = set(missing)
    for f in testable:
        absent = {w.get(f.kind, f.key, f.value) for w in missing}
        if absent:
            held = _held_values(f, worlds, gone)
            holds = [f.value] + [v for v in f.alternatives if v not in absent or v in held]
            clauses.append(_clause(f, holds))
    if d.severity is Severity.ERROR:
        d.severity = Severity.WARNING
    _unsafe(d)
    d.assumptions = clauses
    d.message = f"{d.message} ({'; '.join(clauses)})"
    return d


def _fatal_somewhere(d: Diagnostic, worlds: list[World], trials: Trials) -> bool:
    """True when the finding is an error under some reading."""
    return any((trials.found(w).get(_key(d)) or (None,))[0] is Severity.ERROR for w in worlds)


def _worlds(facts: list[Fact]) -> list[World] | None:
    """Every combination of the facts' values except the assumed one; None when too many."""
    if not facts:
        return []
    choices = [(f, (f.value,) + tuple(f.alternatives)) for f in facts]
    count = 1
    for _, values in choices:
        count *= len(values)
    if count - 1 > MAX_WORLDS:
        return None
    out = []
    for combo in itertools.product(*(values for _, values in choices)):
        if all(v == f.value for (f, _), v in zip(choices, combo)):
            continue
        out.append(World(tuple((f.ident, v) for (f, _), v in zip(choices, combo))))
    return out


def _unsafe(d: Diagnostic) -> None:
    if d.fix is not None and d.fix.safe:
        d.fix = Fix(d.fix.description, d.fix.edits, safe=False)


def _held_values(fact: Fact, worlds: list[World], missing: set[World]) -> set[object]:
    """The values of ``fact`` under which some world still has the finding."""
    return {w.get(fact.kind, fact.key, fact.value) for w in worlds if w not in missing}


def _clause(fact: Fact, holds: list[object]) -> str:
    """What the finding assumes about ``fact``, naming the values it holds for."""
    if fact.kind == VERSION:
        return f"if it runs vLLM {describe_releases([str(v) for v in holds])}: the release is not known ({fact.source})"
    if fact.kind == GPU and len(holds) > 1:
        return f"if the GPU is {' or '.join(getattr(v, 'key', str(v)) for v in holds)} ({fact.source})"
    return fact.assumption or f"assuming {fact.source}"
