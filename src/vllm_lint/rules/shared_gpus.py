"""VL315: two vLLM engines that run together on the same GPU and together ask for more than all of it.

``--gpu-memory-utilization`` is the fraction of the GPU's *total* memory one engine may use (default
0.9 in every release). Each engine checks at startup that at least that much is free: from 0.9.1 on
``request_memory`` (``vllm/v1/worker/utils.py``) raises "Free memory on device ... on startup is less
than desired GPU memory utilization"; older releases count the other engine's memory against their
own budget and are left with little or no KV cache. Two engines whose fractions add up to more than
1.0 on one GPU therefore cannot both start.

Read for docker compose projects (one compose file): services that run together (compose
``profiles``: a service without profiles runs with every profile; two services whose profiles differ
run together only when both are asked for, which is taken as not meant) and see the same GPUs. The
GPUs an engine uses are the first tensor x pipeline x local data-parallel devices of what it sees:
the devices the container is given (``count: all``, ``device_ids``, ``NVIDIA_VISIBLE_DEVICES``),
narrowed by ``CUDA_VISIBLE_DEVICES`` inside it. A ``count: N`` request is not placed (Docker's choice
of devices is not stated in the file), an engine with ``--kv-cache-memory-bytes`` does not fill its
fraction, and shell scripts are not read (a script's launches may be alternatives or sequential).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Iterator

from vllm_lint.diagnostic import Diagnostic
from vllm_lint.rule_meta import make_diagnostic
from vllm_lint.rules import flag_values, topology
from vllm_lint.rules.context import RuleContext
from vllm_lint.rules.registry import register
from vllm_lint.span import Span

RULE = "VL315"
DEFAULT_UTILIZATION = 0.9  # the --gpu-memory-utilization default of every release 0.4.3-0.33.0
_DEVICE = re.compile(r"\d+|GPU-[\w-]+|MIG-[\w/-]+")


@dataclass(frozen=True)
class Engine:
    ctx: RuleContext
    gpus: frozenset[str]  # host GPUs the engine uses: "0", "1", or a GPU-/MIG- UUID
    how: str  # how the GPUs were found, for the message
    utilization: float
    util_text: str  # "0.78 (--gpu-memory-utilization)" / "0.9 (vLLM's default)"
    span: Span | None
    profiles: frozenset[str]
    sleep_mode: bool
    defaults: tuple[str, ...]  # variables whose ${NAME:-default} gave a value the finding rests on

    @property
    def name(self) -> str:
        return self.ctx.launch.name


def _default_of(ctx: RuleContext, span: Span | None) -> str | None:
    """NAME when the text at ``span`` is the default of a ``${NAME:-default}`` written in the file."""
    if span is None or span.path != ctx.src.display:
        return None
    m = re.search(r"\$\{(\w+):?-$", ctx.src.text[max(0, span.start - 100):span.start]) \
        or re.match(r"\$\{(\w+):?-", ctx.src.text[span.start:span.end])
    return m.group(1) if m else None


def _cuda_ids(ctx: RuleContext) -> list[str] | None | bool:
    """CUDA_VISIBLE_DEVICES as a device list; None when unset; False when not known statically."""
    ev = ctx.launch.env.get("CUDA_VISIBLE_DEVICES")
    if ev is None:
        return None
    if ev.symbolic:
        return False
    ids = [x.strip() for x in ev.value.split(",") if x.strip()]
    return ids if ids and all(_DEVICE.fullmatch(x) for x in ids) else False


def _used_gpus(ctx: RuleContext) -> tuple[frozenset[str], str] | None:
    """The host GPUs the engine's ranks use, and how that was read; None when not known."""
    exposed = ctx.launch.gpu.exposed
    w = topology.world(ctx)
    cuda = _cuda_ids(ctx)
    if not exposed or w is None or cuda is False:
        return None
    n = w.size
    if cuda:
        if len(cuda) < n:
            return None
        picks = cuda[:n]
        how = f"CUDA_VISIBLE_DEVICES={','.join(cuda)}"
    else:
        picks = [str(i) for i in range(n)]
        how = "no CUDA_VISIBLE_DEVICES"
    if exposed == ["all"]:
        used = picks
        how = f"all GPUs exposed, {how}"
    else:
        if not all(p.isdigit() and int(p) < len(exposed) for p in picks):
            return None
        used = [exposed[int(p)] for p in picks]
        how = f"devices {','.join(exposed)}, {how}"
    if not all(_DEVICE.fullmatch(u) for u in used):
        return None
    return frozenset(used), how


def _utilization(ctx: RuleContext) -> tuple[float, str, Span | None] | None:
    if flag_values.given(ctx, "kv_cache_memory_bytes"):
        return None  # the engine sizes its KV cache in bytes and does not fill its fraction
    if not flag_values.given(ctx, "gpu_memory_utilization"):
        return DEFAULT_UTILIZATION, f"{DEFAULT_UTILIZATION:g} (vLLM's default)", None
    if flag_values.symbolic(ctx, "gpu_memory_utilization"):
        return None
    value = flag_values.raw_value(ctx, "gpu_memory_utilization")
    try:
        u = float(value)
    except (TypeError, ValueError):
        return None
    if not 0 < u <= 1:
        return None
    tok = ctx.value_token("gpu_memory_utilization")
    span = tok.span if tok is not None else None
    default_of = _default_of(ctx, span)
    text = f"{u:g}" + (f" (the default of ${{{default_of}}})" if default_of else "")
    return u, text, span


