"""What each vLLM release does to memory: one ordered table of changes, folded into a per-release profile.

Every per-release fact the estimate reads is a field of ``MemoryProfile``. ``ROWS`` lists, in release order,
``(since, what changed, fields)``; ``release(version)`` folds every row up to ``version`` into a frozen
``MemoryProfile``. This module is the only place in ``memory/`` that compares versions (a test enforces it):
supporting a new vLLM release is one row here and one measured test.

The facts come from reading the vLLM wheels of each release (0.4.3 to 0.33.0); the ``what`` of each
row names the mechanism.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields, replace
from functools import lru_cache
from pathlib import Path
from typing import Mapping

from vllm_lint.vllm.versions import NEWEST, parse_version

DATA = Path(__file__).with_name("data")


@dataclass(frozen=True)
class RunnerRule:
    """Which models a release runs on Model Runner V2 when ``VLLM_USE_V2_MODEL_RUNNER`` is unset
    (``VllmConfig.use_v2_model_runner``). ``mode``: ``none``; ``listed`` (``architectures`` only, and with
    ``dense_unquantized`` only dense unquantized ones); ``dense`` (every model that is neither MoE, bar
    ``moe_architectures``, nor a Mamba/linear-attention hybrid); ``all``."""

    mode: str
    architectures: frozenset[str] = frozenset()
    moe_architectures: frozenset[str] = frozenset()
    dense_unquantized: bool = False


@dataclass(frozen=True)
class MemoryProfile:
    """The memory behaviour of one vLLM release (every field is set by the first row of ``ROWS``)."""

    version: str
    # engine and model runner
    engine_default: str  # "v0" or "v1"
    v0_available: bool  # V0 still ships: VLLM_USE_V1=0 and what V1 does not support fall back to it
    v1_min_compute_capability: tuple[int, int] | None  # older GPUs fall back to V0 (None: V1 runs on them)
    v1_fp8_kv: str  # where V1 keeps an fp8 KV cache: "hopper" (FA3), "hopper-blackwell" (+ SM100),
    # "hopper-blackwell-mla" (+ MLA models); elsewhere the launch falls back to V0 while it ships
    v1_pp_needs_ray: bool  # pipeline parallelism on V1 only with the Ray executor (default mp falls back)
    v2_runner_opt_in: bool  # VLLM_USE_V2_MODEL_RUNNER is read
    v2_runner_default: RunnerRule
    # what the profile step measures and subtracts
    v0_profiling: str  # free_drop | used_minus_torch | memory_profiling
    v1_profiling: str  # used_minus_torch (0.8.x) | memory_profiling
    default_utilization: float
    budget_rounds_up: bool  # requested = ceil(total × utilization) instead of int()
    cublas_before_snapshot: bool  # the worker creates its cuBLAS handle before the memory snapshot
    snapshot_after_distributed_init: bool  # the baseline follows NCCL / custom all-reduce set-up
    v1_runner_cuda_graphs: bool  # the V1 model runner's CUDA-graph estimate is subtracted
    v2_runner_cuda_graphs: bool  # Model Runner V2's CUDA-graph estimate is subtracted
    kv_cache_memory_bytes: bool  # --kv-cache-memory-bytes exists
    # the profile run's batch
    v0_chunked_prefill_tokens: int  # V0 max_num_batched_tokens with chunked prefill
    v0_chunked_prefill_auto: bool  # V0 turns chunked prefill on above 32K context (no sliding window)
    v1_big_gpu_max_num_seqs: int  # default max_num_seqs on GPUs >= 70 GiB that are not A100
    llm_class_batch_defaults: bool  # the offline LLM class has larger batch defaults than the server
    huge_gpu_batch_tokens: bool  # 16384 tokens on GPUs >= 160 GiB
    performance_mode: bool  # --performance-mode throughput doubles the batch defaults
    # what the profile run allocates
    moe_chunking: bool  # fused MoE in chunks of VLLM_FUSED_MOE_CHUNK_SIZE tokens
    llama_mlp_rebinds: bool  # LlamaMLP rebinds x to gate_up's output (frees it before down_proj)
    compile_spike: bool  # a cold torch.compile benchmarks kernels on copies of their arguments
    flashinfer_sampler_default: bool  # V1 runner: FlashInfer top-k/top-p when VLLM_USE_FLASHINFER_SAMPLER unset
    inplace_top_k_top_p: bool  # V1 runner: Triton top-k/top-p in place
    v2_sampler_bytes_per_logit: int  # Model Runner V2's dummy sampler, bytes per vocabulary logit
    v2_sampler_row_copies: int  # copies of the sampled hidden rows next to the logits
    v2_async_in_flight: bool  # Model Runner V2 keeps pp_size + 1 batches in flight
    # weights and KV cache
    gptq_marlin_frees_zeros: bool  # GPTQ on Marlin replaces qzeros with an empty tensor
    mla: bool  # MLA models store the compressed latent KV
    mla_dequantized_kv_b: bool  # MLA keeps a model-dtype copy of a quantized kv_b_proj (W_UK_T, W_UV views)
    mla_absorbed: bool  # V0 MLA absorbs W_UK into W_Q and W_UV into W_O (VLLM_MLA_PERFORM_MATRIX_ABSORPTION)
    flashmla_hopper_block64: bool  # MLA on Hopper runs FlashMLA with blocks of 64
    hybrid_kv_groups: bool  # V1 groups layers by kind (sliding-window and mamba savings)
    kv_tokens_from_concurrency: bool  # "GPU KV cache size" = max concurrency × max_model_len
    fit_check_null_block: bool  # the V1 fit check holds back the block pool's null block
    language_model_only: bool  # encoders skipped when every modality limit is 0
    lora_in_model_memory: bool  # LoRA slots created inside "Model loading took" (V0 before 0.8: after it)
    lora_extra_vocab: bool  # LoRA adds lora_extra_vocab_size (256) rows to embed_tokens / lm_head
    max_model_len_auto_fit: bool  # --max-model-len -1/auto fits the context itself
    # era labels of the accounting (the JSON ``era`` key); "" where the engine or runner does not exist
    era_v0: str
    era_v1_runner: str
    era_v2_runner: str


@dataclass(frozen=True)
class Row:
    since: str
    what: str
    changes: Mapping[str, object]


def _runner_lists() -> dict[str, frozenset[str]]:
    data = json.loads((DATA / "model_runner_v2.json").read_text(encoding="utf-8"))
    return {k: frozenset(v) for k, v in data["lists"].items()}


_LISTS = _runner_lists()

ROWS: tuple[Row, ...] = (
    Row("0.4.0", "V0 engine: KV = total × utilization − the free-memory drop over the profile run; "
                 "profile batch max(max_model_len, 2048) tokens", dict(
        engine_default="v0", v0_available=True, v1_min_compute_capability=(8, 0), v1_fp8_kv="hopper",
        v1_pp_needs_ray=True, v2_runner_opt_in=False, v2_runner_default=RunnerRule("none"),
        v0_profiling="free_drop", v1_profiling="memory_profiling", default_utilization=0.9, budget_rounds_up=False, cublas_before_snapshot=False, snapshot_after_distributed_init=False,
        v1_runner_cuda_graphs=False, v2_runner_cuda_graphs=False, kv_cache_memory_bytes=False,
        v0_chunked_prefill_tokens=512, v0_chunked_prefill_auto=False, v1_big_gpu_max_num_seqs=256,
        llm_class_batch_defaults=True, huge_gpu_batch_tokens=False, performance_mode=False,
        moe_chunking=False, llama_mlp_rebinds=False, compile_spike=False, flashinfer_sampler_default=True,
        inplace_top_k_top_p=False, v2_sampler_bytes_per_logit=2, v2_sampler_row_copies=1,
        v2_async_in_flight=False, gptq_marlin_frees_zeros=False, mla=False, mla_dequantized_kv_b=False, mla_absorbed=False, flashmla_hopper_block64=True,
        hybrid_kv_groups=False, kv_tokens_from_concurrency=False, fit_check_null_block=False, language_model_only=False,
        lora_in_model_memory=False, lora_extra_vocab=True,
        max_model_len_auto_fit=False, era_v0="v0-0.4", era_v1_runner="", era_v2_runner="")),
    Row("0.5.0", "V0 chunked prefill batches 2048 tokens", dict(v0_chunked_prefill_tokens=2048)),
    Row("0.5.2", "fused MoE runs in chunks of 32768 tokens", dict(moe_chunking=True)),
    Row("0.5.4", "V0 turns chunked prefill on above 32K context without a sliding window",
        dict(v0_chunked_prefill_auto=True)),
    Row("0.6.0", "LlamaMLP rebinds x to the gate_up output, so gate_up dies before the down projection",
        dict(llama_mlp_rebinds=True, era_v0="v0-0.6")),
    Row("0.6.2", "GPTQ on Marlin (MPLinearKernel) frees the zero points after loading",
        dict(gptq_marlin_frees_zeros=True)),
    Row("0.6.4", "V0 subtracts (total − free) − torch allocated: the CUDA context counts as non-torch",
        dict(v0_profiling="used_minus_torch")),
    Row("0.6.5", "V0 memory_profiling: weights + non-torch increase + torch peak increase",
        dict(v0_profiling="memory_profiling")),
    Row("0.7.1", "MLA: DeepSeek-V2/V3 store the compressed latent KV; MLACommonImpl absorbs W_UK into W_Q and "
                 "W_UV into W_O after loading and keeps the products (VLLM_MLA_PERFORM_MATRIX_ABSORPTION=1)",
        dict(mla=True, mla_absorbed=True)),
    Row("0.8.0", "V1 engine by default (VLLM_USE_V1=0 and GPUs below compute capability 8.0 run V0); "
                 "CUDA graphs captured after the KV cache, outside the budget; MLA keeps W_UK_T and W_UV as views "
                 "of kv_b_proj's weight, dequantized to the model dtype when it is quantized (no absorbed products); "
                 "the V0 model runner "
                 "creates the LoRA slots inside 'Model loading took' (0.6.5-0.7.3: after it, so no term held them); "
                 "the V1 worker subtracts torch's allocated peak plus (total − free) − torch allocated, CUDA context "
                 "included, as V0 did in 0.6.4 (Worker.determine_available_memory, 0.8.0 and 0.8.5)",
        dict(engine_default="v1", era_v1_runner="v1-0.8", mla_dequantized_kv_b=True, mla_absorbed=False,
             lora_in_model_memory=True,
             v1_profiling="used_minus_torch")),
    Row("0.9.0", "V1 server defaults to 1024 sequences on GPUs of 70 GiB and more (not A100); V1 pipeline "
                 "parallelism on the multiprocessing executor; V1 measures with memory_profiling from a snapshot "
                 "taken after the CUDA context", dict(v1_big_gpu_max_num_seqs=1024, v1_pp_needs_ray=False,
                                                      v1_profiling="memory_profiling")),
    Row("0.10.0", "hybrid KV cache groups (sliding-window and mamba layers hold less); "
                  "--kv-cache-memory-bytes; an fp8 KV cache stays on V1 on Blackwell too",
        dict(hybrid_kv_groups=True, kv_cache_memory_bytes=True, v1_fp8_kv="hopper-blackwell")),
    Row("0.10.1", "language-model-only mode: a vision tower with every modality limit 0 is not built",
        dict(language_model_only=True)),
    Row("0.10.2", "V1 runs on GPUs below compute capability 8.0 (no fallback to V0) and keeps an fp8 KV cache "
                  "for MLA models (FlashMLA, CUTLASS MLA)",
        dict(v1_min_compute_capability=None, v1_fp8_kv="hopper-blackwell-mla")),
    Row("0.11.0", "V0 engine removed: every launch runs V1", dict(v0_available=False, era_v0="")),
    Row("0.12.0", "torch 2.9: Inductor benchmarks combo kernels while compiling (cold-compile spike); "
                  "the FlashInfer sampler becomes opt-in (PyTorch sort path)",
        dict(compile_spike=True, flashinfer_sampler_default=False)),
    Row("0.14.0", "--max-model-len -1/auto fits the context to the KV cache; LoRA adds no extra vocabulary rows "
                  "(--lora-extra-vocab-size deprecated in 0.11.2, gone in 0.14.1; 0.12-0.13 not read)",
        dict(max_model_len_auto_fit=True, lora_extra_vocab=False)),
    Row("0.17.0", "in-place Triton top-k/top-p in the V1 runner's sampler", dict(inplace_top_k_top_p=True)),
    Row("0.20.0", "utilization default 0.92; the V1 model runner's CUDA-graph estimate is subtracted "
                  "(VLLM_MEMORY_PROFILER_ESTIMATE_CUDAGRAPHS=1); VLLM_USE_V2_MODEL_RUNNER=1 opts in to Model Runner V2",
        dict(default_utilization=0.92, v1_runner_cuda_graphs=True, v2_runner_opt_in=True,
             era_v1_runner="v1-0.20", era_v2_runner="v1-0.20")),
    Row("0.21.0", "FlashInfer sampler on by default again", dict(flashinfer_sampler_default=True)),
    Row("0.22.0", "Model Runner V2 by default for dense, unquantized Qwen3 (it samples in place on the "
                  "model-dtype logits); KV tokens logged as concurrency × max_model_len",
        dict(v2_runner_default=RunnerRule("listed", _LISTS["qwen3"], dense_unquantized=True),
             kv_tokens_from_concurrency=True)),
    Row("0.24.0", "Model Runner V2 by default for six listed architectures",
        dict(v2_runner_default=RunnerRule("listed", _LISTS["listed_0_24"]))),
    Row("0.25.0", "Model Runner V2 by default for every dense, non-hybrid model and three MoE families",
        dict(v2_runner_default=RunnerRule("dense", moe_architectures=_LISTS["moe_0_25"]))),
    Row("0.29.0", "the fit check and auto-fit hold back the null block the block pool keeps",
        dict(fit_check_null_block=True)),
    Row("0.30.0", "requested memory rounded up to a byte; the offline LLM class takes the server's batch defaults; "
                  "the memory snapshot follows distributed init (custom all-reduce buffers outside the figure)",
        dict(budget_rounds_up=True, llm_class_batch_defaults=False, snapshot_after_distributed_init=True)),
    Row("0.33.0", "Model Runner V2 for every model, with its CUDA-graph estimate subtracted and an fp32 "
                  "sampler pass; cuBLAS handle created before the memory snapshot; async scheduling keeps "
                  "pp_size + 1 batches in flight; FLASH_ATTN_MLA (blocks of 16) on Hopper; 16384 tokens on "
                  "GPUs of 160 GiB; --performance-mode",
        dict(v2_runner_default=RunnerRule("all"), v2_runner_cuda_graphs=True, v2_sampler_bytes_per_logit=10,
             v2_sampler_row_copies=2, cublas_before_snapshot=True, v2_async_in_flight=True,
             flashmla_hopper_block64=False, huge_gpu_batch_tokens=True, performance_mode=True,
             era_v2_runner="v1-0.33")),
)

_FIELDS = frozenset(f.name for f in fields(MemoryProfile)) - {"version"}


def _key(version: str) -> tuple[int, int, int, int]:
    parsed = parse_version(version)
    if parsed is None:
        raise ValueError(f"not a vLLM version: {version!r}")
    return parsed


@lru_cache(maxsize=256)
def release(version: str | None = None) -> MemoryProfile:
    """The profile of ``version`` (None or an unparseable text: the newest known release). Releases
    before the first row (0.3.x) take the first row's behaviour."""
    if version is None or parse_version(version) is None:
        version = NEWEST
    v = _key(version)
    state: dict[str, object] = {}
    for row in ROWS:
        if row.since != ROWS[0].since and _key(row.since) > v:
            break
        state.update(row.changes)
    return MemoryProfile(version=version, **state)  # type: ignore[arg-type]


