"""Per-family adapters: what each model family's ``config.json`` means for vLLM's memory, one entry per family.

``ModelArch.from_config`` reads the fields every config shares (``models.config_fields``), then runs
the adapters registered for the text config's ``model_type``, then the checks every config gets. An
adapter fills in what its family states differently (layer kinds, expert widths, recurrent state,
tied embeddings) or refuses a layout the capacity estimate cannot represent, with the reason
(``Reading.refuse``), so a finding never rests on a number that only looks exact.

Adding a family is one decorated function: ``@adapts("my_type")``.
"""

from __future__ import annotations

import math
from typing import Any, Callable, Mapping

from vllm_lint.models.config_fields import Reading, first, max_image_tokens, positive, vision_params

Adapter = Callable[[Reading], None]
_ADAPTERS: dict[str, list[Adapter]] = {}


def adapts(*model_types: str) -> Callable[[Adapter], Adapter]:
    """Register an adapter for the text configs of these ``model_type`` values."""
    def register(fn: Adapter) -> Adapter:
        for t in model_types:
            _ADAPTERS.setdefault(t, []).append(fn)
        return fn
    return register


def adapted_types() -> frozenset[str]:
    """Every model type some adapter handles."""
    return frozenset(_ADAPTERS)


def apply_adapters(r: Reading) -> None:
    """The family adapters of ``r.model_type``, then the steps and checks every config gets."""
    for fn in _ADAPTERS.get(r.model_type, ()):
        fn(r)
    _pooling_decoder(r)
    _layer_pattern(r)
    _generic_mamba_state(r)
    _vision(r)
    _refuse_unmodelled(r)


# ---------------------------------------------------------------------------------------------
# Steps every config gets


# Decoder backbones published without a language-model head (embedding models such as e5-mistral, gte-Qwen2).
_POOLING_DECODER_ARCHITECTURES = frozenset({"LlamaModel", "MistralModel", "Qwen2Model", "Qwen3Model", "GemmaModel",
                                            "Gemma2Model"})


def _pooling_decoder(r: Reading) -> None:
    """vLLM runs these architectures as pooling models and deletes ``lm_head`` from them (its pooling adapter,
    0.6+), so their weights hold the embedding once, as a tied model's do."""
    archs = r.fields["architectures"]
    if archs and set(archs) <= _POOLING_DECODER_ARCHITECTURES:
        r.fields["tie_word_embeddings"] = True


def _layer_pattern(r: Reading) -> None:
    """Sliding layers every ``sliding_window_pattern``-th layer global (Gemma 3, Command R7B), and
    ``layers_block_type`` (mamba / attention per layer), when the config does not list layer types."""
    f, text = r.fields, r.text
    if not f["layer_types"] and f["sliding_window"]:
        pattern = text.get("sliding_window_pattern")
        if pattern and int(pattern) > 1:
            n = int(pattern)
            f["layer_types"] = ["full_attention" if (i + 1) % n == 0 else "sliding_attention"
                                for i in range(f["num_layers"])]
    if not f["layer_types"] and text.get("layers_block_type"):
        f["layer_types"] = ["mamba" if t == "mamba" else "full_attention" for t in text["layers_block_type"]]


def _generic_mamba_state(r: Reading) -> None:
    """Mamba state of a config no adapter read: (kernel − 1) × (d_inner + 2·groups·state) + d_inner × state."""
    f, text = r.fields, r.text
    if f.get("mamba_state_elems") or not (text.get("mamba_d_state") or text.get("ssm_state_size")
                                          or text.get("mamba_n_heads")):
        return
    d_state = int(first(text, "mamba_d_state", "ssm_state_size") or 128)
    d_inner = int(text.get("mamba_d_inner") or int(text.get("mamba_expand", 2)) * f["hidden_size"])
    conv_k = int(first(text, "mamba_d_conv", "conv_kernel") or 4)
    n_groups = int(first(text, "mamba_n_groups", "n_groups") or 1)
    f["mamba_state_elems"] = (conv_k - 1) * (d_inner + 2 * n_groups * d_state) + d_inner * d_state


