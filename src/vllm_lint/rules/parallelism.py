"""Parallelism and hardware rules (VL3xx): GPU counts, MIG, head/layer/expert divisibility,
NCCL shared memory, multi-node wiring.

Conditions follow vLLM 0.33's ``ParallelConfig.__post_init__`` and
``ModelConfig.verify_with_parallel_config``; messages quote vLLM's own text where it prints one.
"""

from __future__ import annotations

import re
from typing import Iterator

from vllm_lint.diagnostic import Diagnostic, Severity
from vllm_lint.rules import flag_values, topology
from vllm_lint.rules.context import RuleContext
from vllm_lint.rules.registry import register
from vllm_lint.vllm.versions import at_least

MULTI_NODE_WIRING = re.compile(
    r"ray\s+start|multi-node-serving\.sh|ray_cluster_size|KUBERAY_GEN_RAY_START_CMD|ray\.init|--headless|"
    r"--nnodes|--master-addr|--data-parallel-address|LWS_LEADER_ADDRESS",
    re.I,
)


def _ray_backend(ctx: RuleContext) -> bool:
    return (flag_values.str_arg(ctx, "distributed_executor_backend") or "").lower() == "ray"


def _in_ray_cluster(ctx: RuleContext) -> bool:
    """Launches run by a Ray cluster (KubeRay, Ray Serve) get their GPUs from the cluster."""
    src = (ctx.launch.source or "").lower()
    return "ray" in src or (ctx.launch.gpu.mechanism or "").lower().startswith("ray")


# -- VL301 ------------------------------------------------------------------------------------------

@register("VL301")
def gpu_count_mismatch(ctx: RuleContext) -> Iterator[Diagnostic]:
    """World size (TP × PP × DP ranks started here) against the GPUs the launch requests or sees."""
    if topology.is_group_worker(ctx):
        return
    w = topology.world(ctx)
    vis = topology.visible_gpus(ctx)
    if w is None or vis is None:
        return
    gpu = ctx.launch.gpu
    if gpu.mig_profile and w.size > 1 and (gpu.count or 0) > 1:
        return  # VL303 explains this case (several MIG slices are one device to CUDA)
    pods = topology.nodes(ctx)
    nnodes = flag_values.int_arg(ctx, "nnodes", 1)
    if nnodes is None:
        return
    if vis.spans_pods or pods > 1 or nnodes > 1:
        yield from _multi_pod(ctx, w, vis, max(pods, nnodes))
        return
    tok = flag_values.token_for(ctx, "tensor_parallel_size", "pipeline_parallel_size", "data_parallel_size_local",
                      "data_parallel_size")
    if w.size > vis.count:
        if _ray_backend(ctx):
            tail = ("with --distributed-executor-backend ray and no other Ray nodes, the placement group "
                    "for the workers is never satisfied and startup hangs")
        elif at_least(ctx.version, "0.33.0"):
            tail = (f"vLLM stops with: World size ({w.size}) is larger than the number of available GPUs "
                    f"({vis.count}) in this node.")
        else:
            # Older releases pick the Ray executor by themselves when the node has too few GPUs.
            tail = (f"{ctx.vllm} falls back to the Ray executor, whose placement group waits for GPUs "
                    f"that are not there (0.33 refuses outright: World size ({w.size}) is larger than the number "
                    f"of available GPUs ({vis.count}) in this node.)")
        yield ctx.report(
            "VL301",
            f"{w.describe()}, but the launch can use {vis.count} ({vis.how}); {tail}",
            token=tok,
            notes=[f"request {w.size} GPUs, or lower the parallel sizes so that their product is {vis.count}"],
        )
    elif w.size < vis.count and vis.requested:
        yield _idle(ctx, w, vis.count, vis.how, tok)