def rows_changing(field: str) -> list[tuple[str, object, str]]:
    """``(since, value, what)`` for every row that sets ``field``, in release order."""
    return [(r.since, r.changes[field], r.what) for r in ROWS if field in r.changes]


def era_order() -> list[str]:
    """Every era label in the order the rows introduce them (V0's, then the V1 runners')."""
    seen: list[str] = []
    for row in ROWS:
        for name in ("era_v0", "era_v1_runner", "era_v2_runner"):
            label = row.changes.get(name)
            if label and label not in seen:
                seen.append(label)
    return seen


def _minor(version: str) -> str:
    major, minor, *_ = _key(version)
    return f"{major}.{minor}"


def _before(version: str) -> str:
    """The minor line before ``version``'s (``0.33.0`` -> ``0.32``)."""
    major, minor, *_ = _key(version)
    return f"{major}.{minor - 1}"


def _span(field: str, value: object, version: str) -> str:
    """Releases over which ``field`` keeps the value it has at ``version`` (``0.20–0.32``, ``0.33+``)."""
    changes = rows_changing(field)
    start, end = changes[0][0], None
    v = _key(version)
    for i, (since, _val, _what) in enumerate(changes):
        if _key(since) <= v:
            start = since
            end = changes[i + 1][0] if i + 1 < len(changes) else None
    first = _minor(start)
    return f"{first}+" if end is None else (first if _before(end) == first else f"{first}–{_before(end)}")


