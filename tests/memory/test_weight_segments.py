"""Whole blocks torch's caching allocator counts in "Model loading took" (hand-worked from
c10/cuda/CUDACachingAllocator.cpp: requests over 10 MiB get a segment rounded up to 2 MiB, split only when
more than 1 MiB would remain; allocated_bytes counts the block)."""

from __future__ import annotations

import pytest

from vllm_lint.memory.allocator import replay
from vllm_lint.memory.weight_segments import expandable_segments, rounding_bytes
from vllm_lint.memory.weights import rope_cache_shape, weights_per_rank
from memory_helpers import LLAMA31_8B, QWEN15_7B, arch

MIB = 2**20
GIB = 2**30
QWEN25_7B = {**QWEN15_7B, "hidden_size": 3584, "num_hidden_layers": 28, "num_attention_heads": 28,
             "num_key_value_heads": 4, "intermediate_size": 18944, "vocab_size": 152064}


def _rounding(cfg: dict, tp: int = 1, env: dict | None = None) -> tuple[int, int]:
    m = arch(cfg)
    vocab = -(-m.vocab_size // (64 * tp)) * 64
    return rounding_bytes(m, tp=tp, pp=1, pp_rank=0, first_layer=0, layers_on_rank=m.num_layers, bytes_per_param=2,
                          dtype_bytes=2, vocab_rank=vocab, rope=rope_cache_shape(m), env=env)


def test_an_unsplit_block_counts_whole():
    # 31.5 MiB -> a 32 MiB segment; 0.5 MiB would remain, not more than 1 MiB: not split, counted whole
    r = replay([("alloc", "qkv", 33_030_144)])
    assert r.allocated == 32 * MIB
    # 24.5 MiB -> 26 MiB segment; 1.5 MiB remains: split, only the request counts (the rest stays reserved)
    r = replay([("alloc", "o", 25_690_112)])
    assert r.allocated == 25_690_112 and r.held == 26 * MIB


def test_qwen25_7b_by_hand():
    """Per layer: qkv (3584 + 2·512) × 3584 × 2 B = 31.5 MiB -> +0.5; o_proj 24.5 MiB split (+0); gate_up
    2·18944·3584·2 B = 259 MiB -> 260, 1 MiB left is not "more than 1 MiB" -> +1; down 129.5 -> +0.5.
    Embedding and lm_head 152064·3584·2 B = 1039.5 MiB -> +0.5 each. 28 × 2 + 1 = 57 MiB. The rotary
    cache's fp32 temporaries (8 and 16 MiB) are too small for any later weight. vLLM 0.8.5 logged 14.25
    GiB (a public V100 startup log): 14.185 GiB of parameters + 8 MiB cache + 57 MiB = 14.249."""
    allocated, _ = _rounding(QWEN25_7B)
    assert allocated == 57 * MIB


def test_power_of_two_shapes_lose_nothing():
    """Llama-3.1-8B: qkv 48, o 32, gate_up 224, down 112, embedding 1002 MiB: all multiples of 2 MiB."""
    assert _rounding(LLAMA31_8B)[0] == 0


def test_expandable_segments_split_every_block():
    env = {"PYTORCH_CUDA_ALLOC_CONF": "expandable_segments:True"}
    assert expandable_segments(env)
    assert _rounding(QWEN25_7B, env=env) == (0, 0)


def test_free_drop_releases_see_the_weights_segments():
    """vLLM ≤ 0.6.3 subtracts the free-memory drop, i.e. whole segments: Qwen1.5-7B's embedding and lm_head
    (1187 MiB in 1188 MiB segments, +1 each, counted by allocated_bytes too) and the 8 MiB rotary cache
    alone in a 20 MiB segment (+12, held but not allocated)."""
    allocated, held = _rounding(QWEN15_7B)
    assert allocated == 2 * MIB
    assert held == 14 * MIB
    m = arch(QWEN15_7B)
    old = weights_per_rank(m, tp=1, pp=1, pp_rank=0, layers_on_rank=32, dtype_bytes=2, version="0.4.0")
    new = weights_per_rank(m, tp=1, pp=1, pp_rank=0, layers_on_rank=32, dtype_bytes=2, version="0.6.5")
    assert old.bytes - new.bytes == 12 * MIB


def test_r1_distill_qwen_14b_tp2_matches_the_log():
    """deepseek-ai/DeepSeek-R1-Distill-Qwen-14B at TP 2 (vLLM issue #13061, 0.7.x): "the model weights only
    tooks 13.9476 GB". Per rank: qkv (2560 + 1024) × 5120 × 2 B = 35 MiB, o_proj 25, gate_up 135 and down
    67.5 MiB each lose 1, 1, 1 and 0.5 MiB (168 MiB over 48 layers), less 4 MiB where o_proj and qkv land
    in the rotary cache's freed 32 and 64 MiB fp32 temporaries: 164 MiB."""
    from vllm_lint.models.resolve import resolve_model

    m = resolve_model("deepseek-ai/DeepSeek-R1-Distill-Qwen-14B").arch
    w = weights_per_rank(m, tp=2, pp=1, pp_rank=0, layers_on_rank=m.num_layers, dtype_bytes=2, version="0.7.3")
    assert w.rounding == 164 * MIB
    rope = rope_cache_shape(m)
    assert (w.bytes + rope[0] * rope[1] * 2) / GIB == pytest.approx(13.9476, abs=0.01)
