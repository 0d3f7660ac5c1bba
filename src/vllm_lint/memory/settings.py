"""Engine settings that the capacity estimate reads, in vLLM's own units and names (EngineArgs dests).

``None`` means "not given on the command line": the estimator applies the default of the target
vLLM release (utilization 0.9 before 0.20, 0.92 from 0.20; batch defaults per GPU size; ...).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Mapping


@dataclass(slots=True)
class EngineSettings:
    tensor_parallel_size: int = 1
    pipeline_parallel_size: int = 1
    data_parallel_size: int = 1
    distributed_executor_backend: str | None = None  # mp, ray, uni, external_launcher
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
    cudagraphs: bool = True  # False: compilation-config cudagraph_mode NONE (still compiled, unlike eager)
    block_size: int | None = None
    cpu_offload_gb: float = 0.0
    kv_cache_memory_bytes: int | None = None
    num_gpu_blocks_override: int | None = None
    swap_space: float | None = None
    disable_sliding_window: bool = False
    num_speculative_tokens: int = 0
    speculative_method: str | None = None  # speculative_config "method" (mtp, deepseek_mtp, eagle, ngram, ...)
    enable_lora: bool = False
    max_loras: int = 1
    max_lora_rank: int = 16
    lora_extra_vocab_size: int = 256
    fully_sharded_loras: bool = False
    disable_custom_all_reduce: bool = False
    enable_expert_parallel: bool = False
    env: dict[str, str] = field(default_factory=dict)  # VLLM_* variables that change accounting
    # "serve" (OpenAI server / vllm serve) or "llm" (offline LLM class): batch defaults differ up to 0.26.
    usage_context: str = "serve"
    performance_mode: str | None = None  # "throughput" doubles the batch defaults (0.30+)
    disable_hybrid_kv_cache_manager: bool = False
    cudagraph_capture_size: int | None = None  # --max-cudagraph-capture-size / compilation config
    mm_limits: dict[str, int] | None = None  # --limit-mm-per-prompt {modality: count}
    language_model_only: bool = False  # --language-model-only (0.18.1+): every modality limit 0
    # torch.compile cache at start: "cold" (the first start of a container, the one that must fit) or
    # "warm" (a persisted VLLM_CACHE_ROOT from an earlier start with the same settings).
    compile_cache: str = "cold"


_INT_FIELDS = ("tensor_parallel_size", "pipeline_parallel_size", "data_parallel_size", "max_num_seqs",
               "max_num_batched_tokens", "block_size", "num_gpu_blocks_override", "num_speculative_tokens",
               "max_loras", "max_lora_rank", "lora_extra_vocab_size")
_BOOL_FIELDS = ("enable_chunked_prefill", "enable_prefix_caching", "enforce_eager", "disable_sliding_window",
                "disable_hybrid_kv_cache_manager", "language_model_only", "enable_lora", "fully_sharded_loras",
               "disable_custom_all_reduce", "enable_expert_parallel")
_SUFFIX = {"k": 1000, "m": 1000**2, "g": 1000**3, "t": 1000**4,
           "ki": 1024, "mi": 1024**2, "gi": 1024**3, "ti": 1024**4}


def parse_human_int(value: object) -> int | None:
    """vLLM's human-readable ints: ``8k`` = 8000, ``8K`` = 8192 (binary for upper case), ``20G``, ``25.6k``.

    Also ``KiB``-style suffixes. Returns None for anything else (symbolic values stay unknown).
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value)
    if not isinstance(value, str):
        return None
    text = value.strip().replace("_", "")
    m = re.fullmatch(r"(-?\d+(?:\.\d+)?)\s*([kKmMgGtT]?)(i?)[bB]?", text)
    if not m:
        return None
    num, unit, binary = float(m.group(1)), m.group(2), m.group(3)
    if not unit:
        return int(num)
    if binary or unit.isupper():
        mult = _SUFFIX[unit.lower() + "i"]
    else:
        mult = _SUFFIX[unit.lower()]
    return int(num * mult)


