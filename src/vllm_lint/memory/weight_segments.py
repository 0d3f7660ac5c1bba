"""What torch's caching allocator adds to "Model loading took": blocks it hands out whole.

vLLM measures model memory as the growth of ``torch.cuda.max_memory_allocated`` over model loading
(``DeviceMemoryProfiler``), i.e. the ``allocated_bytes`` statistic, which counts the *block* each tensor
got, not the tensor. In ``c10/cuda/CUDACachingAllocator.cpp`` a request above 1 MiB comes from the
large pool; a new segment is the request rounded up to 2 MiB (20 MiB for requests under 10 MiB), and a
block is split only when more than 1 MiB would remain (``should_split``). So a weight of 31.5 MiB gets a
32 MiB block and counts 32 MiB, while one of 24.5 MiB gets 26 MiB, is split and counts 24.5.

Weights whose sizes are multiples of 2 MiB (Llama-3.1-8B, Qwen1.5-7B, Gemma-2-9B) lose nothing;
Qwen2.5's (hidden 3584 or 5120, intermediate 18944 or 13824) lose 0.5-1 MiB per projection:
Qwen2.5-7B 57 MiB, DeepSeek-R1-Distill-Qwen-14B at TP 2 169 MiB per GPU. With
``PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True`` every block is split to the request, so nothing
is added.

The allocation order is the model's construction order (parameters are created on the GPU while the
modules are built): the embedding, then per layer the attention projections, the rotary cache (built
once, in fp32 then cast, with its fp32 temporaries freed), the MLP or the experts, and the lm_head last.
Requests of 1 MiB or less go to the small pool, which always splits (nothing added beyond 512 B
rounding). Vision towers, mamba mixers and MLA projections are not replayed (their sizes are not
enumerated); they add at most 1 MiB per tensor.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Sequence

from vllm_lint.memory.allocator import SMALL, replay
from vllm_lint.models.arch import ModelArch, ceil_div


def expandable_segments(env: dict[str, str] | None) -> bool:
    """``PYTORCH_CUDA_ALLOC_CONF`` turns on expandable segments (blocks always split to the request)."""
    conf = (env or {}).get("PYTORCH_CUDA_ALLOC_CONF", "").replace(" ", "").lower()
    return "expandable_segments:true" in conf


def _rope_events(cache_len: int, rotary_dim: int, dtype_bytes: int) -> list[tuple[str, str, int]]:
    """``RotaryEmbedding._compute_cos_sin_cache`` on the GPU: fp32 freqs, cos, sin and their
    concatenation; the cast to the model dtype; then the fp32 temporaries die."""
    half = cache_len * (rotary_dim // 2) * 4
    return [("alloc", "r_freqs", half), ("alloc", "r_cos", half), ("alloc", "r_sin", half),
            ("alloc", "r_cat", 2 * half), ("free", "r_freqs", 0), ("free", "r_cos", 0), ("free", "r_sin", 0),
            ("alloc", "rope", cache_len * rotary_dim * dtype_bytes), ("free", "r_cat", 0)]


def layer_tensor_bytes(model: ModelArch, *, tp: int, layer: int, bytes_per_param: float,
                       dtype_bytes: int, ep: int = 1, kinds: Sequence[str] | None = None) -> list[int]:
    """Sizes of one decoder layer's large weight tensors per TP rank, in construction order
    (attention projections, then the MLP or the fused experts); [] for layer kinds not replayed.
    ``kinds``: ``model.attention_layer_kinds()``, when the caller walks every layer."""
    if model.is_mla:
        return []
    if kinds is None:
        kinds = model.attention_layer_kinds()
    if kinds[layer] not in ("full", "sliding"):
        return []
    h = model.hidden_size
    q_heads = ceil_div(model.num_attention_heads, tp)
    kv_heads = max(1, model.num_kv_heads // tp)  # replicated once TP exceeds the KV heads
    d, dv = model.head_dim, (model.head_dim_v or model.head_dim)
    q_out = 2 * q_heads * d if model.extra.get("attn_output_gate") else q_heads * d

    def w(params: int) -> int:
        return int(params * bytes_per_param)

    out = [w((q_out + kv_heads * d + kv_heads * dv) * h), w(q_heads * dv * h)]
    mult = 2 if model.gated_mlp else 1
    moe_layer = model.is_moe and layer >= model.first_dense_layers and \
        (layer - model.first_dense_layers) % max(1, model.moe_layer_step) == 0
    if moe_layer:
        full = model.moe_intermediate_size or model.intermediate_size
        # expert parallel: whole experts, num_experts / ep of them; otherwise every expert sliced by TP
        i, e = (full, ceil_div(model.num_experts, ep)) if ep > 1 else (ceil_div(full, tp), model.num_experts)
        out += [w(e * mult * i * h), w(e * h * i)]
        if model.shared_expert_intermediate_size:
            si = ceil_div(model.shared_expert_intermediate_size, tp)
            out += [w(mult * si * h), w(si * h)]
        out.append(e * h * dtype_bytes)  # the router stays in the model dtype
    else:
        inter = model.dense_intermediate_size if model.is_moe and model.dense_intermediate_size else \
            model.intermediate_size
        i = ceil_div(inter, tp)
        out += [w(mult * i * h), w(i * h)]
    return out


def rank_events(model: ModelArch, *, tp: int, pp: int, pp_rank: int, first_layer: int, layers_on_rank: int,
                bytes_per_param: float, dtype_bytes: int, vocab_rank: int,
                rope: tuple[int, int] | None, ep: int = 1) -> list[tuple[str, str, int]]:
    """Large-pool allocation events of one rank's model construction. ``rope``: (cache length, rotary
    dim) of the shared rotary cache, built by the first attention layer of the rank."""
    ev: list[tuple[str, str, int]] = []
    h = model.hidden_size
    if pp_rank == 0:
        ev.append(("alloc", "embed", vocab_rank * h * dtype_bytes))
    built_rope = rope is None
    kinds = model.attention_layer_kinds()
    for n in range(first_layer, first_layer + layers_on_rank):
        sizes = layer_tensor_bytes(model, tp=tp, layer=n, bytes_per_param=bytes_per_param, dtype_bytes=dtype_bytes,
                                   ep=ep, kinds=kinds)
        for k, size in enumerate(sizes):
            ev.append(("alloc", f"l{n}.{k}", size))
            if k == 1 and not built_rope:  # the attention module builds its rotary embedding after o_proj
                ev += _rope_events(rope[0], rope[1], dtype_bytes)  # type: ignore[index]
                built_rope = True
    if pp_rank == pp - 1 and (not model.tie_word_embeddings or pp > 1):
        ev.append(("alloc", "lm_head", vocab_rank * h * dtype_bytes))
    return [e for e in ev if e[0] == "free" or e[2] > SMALL]


@lru_cache(maxsize=512)
def _waste(events: tuple[tuple[str, str, int], ...]) -> tuple[int, int]:
    """(allocated, held segments) after the events, minus the sizes of the tensors still alive."""
    r = replay(list(events))
    live: dict[str, int] = {}
    for kind, name, size in events:
        if kind == "alloc":
            live[name] = size
        else:
            live.pop(name, None)
    tensors = sum(live.values())
    return max(0, r.allocated - tensors), max(0, r.held - tensors)


def rounding_bytes(model: ModelArch, *, tp: int, pp: int, pp_rank: int, first_layer: int, layers_on_rank: int,
                   bytes_per_param: float, dtype_bytes: int, vocab_rank: int, rope: tuple[int, int] | None,
                   env: dict[str, str] | None = None, ep: int = 1) -> tuple[int, int]:
    """``(allocated, held)``: bytes beyond the weights themselves that ``allocated_bytes`` counts (what
    "Model loading took" adds) and that the weights' segments hold after ``empty_cache`` (what a
    release measuring the free-memory drop subtracts, vLLM ≤ 0.6.3; 0.6.4 counts the difference as
    non-torch memory). Both 0 with expandable segments."""
    if expandable_segments(env):
        return 0, 0
    events = rank_events(model, tp=tp, pp=pp, pp_rank=pp_rank, first_layer=first_layer,
                         layers_on_rank=layers_on_rank, bytes_per_param=bytes_per_param, dtype_bytes=dtype_bytes,
                         vocab_rank=vocab_rank, rope=rope, ep=ep)
    return _waste(tuple(events))
