"""A model's architecture as vLLM sizes it: the ``config.json`` facts the memory estimate reads.

``ModelArch.from_config`` reads a Hugging Face ``config.json`` mapping (a plain dict; nothing is
imported or executed) the way vLLM's config layer does: field aliases for the KV head count
(``transformers_utils/config.py`` CONFIG_FIELD_ALIASES), the head size fallback chain, the
text sub-config of multimodal wrappers, MLA / MoE / Mamba fields, and ``layer_types``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from vllm_lint.vllm.versions import at_least

# vLLM's _get_and_verify_max_len keys, in its order; the smallest present value wins.
_MAX_LEN_KEYS = (
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
# HF model_types whose attention vLLM runs as MLA (is_deepseek_mla) when kv_lora_rank is set.
MLA_MODEL_TYPES = frozenset(
    {"deepseek_v2", "deepseek_v3", "deepseek_v32", "kimi_k2", "glm4_moe_lite", "longcat_flash", "deepseek_mtp"}
)
# Models whose MLP/norm layout adds out-of-place norms around the MLP (pre/post feed-forward norms).
_DTYPE_BYTES = {
    "float32": 4, "fp32": 4, "float": 4,
    "bfloat16": 2, "bf16": 2, "float16": 2, "fp16": 2, "half": 2,
    "float8": 1, "fp8": 1, "int8": 1,
}


def dtype_bytes(name: str | None, default: int = 2) -> int:
    """Bytes per element of a torch dtype name (``bfloat16`` -> 2); ``default`` when unknown."""
    return _DTYPE_BYTES.get((name or "").lower(), default)


def _first(cfg: Mapping[str, Any], *keys: str) -> Any:
    for k in keys:
        v = cfg.get(k)
        if v is not None:
            return v
    return None


@dataclass(frozen=True)
class ModelArch:
    """Architecture facts of one checkpoint (text decoder), with where they came from."""

    id: str
    model_type: str
    num_layers: int
    num_attention_heads: int
    num_kv_heads: int
    head_dim: int
    hidden_size: int
    intermediate_size: int
    vocab_size: int
    max_position_embeddings: int | None = None
    torch_dtype: str = "bfloat16"
    quantization: dict | None = None
    rope_scaling: dict | None = None
    sliding_window: int | None = None
    layer_types: tuple[str, ...] | None = None  # per layer: full_attention / sliding_attention / mamba / linear_attention ...
    num_params: int | None = None  # total parameters as published (None: computed from the shapes)
    tie_word_embeddings: bool = False
    gated_mlp: bool = True
    head_dim_v: int | None = None
    # MoE
    num_experts: int = 0
    num_experts_per_tok: int = 0
    moe_intermediate_size: int | None = None
    shared_expert_intermediate_size: int = 0
    first_dense_layers: int = 0
    moe_layer_step: int = 1  # every n-th layer is MoE (Llama 4 Maverick: 2), the others dense
    dense_intermediate_size: int | None = None  # MLP width of dense layers when it differs (Llama 4)
    # MLA
    kv_lora_rank: int | None = None
    q_lora_rank: int | None = None
    qk_rope_head_dim: int | None = None
    qk_nope_head_dim: int | None = None
    v_head_dim: int | None = None
    # Mamba / linear attention state per layer (bytes at the model dtype, excluding the attention part)
    mamba_state_elems: int = 0
    max_len_keys: tuple[tuple[str, int], ...] = ()  # (key, value) of every max-length key present
    model_max_length: int | None = None
    architectures: tuple[str, ...] = ()
    source: str = ""
    num_params_source: str | None = None
    # Why the capacity estimate cannot represent this model's memory (None: it can). Set by from_config.
    unsupported: str | None = None
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    # ----------------------------------------------------------------------------------------
    @property
    def is_mla(self) -> bool:
        return self.model_type in MLA_MODEL_TYPES and bool(self.kv_lora_rank)

    @property
    def is_moe(self) -> bool:
        return self.num_experts > 0

    def attention_layer_kinds(self) -> list[str]:
        """Per layer: "full", "sliding", "mamba" (state, no per-token KV) or "none"."""
        if self.layer_types:
            out = []
            for t in self.layer_types:
                t = t.lower()
                if "sliding" in t or t in ("local", "chunked_attention"):
                    out.append("sliding")
                elif "mamba" in t or "linear" in t or t in ("ssm", "recurrent", "conv"):
                    out.append("mamba")
                elif "attention" in t or t in ("full", "global", "attn"):
                    out.append("full")
                else:
                    out.append("none")
            return out[: self.num_layers] + ["full"] * max(0, self.num_layers - len(out))
        if self.sliding_window:
            return ["sliding"] * self.num_layers
        return ["full"] * self.num_layers

    # ----------------------------------------------------------------------------------------
    def derived_max_model_len(self, version: str, *, disable_sliding_window: bool = False) -> int:
        """vLLM's ``_get_and_verify_max_len`` for a user value of None, per release.

        Smallest of the max-length keys (``model_max_length`` overrides when set); capped by the
        sliding window under ``--disable-sliding-window``; multiplied by the RoPE scaling factor
        for types vLLM scales (0.4.x: every type but ``su``; up to 0.26: also ``yarn`` as
        original_max_position_embeddings × factor; 0.30+: yarn no longer scales). Gemma 3 skips RoPE.
        """
        if self.max_len_keys:
            derived = float(min(v for _, v in self.max_len_keys))
        else:
            derived = 2048.0  # vLLM's assumption when no key is present
        if self.model_max_length:
            derived = float(self.model_max_length)
        if disable_sliding_window and self.sliding_window and self.sliding_window < derived:
            derived = float(self.sliding_window)
        if self.model_type == "gemma2" and self.sliding_window and at_least(version, "0.5.0") \
                and not at_least(version, "0.6.0"):
            # 0.5.x V0 could not interleave sliding windows: "capping the max length to the sliding window size"
            derived = min(derived, float(self.sliding_window))
        rs = self.rope_scaling
        if rs and "gemma3" not in self.model_type:
            rtype = str(rs.get("rope_type") or rs.get("type") or "")
            factor = rs.get("factor")
            if rtype == "longrope" or rtype == "su":
                orig = rs.get("original_max_position_embeddings") or self.extra.get("original_max_position_embeddings")
                if orig:
                    derived = float(orig)
            elif factor:
                if not at_least(version, "0.5.0"):
                    scales = rtype not in ("su",)
                elif not at_least(version, "0.30.0"):
                    scales = rtype not in ("su", "longrope", "llama3", "deepseek_yarn", "deepseek_llama_scaling")
                else:
                    scales = rtype not in ("su", "longrope", "llama3", "yarn", "deepseek_yarn", "deepseek_llama_scaling")
                if scales:
                    if rtype == "yarn" and rs.get("original_max_position_embeddings"):
                        derived = float(rs["original_max_position_embeddings"]) * float(factor)
                    else:
                        derived *= float(factor)
        return int(derived)

    # ----------------------------------------------------------------------------------------
    def param_breakdown(self) -> dict[str, int]:
        """Parameter counts by part, computed from the shapes (embedding, lm_head, attention, mlp, experts)."""
        h, L = self.hidden_size, self.num_layers
        kinds = self.attention_layer_kinds()
        n_attn_layers = sum(1 for k in kinds if k in ("full", "sliding"))
        q = self.num_attention_heads * self.head_dim
        kv = self.num_kv_heads * self.head_dim
        if self.is_mla:
            qk_head = (self.qk_nope_head_dim or 0) + (self.qk_rope_head_dim or 0)
            if self.q_lora_rank:
                q_par = h * self.q_lora_rank + self.q_lora_rank * self.num_attention_heads * qk_head
            else:
                q_par = h * self.num_attention_heads * qk_head
            kv_par = h * (self.kv_lora_rank + (self.qk_rope_head_dim or 0)) + self.kv_lora_rank * self.num_attention_heads * (
                (self.qk_nope_head_dim or 0) + (self.v_head_dim or 0)
            )
            o_par = self.num_attention_heads * (self.v_head_dim or 0) * h
            attn = q_par + kv_par + o_par
        else:
            vd = self.head_dim_v or self.head_dim
            # attn_output_gate (Qwen3-Next / Qwen3.5): q_proj also emits a per-head sigmoid gate,
            # doubling its width; q_norm / k_norm add head_dim each (vLLM Qwen3NextAttention).
            q_out = 2 * q if self.extra.get("attn_output_gate") else q
            attn = h * q_out + h * kv + h * self.num_kv_heads * vd + q * h + int(self.extra.get("qk_norm_params", 0))
        mlp_mult = 3 if self.gated_mlp else 2
        dense_mlp = mlp_mult * h * self.intermediate_size
        experts = 0
        shared = 0
        mlp_total = 0
        if self.is_moe:
            moe_i = self.moe_intermediate_size or self.intermediate_size
            n_moe_layers = (L - self.first_dense_layers) // max(1, self.moe_layer_step)
            n_dense = L - n_moe_layers
            experts = n_moe_layers * self.num_experts * mlp_mult * h * moe_i
            shared = n_moe_layers * (mlp_mult * h * self.shared_expert_intermediate_size + h * self.num_experts)
            mlp_total = n_dense * mlp_mult * h * (self.dense_intermediate_size or self.intermediate_size)
            if self.extra.get("parallel_dense_mlp"):
                # Gemma 4 enable_moe_block: every MoE layer also runs a dense MLP of intermediate_size
                mlp_total += n_moe_layers * dense_mlp
        else:
            mlp_total = L * dense_mlp
        mamba = 0
        n_mamba = sum(1 for k in kinds if k == "mamba")
        if n_mamba:
            # exact per-layer count when from_config derived it (gated delta-net); otherwise the in/out
            # projections of a mamba mixer are of the order of 4·h² per layer
            mamba = n_mamba * int(self.extra.get("mamba_params_per_layer", 4 * h * h))
        vision = int(self.extra.get("vision_params", 0))
        embed = self.vocab_size * h
        lm_head = 0 if self.tie_word_embeddings else self.vocab_size * h
        norms = L * 2 * h + h
        return {
            "embedding": embed,
            "lm_head": lm_head,
            "attention": n_attn_layers * attn,
            "mlp": mlp_total,
            "experts": experts,
            "shared": shared,
            "mamba": mamba,
            "norms": norms,
            "vision": vision,
        }

    def total_params(self) -> int:
        """Published total when known, else computed from the shapes."""
        if self.num_params:
            return self.num_params
        return sum(self.param_breakdown().values())

    def active_params(self) -> int:
        """Parameters touched per token (MoE: top-k experts only)."""
        b = self.param_breakdown()
        if not self.is_moe or not self.num_experts:
            return self.total_params()
        return sum(b.values()) - b["experts"] + b["experts"] * self.num_experts_per_tok // self.num_experts

    # ----------------------------------------------------------------------------------------
    @classmethod
    def from_config(cls, cfg: Mapping[str, Any], *, id: str = "", source: str = "", num_params: int | None = None,
                    num_params_source: str | None = None) -> "ModelArch":
        """Read a ``config.json`` mapping (multimodal wrappers: the ``text_config``)."""
        top = dict(cfg)
        text = top
        for sub in ("text_config", "llm_config", "language_config"):
            if isinstance(top.get(sub), Mapping):
                text = {**top[sub]}
                break
        model_type = str(text.get("model_type") or top.get("model_type") or "")
        h = int(_first(text, "hidden_size", "n_embd", "d_model", "dim") or 0)
        L = int(_first(text, "num_hidden_layers", "n_layer", "num_layers", "n_layers") or 0)
        heads = int(_first(text, "num_attention_heads", "n_head", "num_heads", "n_heads") or 1)
        # vLLM's alias order for the KV head count.
        kv = _first(text, "n_head_kv", "num_kv_heads", "num_key_value_heads", "multi_query_group_num", "num_attention_groups")
        if text.get("multi_query") and not text.get("new_decoder_architecture"):
            kv = 1
        if isinstance(text.get("attn_config"), Mapping) and text["attn_config"].get("kv_n_heads"):
            kv = text["attn_config"]["kv_n_heads"]
        kv = int(kv or heads)
        head_dim = _first(text, "head_dim", "hidden_size_per_head", "kv_channels")
        head_dim = int(head_dim) if head_dim else (h // heads if heads else 0)
        inter = int(_first(text, "intermediate_size", "ffn_hidden_size", "n_inner", "ffn_dim") or 4 * h)
        vocab = int(_first(text, "vocab_size", "padded_vocab_size") or top.get("vocab_size") or 32000)
        max_keys = tuple((k, int(text[k])) for k in _MAX_LEN_KEYS if isinstance(text.get(k), (int, float)) and text.get(k))
        mml = text.get("model_max_length") or None
        dtype = str(_first(text, "torch_dtype", "dtype") or _first(top, "torch_dtype", "dtype") or "bfloat16")
        quant = top.get("quantization_config") or text.get("quantization_config")
        if quant is None and isinstance(top.get("compression_config"), Mapping):
            quant = top["compression_config"]
        sw = text.get("sliding_window")
        if text.get("use_sliding_window") is False:
            sw = None  # Qwen2-family: transformers clears it; vLLM then attends globally
        sw = int(sw) if sw else None
        layer_types = text.get("layer_types")
        if not layer_types and sw:
            pattern = text.get("sliding_window_pattern")
            if model_type in ("gemma2",):
                layer_types = ["sliding_attention" if i % 2 == 0 else "full_attention" for i in range(L)]
            elif pattern and int(pattern) > 1:
                layer_types = ["full_attention" if (i + 1) % int(pattern) == 0 else "sliding_attention" for i in range(L)]
        if not layer_types and text.get("layers_block_type"):
            layer_types = ["mamba" if t == "mamba" else "full_attention" for t in text["layers_block_type"]]
        if not layer_types and model_type == "llama4_text" and text.get("attention_chunk_size"):
            # iRoPE: every 4th layer is global attention without RoPE, the rest chunked-local
            step = int(text.get("no_rope_layer_interval") or 4)
            layer_types = ["full_attention" if (i + 1) % step == 0 else "chunked_attention" for i in range(L)]
            sw = int(text["attention_chunk_size"])
        if not layer_types and model_type in ("qwen3_next",) and text.get("full_attention_interval"):
            n = int(text["full_attention_interval"])
            layer_types = ["full_attention" if (i + 1) % n == 0 else "linear_attention" for i in range(L)]
        n_experts = int(_first(text, "num_experts", "n_routed_experts", "num_local_experts", "moe_num_experts") or 0)
        # Gemma 4 MoE names it top_k_experts
        topk = int(_first(text, "num_experts_per_tok", "moe_top_k", "top_k_experts", "top_k") or 0)
        moe_i = _first(text, "moe_intermediate_size", "expert_intermediate_size")
        shared_i = int(text.get("shared_expert_intermediate_size") or 0)
        if not shared_i and text.get("n_shared_experts") and moe_i:
            shared_i = int(text["n_shared_experts"]) * int(moe_i)
        if model_type in ("mixtral", "gpt_oss") and not moe_i:
            moe_i = inter
        first_dense = int(text.get("first_k_dense_replace") or 0)
        moe_step = int(text.get("interleave_moe_layer_step") or 1)
        dense_i = text.get("intermediate_size_mlp")
        if model_type == "llama4_text":
            moe_i = moe_i or inter
            shared_i = shared_i or inter  # one shared expert of the routed experts' width
        gated = model_type not in ("gpt2", "opt", "gpt_neox", "phi", "falcon", "gpt_bigcode", "starcoder2", "bloom", "mpt")
        mamba_elems = 0
        gdn_params = 0
        if model_type in ("qwen3_next", "qwen3_5", "qwen3_5_moe", "qwen3_5_text", "qwen3_5_moe_text"):
            # gated delta-net state per layer: conv state + recurrent state (num_v_heads × k_dim × v_dim)
            nk, nv = int(text.get("linear_num_key_heads", 16)), int(text.get("linear_num_value_heads", 32))
            kd, vd = int(text.get("linear_key_head_dim", 128)), int(text.get("linear_value_head_dim", 128))
            conv_k = int(text.get("linear_conv_kernel_dim", 4))
            mamba_elems = (conv_k - 1) * (2 * nk * kd + nv * vd) + nv * kd * vd
            gdn_params = gated_delta_net_params(h, nk, nv, kd, vd, conv_k)
        elif text.get("mamba_d_state") or text.get("ssm_state_size") or text.get("mamba_n_heads"):
            d_state = int(_first(text, "mamba_d_state", "ssm_state_size") or 128)
            expand = int(text.get("mamba_expand", 2))
            d_inner = int(text.get("mamba_d_inner") or expand * h)
            conv_k = int(_first(text, "mamba_d_conv", "conv_kernel") or 4)
            n_groups = int(_first(text, "mamba_n_groups", "n_groups") or 1)
            mamba_elems = (conv_k - 1) * (d_inner + 2 * n_groups * d_state) + d_inner * d_state
        unsupported = _unsupported_reason(text, model_type, L, h, layer_types)
        extra = {k: text[k] for k in ("original_max_position_embeddings", "num_nextn_predict_layers") if k in text}
        if model_type.startswith("gemma4") and text.get("enable_moe_block") and n_experts:
            extra["parallel_dense_mlp"] = True
        if gdn_params:
            extra["mamba_params_per_layer"] = gdn_params
            # vLLM reads getattr(config, "attn_output_gate", True): Qwen3-Next configs omit the key
            if bool(text.get("attn_output_gate", True)):
                extra["attn_output_gate"] = True
            extra["qk_norm_params"] = 2 * head_dim
        softcap = text.get("final_logit_softcapping")
        if isinstance(softcap, (int, float)) and not isinstance(softcap, bool) and softcap > 0:
            extra["final_logit_softcapping"] = float(softcap)  # Gemma-2: tanh(logits / cap) * cap
        vision = _vision_params(top.get("vision_config"))
        if vision:
            extra["vision_params"] = vision
            tokens = _max_image_tokens(str(top.get("model_type", model_type)), top)
            if tokens:
                extra["max_image_tokens"] = tokens
        return cls(
            id=id,
            model_type=model_type,
            num_layers=L,
            num_attention_heads=heads,
            num_kv_heads=kv,
            head_dim=head_dim,
            hidden_size=h,
            intermediate_size=inter,
            vocab_size=vocab,
            max_position_embeddings=int(text["max_position_embeddings"]) if text.get("max_position_embeddings") else None,
            torch_dtype=dtype,
            quantization=dict(quant) if isinstance(quant, Mapping) else None,
            rope_scaling=_rope_scaling(text),
            sliding_window=sw,
            layer_types=tuple(layer_types) if layer_types else None,
            num_params=num_params,
            # Gemma configs omit the key: transformers' Gemma config classes default it to True.
            tie_word_embeddings=bool(text.get("tie_word_embeddings", top.get("tie_word_embeddings", model_type.startswith("gemma")))),
            gated_mlp=gated,
            head_dim_v=int(text["v_head_dim"]) if text.get("v_head_dim") and not text.get("kv_lora_rank") else None,
            num_experts=n_experts,
            num_experts_per_tok=topk,
            moe_intermediate_size=int(moe_i) if moe_i else None,
            shared_expert_intermediate_size=shared_i,
            first_dense_layers=first_dense,
            moe_layer_step=moe_step,
            dense_intermediate_size=int(dense_i) if dense_i else None,
            kv_lora_rank=int(text["kv_lora_rank"]) if text.get("kv_lora_rank") else None,
            q_lora_rank=int(text["q_lora_rank"]) if text.get("q_lora_rank") else None,
            qk_rope_head_dim=int(text["qk_rope_head_dim"]) if text.get("qk_rope_head_dim") else None,
            qk_nope_head_dim=int(text["qk_nope_head_dim"]) if text.get("qk_nope_head_dim") else None,
            v_head_dim=int(text["v_head_dim"]) if text.get("v_head_dim") else None,
            mamba_state_elems=mamba_elems,
            max_len_keys=max_keys,
            model_max_length=int(mml) if mml else None,
            architectures=tuple(top.get("architectures") or ()),
            source=source,
            num_params_source=num_params_source,
            unsupported=unsupported,
            extra=extra,
        )


# Layer type names the KV layout understands (``attention_layer_kinds``); anything else is refused.
_KNOWN_LAYER_TYPE_WORDS = ("sliding", "local", "chunked_attention", "mamba", "linear", "ssm", "recurrent", "conv",
                           "attention", "full", "global", "attn")
# Config keys of KV-cache layouts the estimator does not represent, with what they mean.
_UNMODELLED_KV_KEYS = (
    ("num_kv_shared_layers", "per-layer KV sharing: the last {v} layers reuse earlier layers' KV cache "
                             "(vLLM allocates no cache for them)"),
)


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


def _unsupported_reason(text: Mapping[str, Any], model_type: str, num_layers: int, hidden: int,
                        layer_types: Any) -> str | None:
    """Why the estimate would be a confident wrong number for this config, or None.

    A KV layout the estimator cannot represent (cross-layer KV sharing as in Gemma 3n / Gemma 4, whose
    shared layers allocate no cache), layer kinds it does not know, or a config without the shapes
    it needs. Refusing is better than a number that looks exact.
    """
    for key, why in _UNMODELLED_KV_KEYS:
        v = text.get(key)
        if isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0:
            return f"{model_type or 'this model'} uses {why.format(v=int(v))}, which vllm-lint does not model"
    # Gemma 4: full-attention layers keep KV in another shape (global_head_dim, num_global_key_value_heads)
    # than the sliding layers; one head size per model would misstate the cache.
    g_dim, g_kv = text.get("global_head_dim"), text.get("num_global_key_value_heads")
    dim, kv = text.get("head_dim"), text.get("num_key_value_heads")
    if (isinstance(g_dim, int) and g_dim and g_dim != dim) or (isinstance(g_kv, int) and g_kv and g_kv != kv):
        n = g_kv or kv
        return (f"{model_type or 'this model'} keeps a different KV shape on its full-attention layers "
                f"({n} KV head{'' if n == 1 else 's'} x {g_dim or dim} head size, against {kv} x {dim} on the "
                "sliding layers), which vllm-lint does not model")
    if not num_layers or not hidden:
        missing = "num_hidden_layers" if not num_layers else "hidden_size"
        return f"its config.json has no {missing} that vllm-lint can read"
    if layer_types:
        for t in layer_types:
            low = str(t).lower()
            if not any(w in low for w in _KNOWN_LAYER_TYPE_WORDS):
                return f"its layer type {t!r} has an attention/KV layout vllm-lint does not model"
    return None


def _rope_scaling(text: Mapping[str, Any]) -> dict | None:
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


def _vision_params(vc: Any) -> int:
    """Rough parameter count of a ViT-style vision tower from its ``vision_config`` (0 when absent).

    depth × (4·e² attention + 2 or 3 · e · mlp) plus a projector of the tower width; enough to
    account for the ~0.4–0.7 B parameters a 7B VL model adds to the weights vLLM loads.
    """
    if not isinstance(vc, Mapping):
        return 0
    e = int(_first(vc, "embed_dim", "hidden_size", "width") or 0)
    depth = int(_first(vc, "depth", "num_hidden_layers", "num_layers", "layers") or 0)
    if not e or not depth:
        return 0
    mlp = int(_first(vc, "intermediate_size", "mlp_dim") or e * float(vc.get("mlp_ratio") or 4))
    gated = 3 if str(vc.get("hidden_act", "")).lower() in ("silu", "swiglu") else 2
    out = int(_first(vc, "out_hidden_size", "projector_output_dim", "output_dim") or e)
    return depth * (4 * e * e + gated * e * mlp) + 4 * e * out


# Qwen2-VL's image processor default max_pixels (3584 × 3584), which bounds vLLM's dummy profiling image.
_QWEN2_VL_MAX_PIXELS = 12_845_056


def _max_image_tokens(model_type: str, top: Mapping[str, Any]) -> int:
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
        return _QWEN2_VL_MAX_PIXELS // (patch * merge) ** 2
    size = int(vc.get("image_size") or 0)
    return (size // patch) ** 2 // merge ** 2 if size else 0


def ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def gib(x: float) -> float:
    return x / 2**30


__all__ = ["ModelArch", "MLA_MODEL_TYPES", "dtype_bytes", "ceil_div", "gib"]