def _as_bool(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        low = value.strip().lower()
        if low in ("", "true", "1", "yes", "on"):
            return True
        if low in ("false", "0", "no", "off"):
            return False
    if isinstance(value, int):
        return bool(value)
    return None


def _as_float(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return None
    return None


def _speculative(s: EngineSettings, values: Mapping[str, object]) -> None:
    """``--speculative-config`` (JSON text or a mapping): the number of speculative tokens and the method."""
    spec = values.get("speculative_config")
    if isinstance(spec, str):
        try:
            spec = json.loads(spec)
        except ValueError:
            spec = None
    if isinstance(spec, Mapping):
        n = parse_human_int(spec.get("num_speculative_tokens"))
        if n:
            s.num_speculative_tokens = n
        method = spec.get("method")
        if isinstance(method, str) and method.strip():
            s.speculative_method = method.strip().lower()


def _compilation(s: EngineSettings, values: Mapping[str, object]) -> None:
    """``-O``/``--optimization-level``, ``--compilation-config`` and ``--max-cudagraph-capture-size``:
    whether the engine runs eager, captures CUDA graphs, and up to which batch size."""
    # -O0 / --optimization-level 0: no compilation and no CUDA graphs (vLLM 0.33 help), like --enforce-eager
    if str(values.get("optimization_level", "")).strip() == "0":
        s.enforce_eager = True
    cc = values.get("compilation_config")
    if isinstance(cc, str):
        try:
            cc = json.loads(cc)
        except ValueError:
            cc = None
    if isinstance(cc, int) and not isinstance(cc, bool):
        cc = {"level": cc}  # "-O 0" / "--compilation-config 0": a bare level
    if isinstance(cc, Mapping) and str(cc.get("level", cc.get("mode", ""))).strip() == "0" and \
            cc.get("cudagraph_mode") is None:
        s.enforce_eager = True  # -O0 (older releases spell it as compilation level 0)
    if isinstance(cc, Mapping):
        mode = cc.get("cudagraph_mode")
        if isinstance(mode, str) and mode.upper() == "NONE":
            s.cudagraphs = False  # Inductor still compiles the model; only the graphs are off
        size = parse_human_int(cc.get("max_cudagraph_capture_size"))
        if size:
            s.cudagraph_capture_size = size
    if "max_cudagraph_capture_size" in values:
        v = parse_human_int(values["max_cudagraph_capture_size"])
        if v:
            s.cudagraph_capture_size = v


def settings_from_args(values: Mapping[str, object], env: Mapping[str, str] | None = None) -> EngineSettings:
    """EngineSettings from parsed flags keyed by vLLM dest names (unknown keys ignored).

    Values that are symbolic or unparseable leave the default, so the estimate falls back to
    the release's own default rather than guessing.
    """
    s = EngineSettings()
    for name in _INT_FIELDS:
        if name in values:
            v = parse_human_int(values[name])
            if v is not None:
                setattr(s, name, v)
    for name in _BOOL_FIELDS:
        if name in values:
            v = _as_bool(values[name])
            if v is not None:
                setattr(s, name, v)
    if "max_model_len" in values:
        raw = values["max_model_len"]
        if isinstance(raw, str) and raw.strip().lower() == "auto":
            s.max_model_len = -1
        else:
            v = parse_human_int(raw)
            if v is not None:
                s.max_model_len = v
    for name in ("gpu_memory_utilization", "cpu_offload_gb", "swap_space"):
        if name in values:
            v = _as_float(values[name])
            if v is not None:
                setattr(s, name, v)
    if "kv_cache_memory_bytes" in values:
        s.kv_cache_memory_bytes = parse_human_int(values["kv_cache_memory_bytes"])
    for name in ("dtype", "kv_cache_dtype", "quantization", "performance_mode", "distributed_executor_backend"):
        v = values.get(name)
        if isinstance(v, str) and v.strip() and "$" not in v:
            setattr(s, name, v.strip().lower())
    _speculative(s, values)
    _compilation(s, values)
    if "limit_mm_per_prompt" in values:
        from vllm_lint.memory.multimodal import parse_mm_limits

        s.mm_limits = parse_mm_limits(values["limit_mm_per_prompt"])
    if env:
        s.env = {k: v for k, v in env.items() if k.startswith("VLLM_") or k == "PYTORCH_CUDA_ALLOC_CONF"}
    return s
