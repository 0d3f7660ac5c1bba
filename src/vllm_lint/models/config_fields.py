"""The fields every ``config.json`` shares, read the way vLLM's config layer reads them.

``read_common`` turns a config mapping (a plain dict; nothing is imported or executed) into the
keyword arguments of ``ModelArch`` before any family adapter runs: the text sub-config of multimodal
wrappers, vLLM's field aliases for the KV head count (``transformers_utils/config.py``
CONFIG_FIELD_ALIASES), the head size fallback chain, the max-length keys of
``_get_and_verify_max_len``, dtype, quantization, RoPE scaling, sliding windows, the generic MoE and
MLA fields, and the vision tower. Family quirks live in ``models.adapters``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

# vLLM's _get_and_verify_max_len keys, in its order; the smallest present value wins.
MAX_LEN_KEYS = (
    "max_position_embeddings",
    "n_positions",
    "max_seq_len",
    "seq_length",
    "model_max_length",
    "max_target_positions",
    "max_sequence_length",
    "max_seq_length",
    "seq_len",
)
# Sub-configs of multimodal wrappers that hold the language model, in the order vLLM's get_text_config tries them.
TEXT_CONFIG_KEYS = ("text_config", "llm_config", "language_config")


def first(cfg: Mapping[str, Any], *keys: str) -> Any:
    """The first of ``keys`` whose value is not None."""
    for k in keys:
        v = cfg.get(k)
        if v is not None:
            return v
    return None


def positive(v: Any) -> bool:
    """A real positive number (booleans are not)."""
    return isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0


@dataclass
class Reading:
    """A config being read: the wrapper, its text config, and the ModelArch fields gathered so far.

    Adapters change ``fields`` (keyword arguments of ``ModelArch``) and ``extra`` in place; the first
    reason an adapter gives for refusing the layout goes to ``unsupported``.
    """

    top: Mapping[str, Any]
    text: Mapping[str, Any]
    model_type: str
    fields: dict[str, Any]
    extra: dict[str, Any] = field(default_factory=dict)

    def refuse(self, why: str) -> None:
        if not self.fields.get("unsupported"):
            self.fields["unsupported"] = why


def split_wrapper(cfg: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the whole config, the language model's config): a multimodal wrapper's text sub-config, else the config."""
    top = dict(cfg)
    for sub in TEXT_CONFIG_KEYS:
        if isinstance(top.get(sub), Mapping):
            return top, {**top[sub]}
    return top, top


def rope_scaling(text: Mapping[str, Any]) -> dict | None:
    """The RoPE scaling block: ``rope_scaling``, or transformers 5's ``rope_parameters`` when it is one flat
    block naming a type (per-layer-type mappings such as Gemma's ``{"full_attention": {...}}`` are not)."""
    rs = text.get("rope_scaling")
    if isinstance(rs, Mapping):
        return dict(rs)
    rp = text.get("rope_parameters")
    if isinstance(rp, Mapping) and (rp.get("rope_type") or rp.get("type")) \
            and not any(isinstance(v, Mapping) for v in rp.values()):
        return dict(rp)
    return None


