"""VL1xx: memory and KV-cache capacity, from the per-release estimate in ``vllm_lint.memory``."""

from __future__ import annotations

import functools
from dataclasses import replace
from typing import Iterator

from vllm_lint.diagnostic import Diagnostic, Edit, Fix, Severity
from vllm_lint.memory.estimate import Capacity, estimate, with_settings
from vllm_lint.rules.model import hedged, model_facts
from vllm_lint.rules.registry import register
from vllm_lint.vllm.versions import at_least

MAX_SUGGESTED_UTILIZATION = 0.95  # above this the CUDA context and other processes rarely fit
TP_CHOICES = (2, 4, 8)


def round_len(n: int) -> int:
    """Round a fitting length down to a tidy value: multiple of 1024 above 8K, of 256 above 1K, else of 16."""
    for step, floor in ((1024, 8192), (256, 1024), (16, 0)):
        if n >= floor:
            return max(step, n - n % step) if n >= step else n
    return n


def _editable(tok) -> bool:
    return (tok is not None and tok.span is not None and not tok.symbolic
            and tok.style in ("argv", "config-key", "helm-key")
            and (tok.raw or tok.text).strip("'\"") == tok.text)


def set_flag_fix(ctx, dest: str, flag: str, value: str, description: str) -> Fix | None:
    """Replace the value of ``dest`` when the launch sets it, else insert ``flag value``. Unsafe (changes behaviour)."""
    tok = ctx.value_token(dest)
    if tok is not None and tok is not ctx.flag_token(dest):
        if not _editable(tok):
            return None
        return Fix(description, (Edit(tok.span, value),), safe=False)
    if ctx.flag_token(dest) is not None:
        return None  # flag present in a form we cannot edit (--flag=value in one word, symbolic)
    ins = ctx.launch.insertion
    if ins is None or ins.path != ctx.src.display:
        return None
    span = ctx.src.index.span(ins.offset, ins.offset)
    return Fix(description, (Edit(span, ins.render([flag, value])),), safe=False)


def tp_allowed(model, tp: int) -> bool:
    """vLLM needs the attention heads divisible by TP, and KV heads divisible by TP or TP by KV heads."""
    kv = max(1, model.num_kv_heads)
    return model.num_attention_heads % tp == 0 and (model.is_mla or kv % tp == 0 or tp % kv == 0)


def on_assumed_gpu(check):
    """A check whose findings rest on the GPU: when the GPU is assumed (a node label that does not fix
    the card's memory, ``Tesla-V100``), its findings are at most warnings and offer no safe fix; the
    notes say what was assumed."""

    @functools.wraps(check)
    def run(ctx) -> Iterator[Diagnostic]:
        assumed = bool(getattr(ctx, "gpu_assumption", None))
        for diag in check(ctx):
            if assumed:
                if diag.severity == Severity.ERROR:
                    diag.severity = Severity.WARNING
                if diag.fix is not None and diag.fix.safe:
                    diag.fix = replace(diag.fix, safe=False)
            yield diag

    return run


def _default_context_unknown(ctx) -> bool:
    """No --max-model-len, and the model's own context is not known (a flavour of a catalog model,
    whose context may differ): the length the estimate would check is a guess, so say nothing."""
    res = ctx.model_resolution
    return res is not None and not res.keeps_context and not (ctx.settings.max_model_len or 0) > 0


def _where(ctx):
    return ctx.value_token("max_model_len") or ctx.value_token("model") or None


def _gpu_words(ctx, cap: Capacity) -> str:
    source = getattr(ctx, "gpu_source", None)
    if getattr(ctx, "gpu_assumption", None):
        source = f"assumed from {source}" if source else "assumed"
    return f"{cap.gpu_name} ({source})" if source else cap.gpu_name


def _notes(ctx, cap: Capacity) -> list[str]:
    """The memory breakdown, after what was assumed about the GPU (if anything)."""
    assumption = getattr(ctx, "gpu_assumption", None)
    return ([assumption] if assumption else []) + cap.breakdown_lines()


