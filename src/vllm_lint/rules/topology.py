"""Shared helpers for the parallelism, model and hygiene rules (VL3xx-VL5xx).

Pure functions over a ``LaunchContext``: typed flag values that are only trusted when written
literally, how many GPUs a launch can see, and the world size vLLM will ask for. Every helper
returns None for "not known" so rules can stay silent instead of guessing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from vllm_lint.context import LaunchContext
    from vllm_lint.launch import Token
    from vllm_lint.span import Span

_INT_RE = re.compile(r"^\s*\d+\s*$")


def given(ctx: "LaunchContext", dest: str) -> bool:
    """True when the launch sets ``dest`` itself (a flag, a config key or a chart key)."""
    uses = getattr(ctx.args, "uses", None) or {}
    return dest in uses


def symbolic(ctx: "LaunchContext", dest: str) -> bool:
    """True when the value of ``dest`` comes from something unresolved (``$VAR``, a template)."""
    if dest in (getattr(ctx.args, "symbolic", None) or ()):
        return True
    tok = ctx.value_token(dest) if given(ctx, dest) else None
    if tok is not None and tok.symbolic:
        return True
    val = raw_value(ctx, dest)
    return isinstance(val, str) and ("$" in val or "{{" in val)


def raw_value(ctx: "LaunchContext", dest: str, default: Any = None) -> Any:
    """The parsed value of ``dest`` as vLLM's parser typed it (its default when not given)."""
    values = getattr(ctx.args, "values", None) or {}
    val = values.get(dest, default)
    return default if val is None else val


def int_arg(ctx: "LaunchContext", dest: str, default: int | None = None) -> int | None:
    """The integer value of ``dest``: ``default`` when not given, None when not a literal number."""
    if not given(ctx, dest):
        val = raw_value(ctx, dest)
        return val if isinstance(val, int) and not isinstance(val, bool) else default
    if symbolic(ctx, dest):
        return None
    val = raw_value(ctx, dest)
    if isinstance(val, bool):
        return None
    if isinstance(val, int):
        return val
    if isinstance(val, float) and val.is_integer():
        return int(val)
    if isinstance(val, str) and _INT_RE.match(val):
        return int(val)
    return None


def str_arg(ctx: "LaunchContext", dest: str) -> str | None:
    """A string flag value written literally (None when absent or symbolic)."""
    val = raw_value(ctx, dest)
    if val is None or symbolic(ctx, dest):
        return None
    return str(val)


def bool_arg(ctx: "LaunchContext", dest: str) -> bool | None:
    """True/False when the launch sets a boolean flag; None when not set."""
    if not given(ctx, dest):
        return None
    val = raw_value(ctx, dest)
    if isinstance(val, bool):
        return val
    if isinstance(val, str):
        low = val.strip().lower()
        if low in ("true", "1", "yes", "on"):
            return True
        if low in ("false", "0", "no", "off"):
            return False
    return None


def env_value(ctx: "LaunchContext", name: str) -> str | None:
    """A literal environment value of the launch (None when unset or symbolic)."""
    ev = ctx.launch.env.get(name)
    if ev is None or ev.symbolic:
        return None
    return ev.value


def env_truthy(ctx: "LaunchContext", name: str) -> bool:
    """vLLM's reading of boolean env vars: "1"/"true" (any case) turn them on.

    A symbolic value counts as set: the user clearly meant to control it.
    """
    ev = ctx.launch.env.get(name)
    if ev is None:
        return False
    if ev.symbolic:
        return True
    return ev.value.strip().lower() in ("1", "true", "yes")


# -- GPUs ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Visible:
    """How many GPUs one process of the launch can use, and why we think so."""

    count: int
    how: str  # words for messages: "nvidia.com/gpu: 1", "CUDA_VISIBLE_DEVICES=0,1"
    requested: bool  # the launch itself asks for exactly this many (not a --gpu assumption)
    spans_pods: bool = False  # count is a total over several pods (LWS group, Ray cluster, SkyPilot nodes)
    ray: bool = False  # the GPUs belong to a Ray cluster (other Ray apps may use idle ones)
    pod_count: int | None = None  # GPUs of one pod/node when the source says (facts["gpus_per_node"])

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


