"""Capacity-estimate accuracy against real vLLM numbers.

    PYTHONPATH=src python benchmarks/accuracy.py [--shared ../shared] [--json]

Runs every case of groundtruth/public.jsonl that names enough to estimate (model, GPU or its
CUDA total, vLLM release) and every case of measured-vllm-0.26.0-h200.jsonl (model folders in
groundtruth/configs/). Prints predicted vs reported per term and summary figures: median and
90th-percentile absolute percentage error of KV cache GiB, weights GiB and tokens, and whether
fit/no-fit matched on every case where vLLM refused to start.

Ground-truth reading lives in ``read_public`` / ``read_measured``; what a public case leaves
unsaid (the model behind a local path, the GPU, the release the log format implies) is one
line in ``PUBLIC_HINTS``, each with the reason taken from the case's own notes.

    PYTHONPATH=src python benchmarks/accuracy.py --write-uncertainty

writes the uncertainty band table the estimate ships (src/vllm_lint/memory/data/uncertainty.json)
from the calibration cases: those whose GPU memory is stated by the case itself (not assumed by a
hint) and whose engine inputs are known (``NOT_CALIBRATION`` names the others and why).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path

from vllm_lint.hardware.gpus import GpuSpec, resolve_gpu
from vllm_lint.memory.estimate import Capacity, estimate
from vllm_lint.memory.settings import EngineSettings, settings_from_args
from vllm_lint.memory.uncertainty import MIN_CASES, UNCERTAINTY_PATH, family_of
from vllm_lint.models.arch import ModelArch
from vllm_lint.models.resolve import arch_from_config_file, resolve_model

DEFAULT_SHARED = Path(__file__).resolve().parents[2] / "shared"
UNCERTAINTY_QUANTILE = 0.9  # the band covers nine misses in ten of its group

# Public cases left out of the uncertainty table although estimated: their engine inputs are unknown,
# so their miss measures the missing inputs, not the estimate.
NOT_CALIBRATION: dict[int, str] = {
    2: "Unsloth's wrapper: the batch is read from its source, but its LoRA rank is not in the excerpt",
    28: "LMCache's KV connector reserves memory outside vLLM's accounting; the release is not stated",
    36: "gpu_memory_utilization of the refused run not certain (notes)",
}

# case index in public.jsonl -> what the case leaves unsaid (reason in the case's notes).
PUBLIC_HINTS: dict[int, dict] = {
    1: {"skip": "heterogeneous pipeline stages (16 GB + 32 GB cards, VLLM_PP_LAYER_PARTITION=16,32): one GPU type per launch cannot describe it"},
    0: {"model": "Qwen/Qwen2.5-VL-7B-Instruct", "version": "0.6.5", "why": "notes: 28 layers x 4 kv heads, 15.5 GB weights => Qwen2-VL-7B-like"},
    # Unsloth's load_vllm (unsloth_zoo vllm_utils, 2025.2-2025.5) passes max_num_batched_tokens = its chunked-prefill
    # size clamped to max_seq_length, and max_num_seqs from a table keyed on its own estimate of the memory left for
    # the KV cache (<= 2 GB: 128, <= 4: 160, <= 8: 192, <= 12: 224, ...); the bucket is read off the logged KV size.
    2: {"model": "unsloth/Meta-Llama-3.1-8B-Instruct-bnb-4bit", "version": "0.7.3",
        "args": {"max_num_seqs": 160, "max_num_batched_tokens": 512, "enable_lora": True},
        "why": "notes: Unsloth-style bnb-4bit Llama-3.1-8B; Unsloth's load_vllm: KV 2.64 GB -> 160 sequences, "
               "512 tokens (max_seq_length); its LoRA rank is not in the excerpt"},
    3: {"model": "meta-llama/Llama-3.2-3B", "version": "0.8.5", "args": {"max_num_seqs": 192, "max_num_batched_tokens": 2048},
        "why": "112 KiB/token, 6.02 GiB: Llama-3.2-3B geometry; 'vLLM STDOUT' is Unsloth's vllm serve wrapper "
               "(load_vllm: KV 6.22 GB -> 192 sequences; 2048 tokens = max_seq_length)"},
    4: {"version": "0.7.3", "rank": "non_driver",
        "why": "the quoted activation (0.19 GiB) is a tensor-parallel rank that does not sample: V0 samples on the "
               "driver rank only; the error's 81,536 tokens come from the driver"},
    5: {"model": "meta-llama/Llama-3.1-8B-Instruct", "version": "0.6.5", "why": "notes: 14.99 GB weights => Llama-3.1-8B"},
    7: {"model": "Qwen/Qwen2.5-1.5B-Instruct", "version": "0.7.3", "why": "Qwen2.5-Math-1.5B has the Qwen2.5-1.5B geometry"},
    11: {"version": "0.6.4", "why": "Dec 2024 issue, V0 log format"},
    12: {"model": "Qwen/Qwen2.5-7B-Instruct", "version": "0.8.5", "env": {"VLLM_USE_V1": "0"}, "why": "V0 path on V100"},
    14: {"model": "TinyLlama/TinyLlama-1.1B-Chat-v1.0", "version": "0.6.4",
         "why": "notes: rho-1b has the TinyLlama geometry (22 layers x 4 kv x 64)"},
    16: {"skip": "phi-4-mini geometry, not in the catalog"},
    17: {"model": "Qwen/Qwen2.5-0.5B-Instruct", "version": "0.6.5", "why": "same geometry as the base"},
    18: {"version": "0.7.3"},
    19: {"version": "0.7.3"},
    20: {"model": "facebook/opt-125m", "version": "0.6.5", "why": "V0 worker.py log; AMD 24 GB card (23.98 GiB)"},
    21: {"gpu": "RTX 3090", "version": "0.4.0", "why": "notes: April 2024 => ~0.4.0; a 24 GB card (3090/4090/A10)"},
    22: {"gpu": "RTX 3090", "version": "0.3.3", "why": "Feb 2024, V0"},
    24: {"gpu": "RTX 3090", "version": "0.3.0", "model": "Qwen/Qwen1.5-7B-Chat", "why": "same user on an RTX3090-24G"},
    26: {"model": "mistralai/Mistral-7B-v0.1", "version": "0.3.3", "why": "bonito-v1 is a Mistral-7B-v0.1 fine-tune"},
    27: {"version": "0.5.5", "why": "V0 error format"},
    28: {"version": "0.10.0", "why": "notes: July 2025 ~0.9.x/0.10.0, V1"},
    31: {"skip": "GPU and utilization unknown"},
    8: {"skip": "model identity unclear: 3.26 GiB of weights matches neither Llama-3.2-3B in bf16 (6.0) nor 1B"},
    9: {"model": "deepseek-ai/DeepSeek-V2.5", "skip": "multi-node Ray, TP/PP split not in the excerpt"},
    13: {"version": "0.6.4"},
    36: {"version": "0.5.0", "model": "deepseek-ai/DeepSeek-Coder-V2-Instruct",
         "why": "notes: 8xH100; gmu for the 2368 run uncertain (default 0.9 assumed)"},
    38: {"skip": "pipeline split unknown"},
    39: {"skip": "model not in the catalog (deepseek-coder-6.7b)"},
    41: {"version": "0.5.1", "model": "deepseek-ai/DeepSeek-Coder-V2-Lite-Instruct"},
    42: {"version": "0.5.5", "why": "V0 error format"},
    43: {"version": "0.5.5", "why": "V0 error format"},
    44: {"gpu": "RTX 5090", "why": "notes: a 32GB-class card"},
}


# measured case -> what its record implies but does not state. A compiled start that takes as long as
# an eager one did not compile: its torch.compile cache was warm (compare the cold starts of the same
# model: llama31-8b-default 44.0 s, qwen25-7b-default 42.0 s, gemma2-9b-default 67.9 s).
MEASURED_HINTS: dict[str, dict] = {
    "qwen15-7b-default": {"compile_cache": "warm",
                          "why": "startup 14.7 s, faster than the eager qwen15-7b-eager (17.2 s): no compile ran"},
    "llama31-8b-seqs1024": {"compile_cache": "warm",
                            "why": "startup 16.3 s against 44.0 s for the same settings in llama31-8b-default"},
}


@dataclass
class Case:
    name: str
    model: ModelArch
    gpu: GpuSpec
    version: str
    settings: EngineSettings
    reported: dict
    refused: bool = False
    notes: list[str] = field(default_factory=list)
    calibration: bool = True  # the GPU's memory and the engine inputs are stated by the case


def _version(text: str | None) -> str | None:
    m = re.search(r"(\d+\.\d+(?:\.\d+)?)", text or "")
    return m.group(1) if m else None


def read_measured(shared: Path) -> list[Case]:
    gt = shared / "groundtruth"
    out = []
    for line in (gt / "measured-vllm-0.26.0-h200.jsonl").read_text().splitlines():
        if not line.strip():
            continue
        d = json.loads(line)
        arch = arch_from_config_file(gt / "configs" / d["config"] / "config.json", id=d["config"])
        kwargs = {k: v for k, v in d.get("engine_kwargs", {}).items() if k != "budget_gib"}
        kwargs["gpu_memory_utilization"] = d["gpu_memory_utilization"]
        if d.get("max_model_len"):
            kwargs["max_model_len"] = d["max_model_len"]
        s = settings_from_args(kwargs)
        s.usage_context = "llm"  # measured through the offline LLM class
        s.compile_cache = MEASURED_HINTS.get(d["case"], {}).get("compile_cache", "cold")
        gpu = resolve_gpu(d["gpu"]) or resolve_gpu(f"{d['total_gpu_memory_gib']}GiB")
        rep = {
            "weights_gib": d.get("weights_gib"), "activation_gib": d.get("activation_peak_gib"),
            "non_torch_gib": d.get("non_torch_increase_gib"), "kv_cache_gib": d.get("kv_cache_gib"),
            "kv_tokens": d.get("kv_tokens"), "estimated_max_model_len": d.get("estimated_max_model_len"),
        }
        out.append(Case(f"measured:{d['case']}", arch, gpu, d["vllm_version"], s, rep,
                        refused=d.get("estimated_max_model_len") is not None))
    return out


def _config_of(name: str):
    """The resolution of a case's model when it reads a real config.json for that name (a catalog id,
    a folder named after one); a variant's geometry inferred from its name is no ground for accuracy."""
    res = resolve_model(name)
    return res if res.via in ("id", "path") else replace(res, arch=None)