def read_common(top: Mapping[str, Any], text: Mapping[str, Any]) -> Reading:
    """The fields shared by every family (vLLM's generic accessors), before family adapters run."""
    model_type = str(text.get("model_type") or top.get("model_type") or "")
    h = int(first(text, "hidden_size", "n_embd", "n_embed", "d_model", "dim") or 0)
    layers = int(first(text, "num_hidden_layers", "n_layer", "num_layers", "n_layers") or 0)
    heads = int(first(text, "num_attention_heads", "n_head", "num_heads", "n_heads") or 1)
    # vLLM's alias order for the KV head count.
    kv = first(text, "n_head_kv", "num_kv_heads", "num_key_value_heads", "multi_query_group_num", "num_attention_groups")
    if text.get("multi_query") and not text.get("new_decoder_architecture"):
        kv = 1
    if isinstance(text.get("attn_config"), Mapping) and text["attn_config"].get("kv_n_heads"):
        kv = text["attn_config"]["kv_n_heads"]
    head_dim = first(text, "head_dim", "hidden_size_per_head", "kv_channels")
    head_dim = int(head_dim) if head_dim else (h // heads if heads else 0)
    quant = top.get("quantization_config") or text.get("quantization_config")
    if quant is None and isinstance(top.get("compression_config"), Mapping):
        quant = top["compression_config"]
    sw = text.get("sliding_window")
    if text.get("use_sliding_window") is False:
        sw = None  # Qwen2-family: transformers clears it; vLLM then attends globally
    mml = text.get("model_max_length") or None
    fields: dict[str, Any] = {
        "model_type": model_type,
        "num_layers": layers,
        "num_attention_heads": heads,
        "num_kv_heads": int(kv or heads),
        "head_dim": head_dim,
        "hidden_size": h,
        "intermediate_size": int(first(text, "intermediate_size", "ffn_hidden_size", "n_inner", "ffn_dim") or 4 * h),
        "vocab_size": int(first(text, "vocab_size", "padded_vocab_size") or top.get("vocab_size") or 32000),
        "max_position_embeddings": int(text["max_position_embeddings"]) if text.get("max_position_embeddings") else None,
        "torch_dtype": str(first(text, "torch_dtype", "dtype") or first(top, "torch_dtype", "dtype") or "bfloat16"),
        "quantization": dict(quant) if isinstance(quant, Mapping) else None,
        "rope_scaling": rope_scaling(text),
        "sliding_window": int(sw) if sw else None,
        "layer_types": list(text["layer_types"]) if text.get("layer_types") else None,
        "tie_word_embeddings": bool(text.get("tie_word_embeddings", top.get("tie_word_embeddings", False))),
        "head_dim_v": int(text["v_head_dim"]) if text.get("v_head_dim") and not text.get("kv_lora_rank") else None,
        "max_len_keys": tuple((k, int(text[k])) for k in MAX_LEN_KEYS if positive(text.get(k))),
        "model_max_length": int(mml) if mml else None,
        "architectures": tuple(top.get("architectures") or ()),
    }
    fields.update(_moe_fields(text))
    fields.update(_mla_fields(text))
    reading = Reading(top, text, model_type, fields)
    for key in ("original_max_position_embeddings", "num_nextn_predict_layers"):
        if key in text:
            reading.extra[key] = text[key]
    softcap = text.get("final_logit_softcapping")
    if positive(softcap):
        reading.extra["final_logit_softcapping"] = float(softcap)  # Gemma-2: tanh(logits / cap) * cap
    return reading


def _moe_fields(text: Mapping[str, Any]) -> dict[str, Any]:
    """Routed experts, top-k, expert and shared-expert widths, leading dense layers, MoE layer step."""
    moe_i = first(text, "moe_intermediate_size", "expert_intermediate_size")
    shared_i = int(text.get("shared_expert_intermediate_size") or 0)
    if not shared_i and text.get("n_shared_experts") and moe_i:
        shared_i = int(text["n_shared_experts"]) * int(moe_i)
    dense_i = text.get("intermediate_size_mlp")
    return {
        "num_experts": int(first(text, "num_experts", "n_routed_experts", "num_local_experts", "moe_num_experts") or 0),
        # Gemma 4 MoE names the top-k top_k_experts
        "num_experts_per_tok": int(first(text, "num_experts_per_tok", "moe_top_k", "top_k_experts", "top_k") or 0),
        "moe_intermediate_size": int(moe_i) if moe_i else None,
        "shared_expert_intermediate_size": shared_i,
        "first_dense_layers": int(text.get("first_k_dense_replace") or 0),
        "moe_layer_step": int(text.get("interleave_moe_layer_step") or 1),
        "dense_intermediate_size": int(dense_i) if dense_i else None,
    }


def _mla_fields(text: Mapping[str, Any]) -> dict[str, Any]:
    """Multi-head latent attention ranks and head sizes (DeepSeek-V2 layout)."""
    def opt(key: str) -> int | None:
        return int(text[key]) if text.get(key) else None

    return {"kv_lora_rank": opt("kv_lora_rank"), "q_lora_rank": opt("q_lora_rank"),
            "qk_rope_head_dim": opt("qk_rope_head_dim"), "qk_nope_head_dim": opt("qk_nope_head_dim"),
            "v_head_dim": opt("v_head_dim")}


def vision_params(vc: Any) -> int:
    """Rough parameter count of a ViT-style vision tower from its ``vision_config`` (0 when absent).

    depth × (4·e² attention + 2 or 3 · e · mlp) plus a projector of the tower width; enough to
    account for the ~0.4–0.7 B parameters a 7B VL model adds to the weights vLLM loads.
    """
    if not isinstance(vc, Mapping):
        return 0
    e = int(first(vc, "embed_dim", "hidden_size", "width") or 0)
    depth = int(first(vc, "depth", "num_hidden_layers", "num_layers", "layers") or 0)
    if not e or not depth:
        return 0
    mlp = int(first(vc, "intermediate_size", "mlp_dim") or e * float(vc.get("mlp_ratio") or 4))
    gated = 3 if str(vc.get("hidden_act", "")).lower() in ("silu", "swiglu") else 2
    out = int(first(vc, "out_hidden_size", "projector_output_dim", "output_dim") or e)
    return depth * (4 * e * e + gated * e * mlp) + 4 * e * out


# Qwen2-VL's image processor default max_pixels (3584 × 3584), which bounds vLLM's dummy profiling image.
QWEN2_VL_MAX_PIXELS = 12_845_056


def max_image_tokens(model_type: str, top: Mapping[str, Any]) -> int:
    """Placeholder tokens of the largest image a multimodal model takes (vLLM's per-item maximum for the
    image modality), 0 when the config does not say: Qwen2-VL/2.5-VL from the processor's default
    max_pixels over (patch × merge)²; fixed-resolution towers (image_size / patch_size)² / merge²."""
    vc = top.get("vision_config")
    if not isinstance(vc, Mapping):
        return 0
    patch = int(vc.get("patch_size") or 0)
    merge = int(vc.get("spatial_merge_size") or top.get("spatial_merge_size") or 1)
    if not patch:
        return 0
    if model_type in ("qwen2_vl", "qwen2_5_vl"):
        return QWEN2_VL_MAX_PIXELS // (patch * merge) ** 2
    size = int(vc.get("image_size") or 0)
    return (size // patch) ** 2 // merge ** 2 if size else 0
