"""VL1xx: memory and KV-cache capacity, from the per-release estimate in ``vllm_lint.memory``."""

from __future__ import annotations

import math
from dataclasses import replace
from dataclasses import replace as dc_replace
from typing import Iterator

from vllm_lint.diagnostic import Diagnostic, Edit, Fix, Severity
from vllm_lint.launch import is_editable
from vllm_lint.memory.estimate import COMFORTABLE_CONCURRENCY, Capacity, estimate, with_settings
from vllm_lint.memory.releases import release
from vllm_lint.rules.flag_values import model_facts
from vllm_lint.rules.registry import register
from vllm_lint.units import GIB

LOW_CONCURRENCY = COMFORTABLE_CONCURRENCY  # fewer than two full-length requests at once (VL103)
MAX_SUGGESTED_UTILIZATION = 0.95  # above this the CUDA context and other processes rarely fit
TP_CHOICES = (2, 4, 8, 16)


def round_len(n: int) -> int:
    """Round a fitting length down to a tidy value: multiple of 1024 above 8K, of 256 above 1K, else of 16."""
    for step, floor in ((1024, 8192), (256, 1024), (16, 0)):
        if n >= floor:
            return max(step, n - n % step) if n >= step else n
    return n


_VALUE_STYLES = ("argv", "config-key", "helm-key")  # a value written on its own, where an edit can replace it


def set_flag_fix(ctx, dest: str, flag: str, value: str, description: str) -> Fix | None:
    """Replace the value of ``dest`` when the launch sets it, else insert ``flag value``. Unsafe (changes behaviour)."""
    tok = ctx.value_token(dest)
    if tok is not None and tok is not ctx.flag_token(dest):
        if not is_editable(tok, _VALUE_STYLES, as_written=True):
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


def _tp_choices(ctx, cap: Capacity) -> list[int]:
    """Tensor-parallel sizes above the launch's that vLLM accepts for the model, up to the GPUs the
    launch has when that is known (``--gpu H100:4``, a GPU request), else up to 8."""
    limit = (ctx.gpu_count if getattr(ctx, "gpu_count", None) else max(TP_CHOICES)) // cap.pipeline_parallel_size
    return [tp for tp in TP_CHOICES if cap.tensor_parallel_size < tp <= limit and tp_allowed(ctx.model, tp)]


def quantized_variants(model) -> list:
    """Quantized checkpoints of the same model in the catalog (same layer count and hidden size)."""
    from vllm_lint.models.resolve import catalog_ids, lookup_catalog

    if model.quantization:
        return []
    base = (model.id or "").rsplit("/", 1)[-1].lower().removeprefix("meta-")
    if not base:
        return []
    out = []
    for cid in catalog_ids():
        name = cid.rsplit("/", 1)[-1].lower().removeprefix("meta-")
        if cid.lower() == (model.id or "").lower() or not name.startswith(base):
            continue
        arch = lookup_catalog(cid)
        if arch is not None and arch.quantization and not arch.unsupported and \
                (arch.num_layers, arch.hidden_size) == (model.num_layers, model.hidden_size):
            out.append(arch)
    return out


def _variant_words(ctx, cap: Capacity, *, need_fit: bool) -> list[str]:
    """"a quantized checkpoint in the catalog: X (fits, N tokens per GPU)" for the variants that help."""
    out = []
    for arch in quantized_variants(ctx.model):
        alt = estimate(arch, ctx.gpu, ctx.settings, ctx.version)
        if need_fit and not alt.fits:
            continue
        what = f"fits, {alt.kv_cache_tokens:,} tokens per GPU" if alt.fits else f"{alt.weights_gib:.1f} GiB per GPU"
        out.append(f"the quantized checkpoint {arch.id} ({what})")
        if len(out) == 3:
            break
    return out


