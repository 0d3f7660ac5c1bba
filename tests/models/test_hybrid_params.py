"""Parameter counts of hybrid linear-attention models (Qwen3-Next / Qwen3.5 / Qwen3.6) and Gemma 4 MoE.

Shapes follow vLLM's ``Qwen3NextGatedDeltaNet`` / ``Qwen3NextAttention`` (vllm/model_executor/models/
qwen3_next.py): every expected number below is worked out by hand in the comments, not by the code.
"""

from __future__ import annotations

from vllm_lint.models.arch import ModelArch, gated_delta_net_params
from vllm_lint.models.resolve import lookup_catalog

# A small dense hybrid: 3 gated delta-net layers, then 1 gated full-attention layer.
SMALL = {
    "model_type": "qwen3_5_text", "hidden_size": 1024, "num_hidden_layers": 4, "num_attention_heads": 8,
    "num_key_value_heads": 2, "head_dim": 128, "intermediate_size": 2048, "vocab_size": 1000,
    "linear_num_key_heads": 4, "linear_num_value_heads": 8, "linear_key_head_dim": 64,
    "linear_value_head_dim": 128, "linear_conv_kernel_dim": 4, "attn_output_gate": True,
    "layer_types": ["linear_attention", "linear_attention", "linear_attention", "full_attention"],
}

# key_dim = 4·64 = 256, value_dim = 8·128 = 1024
# in_proj_qkvz 1024·(2·256 + 2·1024) = 2,621,440
# in_proj_ba   1024·(2·8)            =    16,384
# conv1d       (2·256 + 1024)·4      =     6,144
# A_log + dt_bias 8 + 8              =        16
# gated norm   128                   =       128
# out_proj     1024·1024             = 1,048,576
GDN_LAYER = 3_692_688

# q (+ gate) 1024·(2·8·128) = 2,097,152; k and v 1024·(2·128) = 262,144 each;
# o 8·128·1024 = 1,048,576; q_norm + k_norm 128 + 128 = 256
GATED_ATTN_LAYER = 3_670_272


def test_gated_delta_net_layer_matches_hand_count():
    assert gated_delta_net_params(1024, 4, 8, 64, 128, 4) == GDN_LAYER
    b = ModelArch.from_config(SMALL).param_breakdown()
    assert b["mamba"] == 3 * GDN_LAYER


def test_gated_attention_layer_doubles_q_projection():
    b = ModelArch.from_config(SMALL).param_breakdown()
    assert b["attention"] == GATED_ATTN_LAYER


def test_attn_output_gate_false_drops_the_gate_half():
    b = ModelArch.from_config({**SMALL, "attn_output_gate": False}).param_breakdown()
    assert b["attention"] == GATED_ATTN_LAYER - 1024 * 8 * 128


def test_missing_attn_output_gate_defaults_to_gated():
    """vLLM reads getattr(config, "attn_output_gate", True): Qwen3-Next configs omit the key."""
    cfg = {k: v for k, v in SMALL.items() if k != "attn_output_gate"}
    assert ModelArch.from_config({**cfg, "model_type": "qwen3_next"}).param_breakdown()["attention"] == GATED_ATTN_LAYER


def test_qwen3_next_80b_layer_and_total():
    # h 2048, 16 key heads × 128, 32 value heads × 128: key_dim 2048, value_dim 4096
    # 2048·12288 + 2048·64 + 8192·4 + 64 + 128 + 4096·2048 = 33,718,464
    assert gated_delta_net_params(2048, 16, 32, 128, 128, 4) == 33_718_464
    a = lookup_catalog("Qwen/Qwen3-Next-80B-A3B-Instruct")
    b = a.param_breakdown()
    assert b["mamba"] == 36 * 33_718_464
    # 16·256 = 4096 q: 2048·8192 + 2·2048·512 + 4096·2048 + 512 = 27,263,488 per full-attention layer
    assert b["attention"] == 12 * 27_263_488
    # Qwen's model card: 80B total, 3B active (the count here leaves out the MTP layer)
    assert 79.5e9 < sum(b.values()) < 80.5e9


def test_qwen36_35b_a3b_total_near_published():
    a = lookup_catalog("Qwen/Qwen3.6-35B-A3B")
    b = a.param_breakdown()
    text = sum(b.values()) - b["vision"]
    # 4·h² per linear layer undercounted this by ~0.59B (34.07B text-only); published: 35B total
    assert 34.5e9 < text < 35.0e9
    assert 35.0e9 < sum(b.values()) < 35.3e9


def test_gemma4_moe_reads_top_k_experts_and_parallel_dense_mlp():
    a = lookup_catalog("google/gemma-4-26B-A4B-it")
    assert a.num_experts_per_tok == 8  # config key top_k_experts
    # every layer runs a dense MLP (intermediate 2112) beside the 128 experts: 30·3·2816·2112
    assert a.param_breakdown()["mlp"] == 535_265_280
    # Google's card: 25.2B total, 3.8B active
    assert 25.0e9 < a.total_params() < 25.4e9
    assert 3.6e9 < a.active_params() < 3.9e9
