#!/usr/bin/env python3
"""Write vllm-lint's per-release data from what tools/extract_flags.py read out of the wheels.

Inputs, for every release of data/releases.json (or of PyPI with --pypi):
  <cache>/tables/<version>.json   {"table": ..., "facts": ...} written by tools/extract_flags.py;
                                  when missing, the shipped data is read back instead, so a fresh
                                  clone regenerates the same files without any wheel.

Outputs (src/vllm_lint/vllm/data/):
  flags-<version>.json   the release's server parser, one flag per line; written only for a
                         release whose parser differs from the previous release's (option strings,
                         kinds, types, choices, defaults, nargs, aliases, serve-only options, the
                         option registry and the post-parse quantization registry);
  releases.json          every release, one per line: PyPI upload date, the table that holds its
                         parser, and its facts (console script, server modules, V0 engine,
                         VLLM_USE_V1, underscores in option names, what `vllm serve --model` does);
  history.json           for each option string: the runs of releases that accept it, how its
                         kind/nargs/choices/deprecation (and whether only `vllm serve` or only the
                         api_server module defines it) changed, run by run, and a curated
                         replacement for removed options.

--pypi: refresh the release list and dates from PyPI's simple index (PEP 691 JSON, upload-time
of each release's first file): every non-yanked release from 0.4.3 to --newest.

Usage: python tools/build_flag_tables.py [--pypi] [--newest 0.33.0] [--cache /tmp/vllm-wheels]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "src" / "vllm_lint" / "vllm" / "data"
sys.path.insert(0, str(ROOT / "src"))

from vllm_lint.vllm.versions import parse_version  # noqa: E402

OLDEST = "0.4.3"
PYPI_SIMPLE = "https://pypi.org/simple/vllm/"
FACT_KEYS = ("console_script", "modules", "v0_engine", "use_v1_env", "underscore_options", "serve_model_flag")

# What to use instead of a removed option (curated from the release notes and vLLM's own hints).
REPLACEMENTS = {
    "--use-v2-block-manager": "nothing: the v2 block manager is the only one (drop the flag)",
    "--num-scheduler-steps": "nothing: multi-step scheduling was removed (drop the flag)",
    "--max-seq-len-to-capture": "--max-cudagraph-capture-size / --cudagraph-capture-sizes (batch sizes, not context lengths)",
    "--max-context-len-to-capture": "--max-seq-len-to-capture",
    "--swap-space": "nothing: the V1 engine has no CPU swap space (drop the flag)",
    "--disable-log-requests": "nothing: request logging is off by default (use --enable-log-requests to turn it on)",
    "--device": "nothing: the platform is detected (drop the flag)",
    "--task": "--runner / --convert",
    "--speculative-model": "--speculative-config '{\"model\": ...}'",
    "--num-speculative-tokens": "--speculative-config '{\"num_speculative_tokens\": ...}'",
    "--ngram-prompt-lookup-max": "--speculative-config '{\"method\": \"ngram\", \"prompt_lookup_max\": ...}'",
    "--ngram-prompt-lookup-min": "--speculative-config '{\"method\": \"ngram\", \"prompt_lookup_min\": ...}'",
    "--speculative-max-model-len": "--speculative-config '{\"max_model_len\": ...}'",
    "--speculative-draft-tensor-parallel-size": "--speculative-config '{\"draft_tensor_parallel_size\": ...}'",
    "--rope-scaling": "--hf-overrides '{\"rope_scaling\": {...}}'",
    "--rope-theta": "--hf-overrides '{\"rope_theta\": ...}'",
    "--guided-decoding-backend": "--structured-outputs-config.backend",
    "--cuda-graph-sizes": "--cudagraph-capture-sizes",
    "--disable-mm-preprocessor-cache": "--mm-processor-cache-gb 0",
    "--enable-multimodal-encoder-data-parallel": "--mm-encoder-tp-mode data",
    "--num-redundant-experts": "--eplb-config '{\"num_redundant_experts\": ...}'",
    "--eplb-window-size": "--eplb-config '{\"window_size\": ...}'",
    "--eplb-step-interval": "--eplb-config '{\"step_interval\": ...}'",
    "--override-pooler-config": "--pooler-config",
    "--engine-use-ray": "nothing (drop the flag)",
    "--worker-use-ray": "--distributed-executor-backend ray",
    "--enable-reasoning": "--reasoning-parser alone",
    "--preemption-mode": "nothing: V1 always recomputes (drop the flag)",
    "--disable-async-output-proc": "nothing (drop the flag)",
    "--tokenizer-pool-size": "nothing (drop the flag)",
    "--calculate-kv-scales": "nothing (drop the flag)",
    "--log-config-file": "--logging-config",
}


def vkey(v: str) -> tuple:
    key = parse_version(v)
    if key is None:
        raise SystemExit(f"not a release number: {v}")
    return key


# -- release list -------------------------------------------------------------------------------


def pypi_releases(newest: str, simple_json: Path | None) -> dict[str, str]:
    """version -> upload date of its first file, for every non-yanked release OLDEST..newest."""
    if simple_json is not None:
        doc = json.loads(simple_json.read_text())
    else:
        req = urllib.request.Request(PYPI_SIMPLE, headers={"Accept": "application/vnd.pypi.simple.v1+json"})
        with urllib.request.urlopen(req, timeout=120) as resp:  # noqa: S310 (fixed https URL)
            doc = json.loads(resp.read())
    dates: dict[str, str] = {}
    for f in doc["files"]:
        if f.get("yanked"):
            continue
        m = re.match(r"vllm-(\d[^-]*?)(?:\.tar\.gz|-)", f["filename"])
        if not m or not re.fullmatch(r"\d+\.\d+\.\d+(\.\d+)?(\.post\d+)?", m.group(1)):
            continue
        v = m.group(1)
        if not (vkey(OLDEST) <= vkey(v) <= vkey(newest)):
            continue
        day = f["upload-time"][:10]
        dates[v] = min(dates.get(v, day), day)
    return dict(sorted(dates.items(), key=lambda kv: vkey(kv[0])))


def shipped_index() -> dict:
    path = DATA / "releases.json"
    return json.loads(path.read_text()) if path.exists() else {"releases": []}


# -- tables -------------------------------------------------------------------------------------


def load_release(version: str, cache: Path, index_rows: dict[str, dict]) -> tuple[dict, dict]:
    """(table, facts) of one release: from the extraction cache, else from the shipped data."""
    cached = cache / "tables" / f"{version}.json"
    if cached.exists():
        doc = json.loads(cached.read_text())
        return doc["table"], doc["facts"]
    row = index_rows.get(version)
    if row is None:
        raise SystemExit(f"{version}: no extracted table in {cache}/tables and none shipped; run tools/extract_flags.py {version}")
    table = json.loads((DATA / f"flags-{row['table']}.json").read_text())
    table = dict(table, version=version, origin=f"wheel:vllm-{version} (tools/extract_flags.py)")
    return table, {k: row[k] for k in FACT_KEYS}


def normalise(table: dict) -> dict:
    """Drop what the loader can derive: a flag's ``order`` when it is just ``opts`` + ``neg``."""
    flags = []
    for rec in table["flags"]:
        if rec.get("order") == rec["opts"] + rec["neg"]:
            rec = {k: v for k, v in rec.items() if k != "order"}
        flags.append(rec)
    return dict(table, flags=flags)


