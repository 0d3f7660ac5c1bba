"""What the GPU's compute capability rules out (VL309, VL310, VL312, VL313): bfloat16, fp8 and
quantization methods below their minimum capability, and FlashAttention-only backends.

Conditions follow vLLM 0.33's ``platforms/cuda.py``, ``ModelConfig._resolve_auto_dtype`` and the
attention backends' and quantization methods' capability checks; messages quote vLLM's own text
where it prints one.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Iterator

from vllm_lint.diagnostic import Diagnostic, Edit, Fix, Severity
from vllm_lint.rules import flag_values, topology
from vllm_lint.rules.context import RuleContext
from vllm_lint.rules.registry import register
from vllm_lint.vllm.versions import at_least

# First release whose `--dtype auto` falls back to float16 for bfloat16 checkpoints on GPUs
# without bfloat16 (ModelConfig._resolve_auto_dtype); earlier ones kept bfloat16 and failed.
AUTO_DTYPE_FALLBACK = "0.9.0"
# Model types vLLM refuses to run in float16 (config/model.py _FLOAT16_NOT_SUPPORTED_MODELS).
_NO_FLOAT16_TYPES = frozenset({"gemma2", "gemma3", "gemma3_text", "glm4"})
FP8_METHODS = {"fp8", "fbgemm_fp8", "modelopt", "ptpc_fp8", "fp8_e4m3"}


# -- VL309 / VL310 / VL312 / VL313: capability checks ------------------------------------------------

def _cc(ctx: RuleContext) -> tuple[int, int] | None:
    g = ctx.gpu
    if g is None or (g.vendor or "NVIDIA").upper() != "NVIDIA":
        return None
    if g.source.startswith("size given"):
        return None  # a bare memory size says nothing about the architecture
    return g.compute_capability


@register("VL309")
def bf16_unsupported_gpu(ctx: RuleContext) -> Iterator[Diagnostic]:
    cc = _cc(ctx)
    if cc is None or cc >= (8, 0):
        return
    g = ctx.gpu
    dtype = (flag_values.str_arg(ctx, "dtype") or "auto").lower()
    if dtype in ("bfloat16", "bf16"):
        yield ctx.report(
            "VL309",
            f"Bfloat16 is only supported on GPUs with compute capability of at least 8.0. Your {g.name} GPU "
            f"has compute capability {topology.cc_text(cc)}. You can use float16 instead by explicitly setting the "
            f"`dtype` flag in CLI, for example: --dtype=half.",
            token=ctx.value_token("dtype"),
            fix=_replace_value(ctx, "dtype", "half", "use --dtype half"),
        )
    elif dtype == "auto" and ctx.model is not None and ctx.model.torch_dtype.lower() in ("bfloat16", "bf16") \
            and not (ctx.model.quantization or flag_values.given(ctx, "quantization")):
        if not at_least(ctx.version, AUTO_DTYPE_FALLBACK):
            # Before the fallback, `auto` kept the checkpoint's bfloat16 and the worker refused it.
            yield ctx.report(
                "VL309",
                f"Bfloat16 is only supported on GPUs with compute capability of at least 8.0. Your {g.name} GPU "
                f"has compute capability {topology.cc_text(cc)}. You can use float16 instead by explicitly setting the "
                f"`dtype` flag in CLI, for example: --dtype=half. ({ctx.model.id} is stored in bfloat16 and "
                f"--dtype auto keeps it on {ctx.vllm})",
                token=ctx.flag_token("dtype") if flag_values.given(ctx, "dtype") else None,
            )
            return
        if ctx.model.model_type in _NO_FLOAT16_TYPES:
            effect = ("runs it in float32 (this model type refuses float16), which doubles the weight memory")
        else:
            effect = "casts the weights to float16, which can overflow in models trained in bfloat16"
        d = ctx.report(
            "VL309",
            f"{ctx.model.id} is stored in bfloat16 and --dtype is auto, but {g.name} (compute capability "
            f"{topology.cc_text(cc)}) has no bfloat16: {ctx.vllm} {effect}",
            token=ctx.flag_token("dtype") if flag_values.given(ctx, "dtype") else None,
            notes=["state the choice with --dtype half (or float32 if the outputs degrade)"],
        )
        d.severity = Severity.WARNING
        yield d
    kv = (flag_values.str_arg(ctx, "kv_cache_dtype") or "auto").lower()
    if kv == "bfloat16":
        yield ctx.report(
            "VL309",
            f"bfloat16 KV cache is not supported on {g.name} (compute capability {topology.cc_text(cc)}); "
            f"bfloat16 requires SM80+. Re-run with --kv-cache-dtype float16.",
            token=ctx.value_token("kv_cache_dtype"),
            fix=_replace_value(ctx, "kv_cache_dtype", "float16", "use --kv-cache-dtype float16"),
        )


def _replace_value(ctx: RuleContext, dest: str, new: str, what: str) -> Fix | None:
    sp = flag_values.value_span(ctx, dest)
    return Fix(what, (Edit(sp, new),), safe=False) if sp is not None else None


@register("VL310")
def fp8_unsupported_gpu(ctx: RuleContext) -> Iterator[Diagnostic]:
    cc = _cc(ctx)
    if cc is None:
        return
    g = ctx.gpu
    kv = (flag_values.str_arg(ctx, "kv_cache_dtype") or "auto").lower()
    if kv.startswith("fp8") and cc < (8, 0):
        # The message is vLLM's own; the fix writes `auto` rather than its float16 because auto
        # follows the model dtype, which vLLM lowers to float16 on these GPUs (from AUTO_DTYPE_FALLBACK;
        # VL309 reports the older releases that keep bfloat16).
        yield ctx.report(
            "VL310",
            f"FP8 KV cache is not supported by the Triton attention backend on {g.name} (compute capability "
            f"{topology.cc_text(cc)}); native FP8 (fp8e4nv) requires SM89+. Re-run with --kv-cache-dtype float16.",
            token=ctx.value_token("kv_cache_dtype"),
            fix=_replace_value(ctx, "kv_cache_dtype", "auto", "use --kv-cache-dtype auto"),
        )
    q = (flag_values.str_arg(ctx, "quantization") or "").lower() or flag_values.checkpoint_quant_method(ctx)
    if q in FP8_METHODS:
        minimum = {"fp8": (7, 5), "fbgemm_fp8": (8, 0), "modelopt": (8, 0), "ptpc_fp8": (9, 4)}.get(q, (7, 5))
        if cc < minimum:
            origin = "--quantization" if flag_values.given(ctx, "quantization") else f"{ctx.model.id}'s quantization_config"
            yield ctx.report(
                "VL310",
                f"The quantization method {q} is not supported for the current GPU. Minimum capability: "
                f"{minimum[0]}{minimum[1]}. Current capability: {cc[0]}{cc[1]}. ({origin} asks for FP8 weights; "
                f"{g.name} has compute capability {topology.cc_text(cc)})",
                token=ctx.value_token("quantization") if flag_values.given(ctx, "quantization") else None,
                notes=["use an unquantized, AWQ or GPTQ checkpoint on this GPU, or a GPU with compute capability 8.9+"],
            )


# Minimum compute capability per quantization method (vLLM 0.33 get_min_capability, × 10).
MIN_CAPABILITY: dict[str, int] = json.loads(
    (Path(__file__).with_name("data") / "min_capability.json").read_text(encoding="utf-8"))["min_capability"]


@register("VL313")
def quantization_unsupported_gpu(ctx: RuleContext) -> Iterator[Diagnostic]:
    cc = _cc(ctx)
    if cc is None:
        return
    explicit = (flag_values.str_arg(ctx, "quantization") or "").lower()
    q = explicit or flag_values.checkpoint_quant_method(ctx)
    if not q or q in FP8_METHODS or q not in MIN_CAPABILITY:
        return
    minimum = MIN_CAPABILITY[q]
    cap = cc[0] * 10 + cc[1]
    if cap >= minimum:
        return
    origin = "--quantization" if explicit else f"{ctx.model.id}'s quantization_config"
    yield ctx.report(
        "VL313",
        f"The quantization method {q} is not supported for the current GPU. Minimum capability: {minimum}. "
        f"Current capability: {cap}. ({origin}; {ctx.gpu.name})",
        token=ctx.value_token("quantization") if explicit else None,
        notes=["pick a checkpoint whose method supports this GPU (GPTQ runs from compute capability 6.0), "
               "or a newer GPU"],
    )


_FA_ONLY = re.compile(r"^(FLASH_ATTN|FLASH_ATTN_VLLM_V1|FLASHINFER|FLASHMLA|FLASH_ATTN_MLA|CUTLASS_MLA)$", re.I)


@register("VL312")
def flash_attention_unsupported_gpu(ctx: RuleContext) -> Iterator[Diagnostic]:
    cc = _cc(ctx)
    if cc is None or cc >= (8, 0):
        return
    backend = flag_values.str_arg(ctx, "attention_backend")
    tok = ctx.value_token("attention_backend") if backend else None
    where = "--attention-backend"
    if not backend:
        ev = ctx.launch.env.get("VLLM_ATTENTION_BACKEND")
        if ev is not None and not ev.symbolic:
            backend, where = ev.value.strip(), "VLLM_ATTENTION_BACKEND"
    if not backend or not _FA_ONLY.match(backend):
        return
    span = None
    if tok is None:
        ev = ctx.launch.env.get("VLLM_ATTENTION_BACKEND")
        span = ev.span if ev is not None else None
    yield ctx.report(
        "VL312",
        f"{where}={backend} needs compute capability 8.0 or newer (FlashAttention/FlashInfer kernels are "
        f"built for Ampere+), but {ctx.gpu.name} has {topology.cc_text(cc)}; vLLM finds no valid attention backend",
        token=tok,
        span=span,
        notes=["remove the override: on Volta/Turing vLLM selects the Triton (or xFormers on old releases) backend"],
    )
