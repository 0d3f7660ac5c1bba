"""Engine settings that the capacity estimate reads, in vLLM's own units and names (EngineArgs dests).

``None`` means "not given on the command line": the estimator applies the default of the target
vLLM release (utilization 0.9 before 0.20, 0.92 from 0.20; batch defaults per GPU size; ...).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class EngineSettings:
    tensor_parallel_size: int = 1
    pipeline_parallel_size: int = 1
    data_parallel_size: int = 1
    gpu_memory_utilization: float | None = None
    max_model_len: int | None = None  # None or -1: derived from the model config (-1 also auto-fits)
    dtype: str = "auto"
    kv_cache_dtype: str = "auto"
    quantization: str | None = None
    max_num_seqs: int | None = None
    max_num_batched_tokens: int | None = None
    enable_chunked_prefill: bool | None = None
    enable_prefix_caching: bool | None = None
    enforce_eager: bool = False
    block_size: int | None = None
    cpu_offload_gb: float = 0.0
    kv_cache_memory_bytes: int | None = None
    num_gpu_blocks_override: int | None = None
    swap_space: float | None = None
    disable_sliding_window: bool = False
    num_speculative_tokens: int = 0
    env: dict[str, str] = field(default_factory=dict)  # VLLM_* variables that change accounting
