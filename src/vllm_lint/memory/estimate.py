"""KV-cache capacity per GPU, following vLLM's own accounting for the target release.

``estimate`` is pure: model + GPU + engine settings + release -> ``Capacity``. Per GPU:

    budget      = total_gib × gpu_memory_utilization            (rounded up from Release.budget_rounds_up)
    kv_cache    = budget − weights − activation_peak − non_torch − cuda_graphs (where counted, see
                  releases.cuda_graph_statement) (or --kv-cache-memory-bytes; or --num-gpu-blocks-override)
    blocks      = floor(kv_cache / bytes_per_block)
    V0 check    : blocks × block_size ≥ max_model_len          ("The model's max seq len (...) is larger than ...")
    V1 check    : blocks_per_request(max_model_len) × bytes_per_block ≤ kv_cache − one block
                  ("... the estimated maximum model length is N")

With TP/PP every rank profiles itself; the rank with the fewest blocks decides (vLLM shrinks every
worker to the minimum). ``memory/releases.py`` says which release does what; ``memory/engine.py``
which engine and model runner run the launch.
"""

from __future__ import annotations

import copy
import math
from dataclasses import asdict, dataclass, field, replace

from vllm_lint.hardware.gpus import GpuSpec
from vllm_lint.hardware.l2 import l2_cache_bytes
from vllm_lint.memory.activation import (activation_peak, compile_autotune_bytes, compile_spike_bytes,
                                         cublas_workspace_bytes, cuda_graph_bytes, non_torch_bytes,
                                         sampler_bytes_per_logit)
from vllm_lint.memory.engine import BatchDefaults, Features, Runtime, batch_defaults, runtime
from vllm_lint.memory.releases import era_text
from vllm_lint.memory.kv import KvLayout, kv_dtype_bytes, kv_layout
from vllm_lint.memory.multimodal import vision_tower_loaded
from vllm_lint.memory.settings import EngineSettings
from vllm_lint.memory.uncertainty import band, family_of
from vllm_lint.memory.weights import weights_per_rank, rope_cache_bytes
from vllm_lint.models.arch import ModelArch, ceil_div, dtype_bytes
from vllm_lint.units import GIB

COMFORTABLE_CONCURRENCY = 2.0  # full-length requests at once below which long requests queue (VL103)


