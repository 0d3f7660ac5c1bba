"""KV bytes per token and cache groups, per architecture family and release."""

from __future__ import annotations

from vllm_lint.memory.kv import attn_bytes_per_token_layer, kv_dtype_bytes, kv_layout
from memory_helpers import DEEPSEEK_V2_LITE, GEMMA2_9B, GPT_OSS_20B, LLAMA3_70B, LLAMA31_8B, QWEN15_7B, QWEN3_NEXT, arch


def _layout(cfg, *, version="0.26.0", tp=1, kv=2, v1=True, **kw):
    m = arch(cfg)
    return kv_layout(m, tp=tp, layers_on_rank=m.num_layers, kv_bytes=kv, version=version, v1=v1, block_size=None,
                     gpu_cc=(9, 0), env={}, **kw)


def test_dense_gqa_llama31_8b():
    """2 × 8 heads × 128 × 2 B = 4096 B per layer; × 32 layers = 128 KiB per token; block of 16 = 2 MiB."""
    lay = _layout(LLAMA31_8B)
    assert lay.bytes_per_token_layer == 4096
    assert lay.per_token_bytes == 131072
    assert lay.bytes_per_block == 2 * 2**20 and lay.block_size == 16
    assert _layout(LLAMA31_8B, tp=2).per_token_bytes == 65536
    assert _layout(LLAMA31_8B, kv=1).per_token_bytes == 65536  # fp8 KV halves it


def test_mha_qwen15_7b():
    """MHA: 2 × 32 × 128 × 2 B × 32 layers = 512 KiB per token (7344 tokens = 3.59 GiB)."""
    assert _layout(QWEN15_7B, version="0.4.0", v1=False).per_token_bytes == 524288


def test_kv_head_replication_when_tp_exceeds_kv_heads():
    """Llama-3-70B: 8 KV heads; TP=8 -> 1 head/rank = 40 KiB/token; TP=16 still 1 head (replicated)."""
    assert _layout(LLAMA3_70B, tp=8).per_token_bytes == 40 * 1024
    assert _layout(LLAMA3_70B, tp=16).per_token_bytes == 40 * 1024


def test_mla_by_release():
    """MLA (≥0.7.1): (512 + 64) × 2 B = 1152 B per layer on every TP rank; before: per head, padded to 256."""
    m = arch(DEEPSEEK_V2_LITE)
    assert attn_bytes_per_token_layer(m, 1, 2, "0.8.5", {}) == 1152
    assert attn_bytes_per_token_layer(m, 4, 2, "0.8.5", {}) == 1152
    assert attn_bytes_per_token_layer(m, 2, 2, "0.5.1", {}) == 2 * 8 * 256 * 2
    assert attn_bytes_per_token_layer(m, 1, 2, "0.8.5", {"VLLM_MLA_DISABLE": "1"}) == 2 * 16 * 192 * 2
    # FlashMLA on Hopper uses blocks of 64 in V1 before the 0.30 runner
    assert _layout(DEEPSEEK_V2_LITE, version="0.10.2").block_size == 64


def test_sliding_window_groups_gemma2_v1():
    """Gemma-2-9B on 0.26: 21 full + 21 sliding layers -> two groups of 21; one 8192 request needs
    512 full blocks + (cdiv(min(4095 + 16384, 8192), 16) + 1) = 513 sliding blocks."""
    lay = _layout(GEMMA2_9B)
    assert [g.kind for g in lay.groups] == ["full", "sliding"] and lay.group_size == 21
    assert lay.bytes_per_block == 21 * 16 * 8192
    assert lay.blocks_per_request(8192, 16384) == 1025
    assert lay.blocks_per_request(8192, 0) == 512 + 257


def test_v0_and_early_v1_allocate_sliding_layers_full_length():
    lay = _layout(GEMMA2_9B, version="0.6.3", v1=False)
    assert len(lay.groups) == 1 and lay.groups[0].layers == 42
    assert len(_layout(GEMMA2_9B, version="0.9.2").groups) == 1
    assert len(_layout(GEMMA2_9B, disable_hybrid=True).groups) == 1


def test_gpt_oss_alternating_layers():
    lay = _layout(GPT_OSS_20B, version="0.33.0")
    assert lay.group_size == 12 and sorted(g.kind for g in lay.groups) == ["full", "sliding"]
    assert lay.blocks_per_request(131072, 2 * 8192) == 8192 + (16384 + 127 + 15) // 16 + 1


def test_hybrid_linear_attention_raises_block_size():
    """Qwen3-Next: 12 full-attention + 36 gated-delta-net layers; the attention block grows so one page
    holds a layer's recurrent state."""
    lay = _layout(QWEN3_NEXT, version="0.33.0")
    assert lay.block_size > 16 and lay.block_size % 16 == 0
    assert lay.block_size * lay.bytes_per_token_layer >= lay.mamba_page_bytes
    kinds = [g.kind for g in lay.groups]
    assert kinds.count("full") == 1 and kinds.count("mamba") == 3


def test_kv_dtype():
    m = arch(LLAMA31_8B)
    assert kv_dtype_bytes("auto", 2, m) == (2, "bf16/fp16")
    assert kv_dtype_bytes("fp8_e5m2", 2, m)[0] == 1
    q = arch(LLAMA31_8B, quantization_config={"quant_method": "modelopt", "kv_cache_quant_algo": "FP8"})
    assert kv_dtype_bytes("auto", 2, q)[0] == 1
