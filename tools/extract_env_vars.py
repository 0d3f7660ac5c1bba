#!/usr/bin/env python3
"""Read which environment variables each vLLM release reads, from its PyPI wheel.

For every release of ``src/vllm_lint/vllm/data/releases.json`` (or the ones named):
  1. the release's ``vllm/**/*.py`` are unzipped into the cache shared with ``extract_flags.py``
     (``pip download vllm==X --no-deps``, wheel deleted once unzipped; reused when already there);
  2. ``vllm/envs.py`` is parsed (never imported): the string keys of its ``environment_variables``
     dict are the variables the release *defines*; from 0.17.0 vLLM itself warns about a
     ``VLLM_*`` variable that is not a key of that dict ("Unknown vLLM environment variable
     detected"), so these keys are what vLLM calls its variables;
  3. every other ``.py`` file is scanned for string literals that are exactly a ``VLLM_*`` name
     (``os.environ.get("VLLM_X")``): variables the release *mentions* outside ``envs.py`` (platform
     code of older releases read some directly); and f-string name templates made only of name
     characters (``f"VLLM_{phase}_{dim}_BUCKET_{p}"``) become wildcard patterns.

The result, ``src/vllm_lint/vllm/data/env_vars.json``, stores each name once with the runs of
consecutive releases (first, last) that define or mention it. Nothing of vLLM's code is kept.

Usage:
  python tools/extract_env_vars.py                 # every release; writes env_vars.json
  python tools/extract_env_vars.py --cache DIR     # wheels/sources cache (default /tmp/vllm-wheels)
  python tools/extract_env_vars.py --check         # exit 1 when the shipped file differs
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tools"))

OUT = ROOT / "src" / "vllm_lint" / "vllm" / "data" / "env_vars.json"
SOURCE = ("each release's wheel from PyPI: keys of vllm/envs.py `environment_variables` (defined); exact "
          "\"VLLM_*\" string literals and f-string name templates in the other vllm/**/*.py (mentioned); "
          "tools/extract_env_vars.py")

_LITERAL = re.compile(r"""["'](VLLM_[A-Z0-9_]+)["']""")
_TEMPLATE = re.compile(r"""\bf["'](VLLM_[A-Za-z0-9_{}.]*\{[A-Za-z0-9_{}.]*)["']""")


def defined_names(envs_py: str) -> list[str]:
    """The string keys of ``environment_variables = {...}`` in an ``envs.py`` (parsed, not run)."""
    tree = ast.parse(envs_py)
    for node in ast.walk(tree):
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == "environment_variables" for t in targets) \
                    and isinstance(node.value, ast.Dict):
                return [k.value for k in node.value.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)]
    raise ValueError("no `environment_variables = {...}` dict in envs.py")


def template_pattern(template: str) -> str | None:
    """``VLLM_{phase}_{dim}_BUCKET_{p}`` -> ``VLLM_*_*_BUCKET_*`` (upper case); None when the
    template holds anything but name characters and replacement fields."""
    pattern = re.sub(r"\{[^{}]*\}", "*", template)
    if "{" in pattern or "}" in pattern or "." in pattern or not re.fullmatch(r"VLLM_[A-Za-z0-9_*]+", pattern):
        return None
    if pattern.count("*") == 0 or not re.search(r"[A-Za-z0-9]_?\*|\*_?[A-Za-z0-9]", pattern):
        return None
    return pattern.upper()


def release_names(src: Path) -> tuple[set[str], set[str], set[str]]:
    """(defined, mentioned, patterns) of one release's unzipped sources."""
    pkg = src / "vllm"
    defined = set(defined_names((pkg / "envs.py").read_text("utf-8")))
    mentioned: set[str] = set()
    patterns: set[str] = set()
    for path in sorted(pkg.rglob("*.py")):
        if path == pkg / "envs.py":
            continue
        text = path.read_text("utf-8", errors="replace")
        mentioned.update(_LITERAL.findall(text))
        for t in _TEMPLATE.findall(text):
            p = template_pattern(t)
            if p:
                patterns.add(p)
    return defined, mentioned - defined, patterns


def runs(present: list[bool], versions: list[str]) -> list[list[str]]:
    """[[first, last], ...] of the consecutive releases where ``present`` holds."""
    out: list[list[str]] = []
    start = None
    for i, yes in enumerate(present + [False]):
        if yes and start is None:
            start = i
        elif not yes and start is not None:
            out.append([versions[start], versions[i - 1]])
            start = None
    return out


def build(versions: list[str], per_release: dict[str, tuple[set[str], set[str], set[str]]]) -> dict:
    names: dict[str, dict[str, list[list[str]]]] = {}
    everything = sorted(set().union(*(d | m for d, m, _ in per_release.values())))
    for name in everything:
        row: dict[str, list[list[str]]] = {}
        d = runs([name in per_release[v][0] for v in versions], versions)
        m = runs([name in per_release[v][1] for v in versions], versions)
        if d:
            row["defined"] = d
        if m:
            row["mentioned"] = m
        names[name] = row
    patterns: dict[str, list[list[str]]] = {}
    for p in sorted(set().union(*(ps for _, _, ps in per_release.values()))):
        patterns[p] = runs([p in per_release[v][2] for v in versions], versions)
    return {"source": SOURCE, "first": versions[0], "last": versions[-1], "variables": names, "patterns": patterns}


def render(data: dict) -> str:
    """One variable per line, so a new release's diff reads as the variables it changed."""
    lines = ["{", f'"source": {json.dumps(data["source"])},', f'"first": {json.dumps(data["first"])},',
             f'"last": {json.dumps(data["last"])},', '"variables": {']
    items = list(data["variables"].items())
    for i, (name, row) in enumerate(items):
        lines.append(f"{json.dumps(name)}: {json.dumps(row, separators=(',', ':'))}" + ("," if i < len(items) - 1 else ""))
    lines.append("},")
    lines.append('"patterns": {')
    pats = list(data["patterns"].items())
    for i, (p, r) in enumerate(pats):
        lines.append(f"{json.dumps(p)}: {json.dumps(r, separators=(',', ':'))}" + ("," if i < len(pats) - 1 else ""))
    lines.append("}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cache", default="/tmp/vllm-wheels")
    ap.add_argument("--check", action="store_true", help="exit 1 when the shipped file differs from a fresh build")
    ns = ap.parse_args()
    from extract_flags import ensure_sources  # the download-and-unzip step shared with the flag tables

    from vllm_lint.vllm.releases import release_versions

    versions = list(release_versions())
    per_release = {}
    for v in versions:
        src = ensure_sources(v, Path(ns.cache))
        per_release[v] = release_names(src)
        print(f"vllm {v}: {len(per_release[v][0])} defined, {len(per_release[v][1])} mentioned elsewhere, "
              f"{len(per_release[v][2])} name templates", file=sys.stderr)
    text = render(build(versions, per_release))
    if ns.check:
        same = OUT.exists() and OUT.read_text("utf-8") == text
        print("env_vars.json is up to date" if same else "env_vars.json differs from a fresh build", file=sys.stderr)
        return 0 if same else 1
    OUT.write_text(text, "utf-8")
    print(f"wrote {OUT.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
