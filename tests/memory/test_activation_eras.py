"""Profile-run activation peak, non-torch and CUDA graphs; engines, runners and batch defaults per release."""

from __future__ import annotations

import pytest

from vllm_lint.memory.activation import V0_SAMPLER_BYTES_PER_LOGIT, activation_peak, cuda_graph_bytes
from vllm_lint.memory.engine import Features, batch_defaults, runtime
from vllm_lint.memory.releases import release
from memory_helpers import DEEPSEEK_V2_LITE, LLAMA31_8B, QWEN15_7B, arch, rt

GIB = 2**30


def test_forward_peak_dense():
    """Llama-3.1-8B, 16384 tokens, bf16: 16384 × 2 × (3·4096 + 3·14336) = 1.6875 GiB (0.26 measured 1.72)."""
    a = activation_peak(arch(LLAMA31_8B), tokens=16384, rows=1024, dtype_bytes=2, tp=1,
                        rt=rt("0.26.0", arch(LLAMA31_8B)))
    assert a.forward_bytes == 16384 * 2 * (3 * 4096 + 3 * 14336)
    assert a.peak_bytes / GIB == pytest.approx(1.6875)
    half = activation_peak(arch(LLAMA31_8B), tokens=16384, rows=1024, dtype_bytes=2, tp=2,
                           rt=rt("0.26.0", arch(LLAMA31_8B)))
    assert half.forward_bytes == 16384 * 2 * (3 * 4096 + 3 * 14336 / 2)


def test_v0_sampler_dominates_short_batches():
    """V0 dummy top-p/top-k sampling of 256 rows × 151936 logits at ~37 B each ≈ 1.34 GiB (logs: 1.40)."""
    a = activation_peak(arch(QWEN15_7B), tokens=2048, rows=256, dtype_bytes=2, tp=1, rt=rt("0.7.3"))
    assert a.sampler_bytes >= 256 * 151936 * V0_SAMPLER_BYTES_PER_LOGIT
    assert a.peak_bytes == a.sampler_bytes
    # Model Runner V2 (0.25+ for dense models) samples in place on the bf16 logits
    v1 = activation_peak(arch(QWEN15_7B), tokens=2048, rows=256, dtype_bytes=2, tp=1,
                         rt=rt("0.26.0", arch(QWEN15_7B)))
    assert v1.sampler_bytes < a.sampler_bytes / 10


def test_moe_buffers_and_chunking():
    dense_first = activation_peak(arch(DEEPSEEK_V2_LITE), tokens=163840, rows=256, dtype_bytes=2, tp=1,
                                  rt=rt("0.5.5"))
    # the dense first layer (intermediate 10944) peaks above the chunked MoE layers. Eager (V0) live set:
    # 4 hidden (loop-held layer input, residual, MLP input, down output; DeepseekV2MLP keeps gate_up)
    # + 3 intermediate.
    assert dense_first.forward_bytes == 163840 * 2 * (4 * 2048 + 3 * 10944)
    m = arch(DEEPSEEK_V2_LITE, first_k_dense_replace=0)
    chunked = activation_peak(m, tokens=163840, rows=256, dtype_bytes=2, tp=1, rt=rt("0.5.5"))
    whole = activation_peak(m, tokens=163840, rows=256, dtype_bytes=2, tp=1, rt=rt("0.5.1"))
    assert release("0.5.5").moe_chunking and not release("0.5.1").moe_chunking
    assert whole.forward_bytes > chunked.forward_bytes
    # per token and expert: 3 × 1408 + 2048 elements
    assert whole.forward_bytes - chunked.forward_bytes == pytest.approx(
        (163840 - 32768) * 6 * 2 * (3 * 1408 + 2048), rel=1e-9)


def test_non_torch_and_cuda_graphs():
    from vllm_lint.hardware.gpus import resolve_gpu
    from vllm_lint.memory.nontorch import non_torch_terms

    h200 = resolve_gpu("H200")
    assert sum(non_torch_terms(rt("0.26.0"), tp=1, pp=1, gpu=h200).values()) / GIB == pytest.approx(0.22)
    assert sum(non_torch_terms(rt("0.26.0"), tp=2, pp=1, gpu=h200).values()) > \
        sum(non_torch_terms(rt("0.26.0"), tp=1, pp=1, gpu=h200).values())
    graphs = dict(enforce_eager=False, layers_on_rank=32, capture_size=512, env={})
    # 0.20-0.32: the V1 model runner subtracts its capture estimate, Model Runner V2 returns 0 ("TBD");
    # before 0.20 the graphs were captured after the KV cache, out of the 1 - utilization headroom
    assert cuda_graph_bytes(rt("0.26.0", runner="v2"), **graphs) == 0
    assert cuda_graph_bytes(rt("0.26.0", runner="v1"), **graphs) == cuda_graph_bytes(rt("0.33.0"), **graphs) > 0
    assert cuda_graph_bytes(rt("0.19.1"), **graphs) == 0
    assert cuda_graph_bytes(rt("0.7.3"), **graphs) == 0
    assert cuda_graph_bytes(rt("0.33.0"), **dict(graphs, enforce_eager=True)) == 0
    assert cuda_graph_bytes(rt("0.33.0"), **dict(graphs, env={"VLLM_MEMORY_PROFILER_ESTIMATE_CUDAGRAPHS": "0"})) == 0


