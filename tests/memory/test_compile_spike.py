"""The cold torch.compile spike (activation.compile_spike_bytes), pinned to hand-worked numbers and three
public or measured figures: Inductor benchmarks the fused embedding + input-norm kernel on random copies
of its arguments before the profiling forward, so the profile peak is the larger of that spike and the
forward's."""

from __future__ import annotations

import pytest

from vllm_lint.hardware.gpus import resolve_gpu
from vllm_lint.memory.activation import activation_peak, compile_spike_bytes
from vllm_lint.memory.estimate import estimate
from vllm_lint.memory.settings import EngineSettings
from vllm_lint.memory.releases import rows_changing
from memory_helpers import GEMMA2_9B, LLAMA31_8B, arch, rt

GIB = 2**30
MIB = 2**20


def _spike(cfg: dict, **kw) -> int:
    args = dict(tokens=16384, dtype_bytes=2, tp=1, compiled=True, compile_cache="cold")
    args.update(kw)
    args["rt"] = rt(args.pop("version", "0.26.0"))
    return compile_spike_bytes(arch(cfg), **args)


def test_gemma2_spike_is_table_plus_two_hidden_states():
    """Gemma-2-9B, 16384 tokens: the 256000 × 3584 × 2 B table (1,835,008,000 B) plus, per token, two
    bf16 hidden states and an int32 id (2 × 3584 × 2 + 4 = 14,340 B; 234,946,560 B in all):
    2,069,954,560 B = 1.928 GiB (measured on 0.26.0: 1.93 GiB, gemma2-9b-default)."""
    table = 256000 * 3584 * 2
    per_token = 2 * 3584 * 2 + 4
    assert _spike(GEMMA2_9B) == table + 16384 * per_token == 2_069_954_560
    assert _spike(GEMMA2_9B) / GIB == pytest.approx(1.93, abs=0.005)


def test_spike_conditions():
    assert _spike(GEMMA2_9B, compiled=False) == 0  # --enforce-eager: nothing is compiled
    assert _spike(GEMMA2_9B, compile_cache="warm") == 0  # the compiled artifacts are loaded, not built
    assert _spike(GEMMA2_9B, version="0.11.0") == 0  # torch 2.8: vLLM did not ask Inductor to benchmark
    since = next(v for v, on, _ in rows_changing("compile_spike") if on)
    assert since == "0.12.0" and _spike(GEMMA2_9B, version=since) > 0
    assert _spike(GEMMA2_9B, version="0.16.0") == _spike(GEMMA2_9B)  # compiled at trace time, then ahead
    vlm = dict(GEMMA2_9B, vision_config={"hidden_size": 1152, "num_hidden_layers": 27, "intermediate_size": 4304})
    assert _spike(vlm) == 0  # multimodal models embed outside the compiled graph
    assert _spike(vlm, multimodal_inputs=False) == _spike(GEMMA2_9B)  # language-model-only mode embeds inside


def test_spike_splits_the_table_over_tensor_parallel_ranks():
    # 128256 is a multiple of 64; each of 4 ranks holds 32064 rows
    assert _spike(LLAMA31_8B, tp=4, tokens=8192) == 32064 * 4096 * 2 + 8192 * (2 * 4096 * 2 + 4)


def test_peak_is_the_larger_of_spike_and_forward():
    """Llama-3.1-8B: 1.23 GiB spike under its 1.77 GiB compiled forward (measured 1.78), so no change;
    Gemma-2-9B: 1.93 GiB spike over its 1.74 GiB forward."""
    llama = activation_peak(arch(LLAMA31_8B), tokens=16384, rows=1024, dtype_bytes=2, tp=1,
                            rt=rt("0.26.0", arch(LLAMA31_8B)),
                            compiled=True, cublas_workspace=32 * MIB, autotune=50 * MIB,
                            compile_spike=_spike(LLAMA31_8B))
    assert llama.compile_bytes / GIB == pytest.approx(1.2286, abs=1e-3)
    assert llama.peak_bytes == llama.live_bytes
    assert llama.peak_bytes / GIB == pytest.approx(1.7676, abs=1e-3)
    gemma = activation_peak(arch(GEMMA2_9B), tokens=16384, rows=1024, dtype_bytes=2, tp=1,
                            rt=rt("0.26.0", arch(GEMMA2_9B)),
                            compiled=True, cublas_workspace=32 * MIB, autotune=50 * MIB,
                            compile_spike=_spike(GEMMA2_9B))
    assert gemma.live_bytes / GIB == pytest.approx(1.7363, abs=1e-3)
    assert gemma.peak_bytes == gemma.compile_bytes


