"""``--enable-lora``: the stacked adapter slots vLLM allocates, and where its accounting sees them.

With LoRA on, vLLM wraps the supported modules (``supported_lora_modules``: qkv_proj, o_proj,
gate_up_proj, down_proj, embed_tokens, lm_head) and each wrapper's ``create_lora_weights``
(lora/layers.py) allocates zeroed slots for ``max_loras`` adapters of rank ``max_lora_rank`` in the
LoRA dtype (the model dtype by default), per tensor-parallel rank:

* column-parallel (qkv: 3 slices, gate_up: 2): A ``[max_loras, 1, rank, hidden]`` per slice (rank / TP
  with ``--fully-sharded-loras``), B ``[max_loras, 1, slice_out / TP, rank]``;
* row-parallel (o_proj, down_proj): A ``[max_loras, 1, rank, in / TP]``, B ``[max_loras, 1, out, rank]``
  (out / TP when fully sharded);
* embed_tokens: ``embeddings_tensors [max_loras, extra_vocab, hidden]``, A ``[max_loras, vocab + extra, rank]``,
  B ``[max_loras, 1, hidden, rank]``;
* lm_head (``LogitsProcessorWithLoRA``): A ``[max_loras, 1, rank, hidden]``, B ``[max_loras, 1,
  vocab padded to 256, rank]``, ``embeddings_tensors [max_loras, extra_vocab, hidden]``.

The model itself also grows: ``lora_extra_vocab_size`` (256) rows on embed_tokens and lm_head (the
lm_head padded to 256, ``lora_vocab_padding_size``), and the sampler works on the wider logits.

Where the slots are counted (``MemoryProfile.lora_in_model_memory``): the V0 model runner created them after
its ``DeviceMemoryProfiler`` block up to 0.7.x, before the memory snapshot of the profile run, so from
0.6.5 no term of vLLM's accounting holds them (they come out of the 1 − utilization headroom); the
free-memory drop (≤ 0.6.3) and 0.6.4's peak do see them. The V1 runner (and V0 from 0.8) creates them
inside "Model loading took". MoE experts take no adapter slots here.
"""

from __future__ import annotations

from dataclasses import dataclass

from vllm_lint.models.arch import ModelArch, ceil_div

LORA_VOCAB_PADDING = 256  # LoRAConfig.lora_vocab_padding_size


@dataclass(frozen=True)
class LoraConfig:
    max_loras: int = 1
    max_lora_rank: int = 16
    extra_vocab: int = 256  # lora_extra_vocab_size (0 where the release has none)
    fully_sharded: bool = False


def lora_slot_bytes(model: ModelArch, cfg: LoraConfig, *, tp: int, layers_on_rank: int, first_rank: bool,
                    last_rank: bool, dtype_bytes: int) -> int:
    """Bytes of the adapter slots on one rank (see the module docstring)."""
    n, r = max(1, cfg.max_loras), max(1, cfg.max_lora_rank)
    r_col = ceil_div(r, tp) if cfg.fully_sharded else r
    h = model.hidden_size
    q = ceil_div(model.num_attention_heads, tp) * model.head_dim
    kv = max(1, model.num_kv_heads // tp) * model.head_dim
    inter = ceil_div(model.dense_intermediate_size or model.intermediate_size, tp)
    out_row = ceil_div(h, tp) if cfg.fully_sharded else h
    elems = 0
    attn_layers = sum(1 for k in model.attention_layer_kinds() if k in ("full", "sliding"))
    per_attn = 3 * r_col * h + (q + 2 * kv) * r + r * q + out_row * r  # qkv A/B, o_proj A/B
    mlp_slices = 2 if model.gated_mlp else 1
    dense_layers = model.num_layers if not model.is_moe else min(model.num_layers, model.first_dense_layers)
    per_mlp = mlp_slices * (r_col * h + inter * r) + r * inter + out_row * r  # gate_up A/B, down A/B
    frac = layers_on_rank / max(1, model.num_layers)
    elems += int((attn_layers * per_attn + dense_layers * per_mlp) * frac)
    if first_rank:
        elems += cfg.extra_vocab * h + (model.vocab_size + cfg.extra_vocab) * r + h * r
    if last_rank:
        vocab = ceil_div(model.vocab_size + cfg.extra_vocab, LORA_VOCAB_PADDING) * LORA_VOCAB_PADDING
        elems += r * h + vocab * r + cfg.extra_vocab * h
    return n * elems * dtype_bytes


def lora_vocab(model: ModelArch, cfg: LoraConfig) -> int:
    """Width of the logits the sampler sees with LoRA on: the vocabulary plus the extra LoRA tokens."""
    return model.vocab_size + cfg.extra_vocab
