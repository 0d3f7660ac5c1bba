"""Model rules (VL4xx): context length against the model's derived limit, quantization against
the checkpoint, the scheduler's token budget, and model names vLLM cannot resolve.

Conditions follow vLLM's ``ModelConfig._get_and_verify_max_len`` (per release: the RoPE-scaling
rule changed in 0.30.0, see ``ModelArch.derived_max_model_len``), ``ModelConfig._verify_quantization``
and ``SchedulerConfig.verify_max_model_len``.
"""

from __future__ import annotations

import re
from typing import Iterator

from vllm_lint.diagnostic import Diagnostic, Edit, Fix
from vllm_lint.launch import is_editable
from vllm_lint.rules import flag_values
from vllm_lint.rules.context import RuleContext
from vllm_lint.rules.flag_values import model_facts
from vllm_lint.rules.registry import register
from vllm_lint.units import GIB

# Above this many tokens a default context is worth stating explicitly (VL402); 64K-class defaults
# (Llama 3.1's 131072, Qwen3-Coder's 262144) are the ones that fail on single mid-size GPUs.
HUGE_CONTEXT = 65536
SUGGESTED_CONTEXT = 32768


def _derived(ctx: RuleContext) -> tuple[int, str] | None:
    """(derived max_model_len, the config key it comes from) for the launch's release; None when the
    model's context is not known (unresolved, or a flavour of a known model whose context may differ)."""
    m = model_facts(ctx)
    if m is None:
        return None
    disable_sw = bool(flag_values.bool_arg(ctx, "disable_sliding_window"))
    derived = m.derived_max_model_len(ctx.version, disable_sliding_window=disable_sw)
    if derived is None:
        return None
    if m.model_max_length and derived == m.model_max_length:
        key = "model_max_length"
    elif disable_sw and m.sliding_window and derived == m.sliding_window:
        key = "sliding_window"
    elif m.max_len_keys:
        key = min(m.max_len_keys, key=lambda kv: kv[1])[0]
    else:
        key = "default"
    return derived, key


@register("VL401")
def max_model_len_above_derived(ctx: RuleContext) -> Iterator[Diagnostic]:
    if not flag_values.given(ctx, "max_model_len"):
        return
    mml = flag_values.int_arg(ctx, "max_model_len")
    d = _derived(ctx)
    if mml is None or mml <= 0 or d is None:
        return
    derived, key = d
    if mml <= derived:
        return
    if flag_values.env_truthy(ctx, "VLLM_ALLOW_LONG_MAX_MODEL_LEN"):
        return
    m = model_facts(ctx)
    rope = ""
    if m.rope_scaling:
        rtype = m.rope_scaling.get("rope_type") or m.rope_scaling.get("type")
        rope = f" ({m.id} has rope_scaling {rtype!s} factor {m.rope_scaling.get('factor')}; {ctx.vllm} " \
               f"{'applies' if derived != (m.max_position_embeddings or derived) else 'does not apply'} it)"
    tok = ctx.value_token("max_model_len")
    sp = flag_values.value_span(ctx, "max_model_len")
    fix = Fix(f"lower max_model_len to the model's limit {derived}", (Edit(sp, str(derived)),), safe=False) if sp else None
    yield ctx.report(
        "VL401",
        f"User-specified max_model_len ({mml}) is greater than the derived max_model_len ({key}={derived} "
        f"or model_max_length={m.model_max_length} in model's config.json).{rope}",
        token=tok,
        fix=fix,
        notes=["To go beyond the trained context anyway, set VLLM_ALLOW_LONG_MAX_MODEL_LEN=1 "
               "(vLLM: \"must be used with extreme caution\")"],
    )


