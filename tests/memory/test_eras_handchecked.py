"""One hand-checked or logged case per accounting era (numbers from real vLLM logs are cited)."""

from __future__ import annotations

import pytest

from vllm_lint.hardware.gpus import resolve_gpu
from vllm_lint.memory.estimate import estimate
from vllm_lint.memory.settings import EngineSettings, settings_from_args
from vllm_lint.models.resolve import resolve_model

GIB = 2**30


def test_era_04_seed_case_on_3090():
    """0.4–0.5: budget − peak, profile batch = max_model_len. QwenLM/Qwen3#295 printed 7344 tokens.

    By hand (GPU and release are inferred, not stated in the report): budget int(23.58 GiB × 0.9);
    activation = the segments the allocator reserves for the eager Qwen2 forward at 32768 tokens
    (test_allocator.py: 3188 MiB, 80 MiB over the live set 32768 × 2 × (4·4096 + 3·11008) plus the
    cuBLAS workspace's 20 MiB segment); non-torch 0.10 GiB: 0.4.0 measures the drop from ``init_free``,
    taken after the CUDA context exists, so the context (part of the 0.35 GiB a 3090 logs on 0.6.4) is
    not in it; blocks of 8 MiB. 7408 tokens, 0.9 % over the user's 7344."""
    cap = estimate(resolve_model("Qwen/Qwen1.5-7B-Chat").arch, resolve_gpu("RTX 3090"), EngineSettings(), "0.4.0")
    assert cap.era == "v0-0.4" and cap.max_num_batched_tokens == 32768
    act = (20 + 4 * 256 + 768 + 1376) * 2**20
    assert act == 32768 * 2 * (4 * 4096 + 3 * 11008) + 80 * 2**20 + 20 * 2**20
    assert cap.activation_gib * GIB == pytest.approx(act, rel=1e-9)
    assert cap.non_torch_gib == pytest.approx(0.10, abs=1e-9)
    kv = int(23.58 * GIB * 0.9) - int(round(cap.weights_gib * GIB)) - act - int(0.10 * GIB)
    assert cap.num_gpu_blocks == pytest.approx(kv // (16 * 524288), abs=1)
    assert cap.kv_cache_tokens == 7376
    assert cap.kv_cache_tokens == pytest.approx(7344, rel=0.01)


def test_v0_non_torch_follows_what_each_release_measures():
    """0.6.4 alone subtracted (total − free) − torch allocated, CUDA context included: an RTX 3090 log
    printed non_torch_memory 0.35 GiB (vllm#10517), an H200 0.73 (a public training log). 0.6.3 and
    0.6.5 measure from a snapshot taken after the context: 0.10."""
    model = resolve_model("meta-llama/Llama-3.1-8B-Instruct").arch
    s = settings_from_args({"max_model_len": 8192})
    nt = {v: estimate(model, resolve_gpu("RTX 3090"), s, v).non_torch_gib for v in ("0.6.3", "0.6.4", "0.6.5")}
    assert nt["0.6.3"] == pytest.approx(0.10) and nt["0.6.5"] == pytest.approx(0.10)
    assert nt["0.6.4"] == pytest.approx(0.35 + 16 / 1024)
    assert estimate(model, resolve_gpu("H200"), s, "0.6.4").non_torch_gib == pytest.approx(0.61 + 16 / 1024)


def test_era_06_v100_distill_qwen_7b():
    """0.6–0.7: vLLM 0.7 log (groundtruth public case, AutoDL run on a 31.74 GiB V100): weights 14.27, activation 1.40,
    non-torch 0.09, KV 12.80 GiB, 14984 blocks at max_model_len 2048."""
    gpu = resolve_gpu("31.74GiB")
    gpu = type(gpu)(gpu.key, gpu.name, 31.74, (7, 0), False, False)
    cap = estimate(resolve_model("deepseek-ai/DeepSeek-R1-Distill-Qwen-7B").arch, gpu,
                   settings_from_args({"gpu_memory_utilization": 0.9, "max_model_len": 2048}), "0.7.3")
    assert cap.era == "v0-0.6"
    assert cap.weights_gib == pytest.approx(14.27, rel=0.02)
    assert cap.activation_gib == pytest.approx(1.40, rel=0.05)
    assert cap.kv_cache_gib == pytest.approx(12.80, rel=0.02)
    assert cap.num_gpu_blocks == pytest.approx(14984, rel=0.02)


def test_era_08_llama31_8b_on_h100_by_hand():
    """0.8–0.19 (0.10.2, serve defaults on an 80 GB H100: 8192 tokens, 1024 sequences):
    budget 79.18 × 0.9; weights 8,030,261,248 × 2 B (+ vocab padding 0) + the rotary cos/sin cache
    131072 × 128 × 2 B (added with the rope-buffer term); activation = the V1 runner's dummy sampler,
    which outgrows the compiled MLP peak (8192 × 2 × (4096 + 2·4096 + 3·14336) + 50 MiB = 0.89 GiB):
    1024 rows × 128256 logits × 14 B (bf16, fp32 copy, FlashInfer's masked logits and softmax: the
    0.10 default)
    + (8192 + 2 × 1024) × 4096 × 2 B of hidden states, plus the 32 MiB cuBLAS workspace of an sm90 card;
    non-torch 0.22 GiB; no CUDA graphs; blocks of 2 MiB; tokens = blocks × 16."""
    cap = estimate(resolve_model("meta-llama/Llama-3.1-8B-Instruct").arch, resolve_gpu("H100"), EngineSettings(),
                   "0.10.2")
    budget = int(79.18 * GIB * 0.9)
    weights = 8_030_261_248 * 2 + 131072 * 128 * 2
    forward = 8192 * 2 * (4096 + 2 * 4096 + 3 * 14336) + 32 * 2**20 + 50 * 2**20
    act = 1024 * 128256 * 14 + (8192 + 2 * 1024) * 4096 * 2 + 32 * 2**20
    assert act > forward
    kv = budget - weights - act - int(0.22 * GIB)
    blocks = kv // (2 * 2**20)
    assert cap.era == "v1-0.8" and cap.cuda_graph_gib == 0
    assert cap.weights_gib * GIB == pytest.approx(weights, rel=1e-6)
    assert cap.activation_gib * GIB == pytest.approx(act, rel=1e-9)
    assert cap.num_gpu_blocks == pytest.approx(blocks, abs=1)
    assert cap.kv_cache_tokens == cap.num_gpu_blocks * 16
    assert cap.max_concurrency == pytest.approx(cap.num_gpu_blocks / (131072 // 16))


def test_era_020_measured_026_qwen15_default():
    """0.20–0.26: vLLM 0.26.0 on an H200 through the LLM class (groundtruth/measured-vllm-0.26.0-h200.jsonl,
    case qwen15-7b-default): KV 112.59 GiB, 230,560 tokens."""
    s = EngineSettings(usage_context="llm")
    cap = estimate(resolve_model("Qwen/Qwen1.5-7B-Chat").arch, resolve_gpu("H200"), s, "0.26.0")
    assert cap.gpu_memory_utilization == 0.92 and cap.cuda_graph_gib == 0
    assert cap.kv_cache_gib == pytest.approx(112.59, rel=0.01)
    assert cap.kv_cache_tokens == pytest.approx(230560, rel=0.01)


def test_era_033_counts_cuda_graphs_and_ceil_budget():
    cap = estimate(resolve_model("Qwen/Qwen1.5-7B-Chat").arch, resolve_gpu("H200"), EngineSettings(), "0.33.0")
    assert cap.era == "v1-0.33" and cap.cuda_graph_gib > 0
    assert estimate(resolve_model("Qwen/Qwen1.5-7B-Chat").arch, resolve_gpu("H200"), EngineSettings(), "0.30.0").cuda_graph_gib == 0
    assert cap.budget_gib * GIB == pytest.approx(-(-int(round(139.8 * GIB)) * 0.92 // 1), abs=2)