def _suggestions(ctx, cap: Capacity) -> tuple[list[Fix], list[str]]:
    fixes: list[Fix] = []
    words: list[str] = []
    L = cap.max_model_len
    mu = cap.min_gpu_memory_utilization
    if mu is not None and cap.band is not None and cap.band.margin_gib:  # fit at the low end of the band
        mu = math.ceil((mu + cap.band.margin_gib / cap.gpu_total_gib) * 100) / 100
    if mu is not None and cap.gpu_memory_utilization < mu <= MAX_SUGGESTED_UTILIZATION and \
            not ctx.settings.kv_cache_memory_bytes:
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
    for tp in _tp_choices(ctx, cap):
        alt = estimate(ctx.model, ctx.gpu, with_settings(ctx.settings, tensor_parallel_size=tp), ctx.version)
        if alt.fits:
            f = set_flag_fix(ctx, "tensor_parallel_size", "--tensor-parallel-size", str(tp),
                             f"use {tp} GPUs with --tensor-parallel-size {tp} ({alt.kv_cache_tokens:,} tokens per GPU)")
            words.append(f"{tp} GPUs with --tensor-parallel-size {tp}")
            if f:
                fixes.append(f)
            break
    words.extend(_variant_words(ctx, cap, need_fit=True))
    return fixes, words


def recommended_len(cap: Capacity) -> int:
    """The one --max-model-len VL101, VL103 and VL402 recommend: the largest (rounded down) that holds
    COMFORTABLE_CONCURRENCY full-length requests at the low end of the estimate's band; else the
    largest that fits there; 0 when not even that reaches 256 tokens."""
    b = cap.band
    if b is None:
        return round_len(cap.max_model_len_that_fits) if cap.max_model_len_that_fits >= 256 else 0
    for n in (b.recommended_max_model_len, b.max_model_len_that_fits_low):
        if n >= 256:
            return round_len(n)
    return 0


def capacity_finding_covers(cap: Capacity) -> bool:
    """Whether VL101 or VL103 reports this launch's context (then VL402 stays silent)."""
    return not cap.fits or cap.at_the_edge or (not cap.kv_override and cap.max_concurrency < LOW_CONCURRENCY)


def _edge_words(cap: Capacity) -> str:
    b = cap.band
    return (f"at the edge: vLLM may or may not start (the estimate's uncertainty here is ±{b.margin_gib:.2f} GiB "
            f"per GPU, {cap.tokens_pm} of the KV cache)") if b else ""


def _why_longer(ctx, cap: Capacity, largest: int) -> str:
    """Why more tokens than the KV cache holds now can be the largest context: a shorter one shrinks
    the profile run (V0 without chunked prefill profiles max_model_len tokens at once)."""
    if largest <= cap.kv_cache_tokens:
        return ""
    alt = estimate(ctx.model, ctx.gpu, with_settings(ctx.settings, max_model_len=largest), ctx.version)
    if alt.activation_gib >= cap.activation_gib - 0.005:
        return ""
    return (f" ({cap.kv_cache_tokens:,} tokens fit at {cap.max_model_len}: a {largest}-token context also "
            f"shrinks vLLM's profile run from {cap.max_num_batched_tokens} to {alt.max_num_batched_tokens} tokens, "
            f"so its activation peak drops from {cap.activation_gib:.2f} to {alt.activation_gib:.2f} GiB and "
            f"the KV cache grows to {alt.kv_cache_tokens:,} tokens)")


