"""A model's architecture as vLLM sizes it: the ``config.json`` facts the memory estimate reads.

``ModelArch.from_config`` reads a Hugging Face ``config.json`` mapping (a plain dict; nothing is
imported or executed) the way vLLM's config layer does: the fields every config shares
(``models.config_fields``), then the adapter of the model's family (``models.adapters``), which says
what that family's fields mean for layer kinds, experts and recurrent state, or why the capacity
estimate cannot represent it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from vllm_lint.models.adapters import apply_adapters, gated_delta_net_params
from vllm_lint.models.config_fields import max_image_tokens as _max_image_tokens
from vllm_lint.models.config_fields import read_common, split_wrapper
from vllm_lint.units import GIB
from vllm_lint.vllm.versions import at_least

# HF model_types whose attention vLLM runs as MLA (is_deepseek_mla) when kv_lora_rank is set.
MLA_MODEL_TYPES = frozenset(
    {"deepseek_v2", "deepseek_v3", "deepseek_v32", "kimi_k2", "glm4_moe_lite", "longcat_flash", "deepseek_mtp"}
)
_DTYPE_BYTES = {
    "float32": 4, "fp32": 4, "float": 4,
    "bfloat16": 2, "bf16": 2, "float16": 2, "fp16": 2, "half": 2,
    "float8": 1, "fp8": 1, "int8": 1,
}


def dtype_bytes(name: str | None, default: int = 2) -> int:
    """Bytes per element of a torch dtype name (``bfloat16`` -> 2); ``default`` when unknown."""
    return _DTYPE_BYTES.get((name or "").lower(), default)


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
    mlp_layer_kinds: tuple[str, ...] | None = None  # per layer: dense / moe / none, when the family lists it
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
        if self.mlp_layer_kinds:
            # the family lists each layer's MLP (Jamba, Nemotron-H): count them instead of the dense/MoE step rule
            n_moe_layers = self.mlp_layer_kinds.count("moe")
            n_dense = self.mlp_layer_kinds.count("dense")
        else:
            n_moe_layers = (L - self.first_dense_layers) // max(1, self.moe_layer_step) if self.is_moe else 0
            n_dense = L - n_moe_layers
        if self.is_moe:
            moe_i = self.moe_intermediate_size or self.intermediate_size
            experts = n_moe_layers * self.num_experts * mlp_mult * h * moe_i
            shared = n_moe_layers * (mlp_mult * h * self.shared_expert_intermediate_size + h * self.num_experts)
            mlp_total = n_dense * mlp_mult * h * (self.dense_intermediate_size or self.intermediate_size)
            if self.extra.get("parallel_dense_mlp"):
                # Gemma 4 enable_moe_block: every MoE layer also runs a dense MLP of intermediate_size
                mlp_total += n_moe_layers * dense_mlp
        else:
            mlp_total = n_dense * dense_mlp
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
        """Read a ``config.json`` mapping (multimodal wrappers: the language model's sub-config) through the
        adapter of its family (``models.adapters``)."""
        top, text = split_wrapper(cfg)
        reading = read_common(top, text)
        apply_adapters(reading)
        fields = reading.fields
        if fields["layer_types"]:
            fields["layer_types"] = tuple(fields["layer_types"])
        return cls(id=id, source=source, num_params=num_params, num_params_source=num_params_source,
                   extra=reading.extra, **fields)


def ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def gib(x: float) -> float:
    return x / GIB


__all__ = ["ModelArch", "MLA_MODEL_TYPES", "dtype_bytes", "ceil_div", "gib", "gated_delta_net_params", "_max_image_tokens"]