def test_estimate_charges_the_spike_on_a_cold_start_only():
    gpu = resolve_gpu("H200")
    cold = estimate(arch(GEMMA2_9B), gpu, EngineSettings(usage_context="llm"), "0.26.0")
    warm = estimate(arch(GEMMA2_9B), gpu, EngineSettings(usage_context="llm", compile_cache="warm"), "0.26.0")
    assert cold.activation_gib == pytest.approx(2_069_954_560 / GIB)
    assert warm.activation_gib == pytest.approx(1.7363 - 50 / 1024, abs=1e-3)
    assert cold.kv_cache_gib < warm.kv_cache_gib
    assert any("compile spike" in n for n in cold.notes)
    assert not any("compile spike" in n for n in warm.notes)



def test_only_the_first_pipeline_stage_compiles_the_embedding():
    from vllm_lint.memory.estimate import _Ctx

    ctx = _Ctx(arch(GEMMA2_9B), resolve_gpu("H200"), EngineSettings(usage_context="llm", pipeline_parallel_size=2),
               "0.26.0")
    first, _ = ctx.rank(0, 8192)
    last, _ = ctx.rank(1, 8192)
    assert first.activation == _spike(GEMMA2_9B)
    assert last.activation < first.activation  # the last stage runs the sampler but holds no table


def test_public_cold_and_warm_boots_of_a_tensor_parallel_launch():
    """vllm-project/vllm PR #54479, review comment of 2026-09-01: vLLM 0.28.0, Qwen3-32B-AWQ, TP 2 on two
    RTX 4090, utilization 0.85, --max-model-len 8192. A cold boot at --max-num-batched-tokens 3584
    --max-num-seqs 40 lost 245 blocks (0.47 GiB per GPU) against a warm one; a warm boot at 5120 / 72
    had 5,315 blocks (10.38 GiB per GPU). Qwen3 norms are plain RMSNorm: the spike is not Gemma's alone."""
    from vllm_lint.memory.settings import settings_from_args
    from vllm_lint.models.resolve import resolve_model

    model = resolve_model("Qwen/Qwen3-32B-AWQ").arch
    gpu = resolve_gpu("RTX 4090")

    def run(cache: str, mnbt: int, seqs: int):
        s = settings_from_args({"tensor_parallel_size": 2, "gpu_memory_utilization": 0.85, "max_model_len": 8192,
                                "max_num_batched_tokens": mnbt, "max_num_seqs": seqs})
        s.compile_cache = cache
        return estimate(model, gpu, s, "0.28.0")

    lost = run("warm", 3584, 40).kv_cache_gib - run("cold", 3584, 40).kv_cache_gib
    assert lost == pytest.approx(0.47, rel=0.15)
    assert run("warm", 5120, 72).kv_cache_gib == pytest.approx(10.38, rel=0.05)


def test_public_devstral_rtx5090_on_0151():
    """BigBIueWhale/devstral_vllm_config (corpus; vLLM 0.15.1, RTX 5090 31.36 GiB, utilization 0.98,
    --max-model-len 98768 "exactly the reported KV capacity", --max-num-seqs 1, image limit 0): vLLM
    logged 14.29 GiB of weights and 15.07 GiB of KV. The 2048-token forward is small (0.55 GiB); the
    compile spike is the 131072 × 5120 × 2 B table + 2048 × (2 × 5120 × 2 + 4) B = 1.29 GiB."""
    from vllm_lint.memory.settings import settings_from_args
    from vllm_lint.models.resolve import resolve_model

    m = resolve_model("cyankiwi/Devstral-Small-2-24B-Instruct-2512-AWQ-4bit").arch
    s = settings_from_args({"gpu_memory_utilization": 0.98, "max_model_len": 98768, "max_num_seqs": 1,
                            "limit_mm_per_prompt": {"image": 0}})
    cap = estimate(m, resolve_gpu("RTX 5090"), s, "0.15.1")
    assert cap.activation_gib * GIB == 131072 * 5120 * 2 + 2048 * (2 * 5120 * 2 + 4)
    assert cap.kv_cache_gib == pytest.approx(15.07, rel=0.01)
    assert cap.kv_cache_tokens == pytest.approx(98768, rel=0.01)


def test_disabled_compile_cache_is_always_cold():
    gpu = resolve_gpu("H200")
    warm = EngineSettings(usage_context="llm", compile_cache="warm")
    disabled = EngineSettings(usage_context="llm", compile_cache="warm", env={"VLLM_DISABLE_COMPILE_CACHE": "1"})
    cold = estimate(arch(GEMMA2_9B), gpu, EngineSettings(usage_context="llm"), "0.26.0")
    assert estimate(arch(GEMMA2_9B), gpu, disabled, "0.26.0").activation_gib == cold.activation_gib
    assert estimate(arch(GEMMA2_9B), gpu, warm, "0.26.0").activation_gib < cold.activation_gib