@register("VL402")
def huge_default_context(ctx: RuleContext) -> Iterator[Diagnostic]:
    if flag_values.given(ctx, "max_model_len"):
        return
    d = _derived(ctx)
    if d is None:
        return
    derived, key = d
    if derived <= HUGE_CONTEXT:
        return
    cap = None
    if ctx.gpu is not None:
        try:
            cap = ctx.capacity
        except Exception:  # noqa: BLE001 - the estimate is another rule's business
            cap = None
    from vllm_lint.rules.capacity import capacity_finding_covers, recommended_len

    if cap is not None and capacity_finding_covers(cap):
        return  # VL101/VL103 report this context with the numbers and the one recommended length
    m = model_facts(ctx)
    kv_note = ""
    kvb = _kv_bytes_per_token(ctx.model) if ctx.model is not None else None
    if cap is not None:
        kv_note = f"; one request of that length holds {cap.needed_kv_gib:.1f} GiB of KV cache per GPU"
    elif kvb:
        n = max(1, ctx.settings.tensor_parallel_size) * max(1, ctx.settings.pipeline_parallel_size)
        where = f" across its {n} GPUs" if n > 1 else ""
        kv_note = f"; one request of that length holds {kvb * derived / GIB:.1f} GiB of KV cache{where}"
    value = recommended_len(cap) if cap is not None else SUGGESTED_CONTEXT
    suggestions = []
    ins = ctx.launch.insertion
    if value and ins is not None and ins.path == ctx.src.display:
        text = ins.render(["--max-model-len", str(value)])
        sp = ctx.src.index.span(ins.offset, ins.offset)
        suggestions.append(Fix(f"set --max-model-len {value}", (Edit(sp, text),), safe=False))
    yield ctx.report(
        "VL402",
        f"no --max-model-len: vLLM uses {m.id}'s full context of {derived} tokens ({key}){kv_note}; "
        f"state the context you serve",
        suggestions=suggestions,
    )


def _kv_bytes_per_token(m) -> int | None:
    """Full-attention KV bytes per token at 2 bytes per element (an upper bound for hints only)."""
    try:
        if m.is_mla:
            per_layer = (m.kv_lora_rank or 0) + (m.qk_rope_head_dim or 0)
        else:
            per_layer = 2 * m.num_kv_heads * m.head_dim
        layers = sum(1 for k in m.attention_layer_kinds() if k == "full") or 0
        return per_layer * 2 * layers or None
    except Exception:  # noqa: BLE001
        return None


# -- VL403 / VL404 ----------------------------------------------------------------------------------

# Methods a checkpoint's quant_method may be overridden to by vLLM (override_quantization_method),
# so that passing one of them for such a checkpoint is accepted.
_COMPATIBLE = {
    "gptq": {"gptq", "gptq_marlin", "gptq_marlin_24", "marlin", "gptq_bitblas", "moe_wna16", "bitblas", "inc"},
    "awq": {"awq", "awq_marlin", "moe_wna16", "ipex", "inc"},
    "fp8": {"fp8", "fbgemm_fp8", "ptpc_fp8"},
    "compressed-tensors": {"compressed-tensors"},
    "bitsandbytes": {"bitsandbytes"},
    "mxfp4": {"mxfp4"},
    "modelopt": {"modelopt", "modelopt_fp4", "modelopt_mixed"},
    "gguf": {"gguf"},
}


def _normalise(q: str) -> str:
    q = q.strip().lower()
    return "compressed-tensors" if q in ("compressed_tensors", "compressed-tensors") else q


def _vllm_name(method: str, quant: dict | None) -> str:
    """The checkpoint method as vLLM's error names it: ModelOpt NVFP4 checkpoints are ``modelopt_fp4``
    (``ModelOptNvFp4Config.override_quantization_method``), other ModelOpt ones ``modelopt``."""
    if method != "modelopt" or not quant:
        return method
    inner = quant.get("quantization") if isinstance(quant.get("quantization"), dict) else {}
    algo = str(quant.get("quant_algo") or inner.get("quant_algo") or "").upper()
    return "modelopt_fp4" if "FP4" in algo else method


