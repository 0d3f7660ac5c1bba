"""The caching-allocator model behind vLLM ≤ 0.6.3's profile figure (memory/allocator.py), pinned to
hand-worked segment layouts and to the groundtruth cases it moved."""

from __future__ import annotations

import pytest

from vllm_lint.hardware.gpus import resolve_gpu
from vllm_lint.memory.activation import activation_peak, reserved_profile_bytes
from vllm_lint.memory.allocator import eager_decoder_events, simulate
from vllm_lint.memory.estimate import estimate
from vllm_lint.memory.settings import EngineSettings
from vllm_lint.models.resolve import resolve_model
from memory_helpers import LLAMA31_8B, QWEN15_7B, arch, rt

MIB = 2**20
GIB = 2**30


def test_best_fit_split_and_merge():
    # a 100 MiB segment, freed, then two 40 MiB requests share it (split), a third needs a new one
    peak, reserved = simulate([("alloc", "a", 100 * MIB), ("free", "a", 0), ("alloc", "b", 40 * MIB),
                               ("alloc", "c", 40 * MIB), ("alloc", "d", 40 * MIB)])
    assert reserved == 140 * MIB and peak == 120 * MIB
    # freeing neighbours merges them back into one block that a 100 MiB request can take again
    _, reserved = simulate([("alloc", "a", 100 * MIB), ("free", "a", 0), ("alloc", "b", 40 * MIB),
                            ("alloc", "c", 40 * MIB), ("free", "b", 0), ("free", "c", 0), ("alloc", "e", 100 * MIB)])
    assert reserved == 100 * MIB
    # blocks never merge across segments: two free 60 MiB segments cannot serve 100 MiB
    _, reserved = simulate([("alloc", "a", 60 * MIB), ("alloc", "b", 60 * MIB), ("free", "a", 0),
                            ("free", "b", 0), ("alloc", "c", 100 * MIB)])
    assert reserved == 220 * MIB


def test_segment_sizes_follow_the_allocator_constants():
    assert simulate([("alloc", "ws", 8_519_680)])[1] == 20 * MIB  # 1–10 MiB requests get a 20 MiB segment
    assert simulate([("alloc", "x", 11 * MIB + 1)])[1] == 12 * MIB  # larger ones round up to 2 MiB


def test_qwen15_at_32768_tokens_reserves_the_act_tail_of_the_qkv_segment():
    """Qwen1.5-7B on 0.4.0, 32768 tokens (bf16): segments embed 256, norm0 256, qkv 768, attention 256,
    o_proj 256 (qkv is still alive), gate_up 1376 MiB, the cuBLAS workspace's 20 MiB; the activation
    (688 MiB) then fits in the freed qkv segment, and every later layer reuses these. 3188 MiB reserved
    against a live peak of 4·256 + 1376 + 688 + 8.125 MiB."""
    m = arch(QWEN15_7B)
    reserved = reserved_profile_bytes(m, tokens=32768, rows=256, dtype_bytes=2, tp=1, rt=rt("0.4.0"),
                                      cublas_workspace=8_519_680)
    assert reserved == (20 + 256 * 4 + 768 + 1376) * MIB
    live = activation_peak(m, tokens=32768, rows=256, dtype_bytes=2, tp=1, rt=rt("0.4.0"),
                           cublas_workspace=8_519_680, reserved=False)
    assert live.reserved_bytes == 0 and live.peak_bytes == (4 * 256 + 1376 + 688) * MIB + 8_519_680


def test_simulated_live_peak_equals_the_live_set_formula():
    """Two models of one forward: the event replay's allocated peak is the live-set formula's."""
    for model, version in ((arch(QWEN15_7B), "0.4.0"), (arch(LLAMA31_8B), "0.5.5"), (arch(LLAMA31_8B), "0.6.3")):
        holds = version != "0.6.3" or model.model_type == "qwen2"
        ev = eager_decoder_events(tokens=4096, hidden=model.hidden_size,
                                  qkv=(model.num_attention_heads + 2 * model.num_kv_heads) * model.head_dim,
                                  attn=model.num_attention_heads * model.head_dim, gate_up=2 * model.intermediate_size,
                                  inter=model.intermediate_size, dtype_bytes=2, layers=4, holds_gate_up=holds,
                                  sampler=[])
        peak, reserved = simulate(ev)
        a = activation_peak(model, tokens=4096, rows=256, dtype_bytes=2, tp=1, rt=rt(version))
        assert peak == a.forward_bytes and reserved >= peak


def test_llama_style_gqa_keeps_a_qkv_segment_nothing_later_fits():
    """Mistral-7B at 32768 tokens on 0.3–0.5 (BatsResearch/bonito#7, bonito-v1 on an A10G): the 384 MiB
    qkv segment is too small for the 896 MiB activation, so it stays reserved next to the live set."""
    m = resolve_model("mistralai/Mistral-7B-v0.1").arch
    live = activation_peak(m, tokens=32768, rows=256, dtype_bytes=2, tp=1, rt=rt("0.4.0"))
    reserved = reserved_profile_bytes(m, tokens=32768, rows=256, dtype_bytes=2, tp=1, rt=rt("0.4.0"),
                                      cublas_workspace=0)
    assert reserved - live.forward_bytes == 384 * MIB


def test_only_free_drop_releases_count_segments():
    model = resolve_model("Qwen/Qwen1.5-7B-Chat").arch
    gpu = resolve_gpu("RTX 3090")
    old = estimate(model, gpu, EngineSettings(), "0.6.3")
    new = estimate(model, gpu, EngineSettings(), "0.6.5")
    assert old.activation_gib > new.activation_gib
    assert (old.activation_gib - new.activation_gib) * GIB == pytest.approx((20 - 8.125) * MIB + 80 * MIB, rel=1e-6)


def test_not_modelled_families_keep_the_live_peak():
    gemma = resolve_model("google/gemma-2-9b-it").arch
    assert reserved_profile_bytes(gemma, tokens=8192, rows=256, dtype_bytes=2, tp=1, rt=rt("0.5.5"),
                                  cublas_workspace=0) == 0
    assert reserved_profile_bytes(arch(QWEN15_7B), tokens=8192, rows=256, dtype_bytes=2, tp=2, rt=rt("0.5.5"),
                                  cublas_workspace=0) == 0
