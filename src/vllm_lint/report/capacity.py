"""``vllm-lint capacity`` output: the per-GPU memory breakdown as a table and a stacked bar."""

from __future__ import annotations

from typing import TYPE_CHECKING

from vllm_lint.memory.estimate import Capacity

if TYPE_CHECKING:
    from rich.console import Console

BAR_WIDTH = 60
# (label, style, glyph) of each bar segment; glyphs keep the bar readable without colour.
SEGMENTS = (
    ("weights", "blue", "█"),
    ("activations", "magenta", "▓"),
    ("overheads", "yellow", "▒"),
    ("KV cache", "green", "█"),
    ("headroom", "bright_black", "░"),
)


def capacity_json(cap: Capacity) -> dict:
    """The ``capacity --format json`` object."""
    return cap.to_json()


def legend_parts(cap: Capacity) -> list[tuple[str, float]]:
    """GiB of each term as estimated (headroom negative when the terms exceed the GPU)."""
    weights = max(0.0, cap.weights_gib)
    act = max(0.0, cap.activation_gib)
    over = max(0.0, cap.non_torch_gib + cap.cuda_graph_gib)
    kv = max(0.0, cap.kv_cache_gib)
    return [("weights", weights), ("activations", act), ("overheads", over), ("KV cache", kv),
            ("headroom", cap.gpu_total_gib - weights - act - over - kv)]


def bar_parts(cap: Capacity) -> list[tuple[str, float]]:
    """GiB of each bar segment; they add up to the GPU's CUDA-visible memory."""
    total = cap.gpu_total_gib
    (_, weights), (_, act), (_, over), (_, kv), _ = legend_parts(cap)
    used = weights + act + over + kv
    if used > total:  # does not fit at all: scale down so the bar still shows the proportions
        f = total / used
        weights, act, over, kv = weights * f, act * f, over * f, kv * f
        used = total
    return [("weights", weights), ("activations", act), ("overheads", over), ("KV cache", kv),
            ("headroom", max(0.0, total - used))]


def bar_text(cap: Capacity, width: int = BAR_WIDTH) -> list[tuple[str, str, str]]:
    """(label, style, characters) runs of the stacked bar, ``width`` characters in all."""
    parts = bar_parts(cap)
    total = sum(v for _, v in parts) or 1.0
    cells = [round(v / total * width) for _, v in parts]
    # fix rounding so the runs fill exactly ``width``
    diff = width - sum(cells)
    if diff:
        i = max(range(len(cells)), key=lambda k: parts[k][1])
        cells[i] = max(0, cells[i] + diff)
    return [(label, style, glyph * n) for (label, style, glyph), n in zip(SEGMENTS, cells)]


TERM_ROWS = (("allocator_rounding", "incl. allocator rounding"), ("lora", "incl. LoRA slots"),
             ("mtp_draft", "incl. MTP draft layers"),
             ("cpu_offload", "excl. --cpu-offload-gb"))
ACTIVATION_TERM_ROWS = (("offload_onload", "incl. onloaded layer"), ("lora_uncounted", "LoRA slots, not counted"))
TERM_HOW = {
    "allocator_rounding": "blocks torch's caching allocator did not split (counted whole)",
    "lora": "stacked LoRA A/B weights of --max-loras slots at --max-lora-rank",
    "mtp_draft": "speculative decoding: num_nextn_predict_layers decoder layers + eh_proj (embedding, lm_head shared)",
    "cpu_offload": "whole parameters moved to host memory (GiB budget)",
    "offload_onload": "V0 copies one offloaded layer back for its forward",
    "lora_uncounted": "allocated after the model is measured: out of the 1 − utilization headroom",
}