def read_public(shared: Path) -> tuple[list[Case], list[str]]:
    out, skipped = [], []
    for i, line in enumerate((shared / "groundtruth" / "public.jsonl").read_text().splitlines()):
        if not line.strip():
            continue
        d = json.loads(line)
        hint = PUBLIC_HINTS.get(i, {})
        label = f"public:{i}"
        if hint.get("skip"):
            skipped.append(f"{label}: {hint['skip']}")
            continue
        res = _config_of(hint.get("model") or d.get("model") or "")
        if res.arch is None:
            for word in re.findall(r"[\w.\-]+/[\w.\-]+|[\w.\-]{6,}", d.get("model") or ""):
                res = _config_of(word)
                if res.arch is not None:
                    break
        if res.arch is None:
            skipped.append(f"{label}: model not resolved ({(d.get('model') or '')[:50]})")
            continue
        rep = d["reported"]
        gpu = None
        if rep.get("total_gpu_memory_gib"):
            named = resolve_gpu(hint.get("gpu") or d.get("gpu_name") or "")
            total = rep["total_gpu_memory_gib"]
            gpu = named if named and abs(named.total_gib - total) < 0.05 else resolve_gpu(f"{total}GiB")
            if named and gpu is not named:
                gpu = GpuSpec(named.key, named.name, total, named.compute_capability, named.bf16, named.fp8,
                              named.consumer, "reported total")
        else:
            gpu = resolve_gpu(hint.get("gpu") or d.get("gpu_name") or "")
        version = hint.get("version") or _version(d.get("vllm_version"))
        if gpu is None or version is None:
            skipped.append(f"{label}: {'GPU' if gpu is None else 'vLLM version'} unknown")
            continue
        args = {k: d[k] for k in ("tensor_parallel_size", "pipeline_parallel_size", "gpu_memory_utilization",
                                  "max_model_len", "kv_cache_dtype", "max_num_seqs", "max_num_batched_tokens",
                                  "enforce_eager", "enable_chunked_prefill", "block_size", "cpu_offload_gb")
                if d.get(k) is not None}
        args.update(hint.get("args", {}))
        s = settings_from_args(args, hint.get("env"))
        refused = any(rep.get(k) is not None for k in ("error_capacity_tokens", "estimated_max_model_len")) or \
            rep.get("gpu_blocks") == 0
        calibration = i not in NOT_CALIBRATION and not hint.get("gpu") and \
            bool(rep.get("total_gpu_memory_gib") or d.get("gpu_name"))
        out.append(Case(label, res.arch, gpu, version, s, {
            "weights_gib": rep.get("weights_gib"), "activation_gib": rep.get("activation_peak_gib"),
            "non_torch_gib": rep.get("non_torch_gib"), "kv_cache_gib": rep.get("kv_cache_gib"),
            "kv_tokens": rep.get("kv_tokens") or (rep["gpu_blocks"] * 16 if rep.get("gpu_blocks") else None)
            or rep.get("error_capacity_tokens"),
            "estimated_max_model_len": rep.get("estimated_max_model_len"),
            "_rank": hint.get("rank"),
        }, refused=refused, calibration=calibration))
    return out, skipped