def _vision(r: Reading) -> None:
    """Parameters of the vision tower, and the placeholder tokens of the largest image it takes."""
    vision = vision_params(r.top.get("vision_config"))
    if vision:
        r.extra["vision_params"] = vision
        tokens = max_image_tokens(str(r.top.get("model_type", r.model_type)), r.top)
        if tokens:
            r.extra["max_image_tokens"] = tokens


# Layer type names the KV layout understands (``ModelArch.attention_layer_kinds``); anything else is refused.
_KNOWN_LAYER_TYPE_WORDS = ("sliding", "local", "chunked_attention", "mamba", "linear", "ssm", "recurrent", "conv",
                           "attention", "full", "global", "attn", "none")


def _refuse_unmodelled(r: Reading) -> None:
    """Why the estimate would be a confident wrong number for this config, if it would.

    A KV layout the estimator cannot represent (cross-layer KV sharing as in Gemma 3n / Gemma 4, whose
    shared layers allocate no cache; a second KV shape on the full-attention layers), layer kinds it does
    not know, or a config without the shapes it needs.
    """
    text, name = r.text, r.model_type or "this model"
    shared = text.get("num_kv_shared_layers")
    if positive(shared):
        r.refuse(f"{name} uses per-layer KV sharing: the last {int(shared)} layers reuse earlier layers' KV cache "
                 "(vLLM allocates no cache for them), which vllm-lint does not model")
    g_dim, g_kv = text.get("global_head_dim"), text.get("num_global_key_value_heads")
    dim, kv = text.get("head_dim"), text.get("num_key_value_heads")
    if (isinstance(g_dim, int) and g_dim and g_dim != dim) or (isinstance(g_kv, int) and g_kv and g_kv != kv):
        n = g_kv or kv
        r.refuse(f"{name} keeps a different KV shape on its full-attention layers "
                 f"({n} KV head{'' if n == 1 else 's'} x {g_dim or dim} head size, against {kv} x {dim} on the "
                 "sliding layers), which vllm-lint does not model")
    why = _mixed_precision(f := r.fields)
    if why:
        r.refuse(why)
    if not f["num_layers"] or not f["hidden_size"]:
        missing = "num_hidden_layers" if not f["num_layers"] else "hidden_size"
        r.refuse(f"its config.json has no {missing} that vllm-lint can read")
    for t in f["layer_types"] or ():
        if not any(w in str(t).lower() for w in _KNOWN_LAYER_TYPE_WORDS):
            r.refuse(f"its layer type {t!r} has an attention/KV layout vllm-lint does not model")
            break


def _mixed_precision(fields: Mapping[str, Any]) -> str | None:
    """Checkpoints whose linear layers use several storage formats (ModelOpt MIXED_PRECISION, compressed-tensors
    groups of different bit widths): the weight estimate applies one format to every quantized layer."""
    q = fields.get("quantization") or {}
    if str(q.get("quant_algo") or "").upper() == "MIXED_PRECISION":
        return "its checkpoint mixes quantization formats per layer (ModelOpt MIXED_PRECISION), which vllm-lint does not model"
    groups = q.get("config_groups")
    if isinstance(groups, Mapping):
        formats = {(str((g or {}).get("weights", {}).get("type")), (g or {}).get("weights", {}).get("num_bits"))
                   for g in groups.values() if isinstance(g, Mapping) and isinstance(g.get("weights"), Mapping)}
        if len(formats) > 1:
            shown = ", ".join(f"{t}{b}" for t, b in sorted(formats, key=str))
            return f"its checkpoint quantizes layers in several formats ({shown}), which vllm-lint does not model"
    return None


# ---------------------------------------------------------------------------------------------
# Dense decoders whose MLP is two matrices (fc1 / fc2), not gated


