#!/usr/bin/env python3
"""Record what the REAL vLLM parser of several releases says about every differential case.

For each release: the wheel's sources (see tools/extract_flags.py) are run in the stubbed throwaway
venv by tools/vllm_inner.py, which executes vLLM's own ``vllm`` console script (serve dispatch
replaced, so nothing starts) or the api_server parser on each argv, and prints the verdict: accepted
with the values that differ from the defaults, or vLLM's own error line.

Output: tests/data/differential/<version>.jsonl, one record per case:
  {"id", "entrypoint", "argv", "verdict": "ok"|"error", "values"? , "error"?, "phase"?}

Usage: python tools/differential.py [versions...] [--corpus ../shared/corpus] [--jobs 2]
"""

from __future__ import annotations

import argparse
import json
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

from differential_cases import cases  # noqa: E402
from extract_flags import ensure_sources, ensure_venv, run_inner  # noqa: E402

OUT = ROOT / "tests" / "data" / "differential"
DEFAULT_VERSIONS = ["0.5.5", "0.6.6.post1", "0.7.3", "0.8.3", "0.8.5.post1", "0.9.2", "0.10.2", "0.11.2",
                    "0.14.1", "0.18.1", "0.22.1", "0.26.0", "0.33.0"]


def record(version: str, all_cases: list, cache: Path, py: Path) -> Path:
    src = ensure_sources(version, cache)
    rows: list[dict] = []
    for entry in ("serve", "api_server"):
        mine = [c for c in all_cases if c[1] == entry]
        stdin = "".join(json.dumps({"id": cid, "argv": argv}) + "\n" for cid, _, argv in mine)
        out = run_inner(py, src, ["run", version, entry], stdin=stdin, timeout=3600)
        by_id = {c[0]: c for c in mine}
        for line in out.splitlines():
            res = json.loads(line)
            cid, _, argv = by_id[res.pop("id")]
            rows.append({"id": cid, "entrypoint": entry, "argv": argv, **res})
    path = OUT / f"{version}.jsonl"
    path.write_text("".join(json.dumps(r, sort_keys=True) + "\n" for r in rows))
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("versions", nargs="*")
    ap.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpus"))
    ap.add_argument("--cache", default="/tmp/vllm-wheels")
    ap.add_argument("--venv", default="/tmp/vx-venv")
    ap.add_argument("--jobs", type=int, default=2)
    ns = ap.parse_args()
    versions = ns.versions or DEFAULT_VERSIONS
    all_cases = cases(Path(ns.corpus))
    OUT.mkdir(parents=True, exist_ok=True)
    py = ensure_venv(Path(ns.venv))
    cache = Path(ns.cache)
    print(f"{len(all_cases)} cases x {len(versions)} releases", file=sys.stderr)
    with ThreadPoolExecutor(ns.jobs) as pool:
        for path in pool.map(lambda v: record(v, all_cases, cache, py), versions):
            print(f"  wrote {path.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