def _suggestions(ctx, cap: Capacity) -> tuple[list[Fix], list[str]]:
    fixes: list[Fix] = []
    words: list[str] = []
    L = cap.max_model_len
    mu = cap.min_gpu_memory_utilization
    if mu is not None and mu <= MAX_SUGGESTED_UTILIZATION and not ctx.settings.kv_cache_memory_bytes:
        f = set_flag_fix(ctx, "gpu_memory_utilization", "--gpu-memory-utilization", f"{mu:.2f}",
                         f"set --gpu-memory-utilization {mu:.2f} so {L} tokens fit")
        words.append(f"--gpu-memory-utilization {mu:.2f}")
        if f:
            fixes.append(f)
    if ctx.gpu.fp8 and not str(ctx.settings.kv_cache_dtype).startswith("fp8"):
        alt = estimate(ctx.model, ctx.gpu, with_settings(ctx.settings, kv_cache_dtype="fp8"), ctx.version)
        what = "fits" if alt.fits else f"holds {alt.kv_cache_tokens:,} tokens"
        words.append(f"--kv-cache-dtype fp8 ({what})")
        if alt.fits:  # only offer it as a fix when it solves the problem on its own
            f = set_flag_fix(ctx, "kv_cache_dtype", "--kv-cache-dtype", "fp8",
                             f"store the KV cache in fp8 (--kv-cache-dtype fp8): {L} tokens fit")
            if f:
                fixes.append(f)
    tp_now = cap.tensor_parallel_size
    for tp in TP_CHOICES:
        if tp <= tp_now:
            continue
        m = ctx.model
        if not tp_allowed(m, tp):
            continue
        alt = estimate(m, ctx.gpu, with_settings(ctx.settings, tensor_parallel_size=tp), ctx.version)
        if alt.fits:
            f = set_flag_fix(ctx, "tensor_parallel_size", "--tensor-parallel-size", str(tp),
                             f"use {tp} GPUs with --tensor-parallel-size {tp} ({alt.kv_cache_tokens:,} tokens per GPU)")
            words.append(f"{tp} GPUs with --tensor-parallel-size {tp}")
            if f:
                fixes.append(f)
            break
    return fixes, words


@register("VL101")
@hedged
@on_assumed_gpu
def kv_cache_capacity(ctx) -> Iterator[Diagnostic]:
    """The configured (or derived) max_model_len does not fit the KV cache left on the GPU."""
    cap = ctx.capacity
    if cap is None or cap.fits or cap.weights_gib >= cap.budget_gib or cap.kv_override or _default_context_unknown(ctx):
        return  # weights alone too large: VL102; explicit KV size: VL104
    s = ctx.settings
    if s.max_model_len == -1 and at_least(ctx.version, "0.14.0") and cap.max_model_len_that_fits > 0:
        return  # vLLM auto-fits max_model_len itself
    L = cap.max_model_len
    given = s.max_model_len is not None and s.max_model_len > 0
    ctx_words = f"--max-model-len {L}" if given else f"{ctx.model.id}'s {L}-token context (the default max_model_len)"
    left = max(0.0, cap.kv_cache_gib)
    message = (
        f"{ctx_words} does not fit the KV cache on {_gpu_words(ctx, cap)}: one {L}-token request needs "
        f"{cap.needed_kv_gib:.1f} GiB of KV cache; {left:.1f} GiB is left per GPU "
        f"({cap.kv_cache_tokens:,} tokens fit)"
    )
    fix = None
    largest = cap.max_model_len_that_fits
    target = round_len(largest) if largest else 0
    if target >= 256:
        fix = set_flag_fix(ctx, "max_model_len", "--max-model-len", str(target),
                           f"set --max-model-len {target} (largest that fits is {largest})")
        message += f"; the largest --max-model-len that fits is {largest}"
    else:
        message += "; the weights leave (almost) no room for a KV cache"
    suggestions, words = _suggestions(ctx, cap)
    notes = _notes(ctx, cap)
    if words:
        notes.append("other ways to make it fit: " + "; ".join(words))
    if cap.era.startswith("v0"):
        notes.append(f"vLLM {ctx.version} refuses to start: \"The model's max seq len ({L}) is larger than the maximum "
                     f"number of tokens that can be stored in KV cache ({cap.kv_cache_tokens})\" (estimated)")
    else:
        notes.append(f"vLLM {ctx.version} refuses to start: \"To serve at least one request with the model's max seq "
                     f"len ({L}), ... the estimated maximum model length is {cap.estimated_max_model_len}\"")
    yield ctx.report("VL101", message, token=_where(ctx), fix=fix, suggestions=suggestions, notes=notes)