def _predicted(cap: Capacity) -> dict:
    return {
        "weights_gib": cap.weights_gib, "activation_gib": cap.activation_gib, "non_torch_gib": cap.non_torch_gib,
        "kv_cache_gib": cap.kv_cache_gib, "kv_tokens": cap.kv_cache_tokens,
        "estimated_max_model_len": cap.estimated_max_model_len,
    }


def _ape(pred: float | None, rep: float | None) -> float | None:
    if pred is None or rep is None or rep == 0:
        return None
    return abs(pred - rep) / abs(rep) * 100


def _pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    v = sorted(values)
    k = (len(v) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (k - lo)


def run(shared: Path) -> dict:
    measured = read_measured(shared)
    public, skipped = read_public(shared)
    rows = []
    for case in measured + public:
        if case.model.unsupported:
            skipped.append(f"{case.name}: not modelled ({case.model.unsupported})")
            continue
        cap = estimate(case.model, case.gpu, case.settings, case.version)
        pred = _predicted(cap)
        if case.reported.get("_rank") == "non_driver" and cap.non_driver_rank:
            pred.update({k: v for k, v in cap.non_driver_rank.items() if k in ("activation_gib", "kv_cache_gib")})
        errs = {k: _ape(pred[k], case.reported.get(k)) for k in pred}
        case.reported.pop("_rank", None)
        rows.append({
            "case": case.name, "model": case.model.id, "gpu": case.gpu.name, "version": case.version, "era": cap.era,
            "reported": case.reported, "predicted": {k: (round(v, 3) if isinstance(v, float) else v) for k, v in pred.items()},
            "ape": {k: (round(v, 2) if v is not None else None) for k, v in errs.items()},
            "refused": case.refused, "predicted_fits": cap.fits,
            "fit_match": (not cap.fits) if case.refused else None,
            "full_breakdown": case.reported.get("weights_gib") is not None and case.reported.get("kv_cache_gib") is not None,
            "family": family_of(case.model), "calibration": case.calibration,
            "kv_error_of_budget": _kv_error_of_budget(cap, case.reported),
        })

    def summary(sel: list[dict]) -> dict:
        out = {"cases": len(sel)}
        for k in ("kv_cache_gib", "weights_gib", "kv_tokens", "activation_gib", "non_torch_gib"):
            vals = [r["ape"][k] for r in sel if r["ape"].get(k) is not None]
            out[k] = {"n": len(vals), "median_ape": _pct(vals, 0.5), "p90_ape": _pct(vals, 0.9), "max_ape": max(vals) if vals else None}
        return out

    m_rows = [r for r in rows if r["case"].startswith("measured")]
    p_rows = [r for r in rows if r["case"].startswith("public")]
    refused = [r for r in rows if r["refused"]]
    return {
        "rows": rows,
        "skipped": skipped,
        "measured": summary(m_rows),
        "public_full_breakdown": summary([r for r in p_rows if r["full_breakdown"]]),
        "public_all": summary(p_rows),
        "fit_nofit": {"refused_cases": len(refused), "matched": sum(1 for r in refused if r["fit_match"]),
                      "mismatched": [r["case"] for r in refused if not r["fit_match"]]},
    }


def _kv_error_of_budget(cap: Capacity, reported: dict) -> float | None:
    """|estimated − vLLM's KV cache| over the budget. From the token count where vLLM printed one (it
    counts the rank that decides), else from the KV GiB."""
    if cap.budget_gib <= 0:
        return None
    if reported.get("kv_tokens") and cap.kv_bytes_per_token:
        gib = abs(cap.kv_cache_tokens - reported["kv_tokens"]) * cap.kv_bytes_per_token / 2**30
    elif reported.get("kv_cache_gib") is not None:
        gib = abs(cap.kv_cache_gib - reported["kv_cache_gib"])
    else:
        return None
    return gib / cap.budget_gib


def uncertainty_table(rows: list[dict]) -> dict:
    """The band per era and family: the 90th percentile of the calibration cases' KV error over the
    budget (groups of fewer than MIN_CASES fall back to their era, then to every case)."""
    cal = [r for r in rows if r["calibration"] and r["kv_error_of_budget"] is not None]

    def figure(sel: list[dict]) -> dict:
        vals = [r["kv_error_of_budget"] for r in sel]
        return {"fraction": round(_pct(vals, UNCERTAINTY_QUANTILE), 4) if vals else None, "cases": len(vals)}

    eras: dict[str, dict] = {}
    for era in sorted({r["era"] for r in cal}):
        in_era = [r for r in cal if r["era"] == era]
        row = figure(in_era)
        row["families"] = {fam: figure([r for r in in_era if r["family"] == fam])
                           for fam in sorted({r["family"] for r in in_era})}
        eras[era] = row
    return {
        "generated_by": "benchmarks/accuracy.py --write-uncertainty",
        "metric": f"p{int(UNCERTAINTY_QUANTILE * 100)} of |estimated - vLLM KV cache GiB| / budget GiB over the "
                  f"calibration cases; groups of fewer than {MIN_CASES} cases fall back to the era, then to all",
        "overall": figure(cal),
        "eras": eras,
    }


def _fmt(v: object) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.2f}"
    return str(v)


