"""Non-torch memory by term, per release and GPU (memory/nontorch.py; vLLM worker source)."""

from __future__ import annotations

import pytest

from vllm_lint.hardware.gpus import resolve_gpu
from vllm_lint.memory.estimate import estimate
from vllm_lint.memory.nontorch import non_torch_terms
from vllm_lint.memory.settings import settings_from_args
from memory_helpers import LLAMA31_8B, arch, rt

MIB = 2**20
GIB = 2**30


def test_custom_all_reduce_buffers_by_release_and_card():
    """CustomAllreduce(max_size=8 MiB) cudaMallocs its meta and data buffers: 16 MiB per GPU after the
    0.6.5–0.29 baseline; GeForce cards have no peer access (disabled); 0.30+ snapshots after it."""
    h100, rtx = resolve_gpu("H100"), resolve_gpu("RTX 4090")
    assert non_torch_terms(rt("0.7.3"), tp=2, pp=1, gpu=h100)["custom_all_reduce"] == 16 * MIB
    assert "custom_all_reduce" not in non_torch_terms(rt("0.7.3"), tp=2, pp=1, gpu=rtx)
    assert "custom_all_reduce" not in non_torch_terms(rt("0.7.3"), tp=2, pp=1, gpu=h100,
                                                      disable_custom_all_reduce=True)
    assert "custom_all_reduce" not in non_torch_terms(rt("0.7.3"), tp=3, pp=1, gpu=h100)  # not a supported size
    assert "custom_all_reduce" not in non_torch_terms(rt("0.30.0"), tp=2, pp=1, gpu=h100)
    assert "nccl" in non_torch_terms(rt("0.7.3"), tp=1, pp=2, gpu=h100)
    assert "nccl" not in non_torch_terms(rt("0.7.3"), tp=1, pp=1, gpu=h100)


def test_v1_08_counts_the_cuda_context():
    """V1 0.8.x Worker.determine_available_memory adds (total − free) − torch allocated to the allocated
    peak, like V0 0.6.4: the context (0.51 GiB on Hopper) and the weights' held remainders count
    (Llama-3.1-8B: 16 MiB, test_eras_handchecked). 0.9 measures from a snapshot after the context."""
    m, gpu = arch(LLAMA31_8B), resolve_gpu("H100")
    s = settings_from_args({"max_model_len": 8192})
    v08, v09 = estimate(m, gpu, s, "0.8.5"), estimate(m, gpu, s, "0.9.2")
    assert v08.engine == "v1" and v09.engine == "v1"
    assert v08.non_torch_gib == pytest.approx(0.22 + 0.51 + 16 / 1024)
    assert v09.non_torch_gib == pytest.approx(0.22)
    assert v08.terms["non_torch.cuda_context"] == pytest.approx(0.51)


def test_v0_flashinfer_workspace_sits_in_the_activation_peak():
    """V0 with VLLM_ATTENTION_BACKEND=FLASHINFER allocates FLASHINFER_WORKSPACE_BUFFER_SIZE (256 MiB) through
    torch when the profile run's first forward builds the prefill wrapper, and keeps it."""
    from vllm_lint.memory.settings import EngineSettings

    m, gpu = arch(LLAMA31_8B), resolve_gpu("A100-80GB")
    base = estimate(m, gpu, EngineSettings(max_model_len=16384), "0.7.3")
    fi = estimate(m, gpu, EngineSettings(max_model_len=16384, env={"VLLM_ATTENTION_BACKEND": "FLASHINFER"}), "0.7.3")
    assert (fi.activation_gib - base.activation_gib) * GIB == 256 * MIB
    v1 = estimate(m, gpu, EngineSettings(max_model_len=16384, env={"VLLM_ATTENTION_BACKEND": "FLASHINFER"}), "0.10.0")
    assert v1.activation_gib == estimate(m, gpu, EngineSettings(max_model_len=16384), "0.10.0").activation_gib