# -- VL102 ---------------------------------------------------------------------------------------

QUANT_HINTS = (("AWQ/GPTQ 4-bit", {"quant_method": "awq", "bits": 4, "group_size": 128}),
               ("FP8", {"quant_method": "fp8"}))


def _smallest_tp(ctx, *, need_fit: bool) -> int | None:
    m = ctx.model
    for tp in (1, 2, 4, 8, 16):
        if tp <= ctx.capacity.tensor_parallel_size or not tp_allowed(m, tp):
            continue
        alt = estimate(m, ctx.gpu, with_settings(ctx.settings, tensor_parallel_size=tp), ctx.version)
        if (alt.fits if need_fit else alt.weights_gib < alt.budget_gib):
            return tp
    return None


@register("VL102")
@hedged
@on_assumed_gpu
def weights_exceed_gpu(ctx) -> Iterator[Diagnostic]:
    """The model's weights alone need more memory per GPU than the budget vLLM may use."""
    cap = ctx.capacity
    if cap is None and ctx.model is None:
        yield from _weights_from_facts(ctx)
        return
    if cap is None or cap.weights_gib < cap.budget_gib:
        return
    from dataclasses import replace as dc_replace

    from vllm_lint.memory.weights import weights_per_rank

    m = ctx.model
    words: list[str] = []
    suggestions: list[Fix] = []
    tp = _smallest_tp(ctx, need_fit=True) or _smallest_tp(ctx, need_fit=False)
    if tp:
        f = set_flag_fix(ctx, "tensor_parallel_size", "--tensor-parallel-size", str(tp),
                         f"shard the model over {tp} GPUs (--tensor-parallel-size {tp})")
        words.append(f"{tp} GPUs with --tensor-parallel-size {tp}")
        if f:
            suggestions.append(f)
    if not m.quantization:
        for label, q in QUANT_HINTS:
            if label == "FP8" and not ctx.gpu.fp8:
                continue
            qm = dc_replace(m, quantization=q)
            w = weights_per_rank(qm, tp=cap.tensor_parallel_size, pp=cap.pipeline_parallel_size, pp_rank=0,
                                 layers_on_rank=m.num_layers // cap.pipeline_parallel_size, dtype_bytes=2)
            article = "an" if label[0] in "AEIOU" else "a"
            words.append(f"{article} {label} checkpoint of the model (~{w.bytes / 2**30:.1f} GiB per GPU)")
    excess = cap.weights_gib + cap.activation_gib + cap.non_torch_gib + cap.cuda_graph_gib - cap.budget_gib
    offload = max(1, int(excess * 2**30 / 1e9) + 2)  # --cpu-offload-gb is decimal GB; leave ~1 GB for the KV cache
    words.append(f"--cpu-offload-gb {offload} (slow: weights stream from host memory every step)")
    notes = _notes(ctx, cap)
    notes.append("ways to make it fit: " + "; ".join(words))
    yield ctx.report(
        "VL102",
        f"{m.id} needs {cap.weights_gib:.1f} GiB of weights per GPU ({cap.weights_format}), more than the "
        f"{cap.budget_gib:.1f} GiB vLLM may use on {_gpu_words(ctx, cap)} at gpu_memory_utilization "
        f"{cap.gpu_memory_utilization:g}; vLLM runs out of memory while loading",
        token=ctx.value_token("model"), suggestions=suggestions, notes=notes,
    )


def _weights_from_facts(ctx) -> Iterator[Diagnostic]:
    """VL102 when only the parameter count is known (from the name: ``-13B``, ``-8x7B``): the fewest bytes
    those parameters can take in the known format against the GPU's budget. Never more than a warning."""
    facts = model_facts(ctx)
    if facts is None or not facts.num_params or ctx.gpu is None:
        return
    s = ctx.settings
    dtype_bytes = 4 if str(s.dtype or "").lower() in ("float32", "float") else 2
    if not facts.quantization and str(s.quantization or "").lower() in ("fp8", "fbgemm_fp8", "ptpc_fp8"):
        facts = replace(facts, quantization={"quant_method": "fp8"})
    low = facts.weight_bytes_lower_bound(dtype_bytes)
    ranks = max(1, s.tensor_parallel_size) * max(1, s.pipeline_parallel_size)
    from vllm_lint.memory.eras import default_utilization

    util = s.gpu_memory_utilization if s.gpu_memory_utilization else default_utilization(ctx.version)
    per_gpu, budget = low / ranks / 2**30, ctx.gpu.total_gib * util
    if per_gpu <= budget:
        return
    fmt = (facts.quantization or {}).get("_from_name") or (facts.quantization or {}).get("quant_method") or \
        f"{dtype_bytes * 8}-bit"
    split = f" over {ranks} GPUs" if ranks > 1 else ""
    yield ctx.report(
        "VL102",
        f"{facts.id} has at least {per_gpu:.1f} GiB of weights per GPU ({fmt}{split}), more "
        f"than the {budget:.1f} GiB vLLM may use on {ctx.gpu.name} at gpu_memory_utilization {util:g}; vLLM runs "
        f"out of memory while loading",
        token=ctx.value_token("model"),
        notes=["the parameter count is read from the name; map the model to its Hub id under [tool.vllm-lint] "
               "models for the exact estimate"],
    )


# -- VL103 ---------------------------------------------------------------------------------------

LOW_CONCURRENCY = 2.0  # fewer than two full-length requests at once


@register("VL103")
@hedged
@on_assumed_gpu
def low_concurrency(ctx) -> Iterator[Diagnostic]:
    """The KV cache holds fewer than two full-length requests: requests queue as soon as two are long."""
    cap = ctx.capacity
    if cap is None or not cap.fits or cap.kv_override or cap.max_concurrency >= LOW_CONCURRENCY \
            or _default_context_unknown(ctx):
        return
    L = cap.max_model_len
    seqs = ctx.settings.max_num_seqs
    extra = ""
    if seqs and cap.kv_cache_tokens // max(1, seqs) < 256:
        extra = (f"; --max-num-seqs {seqs} leaves {cap.kv_cache_tokens // seqs} tokens per sequence, so most of "
                 f"those slots can never run at once")
    half = round_len(max(256, int(cap.kv_cache_tokens / 4)))
    # A suggestion, not a fix: how much concurrency a deployment needs is the user's call, and as
    # a fix it would chain after VL101's (which leaves exactly one full-length request).
    suggestions = []
    if half < L:
        s = set_flag_fix(ctx, "max_model_len", "--max-model-len", str(half),
                         f"set --max-model-len {half} so about four full-length requests fit")
        if s is not None:
            suggestions.append(s)
    notes = _notes(ctx, cap)
    yield ctx.report(
        "VL103",
        f"only {cap.max_concurrency:.2f} requests of {L} tokens fit in the KV cache at once "
        f"({cap.kv_cache_tokens:,} tokens per GPU on {_gpu_words(ctx, cap)}); long requests will queue{extra}",
        token=ctx.value_token("max_model_len") or ctx.value_token("model"), suggestions=suggestions, notes=notes,
    )


# -- VL104 ---------------------------------------------------------------------------------------

CONTEXT_RESERVE_GIB = 0.5  # CUDA context + NCCL/cuBLAS before vLLM's budget snapshot (0.26 measured 0.51)


@register("VL104")
@hedged
@on_assumed_gpu
def kv_override_too_large(ctx) -> Iterator[Diagnostic]:
    """--kv-cache-memory-bytes or --num-gpu-blocks-override asks for more KV cache than the GPU can hold."""
    cap = ctx.capacity
    if cap is None or not cap.kv_override:
        return
    free = cap.gpu_total_gib - CONTEXT_RESERVE_GIB - cap.weights_gib - cap.activation_gib - cap.non_torch_gib \
        - cap.cuda_graph_gib
    if cap.kv_cache_gib <= free:
        return
    flag = cap.kv_override
    tok = ctx.value_token(flag)
    fix = None
    if flag == "kv_cache_memory_bytes":
        value = f"{max(0, int(free * 10) / 10):g}G" if free > 0 else None
        asked = f"--kv-cache-memory-bytes asks for {cap.kv_cache_gib:.1f} GiB of KV cache"
    else:
        per_block = cap.kv_cache_gib / max(1, cap.num_gpu_blocks)
        value = str(int(free / per_block)) if free > 0 else None
        asked = f"--num-gpu-blocks-override {cap.num_gpu_blocks} asks for {cap.kv_cache_gib:.1f} GiB of KV cache"
    if value and tok is not None and _editable(tok):
        fix = Fix(f"set --{flag.replace('_', '-')} {value}", (Edit(tok.span, value),), safe=False)
    yield ctx.report(
        "VL104",
        f"{asked}, but only about {max(0.0, free):.1f} GiB is free on {_gpu_words(ctx, cap)} after weights "
        f"{cap.weights_gib:.1f} GiB, activations {cap.activation_gib:.1f} GiB and buffers; vLLM will run out of memory "
        f"allocating it (this setting bypasses --gpu-memory-utilization)",
        token=tok, fix=fix, notes=_notes(ctx, cap),
    )


# -- VL105 ---------------------------------------------------------------------------------------


@register("VL105")
@hedged
def gpu_unknown(ctx) -> Iterator[Diagnostic]:
    """No target GPU is known for a launch whose model is known: the capacity checks cannot run."""
    if ctx.gpu is not None or ctx.model is None or ctx.model.unsupported:
        return  # an unsupported layout is explained by VL106 (no GPU would make it checkable)
    if getattr(ctx, "file_gpu", None):
        return  # the file names a GPU vllm-lint cannot use: VL007 says so at the directive

    s = ctx.settings
    n = max(1, s.tensor_parallel_size) * max(1, s.pipeline_parallel_size)
    fits, not_fit = [], []
    for key, ok in _verdicts(ctx.model, s, ctx.version):
        label = key if n == 1 else f"{n}× {key}"
        (fits if ok else not_fit).append(label)
    where = []
    if fits:
        where.append("fits on " + ", ".join(fits))
    if not_fit:
        where.append("not on " + ", ".join(not_fit))
    L = None
    try:
        from vllm_lint.memory.estimate import resolve_max_model_len

        L = resolve_max_model_len(ctx.model, s, ctx.version)
    except Exception:  # noqa: BLE001 - hint only
        L = None
    ctx_words = f" at max_model_len {L}" if L else ""
    yield ctx.report(
        "VL105",
        f"no target GPU known for this launch, so KV-cache capacity was not checked; {ctx.model.id}{ctx_words} "
        + ("; ".join(where) if where else "") +
        ". Set it with --gpu (e.g. --gpu A10G, --gpu g5.12xlarge, --gpu 23.58GiB), `gpu = \"L4\"` in "
        "[tool.vllm-lint], or a `# vllm-lint: gpu=H100` comment in the file",
        token=ctx.value_token("model"),
    )


# A tree repeats the same model, settings and release across many launches (999 launches without
# a GPU, 256 distinct on the 2,000-file benchmark tree): the verdicts are computed once per
# combination. The key is the repr of every input (ModelArch may hold unhashable fields); the
# estimate is a pure function of them and of the built-in GPU table.
_VERDICTS: dict[tuple[str, str, str], tuple[tuple[str, bool], ...]] = {}


def _verdicts(model, settings, version: str) -> tuple[tuple[str, bool], ...]:
    """(GPU key, fits) for each common GPU, skipping those the estimate cannot evaluate."""
    from vllm_lint.hardware.gpus import common_gpus
    from vllm_lint.memory.estimate import fits as fits_on

    key = (repr(model), repr(settings), str(version))
    found = _VERDICTS.get(key)
    if found is None:
        out = []
        for g in common_gpus():
            try:
                ok = fits_on(model, g, settings, version)  # no searches: only the verdict is shown
            except (ValueError, ZeroDivisionError):  # pragma: no cover - defensive
                continue
            out.append((g.key, ok))
        if len(_VERDICTS) > 4096:  # bounded: a run over generated files cannot grow it without end
            _VERDICTS.clear()
        found = _VERDICTS[key] = tuple(out)
    return found


# -- VL106 ---------------------------------------------------------------------------------------


@register("VL106")
def capacity_not_modelled(ctx) -> Iterator[Diagnostic]:
    """The model's memory layout is one the estimate does not represent: capacity was not checked."""
    m = ctx.model
    if m is None or not m.unsupported:
        return
    yield ctx.report(
        "VL106",
        f"KV-cache capacity was not checked for {m.id or ctx.model_name}: {m.unsupported}; the memory rules "
        f"(VL101-VL105) stay silent for this launch rather than print a wrong number",
        token=ctx.value_token("model"),
    )
