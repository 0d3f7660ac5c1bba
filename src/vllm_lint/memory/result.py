"""The result of a capacity estimate: ``Capacity`` (per GPU, the ``capacity --format json`` keys) and its
uncertainty ``Band``. ``memory/estimate.py`` builds them."""

from __future__ import annotations

from dataclasses import dataclass, field

from vllm_lint.memory.releases import era_text


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



@dataclass
class Capacity:
    """The capacity estimate for one launch, per GPU (the ``capacity --format json`` keys)."""

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
    # terms inside weights / activation worth naming (GiB, per GPU): "allocator_rounding" (in weights),
    # "cpu_offload" (taken out of weights), "offload_onload" (in activation), "lora" (in weights)
    terms: dict = field(default_factory=dict)
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
            "terms": {k: round(v, 3) for k, v in self.terms.items()},
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