def _idle(ctx: RuleContext, w: "topology.World", have: int, how: str, tok) -> Diagnostic:
    d = ctx.report(
        "VL301",
        f"{w.describe()}, but the launch reserves {have} ({how}); "
        f"{have - w.size} GPU{'s sit' if have - w.size != 1 else ' sits'} idle",
        span=ctx.launch.gpu.count_span or (tok.span if tok else None),
        notes=[f"raise the parallel sizes to use {have} GPUs (TP must divide the model's heads), or request "
               f"{w.size} GPU{'s' if w.size != 1 else ''}"],
    )
    d.severity = Severity.WARNING
    return d


def _multi_pod(ctx: RuleContext, w: "topology.World", vis: "topology.Visible", pods: int) -> Iterator[Diagnostic]:
    """Launches spread over several pods: compare the whole world with all their GPUs."""
    if not vis.requested:
        return
    total = vis.count if vis.spans_pods else (vis.count * pods if pods > 1 else None)
    if total is None:
        return
    need = w.size
    if flag_values.given(ctx, "data_parallel_size_local"):
        per_pod = vis.per_pod(pods)
        if per_pod is None:
            return
        total = per_pod  # each pod starts its local ranks on its own GPUs
    split_dp = w.dp > 1 and w.dp_local == 1  # one rank per instance: the other ranks live elsewhere
    tok = flag_values.token_for(ctx, "tensor_parallel_size", "pipeline_parallel_size", "data_parallel_size")
    where = vis.how if vis.spans_pods else f"{pods} pods × {vis.count} ({vis.how})"
    if flag_values.given(ctx, "data_parallel_size_local"):
        where = f"GPUs per pod; {where}"
    if need > total:
        yield ctx.report(
            "VL301",
            f"{w.describe()}, but the launch has "
            f"{total} ({where}); vLLM cannot place {need - total} of its workers",
            token=tok,
        )
    elif need < total and not vis.ray and not split_dp:
        yield _idle(ctx, w, total, where, tok)


# -- VL302 ------------------------------------------------------------------------------------------

@register("VL302")
def fractional_gpu_request(ctx: RuleContext) -> Iterator[Diagnostic]:
    """``nvidia.com/gpu: "0.5"`` and friends: GPUs are integer extended resources."""
    gpu = ctx.launch.gpu
    if gpu.written is not None and gpu.count == 0 and not float(gpu.written).is_integer():
        # the platform drops it (production-stack renders a GPU request only when int(requestGPU) > 0)
        d = ctx.report(
            "VL302",
            f"GPU request {gpu.written:g} ({_mech(gpu.mechanism)}) is not a whole number, and the chart renders "
            f"no GPU request for it: the pods are scheduled without a GPU, and vLLM finds no CUDA device unless "
            f"the node's container runtime shows every GPU to every container",
            span=gpu.count_span,
            notes=[*gpu.notes, "request whole GPUs (requestGPU: 1) and bound the memory with "
                   "--gpu-memory-utilization"],
        )
        d.severity = Severity.WARNING
        yield d
        return
    if gpu.count is None or float(gpu.count).is_integer():
        return
    yield ctx.report(
        "VL302",
        f"GPU request {gpu.count:g} ({_mech(gpu.mechanism)}) is not a whole number: Kubernetes rejects "
        f"non-integer extended resources (nvidia.com/gpu must be an integer) unless a GPU-sharing "
        f"webhook rewrites the request",
        span=gpu.count_span,
        notes=["request 1 GPU and limit memory with --gpu-memory-utilization, or use MIG / a sharing "
               "device plugin (HAMi nvidia.com/gpumem, KAI gpu-memory) designed for fractions"],
    )


def _mech(m: str | None) -> str:
    return topology.mechanism_name(m)


# -- VL303 ------------------------------------------------------------------------------------------

