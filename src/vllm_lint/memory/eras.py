"""Which of vLLM's memory accountings a release uses, and the defaults that feed it.

Eras (vllm-memory-model.md §6, §7; groundtruth/NOTES.md for 0.26):

* ``v0-0.4``  0.4–0.5  V0 engine: ``blocks = (total×util − peak) / block``; chunked prefill off by
  default (0.5: auto-on above 32K context), profile batch = max(max_model_len, 2048) tokens.
* ``v0-0.6``  0.6–0.7  V0 with ``memory_profiling``: ``total×util − (weights + non_torch + activation)``.
* ``v1-0.8``  0.8–0.19 V1 engine (chunked prefill always on), util default 0.9, CUDA graphs captured
  after the KV cache out of the ``1 − util`` headroom. 0.8–0.10 run V0 with ``VLLM_USE_V1=0``.
* ``v1-0.20`` 0.20–0.32 util default 0.92; the V1 model runner still captures graphs after the KV
  cache (measured on 0.26.0: KV = requested − weights − activation − non_torch to 0.01 GiB, with
  0.7–1.0 GiB of graphs not subtracted). 0.30 rounds the budget up and stops scaling YaRN context.
* ``v1-0.33`` 0.33+ Model Runner V2 by default (vllm-flag-history.md §5; ``VLLM_USE_V2_MODEL_RUNNER=0``
  opts out, ``=1`` opts in earlier): its CUDA-graph estimate is subtracted
  (``VLLM_MEMORY_PROFILER_ESTIMATE_CUDAGRAPHS``, default 1) and the dummy sampler runs the fp32 path.
"""

from __future__ import annotations

from dataclasses import dataclass

from vllm_lint.vllm.versions import at_least

ERAS = ("v0-0.4", "v0-0.6", "v1-0.8", "v1-0.20", "v1-0.33")


def era_of(version: str, env: dict[str, str] | None = None, compute_capability: tuple[int, int] | None = None) -> str:
    """The accounting a release uses. 0.8–0.10 fall back to V0 with ``VLLM_USE_V1=0`` or on GPUs
    below compute capability 8.0 (V1 needed FlashAttention-capable GPUs then)."""
    env = env or {}
    v1_off = env.get("VLLM_USE_V1", "").strip() == "0"
    if compute_capability is not None and compute_capability < (8, 0):
        v1_off = True
    if not at_least(version, "0.6.0"):
        return "v0-0.4"
    if not at_least(version, "0.8.0") or (v1_off and not at_least(version, "0.11.0")):
        return "v0-0.6"
    if not at_least(version, "0.20.0"):
        return "v1-0.8"
    runner = env.get("VLLM_USE_V2_MODEL_RUNNER", "").strip()
    if runner == "0" or (not at_least(version, "0.33.0") and runner != "1"):
        return "v1-0.20"
    return "v1-0.33"


def profiling_method(version: str, era: str) -> str:
    """What the release subtracts for the profile run (worker ``determine_num_available_blocks``):

    * ``free_drop`` (V0 up to 0.6.3): ``init_free − free after profile_run``, read without emptying the
      cache, so the allocator's reserved segments count; the CUDA context predates ``init_free``.
    * ``used_minus_torch`` (0.6.4): torch's allocated peak plus ``(total − free) − torch allocated``,
      which includes the CUDA context and other processes on the GPU.
    * ``memory_profiling`` (0.6.5+ and V1): torch's allocated peak increase plus the non-torch increase
      over a baseline taken after the CUDA context."""
    if is_v1(era) or at_least(version, "0.6.5"):
        return "memory_profiling"
    if at_least(version, "0.6.4"):
        return "used_minus_torch"
    return "free_drop"


def is_v1(era: str) -> bool:
    return era.startswith("v1")


def default_utilization(version: str) -> float:
    """0.9 up to 0.19.x, 0.92 from 0.20.0 (vllm-memory-model.md §1.1)."""
    return 0.92 if at_least(version, "0.20.0") else 0.9


@dataclass(frozen=True)
class BatchDefaults:
    max_num_batched_tokens: int
    max_num_seqs: int
    chunked_prefill: bool


def batch_defaults(era: str, version: str, gpu_total_gib: float, gpu_name: str, max_model_len: int,
                   *, usage_context: str = "serve", chunked: bool | None = None, max_num_seqs: int | None = None,
                   max_num_batched_tokens: int | None = None, sliding_window: bool = False,
                   performance_mode: str | None = None) -> BatchDefaults:
    """Profile-run batch of a release: max_num_batched_tokens and max_num_seqs after vLLM's defaults.

    V0: max_num_seqs 256; chunked prefill off (0.5.4–0.10 auto-on when max_model_len > 32K without a
    sliding window); without chunking the batch is max(max_model_len, 2048) tokens; with it 512 (0.4)
    or 2048. V1: chunked prefill on; GPUs ≥ 70 GiB that are not A100: 8192 tokens / 1024 seqs for the
    server (16384 for the offline LLM class up to 0.26; 0.33: 16384 on ≥ 160 GiB), else 2048 / 256
    (8192 for the LLM class); then mnbt = min(max_num_seqs × max_model_len, mnbt).
    """
    if not is_v1(era):
        seqs = max_num_seqs or 256
        if chunked is None:
            chunked = at_least(version, "0.5.4") and max_model_len > 32768 and not sliding_window
        if max_num_batched_tokens:
            mnbt = max_num_batched_tokens
        elif chunked:
            mnbt = 512 if not at_least(version, "0.5.0") else 2048
        else:
            mnbt = max(max_model_len, 2048)
        return BatchDefaults(mnbt, min(seqs, mnbt), bool(chunked))
    big = gpu_total_gib >= 70 and "a100" not in gpu_name.lower()
    llm = usage_context == "llm" and not at_least(version, "0.30.0")
    if big:
        d_tokens = 16384 if llm else 8192
        if at_least(version, "0.33.0") and gpu_total_gib >= 160:
            d_tokens = 16384
        d_seqs = 1024 if at_least(version, "0.9.0") else 256
    else:
        d_tokens = 8192 if llm else 2048
        d_seqs = 256
    if performance_mode == "throughput" and at_least(version, "0.33.0"):
        d_tokens, d_seqs = d_tokens * 2, d_seqs * 2
    seqs = max_num_seqs or d_seqs
    chunked = True if chunked is None else chunked
    mnbt = max_num_batched_tokens or (d_tokens if chunked else max(max_model_len, d_tokens))
    mnbt = min(seqs * max_model_len, mnbt)
    return BatchDefaults(mnbt, min(seqs, mnbt), chunked)
