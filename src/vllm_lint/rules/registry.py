"""The rule registry: check functions by rule id, and which rules a run enables.

A rule is one YAML file (id, name, severity, docs, runnable examples; read by
``vllm_lint.rule_meta``) plus one check function registered here with ``@register("VLxxx")``. Check modules are imported explicitly in
``vllm_lint.rules.checks``, so the set of rules is visible in one place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

from vllm_lint import rule_meta
from vllm_lint.rule_meta import RuleMeta

SCOPES = ("launch", "file", "project")


@dataclass(frozen=True)
class Check:
    """A registered check function and the scope it is called with (see ``register``)."""

    rule_id: str
    func: Callable
    scope: str


_CHECKS: dict[str, Check] = {}


def register(rule_id: str, *, scope: str = "launch") -> Callable[[Callable], Callable]:
    """Register ``func`` as the check of ``rule_id``. ``scope`` is "launch" (called once per
    RuleContext), "file" (called once per SourceFile read, launches or not) or "project"
    (called once with every RuleContext of the run)."""
    if scope not in SCOPES:
        raise ValueError(f"unknown scope {scope!r}")

    def deco(func: Callable) -> Callable:
        if rule_id in _CHECKS:
            raise ValueError(f"rule {rule_id} registered twice")
        _CHECKS[rule_id] = Check(rule_id, func, scope)
        return func

    return deco


def registered() -> dict[str, Check]:
    """The checks registered so far, by rule id (``rules.checks.checks`` imports them all first)."""
    return dict(_CHECKS)


_PREFIX = re.compile(r"^VL\d{0,3}$")
# Letters typed for the digits they look like: VL1O1, VLl01.
_LOOKALIKE = str.maketrans({"O": "0", "I": "1", "L": "1"})


def _selects(item: str, metas: dict[str, RuleMeta]) -> bool:
    """True when ``item`` (an id, an id prefix, a rule name or ``ALL``) names at least one rule."""
    upper = item.upper()
    if upper == "ALL" or upper in metas or any(m.name == item for m in metas.values()):
        return True
    return bool(_PREFIX.match(upper)) and any(i.startswith(upper) for i in metas)


def guess_rule(item: str, metas: dict[str, RuleMeta]) -> str | None:
    """The rule a mistyped selector most likely means: "VL101 (kv-cache-capacity)"."""
    from vllm_lint.suggest import closest

    upper = item.upper()
    if upper.startswith("VL"):
        digits = "VL" + upper[2:].translate(_LOOKALIKE)
        if digits != upper and _selects(digits, metas):
            return f"{digits} ({metas[digits].name})" if digits in metas else digits
    names = {m.name: i for i, m in metas.items()}
    name = closest(item, names, normalise=lambda s: s.lower().replace("_", "-").replace(" ", "-"))
    if name is not None:
        return f"{name} ({names[name]})"
    rule = closest(upper, metas, cutoff=0.8, normalise=str.upper)
    return f"{rule} ({metas[rule].name})" if rule else None


def selector_problem(item: str) -> str | None:
    """Why ``item`` selects no rule, with a did-you-mean, or None when it selects at least one.

    ruff refuses an unknown selector instead of matching nothing: a typo in ``--select`` or
    ``ignore`` would otherwise switch checking off (or leave it on) without a word."""
    item = item.strip()
    metas = rule_meta.all_meta()
    if not item or _selects(item, metas):
        return None
    words = item.replace(",", " ").split()
    if len(words) > 1 and all(_selects(w, metas) for w in words):
        return f"{item!r} holds several rules: separate them with commas ({','.join(words)})"
    guess = guess_rule(item, metas)
    hint = f"did you mean {guess}?" if guess else "`vllm-lint rules` lists every rule"
    return f"unknown rule {item!r}: {hint}"


def select_rules(select: Iterable[str] | None, ignore: Iterable[str] | None) -> set[str]:
    """Rule ids enabled by ``--select``/``--ignore``: each item is an id (VL101), a prefix (VL1)
    or a name (kv-cache-capacity), as ruff does. ``ALL`` selects everything."""
    metas = rule_meta.all_meta()
    ids = set(metas)

    def expand(items: Iterable[str]) -> set[str]:
        out: set[str] = set()
        for item in items:
            item = item.strip()
            if not item:
                continue
            if item.upper() == "ALL":
                out |= ids
                continue
            by_name = {i for i, m in metas.items() if m.name == item}
            out |= by_name or {i for i in ids if i.startswith(item.upper())}
        return out

    chosen = expand(select) if select else ids
    return chosen - expand(ignore or ())


def iter_examples() -> Iterator[tuple[RuleMeta, str, dict]]:
    """(rule, "bad"|"good", example) for every example in every rule file."""
    for m in rule_meta.all_meta().values():
        for kind in ("bad", "good"):
            for ex in m.examples.get(kind) or ():
                yield m, kind, ex