@adapts("gpt2", "opt", "gpt_neox", "phi", "falcon", "gpt_bigcode", "starcoder2", "bloom", "mpt", "gptj", "nemotron_h")
def _ungated_mlp(r: Reading) -> None:
    r.fields["gated_mlp"] = False


# ---------------------------------------------------------------------------------------------
# Tied embeddings by default: the configs omit the key and transformers' config classes default it to True


@adapts("gemma", "gemma2", "gemma3", "gemma3_text", "gemma3n", "gemma3n_text", "gemma4", "gemma4_text",
        "gemma4_unified", "cohere", "cohere2", "gpt2", "opt", "bloom", "falcon", "gpt_bigcode", "starcoder2", "mpt")
def _tied_by_default(r: Reading) -> None:
    r.fields["tie_word_embeddings"] = bool(r.text.get("tie_word_embeddings", r.top.get("tie_word_embeddings", True)))


@adapts("gemma2")
def _gemma2(r: Reading) -> None:
    """Gemma 2 alternates a sliding layer (window ``sliding_window``) and a global one, sliding first."""
    f = r.fields
    if not f["layer_types"] and f["sliding_window"]:
        f["layer_types"] = ["sliding_attention" if i % 2 == 0 else "full_attention" for i in range(f["num_layers"])]


@adapts("gemma4", "gemma4_text", "gemma4_unified")
def _gemma4(r: Reading) -> None:
    """Gemma 4 MoE (``enable_moe_block``) runs a dense MLP of ``intermediate_size`` beside the experts."""
    if r.text.get("enable_moe_block") and r.fields["num_experts"]:
        r.extra["parallel_dense_mlp"] = True


@adapts("qwen")
def _qwen_v1(r: Reading) -> None:
    """QWen (v1, ``QWenLMHeadModel``) gives ``intermediate_size`` as the width of its two gated projections
    together: vLLM builds ``QWenMLP`` with ``intermediate_size // 2`` (Qwen-1.8B: 11008 -> 5504)."""
    r.fields["intermediate_size"] = int(r.fields["intermediate_size"] or 0) // 2


# ---------------------------------------------------------------------------------------------
# Mixture of experts whose expert width is ``intermediate_size``


@adapts("mixtral", "gpt_oss", "phimoe", "minimax_m2", "granitemoe", "granitemoeshared")
def _experts_of_intermediate_size(r: Reading) -> None:
    f = r.fields
    if not f["moe_intermediate_size"] and f["num_experts"]:
        f["moe_intermediate_size"] = f["intermediate_size"]
    shared = r.text.get("shared_intermediate_size")  # granitemoeshared
    if positive(shared) and not f["shared_expert_intermediate_size"]:
        f["shared_expert_intermediate_size"] = int(shared)


@adapts("llama4_text")
def _llama4(r: Reading) -> None:
    """Llama 4: iRoPE (every 4th layer global without RoPE, the rest chunked-local attention), one shared
    expert of the routed experts' width, dense layers of ``intermediate_size_mlp`` between MoE layers."""
    f, text = r.fields, r.text
    if not f["layer_types"] and text.get("attention_chunk_size"):
        step = int(text.get("no_rope_layer_interval") or 4)
        f["layer_types"] = ["full_attention" if (i + 1) % step == 0 else "chunked_attention"
                            for i in range(f["num_layers"])]
        f["sliding_window"] = int(text["attention_chunk_size"])
    f["moe_intermediate_size"] = f["moe_intermediate_size"] or f["intermediate_size"]
    f["shared_expert_intermediate_size"] = f["shared_expert_intermediate_size"] or f["intermediate_size"]