@register("VL101")
def kv_cache_capacity(ctx) -> Iterator[Diagnostic]:
    """The configured (or derived) max_model_len does not fit the KV cache left on the GPU."""
    cap = ctx.capacity
    if cap is None or cap.weights_gib >= cap.budget_gib or cap.kv_override or _default_context_unknown(ctx):
        return  # weights alone too large: VL102; explicit KV size: VL104
    edge = cap.at_the_edge
    if cap.fits and not edge:
        return
    s = ctx.settings
    if s.max_model_len == -1 and release(ctx.version).max_model_len_auto_fit and cap.max_model_len_that_fits > 0:
        return  # vLLM auto-fits max_model_len itself
    L = cap.max_model_len
    given = s.max_model_len is not None and s.max_model_len > 0
    ctx_words = f"--max-model-len {L}" if given else f"{ctx.model.id}'s {L}-token context (the default max_model_len)"
    left = max(0.0, cap.kv_cache_gib)
    pm = f", {cap.tokens_pm}" if cap.tokens_pm else ""
    verdict = _edge_words(cap) if edge else "does not fit"
    message = (
        f"{ctx_words} {'is ' + verdict if edge else verdict} the KV cache on {_gpu_words(ctx, cap)}" if not edge else
        f"{ctx_words} is {verdict}; on {_gpu_words(ctx, cap)}"
    )
    message += (f": one {L}-token request needs {cap.needed_kv_gib:.1f} GiB of KV cache per GPU; "
                f"{left:.1f} GiB is left per GPU ({cap.kv_cache_tokens:,} tokens{pm})")
    fix = None
    largest = cap.max_model_len_that_fits
    target = recommended_len(cap)
    if largest >= 256 and not cap.fits:
        message += f"; the largest --max-model-len that fits is {largest}"
        message += "" if ctx.trial else _why_longer(ctx, cap, largest)
    if target:
        fix = set_flag_fix(ctx, "max_model_len", "--max-model-len", str(target),
                           f"set --max-model-len {target}, where {COMFORTABLE_CONCURRENCY:g} requests of that length "
                           f"fit even at the low end of the estimate" if cap.band and target ==
                           round_len(cap.band.recommended_max_model_len) else f"set --max-model-len {target}")
        message += f"; --max-model-len {target} fits {COMFORTABLE_CONCURRENCY:g} full-length requests with margin"
    elif not cap.fits:
        message += "; the weights leave (almost) no room for a KV cache"
    suggestions, words = ([], []) if ctx.trial else _suggestions(ctx, cap)
    notes = _notes(ctx, cap)
    if words:
        notes.append("other ways to make it fit: " + "; ".join(words))
    when = f"{ctx.vllm} refuses to start" if not cap.fits else \
        f"{ctx.vllm} starts if the estimate holds; at its low end it refuses"
    if cap.era.startswith("v0"):
        tokens = cap.kv_cache_tokens if not cap.fits else cap.band.kv_cache_tokens_low
        notes.append(f"{when}: \"The model's max seq len ({L}) is larger than the maximum number of tokens that can "
                     f"be stored in KV cache ({tokens})\" (estimated)")
    else:
        longest = cap.estimated_max_model_len if not cap.fits else cap.band.max_model_len_that_fits_low
        notes.append(f"{when}: \"To serve at least one request with the model's max seq len ({L}), ... the estimated "
                     f"maximum model length is {longest}\" (estimated)")
    d = ctx.report("VL101", message, token=_where(ctx), fix=fix, suggestions=suggestions, notes=notes)
    yield dc_replace(d, severity=Severity.WARNING) if edge else d


# -- VL102 ---------------------------------------------------------------------------------------

QUANT_HINTS = (("AWQ/GPTQ 4-bit", {"quant_method": "awq", "bits": 4, "group_size": 128}),
               ("FP8", {"quant_method": "fp8"}))


def _smallest_tp(ctx, *, need_fit: bool) -> int | None:
    m = ctx.model
    limit = ctx.gpu_count if getattr(ctx, "gpu_count", None) else 16
    for tp in (1, 2, 4, 8, 16):
        if tp <= ctx.capacity.tensor_parallel_size or tp > limit or not tp_allowed(m, tp):
            continue
        alt = estimate(m, ctx.gpu, with_settings(ctx.settings, tensor_parallel_size=tp), ctx.version)
        if (alt.fits if need_fit else alt.weights_gib < alt.budget_gib):
            return tp
    return None


