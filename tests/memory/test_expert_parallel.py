"""--enable-expert-parallel and data parallel: whole experts over TP × DP ranks (hand-worked)."""

from __future__ import annotations

import pytest

from vllm_lint.hardware.gpus import resolve_gpu
from vllm_lint.memory.estimate import estimate
from vllm_lint.memory.settings import settings_from_args
from vllm_lint.memory.weights import weights_per_rank
from memory_helpers import arch

# Qwen3-235B-A22B geometry: 94 MoE layers of 128 experts (moe_intermediate 1536), hidden 4096
QWEN3_235B = {"model_type": "qwen3_moe", "hidden_size": 4096, "num_hidden_layers": 94, "num_attention_heads": 64,
              "num_key_value_heads": 4, "head_dim": 128, "intermediate_size": 12288, "moe_intermediate_size": 1536,
              "num_experts": 128, "num_experts_per_tok": 8, "vocab_size": 151936, "max_position_embeddings": 40960,
              "torch_dtype": "bfloat16"}
EXPERTS = 94 * 128 * 3 * 1536 * 4096 * 2  # bytes of every expert in bf16: 423.0 GiB


def _w(tp: int, ep: int) -> int:
    m = arch(QWEN3_235B)
    w = weights_per_rank(m, tp=tp, pp=1, pp_rank=0, layers_on_rank=94, dtype_bytes=2, ep=ep)
    return w.bytes - w.rounding


def test_expert_parallel_spreads_whole_experts_over_tp_times_dp():
    """TP 4 × DP 2: without EP each DP replica slices all 128 experts over its 4 ranks (EXPERTS / 4 per GPU);
    with EP the 8 ranks hold 16 whole experts each (EXPERTS / 8). At DP 1, EP over TP holds the same
    bytes as TP slicing (E/8 whole = E × I/8)."""
    no_ep, ep = _w(tp=4, ep=1), _w(tp=4, ep=8)
    assert no_ep - ep == pytest.approx(EXPERTS / 4 - EXPERTS / 8, rel=1e-9)
    assert _w(tp=8, ep=8) == pytest.approx(_w(tp=8, ep=1), rel=1e-9)


def test_estimate_reads_the_flags():
    m, gpu = arch(QWEN3_235B), resolve_gpu("H200")
    args = {"tensor_parallel_size": 4, "data_parallel_size": 2, "max_model_len": 8192, "max_num_seqs": 16}
    plain = estimate(m, gpu, settings_from_args(args), "0.26.0")
    ep = estimate(m, gpu, settings_from_args({**args, "enable_expert_parallel": True}), "0.26.0")
    assert (plain.weights_gib - ep.weights_gib) * 2**30 == pytest.approx(EXPERTS / 8, rel=0.001)
    # the fused-MoE caches hold every token × top-k at the whole expert width under EP (16 sequences: the
    # forward, not the sampler, sets the peak): 8192 × 8 × 3 × (1536 − 1536 / 4) × 2 B more
    assert (ep.activation_gib - plain.activation_gib) * 2**30 == pytest.approx(8192 * 8 * 3 * 1152 * 2, rel=1e-6)