def cuda_graph_statement() -> str:
    """Which releases subtract CUDA-graph memory before sizing the KV cache, generated from ``ROWS``: the
    one statement of it (``tools/gen_rule_docs.py`` writes it into VL101's explanation)."""
    v1 = next(since for since, value, _ in rows_changing("v1_runner_cuda_graphs") if value)
    v2_opt = next(since for since, value, _ in rows_changing("v2_runner_opt_in") if value)
    v2 = next(since for since, value, _ in rows_changing("v2_runner_cuda_graphs") if value)
    return (f"vLLM subtracts its CUDA-graph estimate from the KV-cache budget from {_minor(v1)} with the V1 model "
            f"runner and from {_minor(v2)} with Model Runner V2 (which reports none in {_minor(v2_opt)}–{_before(v2)}); "
            f"earlier releases, V0 and Model Runner V2 before {_minor(v2)} capture the graphs after the KV cache, "
            f"out of the 1 − gpu_memory_utilization headroom. Never with --enforce-eager, -O0, cudagraph_mode NONE "
            f"or VLLM_MEMORY_PROFILER_ESTIMATE_CUDAGRAPHS=0.")


_PROFILING_TEXT = {
    "free_drop": "free-memory drop over the profile run, allocator segments included",
    "used_minus_torch": "torch peak plus all other used memory, CUDA context included",
    "memory_profiling": "memory_profiling: weights + non-torch + activation",
}


