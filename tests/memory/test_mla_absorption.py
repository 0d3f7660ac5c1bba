"""V0 MLA matrix absorption (0.7.1–0.7.3): the products kept after loading (hand-worked)."""

from __future__ import annotations

import pytest

from vllm_lint.hardware.gpus import resolve_gpu
from vllm_lint.memory.estimate import estimate
from vllm_lint.memory.settings import EngineSettings
from vllm_lint.memory.weights import mla_absorbed_bytes, weight_format
from memory_helpers import DEEPSEEK_V2_LITE, arch

MIB = 2**20


def test_deepseek_v2_lite_bf16_by_hand():
    """No q_lora, so q_in = hidden 2048; 16 heads, kv_lora 512, rope 64. Per layer: W_QR 2048·16·64·2 B = 4 MiB,
    W_Q_UK 2048·16·512·2 B = 32 MiB, W_UV_O 16·512·2048·2 B = 32 MiB: 68 MiB × 27 layers = 1836 MiB."""
    m = arch(DEEPSEEK_V2_LITE)
    fmt = weight_format(m, None, 2)
    assert mla_absorbed_bytes(m, fmt, tp=1, layers_on_rank=27, dtype_bytes=2, version="0.7.3") == 1836 * MIB
    assert mla_absorbed_bytes(m, fmt, tp=1, layers_on_rank=27, dtype_bytes=2, version="0.8.0") == 0  # V1-era MLA
    off = {"VLLM_MLA_PERFORM_MATRIX_ABSORPTION": "0"}
    assert mla_absorbed_bytes(m, fmt, tp=1, layers_on_rank=27, dtype_bytes=2, version="0.7.3", env=off) == 4 * 27 * MIB


def test_fp8_requantizes_the_products_and_keeps_the_dequantized_kv_b():
    """FP8 checkpoint: W_Q_UK and W_UV_O in FP8 (32 + 32 MiB → 16 + 16), W_QR bf16 (4 MiB), and the
    dequantized kv_b_proj 512 × 16 × 256 × 2 B = 4 MiB kept by the W_UK/W_UV views: 40 MiB per layer."""
    m = arch(DEEPSEEK_V2_LITE, quantization_config={"quant_method": "fp8", "weight_block_size": [128, 128]})
    fmt = weight_format(m, None, 2)
    assert mla_absorbed_bytes(m, fmt, tp=1, layers_on_rank=27, dtype_bytes=2, version="0.7.3") == 40 * 27 * MIB


def test_estimate_counts_them_as_model_memory():
    m, gpu = arch(DEEPSEEK_V2_LITE), resolve_gpu("A100-80GB")
    on = estimate(m, gpu, EngineSettings(max_model_len=8192), "0.7.3")
    off = estimate(m, gpu, EngineSettings(max_model_len=8192, env={"VLLM_MLA_PERFORM_MATRIX_ABSORPTION": "0"}), "0.7.3")
    assert (on.weights_gib - off.weights_gib) * 2**30 == pytest.approx(64 * 27 * MIB)