@dataclass
class Capacity:
    """The capacity estimate for one launch, per GPU (the DESIGN.md ``capacity --format json`` keys)."""

    model: str
    gpu_name: str
    gpu_total_gib: float
    gpu_count: int | None
    vllm_version: str
    era: str
    tensor_parallel_size: int
    pipeline_parallel_size: int
    gpu_memory_utilization: float
    budget_gib: float
    weights_gib: float
    activation_gib: float
    non_torch_gib: float
    cuda_graph_gib: float
    kv_cache_gib: float
    kv_bytes_per_token: int
    block_size: int
    num_gpu_blocks: int
    kv_cache_tokens: int
    max_model_len: int
    fits: bool
    max_model_len_that_fits: int
    min_gpu_memory_utilization: float | None
    max_concurrency: float
    needed_kv_gib: float
    estimated_max_model_len: int  # vLLM's own figure in its error message at these settings (V1), else tokens
    weights_format: str = "bf16"
    kv_cache_dtype: str = "auto"
    max_num_batched_tokens: int = 0
    max_num_seqs: int = 0
    chunked_prefill: bool = True
    kv_override: str | None = None  # "kv_cache_memory_bytes" / "num_gpu_blocks_override"
    band: "Band | None" = None  # the uncertainty band at this launch
    # V0 with TP > 1: a last-stage rank other than the driver, which does not sample (more KV cache;
    # vLLM sizes every rank to the driver's)
    non_driver_rank: dict | None = None
    engine: str = "v1"  # "v0" or "v1": the engine that really runs (memory/engine.py)
    model_runner: str = "v1"  # "v0", "v1" or "v2" (Model Runner V2)
    notes: list[str] = field(default_factory=list)

    @property
    def model_runner_v2(self) -> bool:
        return self.model_runner == "v2"

    @property
    def era_text(self) -> str:
        return era_text(self.vllm_version, self.engine, self.model_runner)

    @property
    def per_gpu_note(self) -> str:
        n = self.tensor_parallel_size * self.pipeline_parallel_size
        return "per GPU" if n == 1 else f"per GPU (each of {n} GPUs; TP={self.tensor_parallel_size}, PP={self.pipeline_parallel_size})"

    def to_json(self) -> dict:
        return {
            "model": self.model,
            "gpu": {"name": self.gpu_name, "total_gib": round(self.gpu_total_gib, 2), "count": self.gpu_count},
            "vllm_version": self.vllm_version,
            "era": self.era,
            "engine": self.engine,
            "model_runner": self.model_runner,
            "tensor_parallel_size": self.tensor_parallel_size,
            "pipeline_parallel_size": self.pipeline_parallel_size,
            "gpu_memory_utilization": self.gpu_memory_utilization,
            "budget_gib": round(self.budget_gib, 3),
            "weights_gib": round(self.weights_gib, 3),
            "activation_gib": round(self.activation_gib, 3),
            "non_torch_gib": round(self.non_torch_gib, 3),
            "cuda_graph_gib": round(self.cuda_graph_gib, 3),
            "kv_cache_gib": round(self.kv_cache_gib, 3),
            "kv_bytes_per_token": self.kv_bytes_per_token,
            "block_size": self.block_size,
            "num_gpu_blocks": self.num_gpu_blocks,
            "kv_cache_tokens": self.kv_cache_tokens,
            "max_model_len": self.max_model_len,
            "fits": self.fits,
            "max_model_len_that_fits": self.max_model_len_that_fits,
            "min_gpu_memory_utilization": self.min_gpu_memory_utilization,
            "max_concurrency": round(self.max_concurrency, 2),
            "needed_kv_gib": round(self.needed_kv_gib, 3),
            "estimated_max_model_len": self.estimated_max_model_len,
            "weights_format": self.weights_format,
            "kv_cache_dtype": self.kv_cache_dtype,
            "max_num_batched_tokens": self.max_num_batched_tokens,
            "max_num_seqs": self.max_num_seqs,
            **self._band_json(),
            **({"non_driver_rank": self.non_driver_rank} if self.non_driver_rank else {}),
            "notes": list(self.notes),
        }

    def _band_json(self) -> dict:
        b = self.band
        if b is None:
            return {}
        return {"kv_cache_tokens_low": b.kv_cache_tokens_low, "kv_cache_tokens_high": b.kv_cache_tokens_high,
                "uncertainty": {"fraction_of_budget": b.fraction, "margin_gib": round(b.margin_gib, 3),
                                "scope": b.scope, "fits_low": b.fits_low, "fits_high": b.fits_high},
                "max_model_len_that_fits_low": b.max_model_len_that_fits_low,
                "recommended_max_model_len": b.recommended_max_model_len}

    @property
    def at_the_edge(self) -> bool:
        """The verdict flips inside the uncertainty band: vLLM may or may not start."""
        b = self.band
        return b is not None and b.fits_low != b.fits_high

    @property
    def tokens_pm(self) -> str:
        """``±3%`` (of the KV tokens) for the band, or "" without one."""
        b = self.band
        if b is None or self.kv_cache_tokens <= 0:
            return ""
        delta = max(abs(b.kv_cache_tokens_high - self.kv_cache_tokens), abs(self.kv_cache_tokens - b.kv_cache_tokens_low))
        pct = delta / self.kv_cache_tokens * 100
        if pct >= 50:  # a percentage of a nearly empty cache says little: give the tokens
            return f"±{delta:,} tokens"
        return f"±{pct:.0f}%" if pct >= 1 else f"±{pct:.1f}%"

    def breakdown_lines(self) -> list[str]:
        """Human lines for diagnostic notes: every term of the budget, per GPU."""
        u = self.gpu_memory_utilization
        lines = [
            f"{self.gpu_name}: {self.gpu_total_gib:.2f} GiB visible to CUDA × gpu_memory_utilization {u:g} "
            f"= {self.budget_gib:.2f} GiB budget {self.per_gpu_note}",
            f"  − weights {self.weights_gib:.2f} GiB ({self.weights_format})",
            f"  − activation peak {self.activation_gib:.2f} GiB (profile run of {self.max_num_batched_tokens} tokens, "
            f"{self.max_num_seqs} sequences)",
            f"  − non-torch memory {self.non_torch_gib:.2f} GiB",
        ]
        if self.cuda_graph_gib:
            lines.append(f"  − CUDA graphs {self.cuda_graph_gib:.2f} GiB")
        if self.kv_override:
            lines.append(f"  KV cache set by --{self.kv_override.replace('_', '-')}")
        lines.append(
            f"  = KV cache {self.kv_cache_gib:.2f} GiB: {self.num_gpu_blocks} blocks of {self.block_size} tokens "
            f"= {self.kv_cache_tokens:,} tokens at {self.kv_bytes_per_token / 1024:g} KiB per token"
        )
        lines.append(
            f"  one {self.max_model_len}-token request needs {self.needed_kv_gib:.2f} GiB; "
            f"max concurrency {self.max_concurrency:.2f}x ({self.era_text}, estimated)"
        )
        return lines


