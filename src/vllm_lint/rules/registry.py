"""The rule registry: check functions by rule id, and which rules a run enables.

A rule is one YAML file (id, name, severity, docs, runnable examples; read by
``vllm_lint.rule_meta``) plus one check function registered here with ``@register("VLxxx")``. Check modules are imported explicitly in
``vllm_lint.rules.checks``, so the set of rules is visible in one place.
"""

from __future__ import annotations

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
