"""Where a launch runs, for the parallelism and hardware rules (VL3xx): how many GPUs it can see,
the world size vLLM will ask for, how many nodes or pods it spans, and the GPU's name and
compute capability as messages show them. Every helper returns None for "not known" so rules
can stay silent instead of guessing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from vllm_lint.rules.context import RuleContext
from vllm_lint.rules.flag_values import bool_arg, env_value, given, int_arg

# -- GPUs ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Visible:
    """How many GPUs one process of the launch can use, and why we think so."""

    count: int
    how: str  # words for messages: "nvidia.com/gpu: 1", "CUDA_VISIBLE_DEVICES=0,1"
    requested: bool  # the launch itself asks for exactly this many (not a --gpu assumption)
    spans_pods: bool = False  # count is a total over several pods (LWS group, Ray cluster, SkyPilot nodes)
    ray: bool = False  # the GPUs belong to a Ray cluster (other Ray apps may use idle ones)
    pod_count: int | None = None  # GPUs of one pod/node when the source says (facts.gpus_per_node)

    def per_pod(self, pods: int) -> int | None:
        """GPUs of one pod when the count spans ``pods`` pods; None when they do not split evenly."""
        if not self.spans_pods or pods <= 1:
            return self.count
        if self.pod_count is not None:
            return self.pod_count
        return self.count // pods if self.count % pods == 0 else None


def _device_list(value: str) -> list[str] | None:
    v = value.strip().strip("'\"")
    if not v or v.lower() in ("all", "none", "void"):
        return None
    parts = [p.strip() for p in v.split(",") if p.strip()]
    return parts or None


def visible_gpus(ctx: "RuleContext") -> Visible | None:
    """GPUs visible to the engine process: the request, narrowed by ``CUDA_VISIBLE_DEVICES``.

    A MIG request counts as one device: CUDA enumerates a single MIG instance per process.
    Returns None when unknown (no request, ``all`` without a stated host size, a template).
    """
    gpu = ctx.launch.gpu
    count: int | None = None
    how = gpu.mechanism or "the GPU request"
    requested = False
    if gpu.count is not None and gpu.count >= 1 and float(gpu.count).is_integer():
        count, requested = int(gpu.count), True
        how = f"{mechanism_name(gpu.mechanism)}: {count}"
    elif gpu.device_ids:
        count, requested = len(gpu.device_ids), True
        how = f"device_ids {gpu.device_ids}"
    for var in ("CUDA_VISIBLE_DEVICES", "HIP_VISIBLE_DEVICES", "ROCR_VISIBLE_DEVICES"):
        val = env_value(ctx, var)
        if val is None:
            continue
        ids = _device_list(val)
        if ids is None:
            continue
        if count is None or len(ids) < count:
            count, how, requested = len(ids), f"{var}={val}", True
        break
    if count is None:
        if ctx.gpu_count is not None and ctx.gpu_source is not None:
            return Visible(ctx.gpu_count, f"{ctx.gpu_count} × {ctx.gpu.name if ctx.gpu else 'GPU'} ({ctx.gpu_source})",
                           False)
        return None
    if (gpu.mechanism or "").startswith("host"):
        requested = False  # a bare host: CUDA_VISIBLE_DEVICES narrows but reserves nothing
    if gpu.mig_profile and count > 1:
        return Visible(1, f"{count} MIG slices ({gpu.mig_profile}), of which CUDA shows one per process", True)
    mech = gpu.mechanism or ""
    per_node = ctx.launch.facts.gpus_per_node
    per_node = per_node if isinstance(per_node, int) and per_node > 0 else None
    spans = bool(_MULTI_POD.search(mech)) or (per_node is not None and nodes(ctx) > 1)
    if spans:
        if per_node is not None:
            how = f"{nodes(ctx)} nodes × {per_node} ({mechanism_name(mech)})"
        else:
            how = gpu.notes[0] if gpu.notes else f"{count} over {mech}"
    return Visible(count, how, requested, spans_pods=spans, ray=bool(re.search(r"ray", mech, re.I)), pod_count=per_node)


# GpuRequest.mechanism texts of sources that total the GPUs of several pods.
_MULTI_POD = re.compile(r"LeaderWorkerSet|Ray cluster|raySpec|parallelism data|x worker|replicas", re.I)


def mechanism_name(mechanism: str | None) -> str:
    if not mechanism:
        return "GPU request"
    return mechanism.split(":", 1)[-1] if ":" in mechanism else mechanism


def is_group_worker(ctx: "RuleContext") -> bool:
    """A worker pod of a multi-pod group (LWS worker): the leader's launch carries the engine sizes."""
    return str(ctx.launch.facts.lws_role or "").lower() == "worker"


def nodes(ctx: "RuleContext") -> int:
    """Pods/nodes the engine spans (LeaderWorkerSet size, Ray/SkyPilot node count), 1 when single."""
    facts = ctx.launch.facts
    for v in (facts.group_size, facts.nodes):
        if isinstance(v, int) and v > 1:
            return v
    return 1


@dataclass(frozen=True)
class World:
    """The engine's parallel sizes as vLLM multiplies them into its world size."""

    tp: int
    pp: int
    dp_local: int  # data-parallel ranks started by this process group
    dp: int

    @property
    def size(self) -> int:
        """GPUs this launch's engine processes need on the GPUs it can see."""
        return self.tp * self.pp * self.dp_local

    def describe(self) -> str:
        """Message words: "tensor_parallel_size 2 × pipeline_parallel_size 2 = 4 GPUs"."""
        parts = [f"tensor_parallel_size {self.tp}"]
        if self.pp != 1:
            parts.append(f"pipeline_parallel_size {self.pp}")
        if self.dp_local != 1:
            parts.append(f"data_parallel_size {self.dp_local}")
        if len(parts) == 1:
            return f"{parts[0]} needs {self.size} GPU{'s' if self.size != 1 else ''}"
        return " × ".join(parts) + f" = {self.size} GPUs"


def world(ctx: "RuleContext") -> World | None:
    """TP × PP × local DP as vLLM sizes the engine; None when a size is not a literal number.

    Data parallelism counts on this launch only when its ranks start here: with
    ``--data-parallel-size-local`` that many, with an external or hybrid load balancer or an
    explicit ``--data-parallel-rank`` one (each instance owns one rank), else all of them.
    """
    tp = int_arg(ctx, "tensor_parallel_size", 1)
    pp = int_arg(ctx, "pipeline_parallel_size", 1)
    dp = int_arg(ctx, "data_parallel_size", 1)
    if tp is None or pp is None or dp is None or tp < 1 or pp < 1 or dp < 1:
        return None
    if given(ctx, "data_parallel_size_local"):
        local = int_arg(ctx, "data_parallel_size_local")
        if local is None:
            return None
    elif given(ctx, "data_parallel_rank") or bool_arg(ctx, "data_parallel_external_lb") \
            or bool_arg(ctx, "data_parallel_hybrid_lb") or given(ctx, "data_parallel_start_rank"):
        local = 1
    else:
        local = dp
    return World(tp, pp, max(local, 1), dp)


def gpu_name(ctx: "RuleContext") -> str:
    """The target GPU's name for a message, or "the GPU" when none is known."""
    g = ctx.gpu
    return g.name if g is not None else "the GPU"


def cc_text(cc: tuple[int, int]) -> str:
    """A CUDA compute capability as NVIDIA writes it: (8, 0) -> "8.0"."""
    return f"{cc[0]}.{cc[1]}"
