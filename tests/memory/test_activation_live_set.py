"""The profile-run activation peak as the set of live tensors (activation.py), each formula pinned to a
hand-worked case and, where one exists, the vLLM figure it reproduces (groundtruth cited)."""

from __future__ import annotations

import pytest

from vllm_lint.memory.activation import (CUBLAS_WORKSPACE_DEFAULT, CUBLAS_WORKSPACE_HOPPER, activation_peak,
                                         cublas_workspace_bytes, mlp_holds_gate_up)
from memory_helpers import GEMMA2_9B, LLAMA31_8B, QWEN15_7B, arch, rt

GIB = 2**30
MIB = 2**20


def test_cublas_workspace_sizes_follow_torch_defaults():
    """ATen parseChosenWorkspaceSize: 4096 KiB × 8 on sm 9.x/10.x/12.x, ':4096:2:16:8' elsewhere."""
    assert CUBLAS_WORKSPACE_HOPPER == 32 * MIB
    assert CUBLAS_WORKSPACE_DEFAULT == 8_519_680
    assert cublas_workspace_bytes(rt("0.26.0"), (9, 0)) == 32 * MIB  # H100/H200
    assert cublas_workspace_bytes(rt("0.26.0"), (12, 0)) == 32 * MIB  # RTX 5090
    assert cublas_workspace_bytes(rt("0.7.3"), (8, 6)) == 8_519_680  # A10G / RTX 3090
    assert cublas_workspace_bytes(rt("0.7.3"), (7, 0)) == 8_519_680  # V100
    # 0.33 creates its cuBLAS handle in init_device, before the memory snapshot
    assert cublas_workspace_bytes(rt("0.33.0"), (9, 0)) == 0


def test_mlp_gate_up_lifetime_per_family_and_release():
    llama, qwen = arch(LLAMA31_8B), arch(QWEN15_7B)
    assert mlp_holds_gate_up(llama, rt("0.5.5"))  # 0.5 source: gate_up, _ = self.gate_up_proj(x)
    assert not mlp_holds_gate_up(llama, rt("0.6.4"))  # rebinds x (vllm#10517 log)
    assert not mlp_holds_gate_up(llama, rt("0.26.0"))
    assert not mlp_holds_gate_up(llama, rt(None))  # newest source
    assert mlp_holds_gate_up(qwen, rt("0.26.0"))  # Qwen2MLP keeps gate_up in every release


def test_v1_eager_qwen15_reproduces_measured_026():
    """Qwen1.5-7B, 0.26.0 eager, 16384 tokens on an H200 (measured 1.54 GiB, qwen15-7b-eager):
    16384 × 2 B × (4·4096 + 3·11008) + 32 MiB = 1,652,555,776 B = 1.539 GiB."""
    a = activation_peak(arch(QWEN15_7B), tokens=16384, rows=1024, dtype_bytes=2, tp=1,
                        rt=rt("0.26.0", arch(QWEN15_7B)),
                        compiled=False, cublas_workspace=32 * MIB)
    assert a.forward_bytes == 16384 * 2 * (4 * 4096 + 3 * 11008)
    assert a.peak_bytes == 1_652_555_776
    assert a.peak_bytes / GIB == pytest.approx(1.54, rel=0.005)


def test_v1_eager_llama_reproduces_measured_026():
    """Llama-3.1-8B, 0.26.0 eager (measured 1.72 twice): LlamaMLP frees gate_up before the down
    projection, so the peak is at the activation kernel: 16384 × 2 × (3·4096 + 3·14336) + 32 MiB."""
    a = activation_peak(arch(LLAMA31_8B), tokens=16384, rows=1024, dtype_bytes=2, tp=1,
                        rt=rt("0.26.0", arch(LLAMA31_8B)),
                        compiled=False, cublas_workspace=32 * MIB)
    assert a.forward_bytes == 16384 * 2 * (3 * 4096 + 3 * 14336)
    assert a.peak_bytes / GIB == pytest.approx(1.71875)
    assert a.peak_bytes / GIB == pytest.approx(1.72, rel=0.005)


def test_v1_compiled_live_set():
    """Compiled (Inductor frees at last use): attention output + residual in, new residual, gate_up, act.
    Qwen1.5-7B at 16384 tokens: 16384 × 2 × (4096 + 2·4096 + 3·11008) + 32 MiB = 1.414 GiB
    (measured 1.42 and 1.47 on two compiled runs)."""
    a = activation_peak(arch(QWEN15_7B), tokens=16384, rows=1024, dtype_bytes=2, tp=1,
                        rt=rt("0.26.0", arch(QWEN15_7B)),
                        compiled=True, cublas_workspace=32 * MIB)
    assert a.forward_bytes == 16384 * 2 * (4096 + 2 * 4096 + 3 * 11008)
    assert a.peak_bytes / GIB == pytest.approx(1.4140625)
    # the attention width is per rank under TP, as is the intermediate
    tp2 = activation_peak(arch(QWEN15_7B), tokens=16384, rows=1024, dtype_bytes=2, tp=2,
                          rt=rt("0.26.0", arch(QWEN15_7B)),
                          compiled=True)
    assert tp2.forward_bytes == 16384 * 2 * (4096 / 2 + 2 * 4096 + 3 * 11008 / 2)


