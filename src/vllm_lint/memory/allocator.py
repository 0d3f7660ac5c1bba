"""Reserved memory of torch's CUDA caching allocator over vLLM's V0 profile run (vLLM ≤ 0.6.3).

Up to 0.6.3 vLLM sized the KV cache from ``init_free − free`` after ``profile_run`` without emptying
the cache, so what counts is every segment the allocator reserved, not the largest set of live
tensors: a freed block is reused only by requests that fit in it, and blocks never merge across
segments. Layer 0 of the eager forward creates segments in an order the later layers cannot pack
perfectly (Mistral at 32768 tokens: the 384 MiB qkv segment is never big enough again).

The simulation follows ``c10/cuda/CUDACachingAllocator.cpp`` for the large pool: sizes rounded up
to 512 B, best fit over free blocks (smallest size, then oldest address), a block split when more
than 1 MiB would remain, new segments of the request rounded up to 2 MiB (20 MiB below 10 MiB),
neighbours merged on free. The event order is the eager decoder of vLLM's Llama-style models
(``LlamaModel``/``Qwen2Model`` of 0.4–0.6): Python references decide when a tensor dies.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

from vllm_lint.units import MIB

SMALL = MIB  # kSmallSize: requests up to 1 MiB go to the small pool
LARGE_BUFFER = 20 * MIB  # kLargeBuffer: segment for requests between 1 and 10 MiB
MIN_LARGE_ALLOC = 10 * MIB  # kMinLargeAlloc
ROUND_LARGE = 2 * MIB  # kRoundLarge


@dataclass(eq=False)  # a block is itself: list.index and the merge look for this block, not an equal one
class _Block:
    segment: int
    offset: int
    size: int
    free: bool


def _round(size: int) -> int:
    return max(512, -(-size // 512) * 512)


def _segment_size(size: int) -> int:
    if size <= SMALL:
        return 2 * MIB
    if size < MIN_LARGE_ALLOC:
        return LARGE_BUFFER
    return -(-size // ROUND_LARGE) * ROUND_LARGE


def simulate(events: list[tuple[str, str, int]]) -> tuple[int, int]:
    """Replay ``("alloc", name, bytes)`` / ``("free", name, 0)`` events on an empty allocator.
    Returns ``(peak allocated, reserved)`` in bytes; freeing an unknown name is ignored. Memoised:
    the estimate's length searches and the certainty trials replay the same profile run again."""
    r = _replay_once(tuple(events))
    return r.peak, r.reserved


@lru_cache(maxsize=4096)
def _replay_once(events: tuple[tuple[str, str, int], ...]) -> "Replay":
    return replay(events)


@dataclass(frozen=True)
class Replay:
    peak: int  # peak of allocated_bytes
    reserved: int  # every segment created
    allocated: int  # allocated_bytes after the last event (whole blocks: an unsplit remainder counts)
    held: int  # segments still holding a live block (what ``empty_cache`` cannot release)


def replay(events: "Sequence[tuple[str, str, int]]") -> Replay:
    """``simulate`` with the state after the last event."""
    blocks: list[_Block] = []
    segments: list[int] = []
    live: dict[str, _Block] = {}
    reserved = allocated = peak = 0
    for kind, name, size in events:
        if kind == "alloc":
            size = _round(size)
            fits = [b for b in blocks if b.free and b.size >= size]
            if fits:
                block = min(fits, key=lambda b: (b.size, b.segment, b.offset))
            else:
                block = _Block(len(segments), 0, _segment_size(size), True)
                segments.append(block.size)
                reserved += block.size
                blocks.append(block)
            if block.size - size > SMALL:
                rest = _Block(block.segment, block.offset + size, block.size - size, True)
                blocks.insert(blocks.index(block) + 1, rest)
                block.size = size
            block.free = False
            live[name] = block
            allocated += block.size  # torch's allocated_bytes counts the block, unsplit remainder included
            peak = max(peak, allocated)
        else:
            block = live.pop(name, None)
            if block is None:
                continue
            allocated -= block.size
            block.free = True
            _merge(blocks, block)
    held = sum(segments[i] for i in {b.segment for b in live.values()})
    return Replay(peak, reserved, allocated, held)


def _merge(blocks: list[_Block], block: _Block) -> None:
    i = blocks.index(block)
    nxt = blocks[i + 1] if i + 1 < len(blocks) else None
    if nxt is not None and nxt.free and nxt.segment == block.segment:
        block.size += nxt.size
        blocks.pop(i + 1)
    prev = blocks[i - 1] if i > 0 else None
    if prev is not None and prev.free and prev.segment == block.segment:
        prev.size += block.size
        blocks.pop(i)


def eager_decoder_events(*, tokens: int, hidden: int, qkv: int, attn: int, gate_up: int, inter: int,
                         dtype_bytes: int, layers: int, holds_gate_up: bool,
                         sampler: list[int]) -> list[tuple[str, str, int]]:
    """Allocation order of the eager V0 forward of a Llama-style decoder, then the sampler.

    Layer 0 normalises the embedding out of place (no residual yet); later layers norm in place
    (fused add). The attention module holds qkv while o_proj allocates its output; the layer holds
    the MLP input until it returns and the model loop holds the layer input until the call returns.
    ``holds_gate_up``: the MLP keeps gate_up through the down projection (it is a separate local).
    ``sampler``: sizes allocated together after the forward, next to the final hidden states."""
    n = tokens * dtype_bytes
    # the embedding output becomes the residual, updated in place and held through the whole run
    ev: list[tuple[str, str, int]] = [("alloc", "embed", n * hidden), ("alloc", "norm0", n * hidden)]
    x = "norm0"
    for i in range(layers):
        ev += [("alloc", f"qkv{i}", n * qkv), ("alloc", f"att{i}", n * attn), ("alloc", f"o{i}", n * hidden),
               ("free", f"att{i}", 0), ("free", f"qkv{i}", 0)]
        if i == 0:
            ev.append(("free", "norm0", 0))  # the layer's normed input dies when hidden_states rebinds
        ev += [("alloc", f"gu{i}", n * gate_up), ("alloc", f"act{i}", n * inter)]
        if not holds_gate_up:
            ev.append(("free", f"gu{i}", 0))
        ev += [("alloc", f"down{i}", n * hidden), ("free", f"gu{i}", 0), ("free", f"act{i}", 0),
               ("free", f"o{i}", 0)]
        if i > 0:
            ev.append(("free", x, 0))  # the loop rebinds hidden_states to this layer's output
        x = f"down{i}"
    ev += [("alloc", f"sampler{j}", size) for j, size in enumerate(sampler)]
    return ev