@register("VL403")
def quantization_mismatch(ctx: RuleContext) -> Iterator[Diagnostic]:
    """--quantization contradicts the checkpoint after vLLM's overrides had their say
    (ModelConfig._verify_quantization; vllm.vllm.quantization)."""
    from vllm_lint.vllm.quantization import resolve

    cli = flag_values.str_arg(ctx, "quantization")
    cfg_n = flag_values.checkpoint_quant_method(ctx)
    if not cli or cfg_n is None:
        return
    m = ctx.model
    cli_n = _normalise(cli)
    known = tuple((ctx.args.table.post_choices or {}).get("quantization") or ())
    got = resolve(m.quantization, cli_n, known)
    if got.method == got.checkpoint or not got.certain:
        return  # an override makes them one method (nvfp4 on a ModelOpt NVFP4 checkpoint -> modelopt_fp4)
    if cli_n == cfg_n or cli_n in _COMPATIBLE.get(cfg_n, {cfg_n}):
        return  # other methods a checkpoint of this kind may be converted to when asked
    yield ctx.report(
        "VL403",
        f"Quantization method specified in the model config ({_vllm_name(cfg_n, m.quantization)}) does not match "
        "the quantization method "
        f"specified in the `quantization` argument ({cli_n}). ({m.id})",
        token=ctx.value_token("quantization"),
        notes=["remove --quantization: vLLM reads the method from the checkpoint's config.json"],
    )


_QUANT_MARK = re.compile(r"(?:^|[-_.])(awq|gptq|fp8|int4|int8|w4a16|w8a8|w8a16|bnb-4bit|4bit|8bit)(?:$|[-_.])", re.I)


@register("VL404")
def quantized_name_without_quantization(ctx: RuleContext) -> Iterator[Diagnostic]:
    """The name promises quantized weights but the config that vllm-lint resolved has no
    ``quantization_config`` and no ``--quantization`` is given: vLLM would load the checkpoint as
    unquantized (and fail on packed tensors), or the name points at a different repo than meant."""
    name = ctx.model_name
    res = ctx.model_resolution
    if not name or res is None or res.arch is None or flag_values.given(ctx, "quantization"):
        return
    m = res.arch
    if m.quantization:
        return
    tail = name.rstrip("/").split("/")[-1]
    mark = _QUANT_MARK.search(tail)
    if not mark:
        return
    org = name.split("/")[0].lower() if "/" in name else ""
    if org == "nvidia" or "fp4" in tail.lower():
        return  # ModelOpt checkpoints keep their method in hf_quant_config.json, not config.json
    yield ctx.report(
        "VL404",
        f"model {name!r} is named as a quantized checkpoint ({mark.group(1)}), but its config.json ({res.how}: {m.source or m.id}) "
        f"has no quantization_config and no --quantization is given: vLLM would load it as unquantized "
        f"{m.torch_dtype} weights",
        token=flag_values.model_token(ctx),
        notes=[f"check that the folder or repo holds the {mark.group(1)} files, or pass --quantization "
               f"{mark.group(1).lower() if mark.group(1).lower() in ('awq', 'gptq', 'fp8') else '<method>'}"],
    )


# -- VL405 ------------------------------------------------------------------------------------------

@register("VL405")
def batched_tokens_below_max_model_len(ctx: RuleContext) -> Iterator[Diagnostic]:
    if flag_values.bool_arg(ctx, "enable_chunked_prefill") is not False:
        return
    mnbt = flag_values.int_arg(ctx, "max_num_batched_tokens") if flag_values.given(ctx, "max_num_batched_tokens") else None
    if mnbt is None:
        return
    if flag_values.given(ctx, "max_model_len"):
        mml = flag_values.int_arg(ctx, "max_model_len")
        origin = "--max-model-len"
    else:
        d = _derived(ctx)
        mml, origin = (d[0], f"{model_facts(ctx).id}'s derived context") if d else (None, "")
    if mml is None or mml <= 0 or mnbt >= mml:
        return
    yield ctx.report(
        "VL405",
        f"max_num_batched_tokens ({mnbt}) is smaller than max_model_len ({mml}). This effectively limits the "
        f"maximum sequence length to max_num_batched_tokens and makes vLLM reject longer sequences. Please "
        f"increase max_num_batched_tokens or decrease max_model_len. (chunked prefill is disabled; max_model_len "
        f"from {origin})",
        token=ctx.value_token("max_num_batched_tokens"),
        notes=[f"raise --max-num-batched-tokens to at least {mml}, or re-enable chunked prefill"],
    )


# -- VL406 / VL407 ----------------------------------------------------------------------------------

