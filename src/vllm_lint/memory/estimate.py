"""KV-cache capacity per GPU, following vLLM's own accounting for the target release.

``estimate`` is pure: model + GPU + engine settings + release -> ``Capacity``. Per GPU:

    budget      = total_gib × gpu_memory_utilization            (rounded up from MemoryProfile.budget_rounds_up)
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
from dataclasses import asdict, dataclass, replace

from vllm_lint.hardware.gpus import GpuSpec
from vllm_lint.hardware.l2 import l2_cache_bytes
from vllm_lint.memory.activation import (activation_peak, attention_workspace_bytes, compile_autotune_bytes,
                                         compile_spike_bytes, cublas_workspace_bytes, cuda_graph_bytes,
                                         sampler_bytes_per_logit)
from vllm_lint.memory.engine import BatchDefaults, Features, Runtime, batch_defaults, runtime
from vllm_lint.memory.result import Band, Capacity
from vllm_lint.memory.kv import KvLayout, kv_dtype_bytes, kv_layout
from vllm_lint.memory.multimodal import vision_tower_loaded
from vllm_lint.memory.settings import EngineSettings
from vllm_lint.memory.speculative import mtp_layer_params, mtp_layers
from vllm_lint.memory.uncertainty import band, family_of
from vllm_lint.memory.lora import LoraConfig, lora_slot_bytes, lora_vocab
from vllm_lint.memory.nontorch import non_torch_terms
from vllm_lint.memory.offload import cpu_offload
from vllm_lint.memory.weights import rope_cache_bytes, weight_format, weights_per_rank
from vllm_lint.models.arch import ModelArch, ceil_div, dtype_bytes
from vllm_lint.units import GIB, MIB

COMFORTABLE_CONCURRENCY = 2.0  # full-length requests at once below which long requests queue (VL103)


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
    terms: tuple[tuple[str, int], ...] = ()


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
        # --enable-expert-parallel: experts spread whole over the TP × DP ranks of a MoE model
        self.ep = self.tp * max(1, int(s.data_parallel_size or 1)) if s.enable_expert_parallel and model.is_moe else 1
        self.mtp, self.mtp_assumed = mtp_layers(model, s.speculative_method)
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
        self.lora = LoraConfig(max(1, s.max_loras), max(1, s.max_lora_rank),
                               s.lora_extra_vocab_size if self.rel.lora_extra_vocab else 0,
                               s.fully_sharded_loras) if s.enable_lora else None
        self.statics: dict[int, tuple] = {}  # per pipeline rank (``static``)
        self.activations: dict[tuple, object] = {}  # per (rank, batch, sampling) (``activation``)
        self.worsts: dict[tuple[int, int], tuple] = {}  # per (shift, max_model_len) (``worst``)

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

    def static(self, pp_rank: int) -> tuple:
        """What pipeline stage ``pp_rank`` holds whatever max_model_len is: ``(weights, weight bytes as
        "Model loading took" counts them, cpu offload, LoRA slot bytes, of which counted, MTP layers, MTP
        bytes, non-torch terms, their sum, KV layout)``. Memoised: the max-model-len search asks at every step."""
        got = self.statics.get(pp_rank)
        if got is not None:
            return got
        m, s = self.model, self.s
        layers = self.layers[pp_rank]
        lora = self.lora
        w = weights_per_rank(m, tp=self.tp, pp=self.pp, pp_rank=pp_rank, layers_on_rank=layers,
                             dtype_bytes=self.dtype_bytes, quantization_flag=s.quantization,
                             vision=self.vision, gpu_cc=self.gpu.compute_capability, version=self.version,
                             first_layer=sum(self.layers[:pp_rank]), env=self.env,
                             extra_vocab=lora.extra_vocab if lora else 0, ep=self.ep)
        slots = lora_slot_bytes(m, lora, tp=self.tp, layers_on_rank=layers, first_rank=pp_rank == 0,
                                last_rank=pp_rank == self.pp - 1, dtype_bytes=self.dtype_bytes) if lora else 0
        # V0 0.6.5-0.7.x creates the slots after "Model loading took" and before the snapshot: no term holds them
        slots_counted = slots if (self.v1 or self.rel.lora_in_model_memory or self.rt.profiling != "memory_profiling") \
            else 0
        # model memory as vLLM logs it: parameters plus the rotary cos/sin buffer built at init
        wbytes = w.bytes + rope_cache_bytes(m, self.dtype_bytes)
        fmt = weight_format(m, s.quantization, self.dtype_bytes, gpu_cc=self.gpu.compute_capability, version=self.version)
        off = cpu_offload(m, cpu_offload_gb=s.cpu_offload_gb, tp=self.tp, first_layer=sum(self.layers[:pp_rank]),
                          layers_on_rank=layers, bytes_per_param=fmt.linear_bytes, dtype_bytes=self.dtype_bytes,
                          v1=self.v1)
        wbytes = max(0, wbytes - off.bytes) + slots_counted
        last = pp_rank == self.pp - 1
        mtp = self.mtp if last else 0  # the drafter runs on the last pipeline stage
        mtp_bytes = 0
        if mtp:
            linear, plain = mtp_layer_params(m, tp=self.tp, ep=self.ep)
            mtp_bytes = int(mtp * (linear * fmt.linear_bytes + plain * self.dtype_bytes))
            wbytes += mtp_bytes
        nt_terms = non_torch_terms(self.rt, tp=self.tp, pp=self.pp, gpu=self.gpu,
                                   disable_custom_all_reduce=s.disable_custom_all_reduce)
        if self.rt.profiling == "used_minus_torch":  # (total − free) − allocated: the weights' free remainders too
            nt_terms["held_segments"] = w.held - w.rounding
        nt = sum(nt_terms.values())
        layout = kv_layout(m, tp=self.tp, layers_on_rank=layers + mtp, kv_bytes=self.kv_bytes, version=self.version, v1=self.v1,
                           block_size=s.block_size, gpu_cc=self.gpu.compute_capability, env=self.env,
                           disable_sliding_window=s.disable_sliding_window,
                           disable_hybrid=s.disable_hybrid_kv_cache_manager)
        got = self.statics[pp_rank] = (w, wbytes, off, slots, slots_counted, mtp, mtp_bytes, nt_terms, nt, layout)
        return got

    def activation(self, pp_rank: int, bd: BatchDefaults, samples: bool):
        """The profile run's activation peak on stage ``pp_rank`` for batch ``bd``. Memoised (shared
        with the ``shifted`` copies): the max-model-len searches ask again for every length that
        leaves the batch unchanged, and a replay of the allocator is the costliest step."""
        key = (pp_rank, bd, samples)
        got = self.activations.get(key)
        if got is not None:
            return got
        m, lora = self.model, self.lora
        off = self.static(pp_rank)[2]
        act = activation_peak(m, tokens=bd.max_num_batched_tokens, rows=self.dummy_rows(bd), dtype_bytes=self.dtype_bytes,
                              tp=self.tp, rt=self.rt, last_rank=pp_rank == self.pp - 1,
                              # V1 profiles the torch.compile'd model unless eager; V0 always ran eager
                              compiled=self.compiled,
                              cublas_workspace=cublas_workspace_bytes(self.rt, self.gpu.compute_capability)
                              + attention_workspace_bytes(self.rt, self.env),
                              autotune=self.autotune,
                              compile_spike=self.spike(bd.max_num_batched_tokens) if pp_rank == 0 else 0,
                              sampler_per_logit=self.sampler_per_logit, samples=samples, onload=off.onload_bytes,
                              vocab=lora_vocab(m, lora) if lora else None, ep=self.ep)
        self.activations[key] = act
        return act

    def rank(self, pp_rank: int, max_model_len: int, samples: bool = True) -> tuple[_Rank, object]:
        """One worker: pipeline stage ``pp_rank``; ``samples=False`` for a V0 tensor-parallel rank other
        than the driver, which does not sample."""
        m, s = self.model, self.s
        layers = self.layers[pp_rank]
        lora = self.lora
        w, wbytes, off, slots, slots_counted, mtp, mtp_bytes, nt_terms, nt, layout = self.static(pp_rank)
        bd = batch_defaults(self.rt, self.gpu.total_gib, self.gpu.name, max_model_len,
                            usage_context=s.usage_context, chunked=s.enable_chunked_prefill, max_num_seqs=s.max_num_seqs,
                            max_num_batched_tokens=s.max_num_batched_tokens, sliding_window=self.sliding,
                            performance_mode=s.performance_mode)
        act = self.activation(pp_rank, bd, samples)
        capture = s.cudagraph_capture_size or min(bd.max_num_seqs * (1 + s.num_speculative_tokens) * 2, 512)
        cg = cuda_graph_bytes(self.rt, enforce_eager=s.enforce_eager or not s.cudagraphs, layers_on_rank=layers,
                              capture_size=capture, env=self.env)
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
        terms = (("allocator_rounding", w.held if self.rel.v0_profiling == "free_drop" and not self.v1 else w.rounding),
                 ("cpu_offload", off.bytes), ("offload_onload", off.onload_bytes), ("lora", slots_counted),
                 ("lora_uncounted", slots - slots_counted), ("mtp_draft", mtp_bytes)) + tuple((f"non_torch.{k}", v) for k, v in nt_terms.items())
        r = _Rank(wbytes, w.format, act.peak_bytes, nt, cg, available, layout, num_blocks, bpr, in_flight,
                  tuple((k, v) for k, v in terms if v))
        return r, (bd, override)

    def worst(self, max_model_len: int) -> tuple[_Rank, object]:
        """The rank with the fewest blocks. Memoised: the band and the length searches ask for the
        same lengths again."""
        key = (self.shift, max_model_len)
        got = self.worsts.get(key)
        if got is None:
            ranks = [self.rank(i, max_model_len) for i in range(self.pp)]
            got = self.worsts[key] = min(ranks, key=lambda rr: (rr[0].num_blocks, rr[0].available))
        return got

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
    """Bytes the V1 fit check holds back for the block pool's null block (``MemoryProfile.fit_check_null_block``)."""
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