@register("VL303")
def tensor_parallel_across_mig(ctx: RuleContext) -> Iterator[Diagnostic]:
    gpu = ctx.launch.gpu
    if not gpu.mig_profile or gpu.count is None or gpu.count <= 1:
        return
    w = topology.world(ctx)
    if w is None or w.size <= 1:
        return
    yield ctx.report(
        "VL303",
        f"{w.describe()} across {gpu.count:g} MIG slices (nvidia.com/mig-{gpu.mig_profile}), but CUDA "
        f"enumerates only one MIG instance per process, so vLLM sees 1 device and cannot start "
        f"{w.size} workers",
        token=flag_values.token_for(ctx, "tensor_parallel_size", "pipeline_parallel_size", "data_parallel_size"),
        span=None if flag_values.token_for(ctx, "tensor_parallel_size", "pipeline_parallel_size") else gpu.count_span,
        notes=["use whole GPUs (nvidia.com/gpu) for tensor parallelism, or a single MIG slice that is large "
               "enough with --tensor-parallel-size 1"],
    )


# -- VL304 ------------------------------------------------------------------------------------------

_DEFAULT_ALL = re.compile(r"\$\{(?:CUDA|HIP)_VISIBLE_DEVICES:?-all\}")


@register("VL304")
def cuda_visible_devices_all(ctx: RuleContext) -> Iterator[Diagnostic]:
    """CUDA parses CUDA_VISIBLE_DEVICES as a device list; "all" matches no device."""
    for var in ("CUDA_VISIBLE_DEVICES", "HIP_VISIBLE_DEVICES"):
        ev = ctx.launch.env.get(var)
        if ev is None:
            continue
        # the whole line: a compose default `${CUDA_VISIBLE_DEVICES:-all}` has its span on `all` only
        written = ctx.src.index.line_text(ev.span.line) if ev.span is not None else ""
        is_all = (not ev.symbolic and ev.value.strip().strip("'\"").lower() == "all")
        default_all = bool(_DEFAULT_ALL.search(written)) and var in written
        if not (is_all or default_all):
            continue
        if default_all and not is_all and not ev.symbolic:
            # the default is broken, but the value in effect (a committed .env) is not: it holds only
            # where that file or the environment does not set the variable
            where = _dotenv_line(ctx, var)
            d = ctx.report(
                "VL304",
                f"{var} defaults to `all`, which matches no CUDA device; here it is {ev.value!r}"
                f"{f' from {where}' if where else ''}, so this launch sees its GPUs, but wherever that is not set "
                f"vLLM finds none (\"No CUDA GPUs are available\")",
                span=ev.span,
                notes=["make the default a device list (${CUDA_VISIBLE_DEVICES:-0}) or drop the variable"],
            )
            d.severity = Severity.WARNING
            yield d
            continue
        how = "defaults to" if default_all else "is"
        yield ctx.report(
            "VL304",
            f"{var} {how} `all`: CUDA reads this variable as a list of device indices or UUIDs, and `all` "
            f"matches none, so vLLM sees no GPU (\"No CUDA GPUs are available\"); `all` is only meaningful "
            f"for NVIDIA_VISIBLE_DEVICES (the container runtime)",
            span=ev.span,
            notes=["leave the variable unset to expose every GPU the container has, or list indices such as 0,1"],
        )


def _dotenv_line(ctx: RuleContext, var: str) -> str | None:
    """``.env line 73`` when the .env beside the file sets ``var`` (compose reads it)."""
    from vllm_lint.sources.containers.dotenv import parse_dotenv
    from vllm_lint.sources.readfile import load_sibling

    sib = load_sibling(ctx.src, ".env", "env")
    if sib is None:
        return None
    ev = parse_dotenv(sib.text, sib.index).get(var)
    return f"{sib.display} line {ev.span.line}" if ev is not None and ev.span is not None else None


# -- VL305 ------------------------------------------------------------------------------------------