@adapts("afmoe")
def _afmoe(r: Reading) -> None:
    """Arcee AFMoE (Trinity): ``num_dense_layers`` leading dense layers, ``num_shared_experts`` shared experts
    of the routed width, and an attention output gate (vLLM ``AfmoeAttention.gate_proj``, hidden → heads ×
    head_dim) beside q/k-norms; the sliding / full layers come from ``layer_types``."""
    f, text = r.fields, r.text
    if positive(text.get("num_dense_layers")) and not f["first_dense_layers"]:
        f["first_dense_layers"] = int(text["num_dense_layers"])
    if positive(text.get("num_shared_experts")) and f["moe_intermediate_size"] and not f["shared_expert_intermediate_size"]:
        f["shared_expert_intermediate_size"] = int(text["num_shared_experts"]) * int(f["moe_intermediate_size"])
    r.extra["attn_output_gate"] = True
    r.extra["qk_norm_params"] = 2 * f["head_dim"]


# ---------------------------------------------------------------------------------------------
# Multi-head latent attention


@adapts("deepseek_v32", "glm_moe_dsa")
def _sparse_attention_indexer(r: Reading) -> None:
    """DeepSeek-V3.2 / GLM-5 sparse attention (DSA) keeps a second per-token cache for its lightning
    indexer beside the MLA latent; the estimate has no term for it."""
    dim = r.text.get("index_head_dim")
    r.refuse(f"{r.model_type} uses DeepSeek sparse attention: vLLM keeps an indexer key cache per token "
             f"({dim or 'index_head_dim'}-wide) beside the MLA latent, which vllm-lint does not model")


# ---------------------------------------------------------------------------------------------
# Recurrent state: gated delta-net, Mamba-1 and Mamba-2 hybrids


def gated_delta_net_params(hidden: int, num_k_heads: int, num_v_heads: int, head_k_dim: int,
                           head_v_dim: int, conv_kernel: int) -> int:
    """Parameters of one gated delta-net mixer (vLLM ``Qwen3NextGatedDeltaNet``, 0.11+).

    in_proj_qkvz: hidden → 2·key_dim + 2·value_dim; in_proj_ba: hidden → 2·num_v_heads;
    conv1d: (2·key_dim + value_dim) × kernel, no bias; A_log and dt_bias: num_v_heads each;
    gated RMSNorm: head_v_dim; out_proj: value_dim → hidden. key_dim = num_k_heads·head_k_dim,
    value_dim = num_v_heads·head_v_dim.
    """
    key_dim, value_dim = num_k_heads * head_k_dim, num_v_heads * head_v_dim
    in_proj = hidden * (2 * key_dim + 2 * value_dim) + hidden * 2 * num_v_heads
    conv = (2 * key_dim + value_dim) * conv_kernel
    return in_proj + conv + 2 * num_v_heads + head_v_dim + value_dim * hidden


@adapts("qwen3_next", "qwen3_5", "qwen3_5_moe", "qwen3_5_text", "qwen3_5_moe_text")
def _gated_delta_net(r: Reading) -> None:
    """Qwen3-Next / Qwen3.5: every ``full_attention_interval``-th layer is gated full attention, the others
    gated delta-net layers holding a per-sequence state (conv state + num_v_heads × k_dim × v_dim)."""
    f, text = r.fields, r.text
    if not f["layer_types"] and text.get("full_attention_interval"):
        n = int(text["full_attention_interval"])
        f["layer_types"] = ["full_attention" if (i + 1) % n == 0 else "linear_attention" for i in range(f["num_layers"])]
    nk, nv = int(text.get("linear_num_key_heads", 16)), int(text.get("linear_num_value_heads", 32))
    kd, vd = int(text.get("linear_key_head_dim", 128)), int(text.get("linear_value_head_dim", 128))
    conv_k = int(text.get("linear_conv_kernel_dim", 4))
    f["mamba_state_elems"] = (conv_k - 1) * (2 * nk * kd + nv * vd) + nv * kd * vd
    r.extra["mamba_params_per_layer"] = gated_delta_net_params(f["hidden_size"], nk, nv, kd, vd, conv_k)
    # vLLM reads getattr(config, "attn_output_gate", True): Qwen3-Next configs omit the key
    if bool(text.get("attn_output_gate", True)):
        r.extra["attn_output_gate"] = True
    r.extra["qk_norm_params"] = 2 * f["head_dim"]