def render_capacity(cap: Capacity, console: Console) -> None:
    """Print the breakdown table, the verdict, and the stacked memory bar to a rich Console."""
    from rich.table import Table
    from rich.text import Text

    par = ""
    if cap.tensor_parallel_size * cap.pipeline_parallel_size > 1:
        par = f", TP={cap.tensor_parallel_size} PP={cap.pipeline_parallel_size}"
    table = Table(title=f"{cap.model} on {cap.gpu_name} — vLLM {cap.vllm_version}{par} (per GPU)", title_justify="left")
    table.add_column("term")
    table.add_column("GiB", justify="right")
    table.add_column("how", overflow="fold")
    table.add_row("GPU memory (CUDA)", f"{cap.gpu_total_gib:.2f}", cap.gpu_name)
    table.add_row("budget", f"{cap.budget_gib:.2f}", f"× gpu_memory_utilization {cap.gpu_memory_utilization:g}")
    table.add_row("− weights", f"{cap.weights_gib:.2f}", cap.weights_format)
    for key, label in TERM_ROWS:
        if cap.terms.get(key):
            table.add_row(f"  {label}", f"{cap.terms[key]:.2f}", TERM_HOW[key])
    table.add_row("− activation peak", f"{cap.activation_gib:.2f}",
                  f"profile run: {cap.max_num_batched_tokens} tokens, {cap.max_num_seqs} sequences")
    for key, label in ACTIVATION_TERM_ROWS:
        if cap.terms.get(key):
            table.add_row(f"  {label}", f"{cap.terms[key]:.2f}", TERM_HOW[key])
    parts = [f"{k.split('.', 1)[1].replace('_', ' ')} {v:.2f}" for k, v in cap.terms.items() if k.startswith("non_torch.")]
    table.add_row("− non-torch", f"{cap.non_torch_gib:.2f}",
                  ", ".join(parts) if parts else "CUDA/NCCL buffers that grow while profiling")
    table.add_row("− CUDA graphs", f"{cap.cuda_graph_gib:.2f}",
                  "counted by this release" if cap.cuda_graph_gib else "not counted in the budget by this release / eager")
    kv_how = f"{cap.kv_cache_dtype}, {cap.kv_bytes_per_token / 1024:g} KiB/token, blocks of {cap.block_size}"
    if cap.kv_override:
        kv_how += f" (set by --{cap.kv_override.replace('_', '-')})"
    table.add_row("= KV cache", f"{cap.kv_cache_gib:.2f}", kv_how)
    table.add_row("blocks", str(cap.num_gpu_blocks), "")
    band = cap.band
    table.add_row("tokens in KV cache", f"{cap.kv_cache_tokens:,}",
                  f"{cap.tokens_pm}: {band.kv_cache_tokens_low:,}–{band.kv_cache_tokens_high:,} (uncertainty of "
                  f"±{band.margin_gib:.2f} GiB, {band.scope}, from benchmarks/accuracy.py)" if band else "")
    table.add_row("max_model_len", f"{cap.max_model_len:,}", f"one request needs {cap.needed_kv_gib:.2f} GiB")
    table.add_row("max concurrency", f"{cap.max_concurrency:.2f}x", "full-length requests at once")
    table.add_row("largest max_model_len that fits", f"{cap.max_model_len_that_fits:,}", "")
    mu = cap.min_gpu_memory_utilization
    table.add_row("smallest utilization that fits", "-" if mu is None else f"{mu:.2f}",
                  "none ≤ 1.0" if mu is None else "")
    console.print(table)
    verdict = Text()
    pm = f", {cap.tokens_pm}" if cap.tokens_pm else ""
    if cap.at_the_edge:
        verdict.append("at the edge: ", style="bold yellow")
        verdict.append(f"vLLM may or may not start; one {cap.max_model_len}-token request needs "
                       f"{cap.needed_kv_gib:.2f} GiB of KV cache and {max(0.0, cap.kv_cache_gib):.2f} GiB is left per "
                       f"GPU ({cap.kv_cache_tokens:,} tokens{pm})")
    elif cap.fits:
        verdict.append("fits: ", style="bold green")
        verdict.append(f"{cap.kv_cache_tokens:,} tokens{pm} of KV cache per GPU, {cap.max_concurrency:.2f}x the "
                       f"{cap.max_model_len}-token context")
    else:
        verdict.append("does not fit: ", style="bold red")
        verdict.append(f"one {cap.max_model_len}-token request needs {cap.needed_kv_gib:.2f} GiB of KV cache; "
                       f"{max(0.0, cap.kv_cache_gib):.2f} GiB is left per GPU ({cap.kv_cache_tokens:,} tokens{pm})")
    console.print(verdict)
    bar = Text("[")
    for label, style, chars in bar_text(cap):
        bar.append(chars, style=style)
    bar.append("]")
    console.print(bar)
    legend = Text()
    for (label, gib), (_, style, glyph) in zip(legend_parts(cap), SEGMENTS):
        legend.append(f"{glyph} {label} {gib:.1f}  ", style=style)
    if legend_parts(cap)[-1][1] < 0:
        legend.append("(the terms exceed the GPU's memory; bar scaled)", style="bold red")
    console.print(legend)
    console.print(Text(f"estimate of {cap.era_text}", style="dim"))
    for note in cap.notes:
        console.print(Text(f"note: {note}", style="dim"))


