"""Rule metadata as ``rules/VLxxx.yaml`` states it (id, name, severity, docs, examples), and
``make_diagnostic``, which every stage that reports a finding uses to stamp it with the rule's
name and default severity.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Iterable

import yaml

from vllm_lint import HOMEPAGE
from vllm_lint.diagnostic import Diagnostic, Fix, Severity
from vllm_lint.span import Span


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
    parser_problems: tuple[str, ...] = ()  # ArgProblem codes of vllm.args that this rule reports

    @property
    def help_uri(self) -> str:
        """The rule's generated page (docs/rules/<ID>.md), linked from SARIF and GitHub summaries."""
        return f"{HOMEPAGE}/blob/main/docs/rules/{self.id}.md"


def rules_dir() -> Path:
    """Where the rule YAML files live: shipped in the wheel, or the repo's top-level ``rules/``."""
    try:
        packaged = resources.files("vllm_lint") / "rules_data"
        if packaged.is_dir():
            return Path(str(packaged))
    except (ModuleNotFoundError, TypeError):
        pass
    return Path(__file__).resolve().parents[2] / "rules"


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
            parser_problems=tuple(data.get("parser_problems") or ()),
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
