"""MTP speculative decoding: the draft layers' weights and KV cache (hand-worked, DeepSeek-V3 geometry)."""

from __future__ import annotations

import pytest

from vllm_lint.hardware.gpus import resolve_gpu
from vllm_lint.memory.estimate import estimate
from vllm_lint.memory.settings import settings_from_args
from vllm_lint.memory.speculative import mtp_layer_params, mtp_layers
from memory_helpers import arch

DEEPSEEK_V3 = {"model_type": "deepseek_v3", "hidden_size": 7168, "num_hidden_layers": 61, "num_attention_heads": 128,
               "num_key_value_heads": 128, "intermediate_size": 18432, "moe_intermediate_size": 2048,
               "n_routed_experts": 256, "num_experts_per_tok": 8, "n_shared_experts": 1, "first_k_dense_replace": 3,
               "q_lora_rank": 1536, "kv_lora_rank": 512, "qk_rope_head_dim": 64, "qk_nope_head_dim": 128,
               "v_head_dim": 128, "vocab_size": 129280, "max_position_embeddings": 163840, "torch_dtype": "bfloat16",
               "num_nextn_predict_layers": 1,
               "quantization_config": {"quant_method": "fp8", "weight_block_size": [128, 128]}}
SPEC = '{"method": "deepseek_mtp", "num_speculative_tokens": 1}'


def test_mtp_layer_by_hand():
    """Per rank at TP 8: MLA attention (q_a 7168·1536 + q_b 1536·128·192 + kv_a 7168·576 + kv_b 512·128·256
    + o 128·128·7168 = 187,105,280) / 8, experts 256·3·7168·2048 / 8, shared expert 3·7168·2048 and router
    256·7168 / 8: 1,438,408,704 FP8 parameters; eh_proj 2·7168² and three norms stay bf16 and replicated:
    102,781,952. 1,438,408,704 + 2 × 102,781,952 B = 1.531 GiB per GPU."""
    m = arch(DEEPSEEK_V3)
    assert mtp_layers(m, "deepseek_mtp") == (1, False)
    assert mtp_layers(m, "ngram") == (0, False)
    linear, plain = mtp_layer_params(m, tp=8)
    assert linear == pytest.approx(1_438_408_704)
    assert plain == 102_781_952


def test_estimate_adds_the_draft_layer_and_its_kv():
    m, gpu = arch(DEEPSEEK_V3), resolve_gpu("H200")
    args = {"tensor_parallel_size": 8, "max_model_len": 32768}
    base = estimate(m, gpu, settings_from_args(args), "0.26.0")
    mtp = estimate(m, gpu, settings_from_args({**args, "speculative_config": SPEC}), "0.26.0")
    assert (mtp.weights_gib - base.weights_gib) * 2**30 == pytest.approx(1_438_408_704 + 2 * 102_781_952, rel=1e-6)
    assert mtp.terms["mtp_draft"] == pytest.approx(mtp.weights_gib - base.weights_gib)
    # one more MLA layer of latent KV per token: 62 / 61 of the bytes per token
    assert mtp.kv_bytes_per_token == pytest.approx(base.kv_bytes_per_token * 62 / 61, rel=1e-9)
    assert any("MTP" in n for n in mtp.notes)