def print_table(result: dict) -> None:
    terms = ("weights_gib", "activation_gib", "non_torch_gib", "kv_cache_gib", "kv_tokens", "estimated_max_model_len")
    short = {"weights_gib": "weights", "activation_gib": "act", "non_torch_gib": "nontorch", "kv_cache_gib": "kv GiB",
             "kv_tokens": "tokens", "estimated_max_model_len": "est.len"}
    print(f"{'case':34} {'era':8} " + " ".join(f"{short[t]:>22}" for t in terms) + "  fit")
    for r in result["rows"]:
        cells = []
        for t in terms:
            rep, pred, e = r["reported"].get(t), r["predicted"].get(t), r["ape"].get(t)
            cells.append(f"{_fmt(pred):>8}/{_fmt(rep):<8}{'' if e is None else f'{e:5.1f}%':>6}" if rep is not None else f"{_fmt(pred):>8}/{'-':<13}")
        fit = "" if not r["refused"] else ("ok" if r["fit_match"] else "MISS")
        print(f"{r['case'][:34]:34} {r['era']:8} " + " ".join(f"{c:>22}" for c in cells) + f"  {fit}")
    print()
    for name in ("measured", "public_full_breakdown", "public_all"):
        s = result[name]
        print(f"{name} ({s['cases']} cases):")
        for k, v in s.items():
            if k == "cases":
                continue
            print(f"  {k:15} n={v['n']:3}  median {_fmt(v['median_ape'])}%  p90 {_fmt(v['p90_ape'])}%  max {_fmt(v['max_ape'])}%")
    f = result["fit_nofit"]
    print(f"fit/no-fit where vLLM refused: {f['matched']}/{f['refused_cases']} matched {f['mismatched'] or ''}")
    print(f"skipped: {len(result['skipped'])}")
    for s in result["skipped"]:
        print(f"  {s}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    ap.add_argument("--json", action="store_true", help="machine-readable output")
    ap.add_argument("--write-uncertainty", nargs="?", type=Path, const=UNCERTAINTY_PATH, metavar="PATH",
                    help=f"write the uncertainty band table (default {UNCERTAINTY_PATH.name} in the package)")
    a = ap.parse_args(argv)
    if not (a.shared / "groundtruth").is_dir():
        print(f"no groundtruth folder under {a.shared}", file=sys.stderr)
        return 2
    result = run(a.shared)
    if a.write_uncertainty:
        text = json.dumps(uncertainty_table(result["rows"]), indent=2, sort_keys=True) + "\n"
        a.write_uncertainty.write_text(text, encoding="utf-8")
        print(f"wrote {a.write_uncertainty}", file=sys.stderr)
        return 0
    if a.json:
        json.dump(result, sys.stdout, indent=1, default=str)
        print()
    else:
        print_table(result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