@register("VL305")
def tensor_parallel_heads(ctx: RuleContext) -> Iterator[Diagnostic]:
    tp = flag_values.int_arg(ctx, "tensor_parallel_size", 1)
    if tp is None or tp <= 1:
        return
    m = ctx.model
    if m is None:
        return
    heads, kv = m.num_attention_heads, m.num_kv_heads
    tok = flag_values.token_for(ctx, "tensor_parallel_size")
    if heads and heads % tp != 0:
        ok = [d for d in range(1, heads + 1) if heads % d == 0 and d <= 16 and (kv % d == 0 or d % kv == 0)]
        yield ctx.report(
            "VL305",
            f"Total number of attention heads ({heads}) must be divisible by tensor parallel size ({tp}). "
            f"({m.id} has {heads} heads; tensor_parallel_size values that work: {', '.join(map(str, ok))})",
            token=tok,
        )
        return
    if kv and not m.is_mla:
        bad = (kv >= tp and kv % tp != 0) or (kv < tp and tp % kv != 0)
        if bad:
            yield ctx.report(
                "VL305",
                f"{m.id} has {kv} KV heads, which tensor_parallel_size {tp} can neither split evenly nor "
                f"replicate evenly (vLLM's attention layers assert num_kv_heads % tp == 0 or tp % num_kv_heads == 0)",
                token=tok,
            )


# -- VL306 ------------------------------------------------------------------------------------------

@register("VL306")
def pipeline_parallel_layers(ctx: RuleContext) -> Iterator[Diagnostic]:
    pp = flag_values.int_arg(ctx, "pipeline_parallel_size", 1)
    m = ctx.model
    if pp is None or pp <= 1 or m is None or not m.num_layers:
        return
    if pp > m.num_layers:
        yield ctx.report(
            "VL306",
            f"pipeline_parallel_size {pp} is larger than the {m.num_layers} hidden layers of {m.id}: vLLM "
            f"splits the layers across the stages, so {pp - m.num_layers} stage(s) get no layer and their GPUs "
            f"do no model work",
            token=flag_values.token_for(ctx, "pipeline_parallel_size"),
            notes=[f"use at most {m.num_layers} pipeline stages; typical values divide the layer count"],
        )


# -- VL307 ------------------------------------------------------------------------------------------

@register("VL307")
def expert_parallel_experts(ctx: RuleContext) -> Iterator[Diagnostic]:
    ep = flag_values.bool_arg(ctx, "enable_expert_parallel")
    eplb = flag_values.bool_arg(ctx, "enable_eplb")
    m = ctx.model
    if eplb and not ep:
        yield ctx.report(
            "VL307",
            "enable_expert_parallel must be True to use EPLB. (--enable-eplb is set without "
            "--enable-expert-parallel)",
            token=flag_values.token_for(ctx, "enable_eplb"),
        )
    if not ep or m is None:
        return
    tok = flag_values.token_for(ctx, "enable_expert_parallel")
    if not m.num_experts:
        yield ctx.report(
            "VL307",
            f"Number of experts in the model must be greater than 0 when expert parallelism is enabled. "
            f"({m.id} is a dense model)",
            token=tok,
        )
        return
    tp = flag_values.int_arg(ctx, "tensor_parallel_size", 1)
    dp = flag_values.int_arg(ctx, "data_parallel_size", 1)
    if tp is None or dp is None:
        return
    ep_size = tp * dp
    if ep_size > m.num_experts:
        # vLLM's expert map gives experts // ranks (+1 for the first remainder ranks) to each rank,
        # so surplus ranks hold none: wasted expert capacity rather than a refusal.
        d = ctx.report(
            "VL307",
            f"expert parallel size (tensor_parallel_size {tp} × data_parallel_size {dp} = {ep_size}) is larger "
            f"than the {m.num_experts} experts of {m.id}: {ep_size - m.num_experts} rank(s) hold no expert",
            token=tok,
        )
        d.severity = Severity.WARNING
        yield d


# -- VL308 ------------------------------------------------------------------------------------------