@dataclass(frozen=True)
class _Rank:
    weights: int
    weights_format: str
    activation: int
    non_torch: int
    cuda_graph: int
    available: int
    layout: KvLayout
    num_blocks: int
    blocks_per_request: int
    in_flight: int


def _pp_layers(num_layers: int, pp: int, partition: str | None = None) -> list[int]:
    """Layers per pipeline stage: ``VLLM_PP_LAYER_PARTITION`` ("16,32") when it names every stage and adds
    up to the layer count (vLLM rejects it otherwise), else an even split."""
    if partition:
        try:
            parts = [int(x) for x in partition.split(",")]
        except ValueError:
            parts = []
        if len(parts) == pp and sum(parts) == num_layers and all(p > 0 for p in parts):
            return parts
    base, rem = divmod(num_layers, pp)
    return [base + (1 if i < rem else 0) for i in range(pp)]


def _model_dtype_bytes(model: ModelArch, settings: EngineSettings, gpu: GpuSpec) -> int:
    d = (settings.dtype or "auto").lower()
    if d in ("float32", "fp32", "float"):
        return 4
    if d != "auto":
        return dtype_bytes(d)
    b = dtype_bytes(model.torch_dtype)
    return 2 if b == 4 else b  # fp32 checkpoints run in bf16/fp16