@register("VL102")
def weights_exceed_gpu(ctx) -> Iterator[Diagnostic]:
    """The model's weights alone need more memory per GPU than the budget vLLM may use."""
    cap = ctx.capacity
    if cap is None and ctx.model is None:
        yield from _weights_from_facts(ctx)
        return
    if cap is None or cap.weights_gib < cap.budget_gib:
        return
    from vllm_lint.memory.weights import weights_per_rank

    m = ctx.model
    words: list[str] = []
    suggestions: list[Fix] = []
    tp = None if ctx.trial else _smallest_tp(ctx, need_fit=True) or _smallest_tp(ctx, need_fit=False)
    if tp:
        f = set_flag_fix(ctx, "tensor_parallel_size", "--tensor-parallel-size", str(tp),
                         f"shard the model over {tp} GPUs (--tensor-parallel-size {tp})")
        alt = estimate(m, ctx.gpu, with_settings(ctx.settings, tensor_parallel_size=tp), ctx.version)
        shorter = recommended_len(alt) if not alt.fits else 0
        if alt.fits:
            words.append(f"{tp} GPUs with --tensor-parallel-size {tp}")
        elif shorter:
            words.append(f"{tp} GPUs with --tensor-parallel-size {tp} and --max-model-len {shorter} (the weights fit "
                         f"there, the {alt.max_model_len}-token context does not)")
        else:
            words.append(f"{tp} GPUs with --tensor-parallel-size {tp} hold the weights but leave no KV cache")
        if f:
            suggestions.append(f)
    elif getattr(ctx, "gpu_count", None):
        words.append(f"no tensor-parallel size up to the {ctx.gpu_count} GPUs available is enough")
    variants = [] if ctx.trial else _variant_words(ctx, cap, need_fit=False)
    words.extend(variants)
    if not m.quantization and not variants and not ctx.trial:
        for label, q in QUANT_HINTS:
            if label == "FP8" and not ctx.gpu.fp8:
                continue
            qm = dc_replace(m, quantization=q)
            w = weights_per_rank(qm, tp=cap.tensor_parallel_size, pp=cap.pipeline_parallel_size, pp_rank=0,
                                 layers_on_rank=m.num_layers // cap.pipeline_parallel_size, dtype_bytes=2)
            article = "an" if label[0] in "AEIOU" else "a"
            words.append(f"{article} {label} checkpoint of the model (~{w.bytes / GIB:.1f} GiB per GPU)")
    excess = cap.weights_gib + cap.activation_gib + cap.non_torch_gib + cap.cuda_graph_gib - cap.budget_gib
    offload = max(1, int(excess * GIB / 1e9) + 2)  # --cpu-offload-gb is decimal GB; leave ~1 GB for the KV cache
    words.append(f"--cpu-offload-gb {offload} (slow: weights stream from host memory every step)")
    notes = _notes(ctx, cap)
    notes.append("ways to make it fit: " + "; ".join(words))
    edge = cap.band is not None and cap.weights_gib - cap.band.margin_gib < cap.budget_gib
    tail = f"; {_edge_words(cap)}" if edge else "; vLLM runs out of memory while loading"
    d = ctx.report(
        "VL102",
        f"{m.id} needs {cap.weights_gib:.1f} GiB of weights per GPU ({cap.weights_format}), more than the "
        f"{cap.budget_gib:.1f} GiB vLLM may use on {_gpu_words(ctx, cap)} at gpu_memory_utilization "
        f"{cap.gpu_memory_utilization:g}{tail}",
        token=ctx.value_token("model"), suggestions=suggestions, notes=notes,
    )
    yield dc_replace(d, severity=Severity.WARNING) if edge else d


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
    util = s.gpu_memory_utilization if s.gpu_memory_utilization else release(ctx.version).default_utilization
    per_gpu, budget = low / ranks / GIB, ctx.gpu.total_gib * util
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



@register("VL103")
def low_concurrency(ctx) -> Iterator[Diagnostic]:
    """The KV cache holds fewer than two full-length requests: requests queue as soon as two are long."""
    cap = ctx.capacity
    if cap is None or not cap.fits or cap.kv_override or cap.max_concurrency >= LOW_CONCURRENCY or cap.at_the_edge \
            or _default_context_unknown(ctx):
        return  # at the edge VL101 reports the launch, with the same recommended length
    L = cap.max_model_len
    seqs = ctx.settings.max_num_seqs
    extra = ""
    if seqs and cap.kv_cache_tokens // max(1, seqs) < 256:
        extra = (f"; --max-num-seqs {seqs} leaves {cap.kv_cache_tokens // seqs} tokens per sequence, so most of "
                 f"those slots can never run at once")
    target = recommended_len(cap)
    # A suggestion, not a fix: how much concurrency a deployment needs is the user's call; it is the
    # same length VL101 and VL402 recommend.
    suggestions = []
    if target and target < L:
        s = set_flag_fix(ctx, "max_model_len", "--max-model-len", str(target),
                         f"set --max-model-len {target} so {LOW_CONCURRENCY:g} full-length requests fit")
        if s is not None:
            suggestions.append(s)
    notes = _notes(ctx, cap)
    pm = f" {cap.tokens_pm}" if cap.tokens_pm else ""
    yield ctx.report(
        "VL103",
        f"only {cap.max_concurrency:.2f} requests of {L} tokens fit in the KV cache at once "
        f"({cap.kv_cache_tokens:,} tokens{pm} per GPU on {_gpu_words(ctx, cap)}); long requests will queue{extra}",
        token=ctx.value_token("max_model_len") or ctx.value_token("model"), suggestions=suggestions, notes=notes,
    )


# -- VL104 ---------------------------------------------------------------------------------------

CONTEXT_RESERVE_GIB = 0.5  # CUDA context + NCCL/cuBLAS before vLLM's budget snapshot (0.26 measured 0.51)


@register("VL104")
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
        # whole MiB with a binary suffix: vLLM's human_readable_int refuses a decimal before K/M/G
        value = f"{int(free * 1024)}M" if free > 0 else None
        asked = f"--kv-cache-memory-bytes asks for {cap.kv_cache_gib:.1f} GiB of KV cache"
    else:
        per_block = cap.kv_cache_gib / max(1, cap.num_gpu_blocks)
        value = str(int(free / per_block)) if free > 0 else None
        asked = f"--num-gpu-blocks-override {cap.num_gpu_blocks} asks for {cap.kv_cache_gib:.1f} GiB of KV cache"
    if value and is_editable(tok, _VALUE_STYLES, as_written=True):
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
def gpu_unknown(ctx) -> Iterator[Diagnostic]:
    """No target GPU is known for a launch whose model is known: the capacity checks cannot run."""
    if ctx.gpu is not None or ctx.model is None or ctx.model.unsupported:
        return  # an unsupported layout is explained by VL106 (no GPU would make it checkable)
    if getattr(ctx, "file_gpu", None):
        return  # the file names a GPU vllm-lint cannot use: VL007 says so at the directive

    other = _other_accelerator(ctx)
    if other is not None:
        yield ctx.report(
            "VL105",
            f"this launch runs on {other}: vllm-lint models the memory of GPUs only, so KV-cache capacity was not "
            f"checked for {ctx.model.id}",
            token=ctx.value_token("model"),
        )
        return
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


_ACCELERATOR_NAMES = {"tpu": "a TPU", "neuron": "AWS Neuron", "cpu": "the CPU", "hpu": "a Gaudi HPU", "xpu": "an Intel XPU"}


def _other_accelerator(ctx) -> str | None:
    """What the launch runs on when it is not a GPU vllm-lint models: a TPU/Neuron/CPU resource or
    profile of the platform, or vLLM's own --device."""
    from vllm_lint.rules import flag_values

    device = (flag_values.str_arg(ctx, "device") or "").strip().lower()
    kind = ctx.launch.gpu.accelerator or (device if device in _ACCELERATOR_NAMES else None)
    if kind is None:
        return None
    how = f"--device {device}" if device == kind else (ctx.launch.gpu.notes[0] if ctx.launch.gpu.notes else kind)
    return f"{_ACCELERATOR_NAMES.get(kind, kind)} ({how})"


# A tree repeats the same model, settings and release across many launches: the verdicts are computed
# once per combination. The key is the repr of every input (ModelArch may hold unhashable fields); the
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