def test_v1_sampler_short_batch_reproduces_measured_026():
    """Llama-3.1-8B eager at max_num_batched_tokens 2048 (measured 0.30 GiB, llama31-8b-eager-mnbt2k):
    0.26 runs Llama on Model Runner V2, whose sampler works in place on the bf16 logits. The sampler peaks:
    final hidden 2048 × 4096 × 2, sampled rows 1024 × 4096 × 2, bf16 logits 1024 × 128256 × 2, plus the
    32 MiB workspace = 321,388,544 B = 0.2993 GiB (forward: 0.242). The V1 runner would sample a
    rand_like copy of the rows through fp32 logits, FlashInfer's masked copy and a softmax: 14 B per logit."""
    a = activation_peak(arch(LLAMA31_8B), tokens=2048, rows=1024, dtype_bytes=2, tp=1,
                        rt=rt("0.26.0", arch(LLAMA31_8B)),
                        compiled=False, cublas_workspace=32 * MIB)
    assert a.sampler_bytes == 2048 * 4096 * 2 + 1024 * 4096 * 2 + 1024 * 128256 * 2
    assert a.sampler_bytes > a.forward_bytes
    assert a.peak_bytes == 321_388_544
    assert a.peak_bytes / GIB == pytest.approx(0.30, abs=0.005)  # vLLM printed 0.30
    v1_runner = activation_peak(arch(LLAMA31_8B), tokens=2048, rows=1024, dtype_bytes=2, tp=1,
                                rt=rt("0.26.0", arch(LLAMA31_8B), runner="v1"),
                                compiled=False)
    assert v1_runner.sampler_bytes == 1024 * 128256 * 14 + (2048 + 2 * 1024) * 4096 * 2


def test_lm_head_vocab_padding_in_the_logits():
    """ParallelLMHead pads the vocabulary to a multiple of 64: 151,655 → 151,680 logits per row."""
    odd = activation_peak(arch(QWEN15_7B, vocab_size=151655), tokens=64, rows=64, dtype_bytes=2, tp=1,
                          rt=rt("0.26.0", arch(QWEN15_7B)))
    assert odd.sampler_bytes == 64 * 151680 * 2 + (64 + 64) * 4096 * 2


def test_v0_eager_qwen2_reproduces_logs():
    """V0 logs (groundtruth public.jsonl): Qwen2.5-7B on a V100 at 32768 tokens, 0.8.5 V0 printed 4.35 GiB
    (a public article's log); Qwen2.5-1.5B on a T4 at 32768 tokens printed 2.02 (a public Colab log). Eager live set with the
    loop-held layer input and gate_up kept: 4 hidden + 3 intermediate, plus the 8.125 MiB workspace."""
    qwen25_7b = arch(QWEN15_7B, hidden_size=3584, intermediate_size=18944, num_attention_heads=28,
                     num_key_value_heads=4, vocab_size=152064)
    a = activation_peak(qwen25_7b, tokens=32768, rows=256, dtype_bytes=2, tp=1,
                        rt=rt("0.8.5", qwen25_7b, engine="v0"),
                        cublas_workspace=CUBLAS_WORKSPACE_DEFAULT)
    assert a.forward_bytes == 32768 * 2 * (4 * 3584 + 3 * 18944)
    assert a.peak_bytes / GIB == pytest.approx(4.35, rel=0.005)
    qwen25_1_5b = arch(QWEN15_7B, hidden_size=1536, intermediate_size=8960, num_attention_heads=12,
                       num_key_value_heads=2, vocab_size=151936)
    b = activation_peak(qwen25_1_5b, tokens=32768, rows=256, dtype_bytes=2, tp=1, rt=rt("0.7.3", qwen25_1_5b),
                        cublas_workspace=CUBLAS_WORKSPACE_DEFAULT)
    assert b.peak_bytes / GIB == pytest.approx(2.02, rel=0.005)