def mamba2_params(hidden: int, n_heads: int, head_dim: int, d_state: int, n_groups: int, conv_kernel: int) -> int:
    """Parameters of one Mamba-2 mixer (vLLM ``MambaMixer2``): in_proj hidden → 2·d_inner + 2·groups·state +
    heads; conv1d over d_inner + 2·groups·state channels with bias; A, D, dt_bias per head; gated RMSNorm of
    d_inner; out_proj d_inner → hidden. d_inner = heads·head_dim."""
    d_inner = n_heads * head_dim
    conv_dim = d_inner + 2 * n_groups * d_state
    return hidden * (2 * d_inner + 2 * n_groups * d_state + n_heads) + conv_dim * (conv_kernel + 1) \
        + 3 * n_heads + d_inner + d_inner * hidden


def _mamba2_state(d_inner: int, n_groups: int, d_state: int, n_heads: int, head_dim: int, conv_k: int) -> int:
    """Per-sequence Mamba-2 state elements: conv state (kernel − 1) × conv channels + SSM heads × head_dim × state."""
    return (conv_k - 1) * (d_inner + 2 * n_groups * d_state) + n_heads * head_dim * d_state


@adapts("nemotron_h")
def _nemotron_h(r: Reading) -> None:
    """Nemotron-H: each layer is a Mamba-2 mixer, attention, an MLP or a mixture of experts, named by
    ``hybrid_override_pattern`` (``M``, ``*``, ``-``, ``E``) or, in later configs, ``layers_block_type``.
    Only attention layers hold KV cache; Mamba layers hold a Mamba-2 state."""
    f, text = r.fields, r.text
    codes = {"M": "mamba", "*": "attention", "-": "mlp", "E": "moe"}
    blocks = [codes.get(c, c) for c in str(text.get("hybrid_override_pattern") or "")] \
        or [str(b) for b in text.get("layers_block_type") or ()]
    if not blocks:
        r.refuse("its config.json has neither hybrid_override_pattern nor layers_block_type")
        return
    unknown = sorted(set(blocks) - {"mamba", "attention", "mlp", "moe"})
    if unknown:
        r.refuse(f"its layer kinds {unknown} are ones vllm-lint does not model")
        return
    f["num_layers"] = len(blocks)
    f["layer_types"] = [{"mamba": "mamba", "attention": "full_attention"}.get(b, "none") for b in blocks]
    f["mlp_layer_kinds"] = tuple({"mlp": "dense", "moe": "moe"}.get(b, "none") for b in blocks)
    if positive(text.get("moe_latent_size")):
        r.refuse("its experts work in a latent space (moe_latent_size), whose weights vllm-lint does not model")
    heads, hd = int(text.get("mamba_num_heads") or 0), int(text.get("mamba_head_dim") or 0)
    d_state, groups = int(text.get("ssm_state_size") or 0), int(text.get("n_groups") or 1)
    conv_k = int(text.get("conv_kernel") or 4)
    if not (heads and hd and d_state):
        r.refuse("its Mamba-2 shapes (mamba_num_heads, mamba_head_dim, ssm_state_size) are not all in config.json")
        return
    f["mamba_state_elems"] = _mamba2_state(heads * hd, groups, d_state, heads, hd, conv_k)
    r.extra["mamba_params_per_layer"] = mamba2_params(f["hidden_size"], heads, hd, d_state, groups, conv_k)
    if text.get("attention_head_dim"):
        f["head_dim"] = int(text["attention_head_dim"])
    shared = text.get("moe_shared_expert_intermediate_size")
    if positive(shared):
        f["shared_expert_intermediate_size"] = int(shared) * int(text.get("n_shared_experts") or 1)


