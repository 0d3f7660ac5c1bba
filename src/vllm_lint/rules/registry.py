"""The rule registry: metadata from ``rules/*.yaml`` joined to check functions by id.

A rule is one YAML file (id, name, severity, docs, runnable examples) plus one check function
registered here with ``@register("VLxxx")``. Check modules are imported explicitly in
``vllm_lint.rules.checks`` so the set of rules is visible in one place.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Callable, Iterable, Iterator

import yaml

from vllm_lint import HOMEPAGE
from vllm_lint.diagnostic import Diagnostic, Fix, Severity
from vllm_lint.span import Span

SCOPES = ("launch", "file", "project")


@dataclass(frozen=True)
class RuleMeta:
    """A rule's documentation as its ``rules/VLxxx.yaml`` states it (schema: rules/schema.json)."""

    id: str
    name: str
    severity: Severity
    summary: str
    what: str = ""
    why: str = ""
    fix: str = ""
    fix_safety: str = ""
    references: tuple[str, ...] = ()
    examples: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def help_uri(self) -> str:
        """The rule's generated page (docs/rules/<ID>.md), linked from SARIF and GitHub summaries."""
        return f"{HOMEPAGE}/blob/main/docs/rules/{self.id}.md"


@dataclass(frozen=True)
class Check:
    """A registered check function and the scope it is called with (see ``register``)."""

    rule_id: str
    func: Callable
    scope: str


_CHECKS: dict[str, Check] = {}


def register(rule_id: str, *, scope: str = "launch") -> Callable[[Callable], Callable]:
    """Register ``func`` as the check of ``rule_id``. ``scope`` is "launch" (called once per
    LaunchContext), "file" (called once per SourceFile read, launches or not) or "project"
    (called once with every LaunchContext of the run)."""
    if scope not in SCOPES:
        raise ValueError(f"unknown scope {scope!r}")

    def deco(func: Callable) -> Callable:
        if rule_id in _CHECKS:
            raise ValueError(f"rule {rule_id} registered twice")
        _CHECKS[rule_id] = Check(rule_id, func, scope)
        return func

    return deco


def checks() -> dict[str, Check]:
    """Every registered check by rule id, importing the check modules on first use."""
    import vllm_lint.rules.checks  # noqa: F401  (registers every check)

    return dict(_CHECKS)


def rules_dir() -> Path:
    """Where the rule YAML files live: shipped in the wheel, or the repo's top-level ``rules/``."""
    try:
        packaged = resources.files("vllm_lint") / "rules_data"
        if packaged.is_dir():
            return Path(str(packaged))
    except (ModuleNotFoundError, TypeError):
        pass
    return Path(__file__).resolve().parents[3] / "rules"


@lru_cache(maxsize=1)
def all_meta() -> dict[str, RuleMeta]:
    """Every rule's metadata, keyed by id (read once per process)."""
    out: dict[str, RuleMeta] = {}
    for path in sorted(rules_dir().glob("VL*.yaml")):
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_loader())
        out[data["id"]] = RuleMeta(
            id=data["id"],
            name=data["name"],
            severity=Severity(data["severity"]),
            summary=data.get("summary", ""),
            what=data.get("what", ""),
            why=data.get("why", ""),
            fix=data.get("fix", ""),
            fix_safety=data.get("fix_safety", ""),
            references=tuple(data.get("references") or ()),
            examples=data.get("examples") or {},
        )
    return out


def _loader():
    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def meta(rule_id: str) -> RuleMeta:
    """The documentation of one rule; KeyError when no rules/<ID>.yaml exists."""
    m = all_meta().get(rule_id)
    if m is None:
        raise KeyError(f"no rules/{rule_id}.yaml")
    return m


def schema() -> dict:
    """rules/schema.json, the JSON Schema every rule YAML is validated against."""
    return json.loads((rules_dir() / "schema.json").read_text(encoding="utf-8"))


def make_diagnostic(
    rule_id: str,
    path: str,
    span: Span | None,
    message: str,
    *,
    launch: str | None = None,
    fix: Fix | None = None,
    suggestions: Iterable[Fix] = (),
    notes: Iterable[str] = (),
    severity: Severity | None = None,
) -> Diagnostic:
    """A Diagnostic for ``rule_id`` with its name and default severity from the rule's metadata.

    Message and notes are capped at ``MAX_MESSAGE`` characters: a message that quotes input (vLLM's
    "unrecognized arguments: ..." line) would otherwise make the report quadratic in the input
    (25,000 unknown flags, each quoting all 25,000, was a 2.5 GB report)."""
    m = meta(rule_id)
    return Diagnostic(
        rule=rule_id,
        name=m.name,
        severity=severity or m.severity,
        path=path,
        span=span,
        message=_cap(message),
        launch=_cap(launch) if launch is not None else None,
        fix=fix,
        suggestions=list(suggestions),
        notes=[_cap(n) for n in notes],
    )


MAX_MESSAGE = 2000


def _cap(text: str) -> str:
    if len(text) <= MAX_MESSAGE:
        return text
    return f"{text[:MAX_MESSAGE]}… ({len(text) - MAX_MESSAGE} more characters)"


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
    metas = all_meta()
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
    metas = all_meta()
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
    for m in all_meta().values():
        for kind in ("bad", "good"):
            for ex in m.examples.get(kind) or ():
                yield m, kind, ex