def visible_gpus(ctx: "LaunchContext") -> Visible | None:
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
        how = f"{_mech_name(gpu.mechanism)}: {count}"
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
    per_node = ctx.launch.facts.get("gpus_per_node")
    per_node = per_node if isinstance(per_node, int) and per_node > 0 else None
    spans = bool(_MULTI_POD.search(mech)) or (per_node is not None and nodes(ctx) > 1)
    if spans:
        if per_node is not None:
            how = f"{nodes(ctx)} nodes × {per_node} ({_mech_name(mech)})"
        else:
            how = gpu.notes[0] if gpu.notes else f"{count} over {mech}"
    return Visible(count, how, requested, spans_pods=spans, ray=bool(re.search(r"ray", mech, re.I)), pod_count=per_node)


# GpuRequest.mechanism texts of sources that total the GPUs of several pods.
_MULTI_POD = re.compile(r"LeaderWorkerSet|Ray cluster|raySpec|parallelism data|x worker|replicas", re.I)


def _mech_name(mechanism: str | None) -> str:
    if not mechanism:
        return "GPU request"
    return mechanism.split(":", 1)[-1] if ":" in mechanism else mechanism


def is_group_worker(ctx: "LaunchContext") -> bool:
    """A worker pod of a multi-pod group (LWS worker): the leader's launch carries the engine sizes."""
    return str(ctx.launch.facts.get("lws_role") or "").lower() == "worker"


def nodes(ctx: "LaunchContext") -> int:
    """Pods/nodes the engine spans (LeaderWorkerSet size, Ray/SkyPilot node count), 1 when single."""
    facts = ctx.launch.facts
    for key in ("group_size", "nodes"):
        v = facts.get(key)
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


def world(ctx: "LaunchContext") -> World | None:
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


def token_for(ctx: "LaunchContext", *dests: str) -> "Token | None":
    """The first written flag token among ``dests`` (for placing a diagnostic)."""
    for d in dests:
        if given(ctx, d):
            tok = ctx.flag_token(d)
            if tok is not None and tok.span is not None:
                return tok
    return None


def gpu_name(ctx: "LaunchContext") -> str:
    """The target GPU's name for a message, or "the GPU" when none is known."""
    g = ctx.gpu
    return g.name if g is not None else "the GPU"


def cc_text(cc: tuple[int, int]) -> str:
    """A CUDA compute capability as NVIDIA writes it: (8, 0) -> "8.0"."""
    return f"{cc[0]}.{cc[1]}"


def checkpoint_quant_method(ctx: "LaunchContext") -> str | None:
    """The checkpoint's quantization method as vLLM names it, from config.json's
    ``quantization_config`` (``quant_method``, or ModelOpt's ``quant_algo``): lower-case, with
    ``compressed_tensors`` written ``compressed-tensors``. None when the checkpoint is not quantized."""
    m = ctx.model
    if m is None or not m.quantization or m.quantization.get("_from_name"):
        return None  # a weight width read from the name does not say which method vLLM will load
    q = str(m.quantization.get("quant_method") or m.quantization.get("quant_algo") or "").strip().lower()
    if not q:
        return None
    return "compressed-tensors" if q == "compressed_tensors" else q


def model_token(ctx: "LaunchContext") -> "Token | None":
    """The token naming the model: the positional word, or the --model value."""
    idx = getattr(ctx.args, "model_index", None)
    tok = ctx.token(idx) if idx is not None else None
    if tok is None and given(ctx, "model"):
        tok = ctx.value_token("model")
    return tok


def value_span(ctx: "LaunchContext", dest: str) -> "Span | None":
    """The span of just the value of ``dest`` as written, when it can be edited in place.

    Handles ``--flag value`` (its own token) and ``--flag=value`` (the part after ``=``); None for
    symbolic values, synthetic tokens, or text that differs from what vLLM receives (quoting,
    expansions), where an edit would not mean what it says.
    """
    if not given(ctx, dest) or symbolic(ctx, dest):
        return None
    tok = ctx.value_token(dest)
    flag = ctx.flag_token(dest)
    if tok is None or tok.span is None or tok.symbolic or tok.style not in ("argv", "argv-eq", "config-key", "helm-key"):
        return None
    written = tok.span.slice(ctx.src.text)
    if tok is flag or (flag is not None and flag.span == tok.span):
        if "=" not in written or not written.startswith("-"):
            return None
        eq = written.index("=")
        value = written[eq + 1:]
        if not value or value != tok.text.split("=", 1)[-1]:
            return None
        return ctx.src.index.span(tok.span.start + eq + 1, tok.span.end)
    if written.strip("'\"") != tok.text:
        return None
    if written != tok.text:  # quoted: replace inside the quotes
        q = len(written) - len(written.lstrip("'\""))
        return ctx.src.index.span(tok.span.start + q, tok.span.start + q + len(tok.text))
    return tok.span