def parser_key(table: dict) -> str:
    """Everything that describes the parser (not which release it was read from)."""
    return json.dumps({k: v for k, v in table.items() if k not in ("version", "origin")}, sort_keys=True)


def _line(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def dump_table(table: dict) -> str:
    """The table as JSON with one flag (and one registry entry) per line, so a diff between two
    releases' files shows exactly what changed."""
    head = [f'"{k}":{_line(table[k])}' for k in ("version", "origin", "prog", "positional", "post_choices")]
    registry = ",\n".join(_line(o) for o in table.get("registry") or [])
    flags = ",\n".join(_line(r) for r in table["flags"])
    return ("{\n" + ",\n".join(head) + ',\n"registry":[\n' + registry + '\n],\n"flags":[\n' + flags + "\n]\n}\n")


def dump_rows(key: str, rows: list[dict], head: dict) -> str:
    inner = ",\n".join(json.dumps(r, separators=(",", ":")) for r in rows)  # row order: version first
    top = "".join(f'"{k}":{_line(v)},\n' for k, v in head.items())
    return "{\n" + top + f'"{key}":[\n' + inner + "\n]\n}\n"


# -- history ------------------------------------------------------------------------------------


def _spec(rec: dict) -> dict:
    """What the query API needs to know about one option in one release."""
    only = "serve" if rec.get("serve_only") else "api_server" if rec.get("api_only") else None
    return {"dest": rec["dest"], "kind": rec["kind"], "nargs": rec.get("nargs"), "choices": rec.get("choices"),
            "dep": bool(rec.get("dep")), "only": only}


def build_history(versions: list[str], tables: dict[str, dict]) -> dict:
    """Per option string: runs of consecutive releases that accept it, and runs of unchanged spec."""
    per_option: dict[str, dict[str, dict]] = {}
    for v in versions:
        for rec in tables[v]["flags"]:
            spec = _spec(rec)
            for o in rec["opts"] + rec["neg"] + rec["hneg"]:
                per_option.setdefault(o, {})[v] = dict(spec, negated=o not in rec["opts"])
    pos = {v: i for i, v in enumerate(versions)}
    options = {}
    for opt in sorted(per_option):
        by_version = per_option[opt]
        runs: list[list] = []  # [first, last, spec]
        for v in sorted(by_version, key=pos.__getitem__):
            spec = by_version[v]
            if runs and pos[runs[-1][1]] == pos[v] - 1 and runs[-1][2] == spec:
                runs[-1][1] = v
            else:
                runs.append([v, v, spec])
        rec: dict = {"specs": runs}
        if opt in REPLACEMENTS:
            rec["replacement"] = REPLACEMENTS[opt]
        options[opt] = rec
    return options


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pypi", action="store_true", help="refresh the release list and dates from PyPI")
    ap.add_argument("--pypi-json", type=Path, help="a saved copy of PyPI's simple-index JSON for vllm (offline --pypi)")
    ap.add_argument("--newest", help="newest release to list with --pypi (default: the shipped index's newest)")
    ap.add_argument("--cache", default="/tmp/vllm-wheels")
    ns = ap.parse_args()
    cache = Path(ns.cache)
    index = shipped_index()
    rows_before = {r["version"]: r for r in index["releases"]}
    if ns.pypi or ns.pypi_json:
        newest = ns.newest or (index["releases"][-1]["version"] if index["releases"] else None)
        if newest is None:
            raise SystemExit("--newest is required the first time")
        dates = pypi_releases(newest, ns.pypi_json)
    else:
        dates = {r["version"]: r["date"] for r in index["releases"]}
    versions = list(dates)
    tables, facts = {}, {}
    for v in versions:
        table, facts[v] = load_release(v, cache, rows_before)
        tables[v] = normalise(table)

    rows, written, prev_key, prev_table = [], set(), None, None
    for v in versions:
        key = parser_key(tables[v])
        if key != prev_key:
            (DATA / f"flags-{v}.json").write_text(dump_table(tables[v]))
            written.add(f"flags-{v}.json")
            prev_key, prev_table = key, v
        rows.append({"version": v, "date": dates[v], "table": prev_table, **{k: facts[v][k] for k in FACT_KEYS}})
    for stale in DATA.glob("flags-*.json"):
        if stale.name not in written:
            stale.unlink()
    (DATA / "releases.json").write_text(dump_rows("releases", rows, {
        "source": f"{PYPI_SIMPLE} (upload-time of each release's first file); facts and tables: each release's wheel",
    }))
    history = build_history(versions, tables)
    lines = ",\n".join(f"{_line(o)}:{_line(r)}" for o, r in history.items())
    (DATA / "history.json").write_text('{\n"options":{\n' + lines + "\n}\n}\n")
    print(f"{len(versions)} releases, {len(written)} distinct tables, {len(history)} option strings -> {DATA}")


if __name__ == "__main__":
    main()
