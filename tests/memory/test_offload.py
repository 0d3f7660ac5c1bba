"""--cpu-offload-gb: whole parameters of the decoder layers, from layer 0, up to the budget in GiB; the V0
forward copies one layer's offloaded parameters back, V1 reads them in place (hand-worked)."""

from __future__ import annotations

import pytest

from vllm_lint.hardware.gpus import resolve_gpu
from vllm_lint.memory.estimate import estimate
from vllm_lint.memory.offload import cpu_offload
from vllm_lint.memory.settings import EngineSettings
from memory_helpers import LLAMA31_8B, arch

MIB = 2**20
GIB = 2**30
# Llama-3.1-8B per layer: qkv 48 MiB, o_proj 32, gate_up 224, down 112, two 8 KiB norms
LAYER = 416 * MIB + 16384


def test_budget_in_gib_whole_parameters():
    """4 GiB = 4096 MiB: nine whole layers (3744 MiB + 144 KiB) are below it; layer 9's qkv (3792), o_proj
    (3824) and gate_up (4048) still are, so its down_proj goes too (4160 MiB) and the walk stops there."""
    off = cpu_offload(arch(LLAMA31_8B), cpu_offload_gb=4, tp=1, first_layer=0, layers_on_rank=32, bytes_per_param=2,
                      dtype_bytes=2, v1=False)
    assert off.bytes == 9 * LAYER + 416 * MIB
    assert off.onload_bytes == LAYER  # a whole layer comes back for its forward
    assert cpu_offload(arch(LLAMA31_8B), cpu_offload_gb=4, tp=1, first_layer=0, layers_on_rank=32,
                       bytes_per_param=2, dtype_bytes=2, v1=True).onload_bytes == 0  # UVA: read in place
    assert cpu_offload(arch(LLAMA31_8B), cpu_offload_gb=0, tp=1, first_layer=0, layers_on_rank=32,
                       bytes_per_param=2, dtype_bytes=2, v1=False).bytes == 0


def test_v0_profile_run_holds_one_onloaded_layer():
    """V0 (0.6.5, eager, 16384 tokens: the MLP peak outgrows the sampler): the activation peak grows by the onloaded layer (416 MiB + 16 KiB); the weights
    shrink by the offloaded 4160 MiB + 144 KiB."""
    m, gpu = arch(LLAMA31_8B), resolve_gpu("A100-80GB")
    base = estimate(m, gpu, EngineSettings(max_model_len=16384), "0.6.5")
    off = estimate(m, gpu, EngineSettings(max_model_len=16384, cpu_offload_gb=4), "0.6.5")
    assert (base.weights_gib - off.weights_gib) * GIB == pytest.approx(9 * LAYER + 416 * MIB)
    assert (off.activation_gib - base.activation_gib) * GIB == pytest.approx(LAYER, abs=1)
