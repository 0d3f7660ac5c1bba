"""KV-cache layout per GPU: bytes per token per layer, block size, and vLLM's cache groups.

Per-layer page (V1 ``AttentionSpec.page_size_bytes``, V0 ``CacheEngine.get_cache_block_size``):
full/sliding attention ``2 × kv_heads_per_rank × head_dim × kv_bytes`` per token with
``kv_heads_per_rank = max(1, kv_heads // TP)`` (replicated when TP exceeds the KV heads); MLA
``(kv_lora_rank + qk_rope_head_dim) × kv_bytes`` on every TP rank (from the release with
``MemoryProfile.mla``); before it DeepSeek-V2/V3 ran as MHA with every head's K and V padded to 256.
Mamba/linear attention layers hold a constant state per request.

Grouping (V1 from the release with ``MemoryProfile.hybrid_kv_groups``, §3): layers bucketed by kind and
split into groups of equal size; a request holds ``cdiv(L, block)`` blocks in a full group and
``cdiv(min(W − 1 + in_flight, L), block) + 1`` in a sliding group. V0 and earlier V1 releases give
every attention layer a full-length allocation (no sliding-window saving).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from vllm_lint.models.arch import ModelArch, ceil_div
from vllm_lint.memory.releases import release

KV_DTYPE_BYTES = {"fp8": 1, "fp8_e4m3": 1, "fp8_e5m2": 1, "fp8_inc": 1, "fp8_ds_mla": 1, "int8": 1,
                  "float16": 2, "bfloat16": 2, "half": 2, "float32": 4, "auto": 0}


def kv_dtype_bytes(kv_cache_dtype: str, model_dtype_bytes: int, model: ModelArch) -> tuple[int, str]:
    """(bytes per element, dtype name). ``auto`` follows the model dtype unless the checkpoint declares KV quantization."""
    name = (kv_cache_dtype or "auto").lower()
    if name == "auto":
        q = model.quantization or {}
        if q.get("kv_cache_quant_algo") or q.get("kv_cache_scheme"):
            return 1, "fp8 (from checkpoint)"
        return model_dtype_bytes, {2: "bf16/fp16", 4: "fp32", 1: "fp8"}.get(model_dtype_bytes, "auto")
    if name.startswith("fp8") or name in ("int8",):
        return 1, name
    return KV_DTYPE_BYTES.get(name, model_dtype_bytes) or model_dtype_bytes, name


def uses_mla(model: ModelArch, version: str | None, env: dict[str, str]) -> bool:
    return model.is_mla and release(version).mla and env.get("VLLM_MLA_DISABLE", "0") in ("", "0")


def attn_bytes_per_token_layer(model: ModelArch, tp: int, kv_bytes: int, version: str | None,
                               env: dict[str, str]) -> int:
    if model.is_mla:
        if uses_mla(model, version, env):
            return (int(model.kv_lora_rank or 0) + int(model.qk_rope_head_dim or 0)) * kv_bytes
        if model.model_type in ("deepseek_v2", "deepseek_v3") and not release(version).mla:
            heads = max(1, model.num_attention_heads // tp)
            return 2 * heads * 256 * kv_bytes  # pre-MLA vLLM: K and V padded to head size 256
        heads = max(1, model.num_attention_heads // tp)
        hd = (model.qk_nope_head_dim or 0) + (model.qk_rope_head_dim or 0)
        return 2 * heads * hd * kv_bytes
    kv_heads = max(1, model.num_kv_heads // tp)
    v_dim = model.head_dim_v or model.head_dim
    return kv_heads * (model.head_dim + v_dim) * kv_bytes


@dataclass(frozen=True)
class KvGroup:
    kind: str  # full | sliding | mamba
    layers: int  # layers in this group (incl. padding)
    window: int | None = None


@dataclass(frozen=True)
class KvLayout:
    block_size: int
    bytes_per_token_layer: int  # attention page per token per layer
    groups: tuple[KvGroup, ...]
    group_size: int  # layers per group
    bytes_per_block: int
    per_token_bytes: int  # all attention layers of the rank, per token (full-length equivalent)
    hybrid: bool
    mamba_page_bytes: int = 0
    notes: tuple[str, ...] = field(default_factory=tuple)

    def blocks_per_request(self, max_model_len: int, in_flight_tokens: int) -> int:
        total = 0
        for g in self.groups:
            if g.kind == "full":
                total += ceil_div(max_model_len, self.block_size)
            elif g.kind == "sliding":
                held = min((g.window or max_model_len) - 1 + in_flight_tokens, max_model_len)
                total += ceil_div(held, self.block_size) + 1
            else:
                total += 1
        return total


def kv_layout(model: ModelArch, *, tp: int, layers_on_rank: int, kv_bytes: int, version: str | None, v1: bool,
              block_size: int | None, gpu_cc: tuple[int, int], env: dict[str, str],
              disable_sliding_window: bool = False, disable_hybrid: bool = False) -> KvLayout:
    per_tok = attn_bytes_per_token_layer(model, tp, kv_bytes, version, env)
    kinds = model.attention_layer_kinds()
    # this rank's share of each kind (PP splits layers; keep the mix)
    frac = layers_on_rank / max(1, model.num_layers)
    n_full = round(sum(1 for k in kinds if k == "full") * frac)
    n_sw = round(sum(1 for k in kinds if k == "sliding") * frac)
    n_mamba = round(sum(1 for k in kinds if k == "mamba") * frac)
    notes: list[str] = []
    if disable_sliding_window:
        n_full, n_sw = n_full + n_sw, 0
    rel = release(version)
    grouped = v1 and rel.hybrid_kv_groups and not disable_hybrid
    if not grouped:
        n_full, n_sw = n_full + n_sw, 0  # every attention layer at full length
        n_mamba = 0  # V0 keeps mamba state outside the paged cache
    if block_size:
        bs = block_size
    elif model.is_mla and uses_mla(model, version, env) and v1 and gpu_cc >= (9, 0) and rel.flashmla_hopper_block64:
        bs = 64  # FlashMLA on Hopper (later releases prefer FLASH_ATTN_MLA, blocks of 16)
    else:
        bs = 16
    mamba_page = 0
    if n_mamba and model.mamba_state_elems:
        state_bytes = model.mamba_state_elems * 2 // max(1, tp)
        mamba_page = state_bytes
        if n_full + n_sw:
            align = max(16, bs)
            bs = align * ceil_div(state_bytes, align * per_tok)
            notes.append(f"attention block size raised to {bs} tokens to match the mamba state page")
    attn_page = bs * per_tok
    if n_sw == 0 and n_mamba == 0:
        groups = (KvGroup("full", n_full),)
        gs = n_full
    else:
        counts = {k: n for k, n in (("full", n_full), ("sliding", n_sw), ("mamba", n_mamba)) if n}
        lo, hi = min(counts.values()), max(counts.values())
        gs = hi if hi < 1.5 * lo else lo
        gl: list[KvGroup] = []
        for kind, n in counts.items():
            for _ in range(ceil_div(n, gs)):
                gl.append(KvGroup(kind, gs, model.sliding_window if kind == "sliding" else None))
        groups = tuple(gl)
        padding = sum(g.layers for g in groups) - sum(counts.values())
        if padding:
            notes.append(f"{padding} padding layers in the KV cache groups")
    page = max(attn_page, mamba_page) if mamba_page else attn_page
    bpb = gs * page
    per_token_bytes = (n_full + n_sw) * per_tok
    return KvLayout(bs, per_tok, groups, gs, bpb, per_token_bytes, len(groups) > 1, mamba_page, tuple(notes))
