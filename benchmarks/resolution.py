"""How many launches of the shared corpus name a model vllm-lint resolves, and why the rest do not.

    python benchmarks/resolution.py [CORPUS] [--catalog PATH] [--json] [--list]

In scope: a launch whose model is a Hub id (``org/name``), a local path shaped like a Hub
id (``/models/Org--Name``, ``models--Org--Name/snapshots/<sha>``, ``/data/models/Skywork-R1V3-38B``: its
last folder reads like a repo name: a letter first and a digit in it), or a launch served under a
Hub id or under a name of a known model (``--served-model-name meta-llama/...`` for
``--model /mnt/models``), or a folder the file fills with ``hf download <id> --local-dir``. Out of scope, and listed apart: generic mount points (``/mnt/models``,
``/model``) served under a nickname, placeholders and templates.

Each in-scope launch is *resolved* when vllm-lint knows its geometry (exact: the checkpoint's own
config; likely: a variant, folder or served name of a known model), *partial* when only facts read
from the name are known, and *unresolved* otherwise. ``--catalog`` points the resolver at another
catalog file (the catalog branch's, or a locally extended one) to measure before a merge.
Target: at least 95% resolved.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

DEFAULT_CORPUS = HERE.parent.parent / "shared" / "corpus"
# A repo-like folder name: a letter first, a digit somewhere (sizes, versions), no template syntax.
REPO_LIKE = re.compile(r"^[A-Za-z][\w.+-]*\d[\w.+-]*$")
NOT_A_MODEL = re.compile(r"^(?:mxfp4|nvfp4|fp8|fp16|bf16|awq|gptq|int4|int8|v\d+)$", re.I)


def _shape(name: str) -> str | None:
    """"hub-id", "path", or None (not a name that identifies a model)."""
    from vllm_lint.models.variants import HUB_ID, path_names
    from vllm_lint.models.resolve import _is_pathlike

    name = name.strip().strip("'\"")
    if not name or "$" in name or "{" in name or "<" in name or "YOUR" in name.upper():
        return None
    if HUB_ID.match(name) and not _is_pathlike(name):
        return "hub-id"
    for pn in path_names(name):
        tail = pn.key.split("/")[-1]
        if pn.rule in ("hf-layout", "org--name") or (REPO_LIKE.match(tail) and not NOT_A_MODEL.match(tail)):
            return "path"
    return None


def _served(ctx) -> list[str]:
    served = ctx.args.values.get("served_model_name")
    return served if isinstance(served, list) else [served] if isinstance(served, str) else []


def measure(corpus: Path) -> dict:
    from vllm_lint.resolve.context import RunOptions
    from vllm_lint.lint import LintOptions, lint_paths

    result = lint_paths([corpus], LintOptions(run=RunOptions(), select=["VL0"]))
    rows = []
    for ctx in result.launches:
        try:
            name = ctx.model_name
        except Exception as exc:  # noqa: BLE001 - a launch whose flags do not parse
            rows.append({"path": ctx.launch.path, "model": None, "scope": "no model", "why": f"flags: {exc}"})
            continue
        served = _served(ctx) if name else []
        shape = _shape(name) if name else None
        res = ctx.model_resolution if name else None
        # a served name counts when it is a Hub id, or names a model vllm-lint knows
        served_known = any(_shape(s) == "hub-id" for s in served) or bool(res is not None and res.served_name)
        downloaded = bool(res is not None and res.mapped_from and res.mapped_by == "download")
        scope = shape or ("served" if served_known else "downloaded" if downloaded else None)
        row = {"path": str(Path(ctx.launch.path).relative_to(corpus)) if ctx.launch.path.startswith(str(corpus))
               else ctx.launch.path, "launch": ctx.launch.name, "model": name, "served": served, "scope": scope}
        if res is None:
            row.update(status="no model", why="the launch names no model vllm-lint can read (template or absent)")
        elif res.arch is not None:
            row.update(status="resolved", certainty=res.certainty, how=res.describe())
        elif res.facts is not None:
            row.update(status="partial", how=res.describe(), why=res.message or "")
        else:
            last = res.trail[-1] if res.trail else None
            row.update(status="unresolved",
                       why=(res.message or "") if res.candidates else (f"{last.step}: {last.result}" if last else ""))
        rows.append(row)
    in_scope = [r for r in rows if r.get("scope")]
    counts = Counter(r["status"] for r in in_scope)
    resolved = counts.get("resolved", 0)
    return {
        "launches": len(rows),
        "in_scope": len(in_scope),
        "resolved": resolved,
        "exact": sum(1 for r in in_scope if r.get("certainty") == "exact"),
        "likely": sum(1 for r in in_scope if r.get("certainty") == "likely"),
        "partial": counts.get("partial", 0),
        "unresolved": counts.get("unresolved", 0),
        "rate": resolved / len(in_scope) if in_scope else 1.0,
        "rows": rows,
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    p.add_argument("--catalog", type=Path, help="resolve against this catalog.json instead of the shipped one")
    p.add_argument("--json", action="store_true", help="print every row as JSON")
    p.add_argument("--list", action="store_true", help="also list the likely resolutions and the out-of-scope launches")
    ns = p.parse_args(argv)
    if not ns.corpus.is_dir():
        print(f"no corpus at {ns.corpus}", file=sys.stderr)
        return 2
    if ns.catalog:
        from vllm_lint.models import resolve

        resolve.CATALOG_PATH = ns.catalog
    m = measure(ns.corpus.resolve())
    if ns.json:
        json.dump(m, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    print(f"launches: {m['launches']}; naming a Hub id, a Hub-id-shaped path or a known served name: {m['in_scope']}")
    print(f"resolved: {m['resolved']} ({m['rate']:.1%}; exact {m['exact']}, likely {m['likely']}); "
          f"partial facts only: {m['partial']}; unresolved: {m['unresolved']}")
    print("\nnot resolved (in scope):")
    for r in m["rows"]:
        if r.get("scope") and r["status"] != "resolved":
            print(f"  {r['status']:<10} {r['model']}  [{r['path']}]\n             {r.get('how') or r.get('why')}")
    if ns.list:
        print("\nlikely resolutions:")
        for r in m["rows"]:
            if r.get("certainty") == "likely":
                print(f"  {r['model']} -> {r['how']}  [{r['path']}]")
        print("\nout of scope:")
        for r in m["rows"]:
            if not r.get("scope"):
                print(f"  {r['model']!s:<45} served {r.get('served') or '-'}  [{r['path']}]")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
