#!/usr/bin/env python3
"""Build vllm-lint's flag history (and, as a fallback, flag tables) for the shipped releases.

Default: read every shipped table (data/flags-<version>.json, written from the real wheels by
tools/extract_flags.py) and write data/history.json: for each option string, the sampled releases that
accept it, the bracketing releases where it appeared/disappeared, and a curated replacement.

--from-knowledge: write tables for releases that have no wheel-extracted table yet from the team's
knowledge files (the original bootstrap path), documented below.

Input (read-only research notes, see /work/shared/knowledge):
  vllm-flag-history.json   per-option timeline over 18 sampled releases, read from the real wheels
  vllm-flags-0.33.0.json   the full 0.33.0 parser (aliases, negations, nargs, constraints)

Output: src/vllm_lint/vllm/data/flags-<version>.json (one small file per sampled release) and
data/history.json (per-option first/last release seen plus curated replacements), used by
vllm_lint.vllm.flags. Tables extracted from real wheels by tools/extract_flags.py take precedence:
when data/wheel/<version>.json exists for a release it is used instead of the knowledge timeline.

Usage: python tools/build_flag_tables.py [--knowledge /work/shared/knowledge]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "src" / "vllm_lint" / "vllm" / "data"

# Normalised "kind" values understood by vllm_lint.vllm.args.
KIND_MAP = {
    "value": "value",
    "store_true": "store_true",
    "boolean_optional": "bool_opt",
    "bool_value(true/false string)": "store_boolean",
    "append": "append",
    "LoRAParserAction": "value",
    "PromptAdapterParserAction": "value",
    "DeprecatedLogConfigFileAction": "value",
    "value (custom LoRA parser)": "value",
    "value (deprecated)": "value",
}


def norm_type(t: str | None, kind: str) -> str:
    """Map the knowledge file's type names to the converters of vllm_lint.vllm.args."""
    if kind in ("store_true", "bool_opt", "store_boolean"):
        return "bool"
    if t is None:
        return "str"
    opt = False
    if t.startswith("optional[") and t.endswith("]"):
        opt, t = True, t[len("optional["):-1]
    if t == "nullable_str":
        opt, t = True, "str"
    mapping = {
        "str": "str", "int": "int", "float": "float", "bool": "pybool",
        "human_readable_int": "hr_int", "human_readable_int_or_auto": "hr_int_auto",
        "loads": "json", "parse[loads]": "json", "from_cli": "json_or_level", "from_json": "json",
        "union_dict_and_str": "json_or_str", "json_object_or_str": "json_or_str",
        "nullable_kvs": "kvs", "lambda": "str", "parse_reasoning_parser": "str",
        "comma_separated_list[int|str]": "str", "bool|str (bare flag = true)": "str",
        "str (lowercased, '-' -> '_')": "str_lower", "str (none -> unset)": "str",
    }
    if t in mapping:
        out = mapping[t]
    elif t.startswith("json"):
        out = "json"
    else:
        raise SystemExit(f"unknown type {t!r}")
    return out + ("?" if opt else "")


def versions_key(v: str) -> tuple:
    parts = v.replace(".post", ".").split(".")
    return tuple(int(p) for p in parts) + (0,) * (4 - len(parts))


def from_history(history: dict, version: str, flags33: dict) -> list[dict]:
    """Group the options present in ``version`` by dest into flag records."""
    by_dest: dict[str, list[tuple[str, dict]]] = {}
    for opt, rec in history["timeline"].items():
        if version not in rec["present_in_sampled"]:
            continue
        change = None
        for ch in rec["changes"]:
            if versions_key(ch["from"]) <= versions_key(version):
                change = ch
        by_dest.setdefault(rec["dest"], []).append((opt, change))
    records = []
    for dest, opts in sorted(by_dest.items()):
        names = [o for o, _ in opts]
        # The "main" change record: the option whose name spells the dest.
        main = next((c for o, c in opts if o == "--" + dest.replace("_", "-")), opts[0][1])
        kind = KIND_MAP[main["kind"]]
        positives, negatives = [], []
        for o in names:
            if kind == "bool_opt" and o.startswith("--no-") and ("--" + o[5:]) in names:
                negatives.append(o)
            else:
                positives.append(o)
        ref = flags33.get(dest)
        nargs = None
        if ref and ref["nargs"] and norm_type(ref["type"], KIND_MAP.get(ref["kind"], "value")) == norm_type(main["type"], kind):
            nargs = ref["nargs"]
        if dest in ("lora_modules", "prompt_adapters", "served_model_name"):
            nargs = "+"
        if dest == "api_key":
            nargs = "+" if versions_key(version) >= versions_key("0.10.2") else None
        if kind == "store_boolean":
            nargs = "?"
        primary = "--" + dest.replace("_", "-")
        positives.sort(key=lambda o: (o != primary, not o.startswith("--"), o))
        type_ = norm_type(main["type"], kind)
        if dest == "compilation_config" and versions_key(version) < versions_key("0.14.1"):
            type_ = "json_or_level"  # -O3 / --compilation-config 3 meant level 3 (0.6-0.11)
        records.append({
            "dest": dest,
            "opts": positives,
            "neg": negatives,
            "hneg": [],
            "kind": kind,
            "type": type_,
            "nargs": nargs,
            "choices": main["choices"],
            "default": main["default"],
            "dep": bool(main.get("help_mentions_deprecated")),
        })
    return records