class _Ctx:
    """Everything that does not depend on max_model_len."""

    def __init__(self, model: ModelArch, gpu: GpuSpec, s: EngineSettings, version: str):
        self.model, self.gpu, self.s, self.version = model, gpu, s, version
        self.env = dict(s.env or {})
        features = Features(s.kv_cache_dtype, max(1, int(s.pipeline_parallel_size or 1)), model.is_mla,
                            s.distributed_executor_backend)
        self.rt: Runtime = runtime(version, model, self.env, gpu.compute_capability, features)
        self.rel = self.rt.release
        self.era = self.rt.era
        self.v1 = self.rt.v1
        self.compiled = self.v1 and not s.enforce_eager
        # VLLM_DISABLE_COMPILE_CACHE=1 compiles afresh on every start, whatever the deployment persists
        disabled = self.env.get("VLLM_DISABLE_COMPILE_CACHE", "0").strip() not in ("", "0")
        self.compile_cache = "cold" if disabled else s.compile_cache
        self.autotune = compile_autotune_bytes(self.compiled, self.compile_cache, l2_cache_bytes(gpu))
        self.sampler_per_logit = sampler_bytes_per_logit(self.rt, self.env)
        self.tp = max(1, int(s.tensor_parallel_size or 1))
        self.pp = max(1, int(s.pipeline_parallel_size or 1))
        self.util = s.gpu_memory_utilization if s.gpu_memory_utilization is not None else self.rel.default_utilization
        self.total = gpu.total_bytes
        self.budget = math.ceil(self.total * self.util) if self.rel.budget_rounds_up else int(self.total * self.util)
        self.dtype_bytes = _model_dtype_bytes(model, s, gpu)
        self.kv_bytes, self.kv_name = kv_dtype_bytes(s.kv_cache_dtype, self.dtype_bytes, model)
        self.layers = _pp_layers(model.num_layers, self.pp, self.env.get("VLLM_PP_LAYER_PARTITION"))
        self.sliding = any(k == "sliding" for k in model.attention_layer_kinds())
        self.vision = vision_tower_loaded(model, version, s.mm_limits, s.language_model_only)
        # the runner takes images: V0 shrinks the dummy batch, V1 embeds outside the compiled graph
        self.mm_inputs = self.vision and bool(model.extra.get("vision_params"))
        self.shift = 0  # bytes added to the KV cache: the ends of the uncertainty band

    def shifted(self, delta: int) -> "_Ctx":
        """This launch with ``delta`` bytes more (or fewer) left for the KV cache."""
        other = copy.copy(self)
        other.shift = delta
        return other

    def dummy_rows(self, bd: BatchDefaults) -> int:
        """Sequences in the profile run's dummy batch. V0 gives a multimodal model's dummy sequences room for
        one largest image each: ``max(1, min(max_num_seqs, max_num_batched_tokens // max_mm_tokens))``
        (worker/model_runner.py ``profile_run``, 0.5–0.10); V1 always uses ``min(max_num_seqs, tokens)``."""
        rows = bd.max_num_seqs
        mm = int(self.model.extra.get("max_image_tokens", 0))
        if not self.v1 and self.mm_inputs and mm:
            rows = max(1, min(rows, bd.max_num_batched_tokens // mm))
        return rows

    def spike(self, tokens: int) -> int:
        """Cold torch.compile spike on the first pipeline rank (memory/activation.py)."""
        return compile_spike_bytes(self.model, tokens=tokens, dtype_bytes=self.dtype_bytes, tp=self.tp,
                                   rt=self.rt, compiled=self.compiled, compile_cache=self.compile_cache,
                                   multimodal_inputs=self.mm_inputs)

    def rank(self, pp_rank: int, max_model_len: int, samples: bool = True) -> tuple[_Rank, object]:
        """One worker: pipeline stage ``pp_rank``; ``samples=False`` for a V0 tensor-parallel rank other
        than the driver, which does not sample."""
        m, s = self.model, self.s
        layers = self.layers[pp_rank]
        w = weights_per_rank(m, tp=self.tp, pp=self.pp, pp_rank=pp_rank, layers_on_rank=layers,
                             dtype_bytes=self.dtype_bytes, quantization_flag=s.quantization,
                             vision=self.vision, gpu_cc=self.gpu.compute_capability, version=self.version)
        # model memory as vLLM logs it: parameters plus the rotary cos/sin buffer built at init
        wbytes = w.bytes + rope_cache_bytes(m, self.dtype_bytes)
        wbytes = max(0, wbytes - int((s.cpu_offload_gb or 0) * 1e9))  # --cpu-offload-gb is decimal GB
        bd = batch_defaults(self.rt, self.gpu.total_gib, self.gpu.name, max_model_len,
                            usage_context=s.usage_context, chunked=s.enable_chunked_prefill, max_num_seqs=s.max_num_seqs,
                            max_num_batched_tokens=s.max_num_batched_tokens, sliding_window=self.sliding,
                            performance_mode=s.performance_mode)
        act = activation_peak(m, tokens=bd.max_num_batched_tokens, rows=self.dummy_rows(bd), dtype_bytes=self.dtype_bytes,
                              tp=self.tp, rt=self.rt, last_rank=pp_rank == self.pp - 1,
                              # V1 profiles the torch.compile'd model unless eager; V0 always ran eager
                              compiled=self.compiled,
                              cublas_workspace=cublas_workspace_bytes(self.rt, self.gpu.compute_capability),
                              autotune=self.autotune,
                              compile_spike=self.spike(bd.max_num_batched_tokens) if pp_rank == 0 else 0,
                              sampler_per_logit=self.sampler_per_logit, samples=samples)
        nt = non_torch_bytes(self.rt, self.tp * self.pp, self.gpu.compute_capability)
        capture = s.cudagraph_capture_size or min(bd.max_num_seqs * (1 + s.num_speculative_tokens) * 2, 512)
        cg = cuda_graph_bytes(self.rt, enforce_eager=s.enforce_eager or not s.cudagraphs, layers_on_rank=layers,
                              capture_size=capture, env=self.env)
        layout = kv_layout(m, tp=self.tp, layers_on_rank=layers, kv_bytes=self.kv_bytes, version=self.version, v1=self.v1,
                           block_size=s.block_size, gpu_cc=self.gpu.compute_capability, env=self.env,
                           disable_sliding_window=s.disable_sliding_window,
                           disable_hybrid=s.disable_hybrid_kv_cache_manager)
        available = self.budget - wbytes - act.peak_bytes - nt - cg + self.shift
        override = None
        if s.kv_cache_memory_bytes and self.rel.kv_cache_memory_bytes:
            available, override = int(s.kv_cache_memory_bytes), "kv_cache_memory_bytes"
        bpb = max(1, layout.bytes_per_block)
        num_blocks = max(0, available // bpb)
        if s.num_gpu_blocks_override:
            num_blocks, override = int(s.num_gpu_blocks_override), "num_gpu_blocks_override"
            available = num_blocks * bpb
        # Model Runner V2 with async scheduling keeps pp_size + 1 batches in flight (SlidingWindowSpec admission)
        async_sched = self.rt.runner_v2 and self.rel.v2_async_in_flight
        in_flight = (self.pp + 1 if async_sched else self.pp) * bd.max_num_batched_tokens
        bpr = layout.blocks_per_request(max_model_len, in_flight)
        r = _Rank(wbytes, w.format, act.peak_bytes, nt, cg, available, layout, num_blocks, bpr, in_flight)
        return r, (bd, override)

    def worst(self, max_model_len: int) -> tuple[_Rank, object]:
        ranks = [self.rank(i, max_model_len) for i in range(self.pp)]
        return min(ranks, key=lambda rr: (rr[0].num_blocks, rr[0].available))

    def fits(self, max_model_len: int) -> bool:
        r, _ = self.worst(max_model_len)
        return _fits(self, r, max_model_len)


def _fits(c: _Ctx, r: _Rank, max_model_len: int) -> bool:
    bpb = r.layout.bytes_per_block
    if c.v1:
        check = (r.num_blocks * bpb if c.s.num_gpu_blocks_override else r.available) - _null_block(c, r)
        return check > 0 and r.blocks_per_request * bpb <= check
    return r.num_blocks > 0 and r.num_blocks * r.layout.block_size >= max_model_len


def _null_block(c: _Ctx, r: _Rank) -> int:
    """Bytes the V1 fit check holds back for the block pool's null block (``Release.fit_check_null_block``)."""
    return r.layout.bytes_per_block if c.rel.fit_check_null_block else 0


def _largest_fitting(c: _Ctx, upper: int) -> int:
    if upper <= 0 or not c.fits(1):
        return 0
    if c.fits(upper):
        return upper
    lo, hi = 1, upper  # fits(lo) true, fits(hi) false
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if c.fits(mid):
            lo = mid
        else:
            hi = mid
    return lo


def _min_util(c: _Ctx, r: _Rank, max_model_len: int) -> float | None:
    if c.s.kv_cache_memory_bytes or c.s.num_gpu_blocks_override:
        return None
    bpb = r.layout.bytes_per_block
    need = r.blocks_per_request * bpb + _null_block(c, r) if c.v1 else ceil_div(max_model_len, r.layout.block_size) * bpb
    fixed = r.weights + r.activation + r.non_torch + r.cuda_graph
    u = math.ceil((fixed + need) / c.total * 100) / 100
    return u if u <= 1.0 else None


def _estimated_max_len(c: _Ctx, r: _Rank, max_model_len: int) -> int:
    """vLLM's own "estimated maximum model length" at fixed settings (V1), or the V0 token count."""
    bpb = r.layout.bytes_per_block
    if not c.v1:
        return r.num_blocks * r.layout.block_size
    check = r.available - _null_block(c, r)
    if check <= 0:
        return 0
    if not r.layout.hybrid:
        return min(max_model_len, (check // bpb) * r.layout.block_size)
    lo, hi = 0, max_model_len
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if r.layout.blocks_per_request(mid, r.in_flight) * bpb <= check:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _tokens_and_concurrency(c: _Ctx, r: _Rank, max_model_len: int) -> tuple[int, float]:
    """The "GPU KV cache size" in tokens and the "Maximum concurrency" vLLM logs for the rank."""
    bs = r.layout.block_size
    if c.v1:
        conc = r.num_blocks / r.blocks_per_request if r.blocks_per_request else 0.0
        if c.rel.kv_tokens_from_concurrency:
            return int(conc * max_model_len), conc
        return r.num_blocks // max(1, len(r.layout.groups)) * bs, conc
    tokens = r.num_blocks * bs
    return tokens, (tokens / max_model_len if max_model_len else 0.0)


def _comfortable(c: _Ctx, max_model_len: int) -> bool:
    """At least COMFORTABLE_CONCURRENCY requests of ``max_model_len`` fit (and one fits at all)."""
    r, _ = c.worst(max_model_len)
    return _fits(c, r, max_model_len) and \
        _tokens_and_concurrency(c, r, max_model_len)[1] >= COMFORTABLE_CONCURRENCY


def _largest(predicate, upper: int) -> int:
    """The largest length in 1..upper for which ``predicate`` holds (it holds for all shorter ones)."""
    if upper <= 0 or not predicate(1):
        return 0
    if predicate(upper):
        return upper
    lo, hi = 1, upper
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if predicate(mid):
            lo = mid
        else:
            hi = mid
    return lo


@dataclass(frozen=True)
class Band:
    """The estimate's uncertainty at this launch: the KV cache ± ``margin_gib`` (``memory/uncertainty.py``)."""

    fraction: float  # of the budget
    scope: str  # the table row it comes from
    margin_gib: float
    kv_cache_tokens_low: int
    kv_cache_tokens_high: int
    fits_low: bool
    fits_high: bool
    max_model_len_that_fits_low: int  # the largest length that fits at the low end
    recommended_max_model_len: int  # the largest length (up to the configured one) that fits
    # COMFORTABLE_CONCURRENCY times at the low end; 0 when none does


def _band(c: _Ctx, L: int, overridden: bool) -> Band:
    b = band(c.era, family_of(c.model))
    margin = 0 if overridden else int(b.fraction * c.budget)  # a KV size the user set is not estimated
    lo, hi = c.shifted(-margin), c.shifted(margin)
    r_lo, _ = lo.worst(L)
    r_hi, _ = hi.worst(L)
    fits_low, fits_high = _fits(lo, r_lo, L), _fits(hi, r_hi, L)
    largest_low = L if fits_low else _largest(lo.fits, L)
    recommended = L if _comfortable(lo, L) else _largest(lambda n: _comfortable(lo, n), L)
    return Band(b.fraction, b.scope, margin / GIB, _tokens_and_concurrency(lo, r_lo, L)[0],
                _tokens_and_concurrency(hi, r_hi, L)[0], fits_low, fits_high, largest_low, recommended)


def resolve_max_model_len(model: ModelArch, settings: EngineSettings, version: str) -> int:
    derived = model.derived_max_model_len(version, disable_sliding_window=settings.disable_sliding_window)
    if settings.max_model_len and settings.max_model_len > 0:
        return settings.max_model_len
    return derived


class UnsupportedModel(ValueError):
    """The model's memory layout is one the estimate does not represent (``ModelArch.unsupported``)."""


def estimate(model: ModelArch, gpu: GpuSpec, settings: EngineSettings, version: str, *,
             gpu_count: int | None = None) -> Capacity:
    """Capacity of one launch per GPU at the target vLLM release (pure).

    Raises ``UnsupportedModel`` for a model whose layout is not modelled: callers check
    ``model.unsupported`` first and say so instead of printing a number."""
    if model.unsupported:
        raise UnsupportedModel(model.unsupported)
    c = _Ctx(model, gpu, settings, version)
    L = resolve_max_model_len(model, settings, version)
    derived = model.derived_max_model_len(version, disable_sliding_window=settings.disable_sliding_window)
    r, (bd, override) = c.worst(L)
    bpb = r.layout.bytes_per_block
    bs = r.layout.block_size
    fits = _fits(c, r, L)
    tokens, conc = _tokens_and_concurrency(c, r, L)
    edge = _band(c, L, override is not None)
    non_driver = None
    if not c.v1 and c.tp > 1:
        nd, _ = c.rank(c.pp - 1, L, samples=False)
        non_driver = {"activation_gib": round(nd.activation / GIB, 3), "kv_cache_gib": round(nd.available / GIB, 3),
                      "num_gpu_blocks": nd.num_blocks}
    needed = r.blocks_per_request * bpb if c.v1 else ceil_div(L, bs) * bpb
    upper = max(L, derived)  # search up to the model's own limit
    largest = L if fits else _largest_fitting(c, L)
    if fits and upper > L:
        largest = _largest_fitting(c, upper)
    notes = list(r.layout.notes)
    if settings.max_model_len == -1:
        notes.append(f"--max-model-len -1/auto: vLLM fits the context itself (would pick {largest})")
    if model.is_mla and not c.rel.mla:
        notes.append("this release predates MLA support: DeepSeek KV is stored per head (much larger)")
    spike = c.spike(bd.max_num_batched_tokens)
    if spike and spike >= r.activation:
        notes.append(f"activation is a cold torch.compile spike of {spike / GIB:.2f} GiB: while compiling, Inductor "
                     "benchmarks the embedding kernel on random copies of its arguments (the embedding table and "
                     f"two {bd.max_num_batched_tokens}-token hidden states); a persisted compile cache skips it")
    elif c.autotune:
        notes.append(f"activation includes {c.autotune / 2**20:g} MiB that a cold torch.compile start allocates "
                     "while it benchmarks kernels (the L2-flush buffer); a persisted compile cache skips it")
    if not c.vision and model.extra.get("vision_params"):
        notes.append("language-model-only mode: every modality limit is 0, so vLLM does not load the vision "
                     "tower and projector")
    per_token = r.layout.per_token_bytes or r.layout.bytes_per_token_layer
    return Capacity(
        model=model.id,
        gpu_name=gpu.name,
        gpu_total_gib=gpu.total_gib,
        gpu_count=gpu_count,
        vllm_version=version,
        era=c.era,
        tensor_parallel_size=c.tp,
        pipeline_parallel_size=c.pp,
        gpu_memory_utilization=round(c.util, 4),
        budget_gib=c.budget / GIB,
        weights_gib=r.weights / GIB,
        activation_gib=r.activation / GIB,
        non_torch_gib=r.non_torch / GIB,
        cuda_graph_gib=r.cuda_graph / GIB,
        kv_cache_gib=r.available / GIB,  # negative when weights and overheads exceed the budget
        kv_bytes_per_token=per_token,
        block_size=bs,
        num_gpu_blocks=r.num_blocks,
        kv_cache_tokens=tokens,
        max_model_len=L,
        fits=fits,
        max_model_len_that_fits=largest,
        min_gpu_memory_utilization=_min_util(c, r, L),
        max_concurrency=conc,
        needed_kv_gib=needed / GIB,
        estimated_max_model_len=_estimated_max_len(c, r, L),
        weights_format=r.weights_format,
        kv_cache_dtype=c.kv_name,
        max_num_batched_tokens=bd.max_num_batched_tokens,
        max_num_seqs=bd.max_num_seqs,
        chunked_prefill=bd.chunked_prefill,
        kv_override=override,
        band=edge,
        non_driver_rank=non_driver,
        engine=c.rt.engine,
        model_runner=c.rt.runner,
        notes=notes,
    )


def fits(model: ModelArch, gpu: GpuSpec, settings: EngineSettings, version: str) -> bool:
    """``estimate(...).fits`` without the searches (largest fitting length, minimum utilization):
    one worst-rank evaluation instead of ~20, for hints that try many GPUs."""
    if model.unsupported:
        raise UnsupportedModel(model.unsupported)
    c = _Ctx(model, gpu, settings, version)
    L = resolve_max_model_len(model, settings, version)
    r, _ = c.worst(L)
    return _fits(c, r, L)


def with_settings(settings: EngineSettings, **changes: object) -> EngineSettings:
    """A copy of ``settings`` with some fields changed (for "what if" suggestions)."""
    return replace(settings, **changes)


__all__ = ["Capacity", "UnsupportedModel", "estimate", "fits", "resolve_max_model_len", "with_settings", "asdict"]
