"""``vllm-lint models``: what the model catalog knows, and how a name resolves.

    vllm-lint models [QUERY ...] [--format text|json]      list catalog entries matching every word
    vllm-lint models --resolve NAME [--served NAME]        each step tried, the winner, its certainty

Exit 0 when something is listed or the name resolves, 1 when nothing matches or it does not resolve.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Sequence

if TYPE_CHECKING:
    from rich.console import Console

    from vllm_lint.models.arch import ModelArch
    from vllm_lint.models.resolve import ModelResolution


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="vllm-lint models",
                                description="List the models vllm-lint knows, or show how a model name resolves.")
    p.add_argument("query", nargs="*", help="words that every listed id or family contains (case-insensitive)")
    p.add_argument("--resolve", metavar="NAME", help="show how NAME (Hub id, local path, served name) resolves")
    p.add_argument("--served", metavar="NAME", action="append", default=[],
                   help="with --resolve: a --served-model-name of the launch (repeatable)")
    p.add_argument("--online", action="store_true", help="with --resolve: allow fetching config.json from the Hub")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--no-color", action="store_true", help="plain output even on a terminal")
    return p


def kv_bytes_per_token(arch: "ModelArch") -> tuple[int, bool]:
    """(KV-cache bytes per token of the full-attention layers at 16-bit, whether other layers add a
    bounded cache: sliding windows or mamba state), as the newest release lays it out on one GPU."""
    from vllm_lint.memory.kv import attn_bytes_per_token_layer
    from vllm_lint.vllm.versions import NEWEST

    kinds = arch.attention_layer_kinds()
    per_layer = attn_bytes_per_token_layer(arch, 1, 2, NEWEST, {})
    return per_layer * sum(1 for k in kinds if k == "full"), any(k in ("sliding", "mamba") for k in kinds)


def _weights(arch: "ModelArch") -> str:
    from vllm_lint.memory.weights import weight_format

    return weight_format(arch, None, 2).name


def _quant_siblings() -> dict[str, list[str]]:
    """Lower-case id of each unquantized entry -> the weight formats of its quantized variants in the
    catalog (same stem and flavours, any publisher that keeps the geometry)."""
    from vllm_lint.models.resolve import _arch_from_entry, _catalog, entry_is_quantized
    from vllm_lint.models.variants import stem

    entries, _ = _catalog()
    groups: dict[tuple, list[str]] = {}
    for low in entries:
        st = stem(low.split("/")[-1])
        groups.setdefault((st.text, st.flavour_key), []).append(low)
    out: dict[str, list[str]] = {}
    for ids in groups.values():
        plain = [i for i in ids if not entry_is_quantized(entries[i])]
        formats = sorted({_weights(_arch_from_entry(i)) for i in ids if entry_is_quantized(entries[i])})
        for i in plain:
            out[i] = formats
    return out


def _knows_context(entry: dict) -> bool:
    """False when the entry did not read its context from the repo (``assumed``)."""
    return not {"max_position_embeddings", "rope_scaling", "rope_parameters"} & set(entry.get("assumed", ()))


def model_row(entry: dict, arch: "ModelArch", quantized: list[str]) -> dict[str, Any]:
    """One catalog entry as ``models --format json`` prints it."""
    from vllm_lint.vllm.versions import NEWEST

    kv, bounded = kv_bytes_per_token(arch)
    return {
        "id": entry["id"],
        "family": entry.get("family") or arch.model_type,
        "parameters": arch.total_params() if arch.num_layers else arch.num_params,
        "context": arch.derived_max_model_len(NEWEST) if _knows_context(entry) else None,
        "kv_bytes_per_token": kv,
        "kv_also_bounded_layers": bounded,
        "weights": _weights(arch),
        "quantizations": quantized,
        "estimate": None if not arch.unsupported else f"not modelled: {arch.unsupported}",
        "source": entry.get("source", ""),
    }


def _matches(row: dict, words: list[str]) -> bool:
    hay = f"{row['id']} {row['family']}".lower()
    return all(w.lower() in hay for w in words)


def _params_text(n: int | None) -> str:
    if not n:
        return "-"
    return f"{n / 1e9:.1f}B" if n >= 1e9 else f"{n / 1e6:.0f}M"


def list_models(words: list[str]) -> list[dict[str, Any]]:
    from vllm_lint.models.resolve import _arch_from_entry, _catalog

    entries, _ = _catalog()
    quant = _quant_siblings()
    rows = []
    for low in sorted(entries, key=lambda i: entries[i]["id"].lower()):
        row = model_row(entries[low], _arch_from_entry(low), quant.get(low, []))
        if _matches(row, words):
            rows.append(row)
    return rows


def resolution_json(res: "ModelResolution") -> dict[str, Any]:
    """A resolution as ``models --resolve --format json`` and ``launches --format json`` show it."""
    a = res.arch
    facts = res.model_facts
    return {
        "name": res.name,
        "resolved": a.id if a else None,
        "how": res.how,
        "via": res.via,
        "certainty": res.certainty,
        "describe": res.describe(),
        "base": res.base,
        "inferred": list(res.inferred),
        "mapped_from": res.mapped_from,
        "served_name": res.served_name,
        "candidates": list(res.candidates),
        "quantization": (a.quantization if a else facts.quantization if facts else None),
        "parameters": facts.num_params if facts else None,
        "context_known": bool(facts and facts.knows_context),
        "message": res.message if a is None else None,
        "steps": [{"step": t.step, "tried": t.tried, "result": t.result} for t in res.trail],
    }


def _render_list(rows: list[dict[str, Any]], console: "Console") -> None:
    from rich.table import Table

    table = Table("id", "family", "params", "context", "KV/token", "weights", "quantized variants",
                  box=None, show_edge=False, pad_edge=False)
    for r in rows:
        kv = f"{r['kv_bytes_per_token'] / 1024:g} KiB" + ("*" if r["kv_also_bounded_layers"] else "")
        table.add_row(r["id"], r["family"], _params_text(r["parameters"]),
                      f"{r['context']:,}" if r["context"] else "-", kv, r["weights"],
                      ", ".join(r["quantizations"]) or "-")
    console.print(table)
    console.print(f"{len(rows)} model{'s' if len(rows) != 1 else ''}. KV/token: full-attention layers at 16 bits "
                  "on one GPU; * the model also has sliding-window or state layers, whose cache is bounded.",
                  highlight=False)


def _render_resolution(res: "ModelResolution", console: "Console") -> None:
    from rich.markup import escape

    from vllm_lint.vllm.versions import NEWEST

    for i, t in enumerate(res.trail, start=1):
        console.print(f"{i:>2}. {escape(t.step)}: {escape(t.tried)} -> {escape(t.result)}", highlight=False)
    if res.arch is None:
        console.print(f"not resolved: {escape(res.message or '')}", highlight=False)
        if res.facts is not None:
            console.print(f"known: {escape(res.describe())}", highlight=False)
        return
    a = res.arch
    console.print(f"resolved ({res.certainty}): {escape(res.describe())}", highlight=False)
    kv, bounded = kv_bytes_per_token(a)
    ctx = f"{a.derived_max_model_len(NEWEST):,}" if res.keeps_context else \
        "not known (not read from the repo)" if res.assumed else "not known (a flavour of the model)"
    console.print(f"  {a.model_type}, {_params_text(a.total_params() if a.num_layers else a.num_params)} parameters, "
                  f"{a.num_layers} layers, {a.num_attention_heads} heads / {a.num_kv_heads} KV heads x {a.head_dim}, "
                  f"context {ctx}, KV {kv / 1024:g} KiB/token{' (+ bounded layers)' if bounded else ''}, "
                  f"weights {_weights(a)}", highlight=False)


def models_command(argv: Sequence[str], console: Callable[[bool], "Console"]) -> int:
    ns = _parser().parse_args(list(argv))
    if ns.resolve is not None:
        from vllm_lint.config import find_config
        from vllm_lint.models.resolve import resolve_model

        aliases = dict(find_config(Path.cwd()).models) or None
        res = resolve_model(ns.resolve, base_dir=Path.cwd(), aliases=aliases, online=ns.online, served=ns.served)
        if ns.format == "json":
            json.dump(resolution_json(res), sys.stdout, indent=2)
            sys.stdout.write("\n")
        else:
            _render_resolution(res, console(ns.no_color))
        return 0 if res.arch is not None else 1
    rows = list_models(ns.query)
    if ns.format == "json":
        json.dump({"version": 1, "models": rows}, sys.stdout, indent=2)
        sys.stdout.write("\n")
    elif rows:
        _render_list(rows, console(ns.no_color))
    else:
        print(f"no model in the catalog matches {' '.join(ns.query)!r}; `vllm-lint models --resolve NAME` shows how "
              "a name resolves", file=sys.stderr)
    return 0 if rows else 1