def _engine(ctx: RuleContext) -> Engine | None:
    if ctx.launch.source != "compose":
        return None
    if str(flag_values.str_arg(ctx, "device") or "").lower() in ("cpu", "tpu", "xpu", "neuron", "hpu"):
        return None
    gpus = _used_gpus(ctx)
    util = _utilization(ctx)
    if gpus is None or util is None:
        return None
    profiles = ctx.launch.facts.profiles or []
    cuda = ctx.launch.env.get("CUDA_VISIBLE_DEVICES")
    defaults = tuple(d for d in (_default_of(ctx, util[2]), _default_of(ctx, cuda.span if cuda else None)) if d)
    return Engine(ctx, gpus[0], gpus[1], util[0], util[1], util[2],
                  frozenset(str(p) for p in profiles) if isinstance(profiles, list) else frozenset(),
                  flag_values.bool_arg(ctx, "enable_sleep_mode") is True, defaults)


def _together(a: Engine, b: Engine) -> bool:
    """Compose starts a service without profiles with every profile; two services with profiles
    run together by default only when they share one."""
    return not a.profiles or not b.profiles or bool(a.profiles & b.profiles)


@register(RULE, scope="project")
def shared_gpu_overcommit(launches: Iterable[RuleContext]) -> Iterator[Diagnostic]:
    projects: dict[str, list[Engine]] = {}
    for ctx in launches:
        e = _engine(ctx)
        if e is not None:
            projects.setdefault(ctx.src.display, []).append(e)
    for engines in projects.values():
        for i, later in enumerate(engines):
            replicas = later.ctx.launch.replicas or 1
            if replicas > 1 and later.utilization * replicas > 1.0:
                yield _replicas_finding(later, replicas)
            for earlier in engines[:i]:
                shared = earlier.gpus & later.gpus
                if not shared or not _together(earlier, later):
                    continue
                total = earlier.utilization + later.utilization
                if total <= 1.0 + 1e-9:
                    continue
                yield _pair_finding(earlier, later, shared, total)


def _gpu_words(gpus: frozenset[str]) -> str:
    ids = sorted(gpus, key=lambda g: (not g.isdigit(), int(g) if g.isdigit() else 0, g))
    return ("GPU " if len(ids) == 1 else "GPUs ") + ", ".join(ids)


_WHY = ("the engine that starts second finds less free memory than its fraction asks for: vLLM 0.9.1 and "
        "later refuse to start (\"Free memory on device ... is less than desired GPU memory utilization\"), "
        "older releases are left with little or no KV cache")


def _pair_finding(earlier: Engine, later: Engine, shared: frozenset[str], total: float) -> Diagnostic:
    profiles = ""
    if earlier.profiles != later.profiles:
        who = earlier if not earlier.profiles else later if not later.profiles else None
        if who is not None:
            other = later if who is earlier else earlier
            profiles = (f"; `{who.ctx.launch.name}` has no profile, so it also runs when profile "
                        f"{', '.join(sorted(other.profiles))} is active")
    notes = [f"{earlier.name}: {earlier.util_text} on {_gpu_words(earlier.gpus)} ({earlier.how})",
             f"{later.name}: {later.util_text} on {_gpu_words(later.gpus)} ({later.how})",
             ("give each engine its own GPU (device_ids / CUDA_VISIBLE_DEVICES), or lower the fractions so "
              "that they add up to less than 1.0 with room for the CUDA context")]
    if earlier.sleep_mode and later.sleep_mode:
        notes.append("both engines enable sleep mode: this works only if the first is put to sleep "
                     "(POST /sleep) before the second starts, every time the project starts")
    line = f" (line {earlier.ctx.launch.span.line})" if earlier.ctx.launch.span else ""
    return make_diagnostic(
        RULE, later.ctx.src.display, later.span or later.ctx.launch.span,
        f"`{later.name}` and `{earlier.name}`{line} run together on {_gpu_words(shared)} and ask vLLM for "
        f"{later.utilization:g} + {earlier.utilization:g} = {total:.2f} of its memory{profiles}"
        f"{_with_defaults(earlier.defaults + later.defaults)}: {_WHY}",
        launch=later.name, notes=notes,
    )


def _with_defaults(names: tuple[str, ...]) -> str:
    if not names:
        return ""
    shown = ", ".join(f"${{{n}}}" for n in dict.fromkeys(names))
    return f" (with the file's defaults for {shown}, which the environment may override)"


def _replicas_finding(e: Engine, replicas: int) -> Diagnostic:
    return make_diagnostic(
        RULE, e.ctx.src.display, e.span or e.ctx.launch.span,
        f"`{e.name}` runs {replicas} replicas on the same {_gpu_words(e.gpus)} ({e.how}), each asking vLLM for "
        f"{e.util_text}: {replicas} x {e.utilization:g} = {replicas * e.utilization:.2f} of its memory"
        f"{_with_defaults(e.defaults)}; {_WHY}",
        launch=e.name,
        notes=["give each replica its own GPU, or run one replica with more --max-num-seqs"],
    )