@adapts("granitemoehybrid")
def _granite_hybrid(r: Reading) -> None:
    """Granite 4 hybrids: ``layer_types`` of ``mamba`` / ``attention``, Mamba-2 mixers of ``mamba_n_heads`` heads."""
    f, text = r.fields, r.text
    heads, hd = int(text.get("mamba_n_heads") or 0), int(text.get("mamba_d_head") or 0)
    d_state, groups = int(text.get("mamba_d_state") or 0), int(text.get("mamba_n_groups") or 1)
    conv_k = int(text.get("mamba_d_conv") or 4)
    if heads and hd and d_state:
        f["mamba_state_elems"] = _mamba2_state(heads * hd, groups, d_state, heads, hd, conv_k)
        r.extra["mamba_params_per_layer"] = mamba2_params(f["hidden_size"], heads, hd, d_state, groups, conv_k)
    f["moe_intermediate_size"] = f["moe_intermediate_size"] or (f["intermediate_size"] if f["num_experts"] else None)
    shared = text.get("shared_intermediate_size")
    if positive(shared):
        f["shared_expert_intermediate_size"] = int(shared)


@adapts("jamba")
def _jamba(r: Reading) -> None:
    """Jamba: attention every ``attn_layer_period`` layers from ``attn_layer_offset``, Mamba-1 elsewhere;
    experts every ``expert_layer_period`` layers from ``expert_layer_offset``, a dense MLP elsewhere."""
    f, text = r.fields, r.text
    n = f["num_layers"]
    ap, ao = int(text.get("attn_layer_period") or 8), int(text.get("attn_layer_offset") or 4)
    ep, eo = int(text.get("expert_layer_period") or 2), int(text.get("expert_layer_offset") or 1)
    f["layer_types"] = ["full_attention" if i % ap == ao else "mamba" for i in range(n)]
    f["mlp_layer_kinds"] = tuple("moe" if f["num_experts"] and i % ep == eo else "dense" for i in range(n))
    f["moe_intermediate_size"] = f["moe_intermediate_size"] or f["intermediate_size"]
    h = f["hidden_size"]
    d_inner = int(text.get("mamba_expand") or 2) * h
    d_state, conv_k = int(text.get("mamba_d_state") or 16), int(text.get("mamba_d_conv") or 4)
    dt_rank = text.get("mamba_dt_rank")
    dt_rank = math.ceil(h / 16) if dt_rank in (None, "auto") else int(dt_rank)
    # Mamba-1 state: conv (kernel − 1) × d_inner + SSM d_inner × state
    f["mamba_state_elems"] = (conv_k - 1) * d_inner + d_inner * d_state
    # in_proj, conv1d (+bias), x_proj, dt_proj (+bias), A_log, D, out_proj (vLLM MambaMixer; Jamba adds
    # RMSNorms on dt, B, C)
    r.extra["mamba_params_per_layer"] = (h * 2 * d_inner + d_inner * (conv_k + 1) + d_inner * (dt_rank + 2 * d_state)
                                         + dt_rank * d_inner + d_inner + d_inner * d_state + d_inner + d_inner * h
                                         + dt_rank + 2 * d_state)


@adapts("mamba", "mamba2", "falcon_mamba", "bamba", "zamba", "zamba2", "falcon_h1", "plamo2", "lfm2",
        "minimax", "minimax_m1", "minimax_text_01", "kimi_linear")
def _state_layouts_not_modelled(r: Reading) -> None:
    """Recurrent or hybrid layouts the estimate has no term for: pure state-space models (no KV cache at all),
    layers that run attention and a state-space mixer side by side, shared attention blocks, lightning
    (linear) attention."""
    r.refuse(f"{r.model_type} keeps recurrent state in a layout (state-space or linear-attention layers, "
             "parallel hybrid blocks) that vllm-lint does not model")