def test_v0_llama_064_reproduces_log():
    """vllm#10517: Llama-3.1-8B, 0.6.4, RTX 3090, 29000 tokens: peak_torch 17.98 − weights
    14.99 = 2.99 GiB. LlamaMLP rebinds x, so 3 hidden + 3 intermediate + 8.125 MiB = 2.995 GiB."""
    a = activation_peak(arch(LLAMA31_8B), tokens=29000, rows=256, dtype_bytes=2, tp=1,
                        rt=rt("0.6.4", arch(LLAMA31_8B)),
                        cublas_workspace=CUBLAS_WORKSPACE_DEFAULT)
    assert a.forward_bytes == 29000 * 2 * (3 * 4096 + 3 * 14336)
    assert a.peak_bytes / GIB == pytest.approx(2.99, rel=0.005)
    older = activation_peak(arch(LLAMA31_8B), tokens=29000, rows=256, dtype_bytes=2, tp=1,
                            rt=rt("0.5.5", arch(LLAMA31_8B)))
    assert older.forward_bytes - a.forward_bytes == 29000 * 2 * 4096  # 0.5 held gate_up: one more hidden


def test_gemma_out_of_place_norm_keeps_one_more_hidden():
    """Gemma's RMSNorm returns new tensors, so the loop's previous residual stays alive (eager only)."""
    g = arch(GEMMA2_9B)
    eager = activation_peak(g, tokens=1024, rows=16, dtype_bytes=2, tp=1, rt=rt("0.26.0", g), compiled=False)
    assert eager.forward_bytes == 1024 * 2 * (5 * 3584 + 3 * 14336)
    compiled = activation_peak(g, tokens=1024, rows=16, dtype_bytes=2, tp=1, rt=rt("0.26.0", g), compiled=True)
    assert compiled.forward_bytes == 1024 * 2 * (16 * 256 + 2 * 3584 + 3 * 14336)


def test_estimate_picks_eager_or_compiled_from_the_flags():
    """End to end on an H200 with the LLM class (16384 tokens): --enforce-eager gives the eager live set
    (measured 1.54 GiB), the default the compiled one: 1.414 GiB from a warm compile cache (measured
    1.42), plus the H200's 50 MiB L2-flush buffer on a cold start (measured 1.47)."""
    from vllm_lint.hardware.gpus import resolve_gpu
    from vllm_lint.memory.estimate import estimate
    from vllm_lint.memory.settings import EngineSettings

    gpu = resolve_gpu("H200")
    eager = estimate(arch(QWEN15_7B), gpu, EngineSettings(usage_context="llm", enforce_eager=True), "0.26.0")
    compiled = estimate(arch(QWEN15_7B), gpu, EngineSettings(usage_context="llm"), "0.26.0")
    assert eager.max_num_batched_tokens == compiled.max_num_batched_tokens == 16384
    assert eager.activation_gib == pytest.approx(1_652_555_776 / GIB)
    assert compiled.activation_gib == pytest.approx(1.4140625 + 50 / 1024)
    warm = estimate(arch(QWEN15_7B), gpu, EngineSettings(usage_context="llm", compile_cache="warm"), "0.26.0")
    assert warm.activation_gib == pytest.approx(1.4140625)
    assert any("cold torch.compile" in n for n in compiled.notes)
    assert not any("torch.compile" in n for n in warm.notes + eager.notes)
    eager_cold = estimate(arch(QWEN15_7B), gpu, EngineSettings(usage_context="llm", enforce_eager=True,
                                                               compile_cache="cold"), "0.26.0")
    assert eager_cold.activation_gib == eager.activation_gib  # nothing is compiled, nothing is benchmarked


def test_tensor_parallel_all_reduce_output_can_set_the_peak():
    """Llama-3-70B at TP 8 (hidden 8192, intermediate 28672 / 8 = 3584 per rank): the all-reduce output of
    the down projection sits next to the partial output and outgrows the MLP's own tensors.
    Eager: 3·8192 + max(3·3584, 3584 + 2·8192) = 44544 elements per token (the activation kernel alone:
    35328). Compiled: 64·128/8 + 2·8192 + max(3·3584, 3584 + 8192, 2·8192) = 33792."""
    from memory_helpers import LLAMA3_70B
    from vllm_lint.memory.activation import dense_mlp_elements

    m = arch(LLAMA3_70B)
    assert dense_mlp_elements(m, tp=8, compiled=False, rt=rt("0.26.0")) == 44544
    assert dense_mlp_elements(m, tp=8, compiled=True, rt=rt("0.26.0")) == 33792
    assert dense_mlp_elements(m, tp=1, compiled=False, rt=rt("0.26.0")) == 3 * 8192 + 3 * 28672
    a = activation_peak(m, tokens=8192, rows=1024, dtype_bytes=2, tp=8, rt=rt("0.26.0", m), compiled=False)
    assert a.forward_bytes == 8192 * 2 * 44544