def from_33(flags33: list[dict]) -> list[dict]:
    records = []
    for f in flags33:
        kind = KIND_MAP[f["kind"]]
        records.append({
            "dest": f["dest"],
            "opts": [f["flag"], *f["aliases"]],
            "neg": list(f["negations"]),
            "hneg": list(f["hidden_negations_accepted"]),
            "kind": kind,
            "type": norm_type(f["type"], kind) if not f["nullable_via_None_string"] or f["type"] == "bool"
            else norm_type(f["type"], kind).rstrip("?") + "?",
            "nargs": f["nargs"],
            "choices": f["choices"],
            "default": f["default"],
            "dep": bool(f["deprecated"] or f.get("deprecation_note")),
            "cons": f["constraints"],
        })
    return records


# Options of the `vllm serve` subparser that the knowledge timeline leaves out for 0.5.5-0.9.2.
SERVE_ONLY = {
    "--config": ("config", "0.6.6.post1"),
    "--headless": ("headless", "0.9.2"),
    "--api-server-count": ("api_server_count", "0.9.2"),
}

# What to use instead of a removed option (vllm-flag-history.md sections 3 and 4).
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


def build_history(versions: list[str]) -> dict:
    """Per option string: the sampled releases whose table has it (from the shipped tables)."""
    present: dict[str, list[str]] = {}
    dests: dict[str, str] = {}
    for v in versions:
        table = json.loads((DATA / f"flags-{v}.json").read_text())
        for r in table["flags"]:
            for o in r["opts"] + r["neg"] + r["hneg"]:
                present.setdefault(o, []).append(v)
                dests[o] = r["dest"]
    hist = {}
    for opt, vs in present.items():
        first, last = versions.index(vs[0]), versions.index(vs[-1])
        rec = {
            "dest": dests[opt],
            "present": vs,
            "added_after": versions[first - 1] if first > 0 else None,
            "removed_by": versions[last + 1] if last + 1 < len(versions) else None,
        }
        if opt in REPLACEMENTS:
            rec["replacement"] = REPLACEMENTS[opt]
        hist[opt] = rec
    return {"sampled": versions, "options": hist}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--knowledge", default=str(ROOT.parent / "shared" / "knowledge"))
    ap.add_argument("--from-knowledge", action="store_true",
                    help="(re)write tables from the knowledge files for releases without a wheel-extracted table")
    ns = ap.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    from vllm_lint.vllm.versions import KNOWN_VERSIONS

    versions = sorted(KNOWN_VERSIONS, key=versions_key)
    if ns.from_knowledge:
        kdir = Path(ns.knowledge)
        history = json.loads((kdir / "vllm-flag-history.json").read_text())
        k33 = json.loads((kdir / "vllm-flags-0.33.0.json").read_text())
        flags33 = {f["dest"]: f for f in k33["flags"]}
        for v in history["sampled_versions"]:
            path = DATA / f"flags-{v}.json"
            if path.exists() and json.loads(path.read_text()).get("origin", "").startswith("wheel"):
                continue
            if v == "0.33.0":
                records, origin = from_33(k33["flags"]), "knowledge:vllm-flags-0.33.0.json"
            else:
                records, origin = from_history(history, v, flags33), "knowledge:vllm-flag-history.json"
                have = {o for r in records for o in r["opts"]}
                for opt, (dest, since) in SERVE_ONLY.items():
                    if opt not in have and versions_key(v) >= versions_key(since):
                        records.append({"dest": dest, "opts": [opt], "neg": [], "hneg": [],
                                        "kind": "store_true" if dest == "headless" else "value",
                                        "type": "bool" if dest == "headless" else ("int" if dest == "api_server_count" else "str"),
                                        "nargs": None, "choices": None, "default": None, "dep": False,
                                        "serve_only": True})
            out = {"version": v, "origin": origin, "flags": records}
            path.write_text(json.dumps(out, separators=(",", ":"), sort_keys=True) + "\n")
    (DATA / "history.json").write_text(json.dumps(build_history(versions), separators=(",", ":"), sort_keys=True) + "\n")
    print(f"history.json over {len(versions)} releases written to {DATA}")


if __name__ == "__main__":
    main()