def era_text(version: str | None, engine: str, runner: str) -> str:
    """One line naming the accounting the estimate follows, generated from the rows: the releases that
    share it, the engine and model runner, the default utilization and whether CUDA graphs count."""
    rel = release(version)
    if engine == "v0":
        span = _span("era_v0", rel.era_v0, rel.version)
        return f"vLLM {span} V0 engine ({rel.version}: {_PROFILING_TEXT[rel.v0_profiling]})"
    field = "era_v2_runner" if runner == "v2" else "era_v1_runner"
    span = _span(field, getattr(rel, field), rel.version)
    name = "Model Runner V2" if runner == "v2" else "V1 model runner"
    counted = rel.v2_runner_cuda_graphs if runner == "v2" else rel.v1_runner_cuda_graphs
    graphs = "CUDA-graph estimate subtracted" if counted else "CUDA graphs outside the budget"
    return f"vLLM {span} V1 engine, {name} (utilization default {rel.default_utilization:g}, {graphs})"


def with_changes(rel: MemoryProfile, **changes: object) -> MemoryProfile:
    """A copy of a profile with some fields changed (tests and "what if" comparisons)."""
    unknown = set(changes) - _FIELDS
    if unknown:
        raise TypeError(f"unknown release fields: {sorted(unknown)}")
    return replace(rel, **changes)


__all__ = ["ROWS", "MemoryProfile", "Row", "RunnerRule", "cuda_graph_statement", "era_order", "era_text", "release",
           "rows_changing",
           "with_changes"]
