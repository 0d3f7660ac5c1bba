"""``--format json``: the stable machine contract (``"version": 1``)."""

from __future__ import annotations

import json
from collections import Counter
from typing import TextIO

from vllm_lint.results import LintResult


def summary(result: LintResult) -> dict:
    by_sev = Counter(d.severity.value for d in result.diagnostics)
    return {
        "files": len(result.files),
        "launches": len(result.launches),
        "errors": by_sev.get("error", 0),
        "warnings": by_sev.get("warning", 0),
        "infos": by_sev.get("info", 0),
        "suppressed": len(result.suppressed),
        "fixable": sum(1 for d in result.diagnostics if d.fix is not None),
    }


def write_json(result: LintResult, out: TextIO) -> None:
    doc = {
        "version": 1,
        "diagnostics": [d.to_json() for d in result.diagnostics],
        "summary": summary(result),
    }
    # json.dump's chunks (what it would write one by one: ~200,000 writes for a 2,000-file tree)
    # written in batches; the whole document as one string would cost ~15 MB more peak memory
    batch: list[str] = []
    for chunk in json.JSONEncoder(indent=2).iterencode(doc):
        batch.append(chunk)
        if len(batch) >= 4096:
            out.write("".join(batch))
            batch.clear()
    batch.append("\n")
    out.write("".join(batch))