# Model families whose Hugging Face organisation is unambiguous (bare repo name -> org).
FAMILY_ORGS = (
    (re.compile(r"^(?:meta-)?llama-(?:2|3|3\.\d|4)", re.I), "meta-llama"),
    (re.compile(r"^qwen(?:\d|\d\.\d|-|qwq)", re.I), "Qwen"),
    (re.compile(r"^qwq-", re.I), "Qwen"),
    (re.compile(r"^(?:mistral|mixtral|ministral|codestral|devstral|magistral)-", re.I), "mistralai"),
    (re.compile(r"^(?:gemma|codegemma)-", re.I), "google"),
    (re.compile(r"^phi-\d", re.I), "microsoft"),
    (re.compile(r"^deepseek-", re.I), "deepseek-ai"),
    (re.compile(r"^gpt-oss-", re.I), "openai"),
)


def _full_id(ctx: RuleContext, bare: str) -> str | None:
    """The org-qualified id a bare repo name stands for: from the catalog, else the family."""
    res = ctx.model_resolution
    if res is not None and res.arch is not None:
        if res.how != "catalog":
            return None  # a local folder or cache entry of that name exists
        full = res.arch.id
        if "/" in full and full.split("/")[-1].lower() == bare.lower():
            return full
        if res.via == "variant" and res.base and not (res.arch.quantization or {}).get("_from_name"):
            return f"{res.base.split('/')[0]}/{bare}"  # the publisher's sibling (Llama-3.2-1B of Llama-3.2-1B-Instruct)
        return None
    for pat, org in FAMILY_ORGS:
        if pat.match(bare):
            return f"{org}/{bare}"
    return None


@register("VL406")
def model_missing_org(ctx: RuleContext) -> Iterator[Diagnostic]:
    name = ctx.model_name
    if not name or "model" in (getattr(ctx.args, "symbolic", None) or ()):
        return
    bare = name.strip().strip("'\"")
    if not bare or "/" in bare or "\\" in bare or bare.startswith(("."  , "~")) or "$" in bare or "{" in bare \
            or bare.lower().endswith(".gguf"):
        return
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", bare):
        return  # not a Hub repo name (ollama tags, URLs, templates)
    full = _full_id(ctx, bare)
    if full is None:
        return
    tok = flag_values.model_token(ctx)
    fix = None
    if is_editable(tok, ("argv", "config-key"), as_written=True):
        fix = Fix(f"use the full id {full}", (Edit(tok.span, full),), safe=False)
    yield ctx.report(
        "VL406",
        f"model {bare!r} has no organisation: vLLM looks it up as a Hugging Face repo named {bare!r} (or a "
        f"local folder of that name), which does not exist, so startup fails with \"Repository Not Found\"; "
        f"did you mean {full!r}?",
        token=tok,
        fix=fix,
    )


@register("VL407")
def unresolved_model(ctx: RuleContext) -> Iterator[Diagnostic]:
    name = ctx.model_name
    res = ctx.model_resolution
    if not name or res is None or res.arch is not None or ctx.model is not None:
        return
    bare = name.strip().strip("'\"")
    if "/" not in bare and _full_id(ctx, bare):
        return  # VL406 names the likely id
    if res.name and res.name != name and ctx.launch.facts.model_id == res.name:
        name = f"{res.name} (mounted at {bare})"  # the storageUri's model, where KServe puts it
    yield ctx.report(
        "VL407",
        f"model {name!r} is not in vllm-lint's catalog, a local folder with a config.json, or the local "
        f"Hugging Face cache, so the checks that need its architecture (context length, heads, memory) are skipped",
        token=flag_values.model_token(ctx),
        notes=([f"still known: {res.describe().removeprefix('only ')} (checks that need only that still run, "
                f"at most as warnings)"] if res.facts is not None else []) +
              ([_how_to_point(res.message)] if res.message else []),
    )


def _how_to_point(resolution_message: str) -> str:
    """The resolver's advice without its "not in the catalog" preamble, which the message says already."""
    from vllm_lint.models.resolve import HOW_TO_POINT

    return HOW_TO_POINT if resolution_message.endswith(HOW_TO_POINT) else resolution_message
