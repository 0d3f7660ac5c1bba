"""Which engine and model runner really run a launch, and the profile run's batch they choose.

The release profile (``memory/releases.py``) says what each release can do; this module applies it to
one launch: the GPU's compute capability, ``VLLM_USE_V1`` and ``VLLM_USE_V2_MODEL_RUNNER``, the model's
architecture, and the engine's batch defaults (``EngineArgs`` / ``SchedulerConfig``).
"""

from __future__ import annotations

from dataclasses import dataclass

from vllm_lint.memory.releases import MemoryProfile, release
from vllm_lint.models.arch import ModelArch

@dataclass(frozen=True)
class Runtime:
    """The engine (``v0``/``v1``) and model runner (``v0``/``v1``/``v2``) of one launch at one release."""

    release: MemoryProfile
    engine: str
    runner: str

    @property
    def v1(self) -> bool:
        return self.engine == "v1"

    @property
    def runner_v2(self) -> bool:
        return self.runner == "v2"

    @property
    def profiling(self) -> str:
        """What the profile step subtracts, by engine and release (``MemoryProfile.v0_profiling`` /
        ``MemoryProfile.v1_profiling``):

        * ``free_drop``: ``init_free − free after profile_run``, read without emptying the cache, so the
          allocator's reserved segments count; the CUDA context predates ``init_free``.
        * ``used_minus_torch``: torch's allocated peak plus ``(total − free) − torch allocated``, which
          includes the CUDA context and other processes on the GPU.
        * ``memory_profiling``: torch's allocated peak increase plus the non-torch increase over a
          baseline taken after the CUDA context."""
        return self.release.v1_profiling if self.v1 else self.release.v0_profiling

    @property
    def era(self) -> str:
        rel = self.release
        if not self.v1:
            return rel.era_v0
        return rel.era_v2_runner if self.runner_v2 else rel.era_v1_runner

    @property
    def cuda_graphs_counted(self) -> bool:
        """The runner's CUDA-graph estimate is subtracted from the KV budget at this release."""
        rel = self.release
        if not self.v1:
            return False
        return rel.v2_runner_cuda_graphs if self.runner_v2 else rel.v1_runner_cuda_graphs


def _flag(env: dict[str, str], name: str) -> bool | None:
    value = env.get(name, "").strip().lower()
    if value in ("1", "true"):
        return True
    if value in ("0", "false"):
        return False
    return None


@dataclass(frozen=True)
class Features:
    """What of a launch decides whether V1 supports it (``EngineArgs._is_v1_supported_oracle``)."""

    kv_cache_dtype: str = "auto"
    pipeline_parallel_size: int = 1
    mla: bool = False
    executor: str | None = None  # --distributed-executor-backend


def _v1_keeps_fp8_kv(rel: MemoryProfile, cc: tuple[int, int] | None, mla: bool) -> bool:
    if cc is None:
        return True  # unknown GPU: no reason to assume the fallback
    if cc[0] == 9:
        return True  # FlashAttention 3 on Hopper
    if rel.v1_fp8_kv.startswith("hopper-blackwell") and tuple(cc) == (10, 0):
        return True
    return rel.v1_fp8_kv == "hopper-blackwell-mla" and mla


def engine_of(rel: MemoryProfile, env: dict[str, str] | None = None,
              compute_capability: tuple[int, int] | None = None, features: Features | None = None) -> str:
    """``v1`` from the release that made it the default, unless V0 still ships and the launch asks for it
    (``VLLM_USE_V1=0``) or uses what that release's V1 lacks (``EngineArgs._is_v1_supported_oracle``):
    a GPU below its minimum compute capability, an fp8 KV cache its attention backend cannot keep, or
    pipeline parallelism without Ray where it needs Ray."""
    if rel.engine_default == "v0":
        return "v0"
    if not rel.v0_available:
        return "v1"
    f = features or Features()
    cc = tuple(compute_capability) if compute_capability is not None else None
    if _flag(env or {}, "VLLM_USE_V1") is False:
        return "v0"
    if cc is not None and rel.v1_min_compute_capability is not None and cc < rel.v1_min_compute_capability:
        return "v0"
    if str(f.kv_cache_dtype or "auto").lower().startswith("fp8") and not _v1_keeps_fp8_kv(rel, cc, f.mla):
        return "v0"
    if f.pipeline_parallel_size > 1 and rel.v1_pp_needs_ray and f.executor != "ray":
        return "v0"
    return "v1"