def _notes(c: _Ctx, r: _Rank, bd: BatchDefaults, largest: int) -> list[str]:
    """What a reader of the estimate needs to know besides the figures: the layout's own notes, then
    the choices of this release and launch that change a term (auto length, MLA, compile spike, MTP,
    LoRA slots outside the accounting, language-model-only mode)."""
    notes = list(r.layout.notes)
    model, settings, version = c.model, c.s, c.version
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
        notes.append(f"activation includes {c.autotune / MIB:g} MiB that a cold torch.compile start allocates "
                     "while it benchmarks kernels (the L2-flush buffer); a persisted compile cache skips it")
    if c.mtp:
        notes.append(f"speculative decoding with {c.mtp} MTP layer(s): their weights count as model memory and each "
                     "adds one layer of KV cache per token"
                     + (" (num_nextn_predict_layers not in the model facts: 1 assumed)" if c.mtp_assumed else ""))
    uncounted = dict(r.terms).get("lora_uncounted", 0)
    if uncounted:
        notes.append(f"vLLM {version} allocates the LoRA slots ({uncounted / GIB:.2f} GiB per GPU) after measuring the "
                     "model and before profiling: no term of its accounting holds them, so they come out of the "
                     "1 − gpu_memory_utilization headroom")
    if not c.vision and model.extra.get("vision_params"):
        notes.append("language-model-only mode: every modality limit is 0, so vLLM does not load the vision "
                     "tower and projector")
    return notes


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
    notes = _notes(c, r, bd, largest)
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
        terms={k: v / GIB for k, v in r.terms},
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


__all__ = ["Band", "Capacity", "UnsupportedModel", "estimate", "fits", "resolve_max_model_len", "with_settings", "asdict"]