_ATTENTION_LAYOUTS_NOT_MODELLED = {
    "deepseek_v4": "compresses its KV cache per layer (compress_ratios) beside a sliding window and keeps "
                   "hyper-connection streams",
    "deepseek_ref": "(DeepSeek-V4) compresses its KV cache per layer (compress_ratios) beside a sliding window and "
                    "keeps hyper-connection streams",
    "minimax_m3": "runs sparse attention (sparse_attention_config) and dense MLPs of dense_intermediate_size "
                  "on its first layers",
    "mimo_v2_flash": "gives its sliding-window layers their own KV head count and head size (swa_* keys, "
                     "hybrid_layer_pattern)",
    "laguna": "gives each layer its own number of attention heads (num_attention_heads_per_layer) and mixes "
              "sliding and full attention layers",
    "step3p7": "mixes 512-token sliding-window layers with full attention layers in a pattern config.json "
               "does not list",
}


@adapts(*_ATTENTION_LAYOUTS_NOT_MODELLED)
def _attention_layouts_not_modelled(r: Reading) -> None:
    """Recent MoE decoders whose per-layer attention layout decides the KV cache and is not the uniform one the
    estimate assumes; reading them as plain attention would give a confident wrong capacity."""
    r.refuse(f"{r.model_type} {_ATTENTION_LAYOUTS_NOT_MODELLED[r.model_type]}, which vllm-lint does not model")


# ---------------------------------------------------------------------------------------------
# Models whose memory is not a decoder's KV cache


@adapts("bert", "roberta", "xlm-roberta", "nomic_bert", "new", "modernbert", "distilbert", "electra", "gte")
def _encoder_only(r: Reading) -> None:
    """Embedding / reranking encoders: vLLM runs them as pooling models with encoder-only attention and
    allocates no KV cache, so the KV-capacity checks do not apply."""
    f = r.fields
    f["gated_mlp"] = r.model_type in ("nomic_bert", "new", "modernbert")
    r.refuse(f"{r.model_type} is an encoder-only (pooling) model: vLLM keeps no KV cache for it, so the "
             "KV-cache capacity checks do not apply")


@adapts("whisper")
def _whisper(r: Reading) -> None:
    """Whisper: the decoder's ``decoder_layers`` layers self-attend (KV cache) and cross-attend to the
    encoder's 1500 frames (a cross-attention cache per request); the estimate models neither the encoder
    nor the cross-attention cache."""
    f, text = r.fields, r.text
    f["num_layers"] = int(text.get("decoder_layers") or f["num_layers"])
    f["num_attention_heads"] = f["num_kv_heads"] = int(text.get("decoder_attention_heads") or f["num_attention_heads"])
    f["head_dim"] = f["hidden_size"] // f["num_attention_heads"]
    f["intermediate_size"] = int(text.get("decoder_ffn_dim") or f["intermediate_size"])
    f["gated_mlp"] = False
    f["tie_word_embeddings"] = True
    r.refuse("whisper is an encoder-decoder model: vLLM also keeps a cross-attention cache of the encoder's "
             "frames per request, which vllm-lint does not model")


@adapts("mllama")
def _cross_attention_layers(r: Reading) -> None:
    layers = r.text.get("cross_attention_layers") or ()
    r.refuse(f"{r.model_type} interleaves {len(layers) or 'several'} cross-attention layers over image tokens, whose "
             "cache vllm-lint does not model")


@adapts("nemotron-nas", "deci")
def _heterogeneous_blocks(r: Reading) -> None:
    """Nemotron NAS models (Llama-3.3-Nemotron-Super / Ultra) give every layer its own attention (or none)
    and MLP width in ``block_configs``."""
    r.refuse(f"{r.model_type} gives each layer its own attention and MLP shape (block_configs), which "
             "vllm-lint does not model")


__all__ = ["Reading", "adapts", "adapted_types", "apply_adapters", "gated_delta_net_params", "mamba2_params"]
