"""``vllm-lint gpus``: the GPUs vllm-lint knows, and how a GPU name resolves.

    vllm-lint gpus [QUERY ...] [--format text|json]     list GPUs whose names contain every word
    vllm-lint gpus --resolve NAME                       what --gpu NAME means (or why it is refused)

Exit 0 when something is listed or the name resolves, 1 when nothing matches or it is refused.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from typing import TYPE_CHECKING, Any, Callable, Sequence

if TYPE_CHECKING:
    from rich.console import Console


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="vllm-lint gpus",
                                description="List the GPUs vllm-lint knows, or show how a GPU name resolves.")
    p.add_argument("query", nargs="*", help="words that every listed GPU's names contain (case-insensitive)")
    p.add_argument("--resolve", metavar="NAME", help="show what --gpu NAME (or a deployment file's label) means")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--no-color", action="store_true", help="plain output even on a terminal")
    return p


def _squash(text: str) -> str:
    return re.sub(r"[\s_\-]+", "", text.lower())


def gpu_rows(words: list[str]) -> list[dict[str, Any]]:
    """Every catalog GPU whose names contain every word, as ``gpus --format json`` prints it."""
    from vllm_lint.hardware.gpus import DATA_PATH

    data = json.loads(DATA_PATH.read_text(encoding="utf-8"))["gpus"]
    rows = []
    for g in data:
        names = [g["key"], g["name"], *g["aliases"], *g["device_names"], *g["k8s_products"], *g["gke_accelerators"]]
        hay = " ".join(_squash(n) for n in names)
        if not all(_squash(w) in hay for w in words):
            continue
        rows.append({
            "key": g["key"], "name": g["name"], "vendor": g.get("vendor", "NVIDIA"),
            "memory_gib": g["total_gib"], "marketing_gb": g.get("marketing_gb"),
            "compute_capability": ".".join(str(x) for x in g["compute_capability"]),
            "bf16": g["bf16"], "fp8": g["fp8"],
            "aliases": sorted({*g["aliases"], *g["k8s_products"], *g["gke_accelerators"]} - {g["key"]}, key=str.lower),
            "instances": g["instances"], "mig": g["mig"], "source": g.get("total_gib_source", ""),
        })
    return rows


def resolve_json(text: str) -> dict[str, Any]:
    """How ``text`` resolves typed by a user (strict) and found in a deployment file (tolerant)."""
    from vllm_lint.hardware.gpus import GpuNameError, memory_variants, parse_gpu_option, parse_gpu_strict

    out: dict[str, Any] = {"name": text}
    try:
        spec, count = parse_gpu_strict(text)
        out["typed"] = {"gpu": spec.key, "memory_gib": spec.total_gib, "count": count}
    except GpuNameError as exc:
        out["typed"] = {"error": str(exc), "candidates": list(exc.candidates)}
    spec, count = parse_gpu_option(text)
    if spec is None:
        out["label"] = None
    else:
        others = memory_variants(spec, text.split(":")[0])
        out["label"] = {"gpu": spec.key, "memory_gib": spec.total_gib, "count": count,
                        "assumed": bool(others), "could_also_be": [g.key for g in others]}
    return out


def gpus_command(argv: Sequence[str], console: Callable[[bool], "Console"]) -> int:
    ns = _parser().parse_args(list(argv))
    if ns.resolve is not None:
        r = resolve_json(ns.resolve)
        if ns.format == "json":
            json.dump(r, sys.stdout, indent=2)
            sys.stdout.write("\n")
        else:
            typed, label = r["typed"], r["label"]
            if "error" in typed:
                print(f"--gpu {ns.resolve}: refused: {typed['error']}")
            else:
                n = f" x{typed['count']}" if typed["count"] else ""
                print(f"--gpu {ns.resolve}: {typed['gpu']}{n}, {typed['memory_gib']:.2f} GiB (CUDA-visible)")
            if label is None:
                print("in a deployment file: not recognised")
            else:
                extra = f" (assumed; could also be {', '.join(label['could_also_be'])})" if label["assumed"] else ""
                print(f"in a deployment file: {label['gpu']}, {label['memory_gib']:.2f} GiB{extra}")
        return 0 if "error" not in r["typed"] else 1
    rows = gpu_rows(ns.query)
    if ns.format == "json":
        json.dump({"version": 1, "gpus": rows}, sys.stdout, indent=2)
        sys.stdout.write("\n")
    elif rows:
        from rich.table import Table

        table = Table("key", "name", "GiB", "CC", "bf16", "fp8", "aliases", box=None, show_edge=False, pad_edge=False)
        for r in rows:
            table.add_row(r["key"], r["name"], f"{r['memory_gib']:.2f}", r["compute_capability"],
                          "yes" if r["bf16"] else "no", "yes" if r["fp8"] else "no", ", ".join(r["aliases"]) or "-")
        c = console(ns.no_color)
        c.print(table)
        c.print(f"{len(rows)} GPU{'s' if len(rows) != 1 else ''}. GiB: the memory CUDA reports, which vLLM multiplies "
                "by --gpu-memory-utilization. Any name, alias, instance type or MIG profile works with --gpu.",
                highlight=False)
    else:
        print(f"no GPU matches {' '.join(ns.query)!r}", file=sys.stderr)
    return 0 if rows else 1