# (label, key in the capacity JSON, decimals; None: an integer) of the rows compared with a vLLM log.
LOG_ROWS = (
    ("GPU memory (CUDA), GiB", "gpu.total_gib", 2),
    ("gpu_memory_utilization", "gpu_memory_utilization", 2),
    ("budget, GiB", "budget_gib", 2),
    ("weights, GiB", "weights_gib", 2),
    ("activation peak, GiB", "activation_gib", 2),
    ("non-torch, GiB", "non_torch_gib", 2),
    ("CUDA graphs subtracted, GiB", "cuda_graph_gib", 2),
    ("KV cache, GiB", "kv_cache_gib", 2),
    ("KV cache blocks", "num_gpu_blocks", None),
    ("KV cache tokens", "kv_cache_tokens", None),
    ("max_model_len", "max_model_len", None),
    ("max concurrency", "max_concurrency", 2),
    ("KV cache one request needs, GiB", "needed_kv_gib", 2),
    ("estimated maximum model length", "estimated_max_model_len", None),
    ("fits", "fits", "bool"),
)


def _lookup(data: dict, key: str) -> object:
    for part in key.split("."):
        if not isinstance(data, dict) or part not in data:
            return None
        data = data[part]
    return data


def _cell(value: object, decimals: object) -> str:
    if value is None:
        return "-"
    if decimals == "bool":
        return "yes" if value else "no"
    if decimals is None:
        return f"{int(value):,}"  # type: ignore[call-overload]
    return f"{float(value):.{decimals}f}"  # type: ignore[arg-type]


def log_comparison_rows(estimate_json: dict, log_json: dict) -> list[tuple[str, str, str, str]]:
    """(term, vLLM's figure, the estimate, the difference) for every term the log or the estimate
    states; the estimate cells are the capacity JSON's values, rounded as printed."""
    rows = []
    for label, key, decimals in LOG_ROWS:
        logged, est = _lookup(log_json, key), _lookup(estimate_json, key)
        if logged is None and key not in ("kv_cache_gib", "kv_cache_tokens", "weights_gib", "activation_gib"):
            continue  # a row the log does not state is shown only for the main terms
        diff = ""
        if logged is not None and est is not None and decimals != "bool":
            delta = float(est) - float(logged)  # type: ignore[arg-type]
            diff = f"{delta:+,.0f}" if decimals is None else f"{delta:+.{decimals}f}"
            if float(logged):  # type: ignore[arg-type]
                diff += f" ({delta / abs(float(logged)) * 100:+.1f}%)"  # type: ignore[arg-type]
        elif logged is not None and est is not None and bool(logged) != bool(est):
            diff = "differs"
        rows.append((label, _cell(logged, decimals), _cell(est, decimals), diff))
    return rows


def render_log_comparison(estimate_json: dict, log_json: dict, sources: list[str], era_text: str,
                          console: Console) -> None:
    """The term-by-term table of vLLM's logged figures against the estimate for the same launch."""
    from rich.table import Table
    from rich.text import Text

    par = ""
    tp, pp = estimate_json.get("tensor_parallel_size", 1), estimate_json.get("pipeline_parallel_size", 1)
    if tp * pp > 1:
        par = f", TP={tp} PP={pp}"
    table = Table(title=f"{estimate_json['model']} on {estimate_json['gpu']['name']} — vLLM "
                        f"{estimate_json['vllm_version']}{par}: the log against the estimate (per GPU)",
                  title_justify="left")
    table.add_column("term")
    table.add_column("vLLM (log)", justify="right")
    table.add_column("estimate", justify="right")
    table.add_column("difference", justify="right")
    for row in log_comparison_rows(estimate_json, log_json):
        table.add_row(*row)
    console.print(table)
    for line in sources:
        console.print(Text(line, style="dim"))
    console.print(Text(f"estimate of {era_text}", style="dim"))