def runner_of(rel: MemoryProfile, engine: str, model: ModelArch | None, env: dict[str, str] | None = None) -> str:
    """The model runner: ``VLLM_USE_V2_MODEL_RUNNER`` decides where the release reads it, else the
    release's default rule for the model's architecture (``MemoryProfile.v2_runner_default``)."""
    if engine != "v1":
        return "v0"
    if not rel.v2_runner_opt_in:
        return "v1"
    flag = _flag(env or {}, "VLLM_USE_V2_MODEL_RUNNER")
    if flag is not None:
        return "v2" if flag else "v1"
    rule = rel.v2_runner_default
    if rule.mode == "all":
        return "v2"
    if rule.mode == "none" or model is None:
        return "v1"
    archs = set(model.architectures)
    if rule.mode == "listed":
        ok = bool(archs & rule.architectures)
        if rule.dense_unquantized:
            ok = ok and not model.is_moe and not model.quantization
        return "v2" if ok else "v1"
    if "mamba" in model.attention_layer_kinds():
        return "v1"
    return "v2" if (archs & rule.moe_architectures or not model.is_moe) else "v1"


def runtime(version: str | None, model: ModelArch | None = None, env: dict[str, str] | None = None,
            compute_capability: tuple[int, int] | None = None, features: Features | None = None) -> Runtime:
    """The engine and runner that run ``model`` at ``version`` on a GPU of ``compute_capability``."""
    rel = release(version)
    engine = engine_of(rel, env, compute_capability, features)
    return Runtime(rel, engine, runner_of(rel, engine, model, env))


@dataclass(frozen=True)
class BatchDefaults:
    max_num_batched_tokens: int
    max_num_seqs: int
    chunked_prefill: bool


BIG_GPU_GIB = 70  # EngineArgs.get_batch_defaults: GPUs of 70 GiB and more (not A100) get larger batches
HUGE_GPU_GIB = 160


def batch_defaults(rt: Runtime, gpu_total_gib: float, gpu_name: str, max_model_len: int,
                   *, usage_context: str = "serve", chunked: bool | None = None, max_num_seqs: int | None = None,
                   max_num_batched_tokens: int | None = None, sliding_window: bool = False,
                   performance_mode: str | None = None) -> BatchDefaults:
    """Profile-run batch: max_num_batched_tokens and max_num_seqs after the engine's defaults.

    V0: max_num_seqs 256; chunked prefill off (on above 32K context without a sliding window where the
    release does so); without chunking the batch is max(max_model_len, 2048) tokens. V1: chunked
    prefill on; GPUs of 70 GiB and more that are not A100: 8192 tokens (16384 for the offline LLM
    class where the release distinguishes it, and on GPUs of 160 GiB where the release does), else
    2048 / 256 (8192 for the LLM class); then mnbt = min(max_num_seqs × max_model_len, mnbt).
    """
    rel = rt.release
    if not rt.v1:
        seqs = max_num_seqs or 256
        if chunked is None:
            chunked = rel.v0_chunked_prefill_auto and max_model_len > 32768 and not sliding_window
        if max_num_batched_tokens:
            mnbt = max_num_batched_tokens
        elif chunked:
            mnbt = rel.v0_chunked_prefill_tokens
        else:
            mnbt = max(max_model_len, 2048)
        return BatchDefaults(mnbt, min(seqs, mnbt), bool(chunked))
    big = gpu_total_gib >= BIG_GPU_GIB and "a100" not in gpu_name.lower()
    llm = usage_context == "llm" and rel.llm_class_batch_defaults
    if big:
        d_tokens = 16384 if llm else 8192
        if rel.huge_gpu_batch_tokens and gpu_total_gib >= HUGE_GPU_GIB:
            d_tokens = 16384
        d_seqs = rel.v1_big_gpu_max_num_seqs
    else:
        d_tokens = 8192 if llm else 2048
        d_seqs = 256
    if performance_mode == "throughput" and rel.performance_mode:
        d_tokens, d_seqs = d_tokens * 2, d_seqs * 2
    seqs = max_num_seqs or d_seqs
    chunked = True if chunked is None else chunked
    mnbt = max_num_batched_tokens or (d_tokens if chunked else max(max_model_len, d_tokens))
    mnbt = min(seqs * max_model_len, mnbt)
    return BatchDefaults(mnbt, min(seqs, mnbt), chunked)