@register("VL308")
def nccl_shared_memory(ctx: RuleContext) -> Iterator[Diagnostic]:
    """TP/PP > 1 in a container with Docker's 64 MiB /dev/shm default: NCCL needs more."""
    facts = ctx.launch.facts
    w = topology.world(ctx)
    if w is None or w.size <= 1 or topology.is_group_worker(ctx):
        return
    vis = topology.visible_gpus(ctx)
    per_pod = vis.per_pod(topology.nodes(ctx)) if vis is not None else None
    if vis is not None and (per_pod is None or per_pod <= 1):
        return  # one GPU in this container (or unknown split): no intra-node NCCL traffic to speak of
    if facts.ipc_host or facts.shm_size or facts.dev_shm_volume:
        return
    if facts.kustomize_patch:
        return  # a strategic-merge patch: volumes usually come from the base it patches
    source = (ctx.launch.source or "").lower()
    if facts.dev_shm_volume is not None:
        where = ("the pod mounts no memory-backed emptyDir at /dev/shm (and hostIPC is off), so the "
                 "container keeps the runtime's 64 MiB default")
        fix_note = ("add a volume `emptyDir: {medium: Memory, sizeLimit: 16Gi}` mounted at /dev/shm "
                    "(charts: set the chart's shm option or put tensorParallelSize in vllmConfig)")
    elif facts.ipc_host is not None or facts.shm_size is not None or source == "compose" or facts.container_cli:
        where = "the container has neither `ipc: host` nor `shm_size`, so /dev/shm is Docker's 64 MiB default"
        if facts.container_cli:
            where = "the container is started without `--ipc=host` or `--shm-size`, so /dev/shm is Docker's 64 MiB default"
        fix_note = "add `ipc: host` (compose) / `--ipc=host` (docker run), or `shm_size: 16gb` / `--shm-size 16g`"
    else:
        return  # the source does not tell how the container is run
    yield ctx.report(
        "VL308",
        f"{w.describe()}, but {where}; NCCL exchanges tensors through /dev/shm and fails or hangs "
        f"(\"unhandled system error\", bus error) when it runs out",
        token=flag_values.token_for(ctx, "tensor_parallel_size", "pipeline_parallel_size", "data_parallel_size"),
        notes=[fix_note],
    )



# -- VL311 ------------------------------------------------------------------------------------------

@register("VL311")
def multi_node_backend(ctx: RuleContext) -> Iterator[Diagnostic]:
    nnodes = flag_values.int_arg(ctx, "nnodes", 1)
    backend = (flag_values.str_arg(ctx, "distributed_executor_backend") or "").lower()
    if nnodes is not None and nnodes > 1 and backend == "ray":
        yield ctx.report(
            "VL311",
            f"nnodes > 1 can only be set when distributed executor backend is mp, uni or external_launcher. "
            f"(--nnodes {nnodes} with --distributed-executor-backend ray)",
            token=flag_values.token_for(ctx, "nnodes"),
        )
        return
    n_nodes = topology.nodes(ctx)
    if n_nodes <= 1 or topology.is_group_worker(ctx):
        return
    w = topology.world(ctx)
    vis = topology.visible_gpus(ctx)
    per_pod = vis.per_pod(n_nodes) if vis is not None else None
    if w is None or per_pod is None or w.size <= per_pod:
        return
    if backend == "ray" or (nnodes or 1) > 1 or _in_ray_cluster(ctx):
        return
    if MULTI_NODE_WIRING.search(ctx.src.text):
        return  # a Ray cluster (ray start / the LWS helper script) or vLLM's own multi-node mode is wired
    yield ctx.report(
        "VL311",
        f"{w.describe()} across {n_nodes} pods of {per_pod} GPU{'s' if per_pod != 1 else ''}, but the launch "
        f"neither uses the Ray backend (--distributed-executor-backend ray after `ray start` on every pod) nor "
        f"vLLM's multi-node mode (--nnodes {n_nodes} --node-rank … --master-addr …); vLLM only sees this pod's "
        f"GPUs and stops with: World size ({w.size}) is larger than the number of available GPUs ({per_pod}) "
        f"in this node.",
        token=flag_values.token_for(ctx, "tensor_parallel_size", "pipeline_parallel_size"),
    )
