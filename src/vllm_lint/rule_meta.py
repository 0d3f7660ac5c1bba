"""Rule metadata as ``rules/VLxxx.yaml`` states it (id, name, severity, docs, examples), and
``make_diagnostic``, which every stage that reports a finding uses to stamp it with the rule's
name and default severity.

Every run needs the metadata of every rule, and parsing 60 YAML files costs more than the rest of
a one-file run's data, so ``rules/index.json`` (written by ``tools/gen_rule_docs.py``) holds the
same data as JSON with each file's size. It is used only while the YAML files it was built from
are all there, none added, none of another size; otherwise the YAML is read (a stale index costs
speed, never a wrong rule). ``tests/rules/test_rule_index.py`` keeps it equal to the YAML.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterable

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
    here = Path(__file__).parent
    packaged = here / "rules_data"
    if packaged.is_dir():
        return packaged
    return here.resolve().parents[1] / "rules"


INDEX = "index.json"


@lru_cache(maxsize=1)
def all_meta() -> dict[str, RuleMeta]:
    """Every rule's metadata, keyed by id (read once per process): from ``index.json`` while it
    matches the rule files, else from the YAML."""
    folder = rules_dir()
    index = _fresh_index(folder)
    records = index["rules"] if index is not None else yaml_records(folder)
    return {data["id"]: _meta_of(data) for data in records}


def yaml_records(folder: Path | None = None) -> list[dict]:
    """Each ``VL*.yaml`` of ``folder`` (default: the rules folder) parsed, in file-name order,
    with its ``file`` name and size in ``bytes`` (what ``index.json`` holds)."""
    import yaml

    folder = folder or rules_dir()
    out = []
    for path in sorted(folder.glob("VL*.yaml")):
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_loader())
        out.append({"file": path.name, "bytes": path.stat().st_size, **data})
    return out


def _fresh_index(folder: Path) -> dict | None:
    """``index.json`` when it lists exactly the ``VL*.yaml`` files of ``folder``, each of the size
    it was indexed at; None when it is missing, unreadable or stale."""
    try:
        index = json.loads((folder / INDEX).read_bytes())
        sizes = {e.name: e.stat().st_size for e in os.scandir(folder)
                 if e.name.startswith("VL") and e.name.endswith(".yaml")}
        indexed = {r["file"]: r["bytes"] for r in index["rules"]}
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return index if sizes == indexed else None


def _meta_of(data: dict) -> RuleMeta:
    return RuleMeta(
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


def index_text(records: list[dict]) -> str:
    """``index.json`` for ``records`` (``yaml_records()``): one rule per line, so rules added on
    two branches merge as two lines."""
    rows = ",\n".join("    " + json.dumps(r, ensure_ascii=False) for r in records)
    return ('{\n  "generated_by": "tools/gen_rule_docs.py from rules/VL*.yaml; do not edit",\n'
            f'  "rules": [\n{rows}\n  ]\n}}\n')


def _loader():
    import yaml

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
    (25,000 unknown flags, each quoting all 25,000, make a 2.5 GB report)."""
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
