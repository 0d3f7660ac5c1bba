"""VL1xx: memory and KV-cache capacity, from the per-release estimate in ``vllm_lint.memory``."""

from __future__ import annotations

from typing import Iterator

from vllm_lint.diagnostic import Diagnostic, Edit, Fix
from vllm_lint.memory.estimate import Capacity, estimate, with_settings
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


def _where(ctx):
    return ctx.value_token("max_model_len") or ctx.value_token("model") or None


def _gpu_words(ctx, cap: Capacity) -> str:
    src = f" (from {ctx.gpu_source})" if getattr(ctx, "gpu_source", None) else ""
    return f"{cap.gpu_name}{src}"


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
        f = set_flag_fix(ctx, "kv_cache_dtype", "--kv-cache-dtype", "fp8",
                         f"store the KV cache in fp8 (--kv-cache-dtype fp8): {L} tokens {what}")
        words.append(f"--kv-cache-dtype fp8 ({what})")
        if f:
            fixes.append(f)
    tp_now = cap.tensor_parallel_size
    for tp in TP_CHOICES:
        if tp <= tp_now:
            continue
        m = ctx.model
        if m.num_attention_heads % tp:
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
def kv_cache_capacity(ctx) -> Iterator[Diagnostic]:
    """The configured (or derived) max_model_len does not fit the KV cache left on the GPU."""
    cap = ctx.capacity
    if cap is None or cap.fits:
        return
    s = ctx.settings
    if s.max_model_len == -1 and at_least(ctx.version, "0.14.0") and cap.max_model_len_that_fits > 0:
        return  # vLLM auto-fits max_model_len itself
    L = cap.max_model_len
    given = s.max_model_len is not None and s.max_model_len > 0
    ctx_words = f"--max-model-len {L}" if given else f"the model's {L}-token context"
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
    notes = cap.breakdown_lines()
    if words:
        notes.append("other ways to make it fit: " + "; ".join(words))
    if cap.era.startswith("v0"):
        notes.append(f"vLLM {ctx.version} refuses to start: \"The model's max seq len ({L}) is larger than the maximum "
                     f"number of tokens that can be stored in KV cache (...)\"")
    else:
        notes.append(f"vLLM {ctx.version} refuses to start: \"To serve at least one request with the model's max seq "
                     f"len ({L}), ... the estimated maximum model length is {cap.estimated_max_model_len}\"")
    yield ctx.report("VL101", message, token=_where(ctx), fix=fix, suggestions=suggestions, notes=notes)
