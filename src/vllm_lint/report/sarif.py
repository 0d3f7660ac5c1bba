"""``--format sarif``: SARIF 2.1.0 for GitHub code scanning (``github/codeql-action/upload-sarif``).

What code scanning needs beyond the schema (GitHub's "SARIF support for code scanning"):
every rule has ``fullDescription``, ``help.text`` and a ``helpUri``; every result a region
with start and end line and column (1-based, never 0; SARIF's ``endColumn`` is the column
after the last character, which is what ``Span.end_column`` holds); URIs are relative to the
repository root (``%SRCROOT%``, the working directory); ``partialFingerprints`` lets alerts
follow a finding when lines move. Suppressed findings are left out.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import TextIO
from urllib.parse import quote

from vllm_lint import HOMEPAGE, __version__
from vllm_lint.diagnostic import Diagnostic, Fix
from vllm_lint.results import LintResult
from vllm_lint.span import Span

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = HOMEPAGE
_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def artifact_uri(path: str) -> str:
    """A repository-relative, percent-encoded POSIX URI for a display path."""
    return quote(Path(path).as_posix().removeprefix("./"), safe="/")


def artifact_location(path: str) -> dict:
    """Relative to ``%SRCROOT%`` (the working directory) when the file is below it, as code
    scanning needs; an absolute ``file:`` URI for a file outside it."""
    p = Path(path)
    if p.is_absolute():
        return {"uri": p.as_uri()}
    return {"uri": artifact_uri(path), "uriBaseId": "%SRCROOT%"}


def _region(span: Span | None) -> dict:
    if span is None:
        return {"startLine": 1, "startColumn": 1, "endLine": 1, "endColumn": 1}
    line, col = max(1, span.line), max(1, span.column)
    end_line = max(line, span.end_line)
    end_col = max(1, span.end_column)
    if end_line == line:
        end_col = max(end_col, col)
    return {"startLine": line, "startColumn": col, "endLine": end_line, "endColumn": end_col}


def _rule(m) -> dict:
    from vllm_lint.report.explain import rule_markdown

    help_text = "\n\n".join(p.strip() for p in (m.what, m.why, "How to fix: " + m.fix.strip()) if p and p.strip())
    return {
        "id": m.id,
        "name": m.name,
        "shortDescription": {"text": m.summary},
        "fullDescription": {"text": (m.what or m.summary).strip()},
        "help": {"text": help_text, "markdown": rule_markdown(m)},
        "helpUri": m.help_uri,
        "defaultConfiguration": {"level": _LEVEL[m.severity.value]},
        "properties": {"tags": ["vllm", f"{m.id[:3]}xx"], "precision": "high"},
    }


def fingerprint(diag: Diagnostic, line_text: str, occurrence: int) -> str:
    """Stable across line moves: rule, file, launch, the finding's line content, occurrence."""
    key = "\0".join((diag.rule, diag.path, diag.launch or "", line_text.strip(), str(occurrence)))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def _fix(fix: Fix) -> dict:
    changes: dict[str, list[dict]] = {}
    for e in fix.edits:
        changes.setdefault(e.span.path, []).append(
            {"deletedRegion": _region(e.span), "insertedContent": {"text": e.replacement}}
        )
    return {
        "description": {"text": fix.description + ("" if fix.safe else " (unsafe: changes behaviour)")},
        "artifactChanges": [
            {"artifactLocation": artifact_location(p), "replacements": reps}
            for p, reps in changes.items()
        ],
    }


def _message(diag: Diagnostic) -> str:
    return "\n".join([diag.message, *diag.notes])


def build_sarif(result: LintResult, root: str | None = None) -> dict:
    """The SARIF log as a dict (``root`` is the folder URIs are relative to; default cwd)."""
    from vllm_lint.rule_meta import all_meta

    metas = sorted(all_meta().values(), key=lambda m: m.id)
    index = {m.id: i for i, m in enumerate(metas)}
    seen: dict[tuple[str, str, str], int] = {}
    results = []
    notifications = []
    for d in result.diagnostics:
        if d.path.startswith("<"):
            # Not about a file (a project-wide internal error): code scanning drops results
            # without a location, so it goes to the invocation's notifications instead.
            notifications.append({
                "level": _LEVEL[d.severity.value],
                "message": {"text": f"{d.rule} {_message(d)}"},
                "descriptor": {"id": d.rule},
            })
            continue
        src = result.sources.get(d.path)
        line_text = src.index.line_text(d.line) if src is not None else ""
        key = (d.rule, d.path, line_text.strip())
        seen[key] = seen.get(key, 0) + 1
        res: dict = {
            "ruleId": d.rule,
            "level": _LEVEL[d.severity.value],
            "message": {"text": _message(d)},
            "partialFingerprints": {"vllmLintFinding/v1": fingerprint(d, line_text, seen[key])},
        }
        if d.rule in index:
            res["ruleIndex"] = index[d.rule]
        res["locations"] = [{
            "physicalLocation": {
                "artifactLocation": artifact_location(d.path),
                "region": _region(d.span),
            }
        }]
        if d.launch:
            res["properties"] = {"launch": d.launch}
        if d.fix and d.fix.edits:
            res["fixes"] = [_fix(d.fix)]
        results.append(res)
    base = Path(root or os.getcwd()).resolve().as_uri().rstrip("/") + "/"
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "vllm-lint",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": INFORMATION_URI,
                "rules": [_rule(m) for m in metas],
            }},
            "originalUriBaseIds": {"%SRCROOT%": {"uri": base}},
            "invocations": [{
                "executionSuccessful": not result.internal_error,
                **({"toolExecutionNotifications": notifications} if notifications else {}),
            }],
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }


def write_sarif(result: LintResult, out: TextIO) -> None:
    json.dump(build_sarif(result), out, indent=2, ensure_ascii=False)
    out.write("\n")
