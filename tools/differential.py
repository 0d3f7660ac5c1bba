#!/usr/bin/env python3
"""Record what the REAL vLLM parser of several releases says about every differential case.

For each release: the wheel's sources (see tools/extract_flags.py) are run in the stubbed throwaway
venv by tools/vllm_inner.py, which executes vLLM's own ``vllm`` console script (serve dispatch
replaced, so nothing starts) or the api_server parser on each argv, and prints the verdict: accepted
with the values that differ from the defaults, or vLLM's own error line.

Output: tests/data/differential/<version>.jsonl, one record per case:
  {"id", "entrypoint", "argv", "verdict": "ok"|"error", "values"? , "error"?, "phase"?}

Default releases: every release that has its own flag table (data/releases.json: the first release
of each distinct parser); --all-releases: every release.

Usage: python tools/differential.py [versions...] [--all-releases] [--corpus ../shared/corpus] [--jobs 2] [--out DIR]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

from differential_cases import cases  # noqa: E402
from extract_flags import ensure_sources, ensure_venv, run_inner  # noqa: E402

OUT = ROOT / "tests" / "data" / "differential"
_ADDRESS = re.compile(r" at 0x[0-9a-f]+>")
sys.path.insert(0, str(ROOT / "src"))


def table_releases() -> list[str]:
    """The releases whose parser differs from the previous release's (one per flag table file)."""
    from vllm_lint.vllm.releases import releases

    return [r.version for r in releases() if r.table == r.version]


def record(version: str, all_cases: list, cache: Path, py: Path, out_dir: Path = OUT) -> Path:
    from vllm_lint.vllm.releases import release

    src = ensure_sources(version, cache)
    rows: list[dict] = []
    row = release(version)
    entries = ("serve", "api_server") if row is None or row.console_script else ("api_server",)  # no `vllm` before 0.5.2
    for entry in entries:
        mine = [c for c in all_cases if c[1] == entry]
        stdin = "".join(json.dumps({"id": cid, "argv": argv}) + "\n" for cid, _, argv in mine)
        out = run_inner(py, src, ["run", version, entry], stdin=stdin, timeout=3600)
        by_id = {c[0]: c for c in mine}
        for line in out.splitlines():
            res = json.loads(line)
            cid, _, argv = by_id[res.pop("id")]
            if "error" in res:  # object addresses (<function loads at 0x7f...>) change from run to run
                res["error"] = _ADDRESS.sub(">", res["error"])
            rows.append({"id": cid, "entrypoint": entry, "argv": argv, **res})
    path = out_dir / f"{version}.jsonl"
    path.write_text("".join(json.dumps(r, sort_keys=True) + "\n" for r in rows))
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("versions", nargs="*")
    ap.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpus"))
    ap.add_argument("--cache", default="/tmp/vllm-wheels")
    ap.add_argument("--venv", default="/tmp/vx-venv")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--all-releases", action="store_true", help="every release, not only one per flag table")
    ap.add_argument("--out", type=Path, default=OUT)
    ns = ap.parse_args()
    if ns.versions:
        versions = ns.versions
    elif ns.all_releases:
        from vllm_lint.vllm.releases import release_versions

        versions = list(release_versions())
    else:
        versions = table_releases()
    all_cases = cases(Path(ns.corpus))
    ns.out.mkdir(parents=True, exist_ok=True)
    py = ensure_venv(Path(ns.venv))
    cache = Path(ns.cache)
    print(f"{len(all_cases)} cases x {len(versions)} releases", file=sys.stderr)
    with ThreadPoolExecutor(ns.jobs) as pool:
        for path in pool.map(lambda v: record(v, all_cases, cache, py, ns.out), versions):
            print(f"  wrote {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