@pytest.mark.parametrize("version,era", [("0.4.0", "v0-0.4"), ("0.5.5", "v0-0.4"), ("0.6.3", "v0-0.6"),
                                         ("0.7.3", "v0-0.6"), ("0.8.5", "v1-0.8"), ("0.19.1", "v1-0.8"),
                                         ("0.20.0", "v1-0.20"), ("0.26.0", "v1-0.20"), ("0.30.0", "v1-0.20"),
                                         ("0.32.0", "v1-0.20"), ("0.33.0", "v1-0.33")])
def test_eras(version, era):
    assert runtime(version, arch(LLAMA31_8B)).era == era


def test_v0_fallbacks_and_runner_overrides():
    assert runtime("0.8.5", env={"VLLM_USE_V1": "0"}).engine == "v0"
    assert runtime("0.9.2", compute_capability=(7, 5)).engine == "v0"  # Turing: V1 unsupported, V0 used
    assert runtime("0.11.2", compute_capability=(7, 5)).engine == "v1"  # V0 removed: no fallback
    assert runtime("0.11.2", env={"VLLM_USE_V1": "0"}).engine == "v1"
    v1_runner = runtime("0.33.0", env={"VLLM_USE_V2_MODEL_RUNNER": "0"})
    assert (v1_runner.runner, v1_runner.era) == ("v1", "v1-0.20")
    # opting in before the default keeps that release's Model Runner V2 (no CUDA-graph estimate yet)
    opt_in = runtime("0.26.0", env={"VLLM_USE_V2_MODEL_RUNNER": "1"})
    assert opt_in.runner == "v2" and not opt_in.cuda_graphs_counted
    assert runtime("0.19.1", env={"VLLM_USE_V2_MODEL_RUNNER": "1"}).runner == "v1"  # no V2 runner yet
    assert release("0.19.1").default_utilization == 0.9 and release("0.20.0").default_utilization == 0.92


def test_batch_defaults():
    v0 = batch_defaults(rt("0.4.0"), 22.06, "A10G", 32768)
    assert (v0.max_num_batched_tokens, v0.max_num_seqs, v0.chunked_prefill) == (32768, 256, False)
    long_ctx = batch_defaults(rt("0.6.3"), 79.18, "H100", 131072)
    assert long_ctx.chunked_prefill and long_ctx.max_num_batched_tokens == 2048
    small = batch_defaults(rt("0.26.0"), 22.06, "NVIDIA A10G", 32768)
    assert (small.max_num_batched_tokens, small.max_num_seqs) == (2048, 256)
    big = batch_defaults(rt("0.26.0"), 79.18, "NVIDIA H100 80GB HBM3", 32768)
    assert (big.max_num_batched_tokens, big.max_num_seqs) == (8192, 1024)
    assert batch_defaults(rt("0.26.0"), 139.8, "NVIDIA H200", 32768, usage_context="llm").max_num_batched_tokens == 16384
    assert batch_defaults(rt("0.26.0"), 79.15, "NVIDIA A100-SXM4-80GB", 32768).max_num_batched_tokens == 2048
    no_chunk = batch_defaults(rt("0.26.0"), 22.06, "A10G", 32768, chunked=False)
    assert no_chunk.max_num_batched_tokens == 32768


@pytest.mark.parametrize("version, cc, features, engine", [
    ("0.8.5", (8, 9), Features(kv_cache_dtype="fp8"), "v0"),  # V1 kept fp8 KV only with FlashAttention 3
    ("0.8.5", (9, 0), Features(kv_cache_dtype="fp8"), "v1"),
    ("0.9.2", (10, 0), Features(kv_cache_dtype="fp8"), "v0"),
    ("0.10.0", (10, 0), Features(kv_cache_dtype="fp8"), "v1"),  # Blackwell backends keep fp8
    ("0.10.1", (8, 0), Features(kv_cache_dtype="fp8", mla=True), "v0"),
    ("0.10.2", (8, 0), Features(kv_cache_dtype="fp8", mla=True), "v1"),  # FlashMLA / CUTLASS MLA
    ("0.10.1", (7, 5), Features(), "v0"),  # Turing fell back to V0 up to 0.10.1
    ("0.10.2", (7, 5), Features(), "v1"),
    ("0.8.5", (9, 0), Features(pipeline_parallel_size=2), "v0"),  # V1 PP needed the Ray executor
    ("0.8.5", (9, 0), Features(pipeline_parallel_size=2, executor="ray"), "v1"),
    ("0.9.2", (9, 0), Features(pipeline_parallel_size=2), "v1"),
    ("0.11.2", (8, 9), Features(kv_cache_dtype="fp8", pipeline_parallel_size=2), "v1"),  # no V0 left
])
def test_v1_falls_back_to_v0_for_what_it_does_not_support(version, cc, features, engine):
    """EngineArgs._is_v1_supported_oracle of each release (0.8.5, 0.9.2, 0.10.0-0.10.2 sources)."""
    assert runtime(version, compute_capability=cc, features=features).engine == engine
