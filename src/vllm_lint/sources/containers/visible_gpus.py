"""The GPUs a container can see.

GPU visibility follows the NVIDIA Container Toolkit and CUDA documentation: ``--gpus all`` /
``count: all`` / ``runtime: nvidia`` expose every GPU unless ``NVIDIA_VISIBLE_DEVICES`` names a
subset (``none``/``void`` expose none); inside the container ``CUDA_VISIBLE_DEVICES`` narrows
further, and a value CUDA cannot parse (``all``) hides every device. AMD containers get GPUs
through ``--device /dev/kfd --device /dev/dri``, narrowed by ``HIP_VISIBLE_DEVICES`` /
``ROCR_VISIBLE_DEVICES``.
"""

from __future__ import annotations

import re

from vllm_lint.launch import EnvValue, GpuRequest, Token
from vllm_lint.span import Span

# ------------------------------------------------------------------------------------- GPUs

_DEVICE_LIST = re.compile(r"^\"?device=([^\"]*)\"?$")


def container_gpu(*, gpus: Token | None = None, runtime: str | None = None, devices: list[str] | None = None,
                  env: dict[str, EnvValue] | None = None, count: str | None = None, count_span: Span | None = None,
                  device_ids: list[str] | None = None, reserved: bool = False, mechanism: str | None = None) -> GpuRequest:
    """What GPUs a container sees from its engine options and environment.

    ``gpus`` is a ``--gpus``/compose ``gpus:`` value; ``count``/``device_ids``/``reserved`` come
    from a compose ``deploy.resources.reservations.devices`` entry (reserved with neither count
    nor ids means all GPUs).
    """
    env = env or {}
    req = GpuRequest()
    if gpus is not None:
        _from_gpus_value(req, gpus.text.strip(), gpus.span, gpus.symbolic)
        req.mechanism = mechanism or "--gpus"
    elif reserved:
        req.mechanism = mechanism or "deploy.resources.reservations.devices"
        if device_ids:
            req.device_ids = list(device_ids)
            req.count = float(len(device_ids))
            req.count_span = count_span
        elif count is not None:
            _from_count(req, count, count_span)
        else:
            req.all_visible = True
    elif runtime == "nvidia":
        req.mechanism = mechanism or "runtime: nvidia"
        req.all_visible = True
    amd = [d for d in (devices or []) if d.split(":")[0] in ("/dev/kfd", "/dev/dri")]
    if amd and req.mechanism is None:
        req.mechanism = "devices /dev/kfd /dev/dri"
        req.all_visible = True
        req.product = req.product or "AMD"
        req.notes.append("AMD GPUs passed through as /dev/kfd and /dev/dri")
    if req.mechanism is None:
        req.notes.append("no GPU request found (no --gpus, deploy.resources.reservations.devices, gpus: or runtime: nvidia)")
        return req
    narrow_by_env(req, env, nvidia_runtime=req.mechanism is not None and not amd)
    return req


def _from_gpus_value(req: GpuRequest, value: str, span: Span | None, symbolic: bool) -> None:
    value = value.strip("'\"")
    if symbolic or "$" in value:
        req.notes.append(f"GPU request {value!r} is not known statically")
        return
    m = _DEVICE_LIST.match(value)
    if m:
        ids = [x for x in m.group(1).split(",") if x]
        req.device_ids = ids
        req.count = float(len(ids))
        req.count_span = span
        return
    _from_count(req, value, span)


def _from_count(req: GpuRequest, value: str, span: Span | None) -> None:
    value = str(value).strip().strip("'\"")
    req.count_span = span
    if value.lower() in ("all", "-1"):
        req.all_visible = True
        return
    try:
        req.count = float(int(value))
    except ValueError:
        req.notes.append(f"GPU count {value!r} is not a number")


def _ids(value: str) -> list[str]:
    return [x.strip() for x in value.split(",") if x.strip()]


def narrow_by_env(req: GpuRequest, env: dict[str, EnvValue], *, nvidia_runtime: bool = True) -> None:
    """Apply NVIDIA_VISIBLE_DEVICES, CUDA_VISIBLE_DEVICES and HIP/ROCR_VISIBLE_DEVICES."""
    nv = env.get("NVIDIA_VISIBLE_DEVICES")
    if nv is not None and nvidia_runtime:
        if nv.symbolic:
            req.notes.append("NVIDIA_VISIBLE_DEVICES is not known statically")
        else:
            v = nv.value.strip()
            if v in ("none", "void", ""):
                _set_count(req, 0, nv.span)
                req.notes.append(f"NVIDIA_VISIBLE_DEVICES={v!r} exposes no GPU")
            elif v != "all":
                ids = _ids(v)
                _set_count(req, len(ids), nv.span, ids)
    if req.all_visible:
        req.exposed = ["all"]
    elif req.device_ids:
        req.exposed = list(req.device_ids)
    for name in ("CUDA_VISIBLE_DEVICES", "HIP_VISIBLE_DEVICES", "ROCR_VISIBLE_DEVICES"):
        ev = env.get(name)
        if ev is None:
            continue
        if ev.symbolic:
            req.notes.append(f"{name} is not known statically")
            continue
        v = ev.value.strip()
        ids = _ids(v)
        if v.lower() == "all" or any(not re.fullmatch(r"\d+|GPU-[\w-]+|MIG-[\w/-]+", x) for x in ids):
            _set_count(req, 0, ev.span)
            req.notes.append(f"{name}={v!r} is not a device list CUDA/ROCm understands: no GPU is visible")
            continue
        _set_count(req, len(ids), ev.span, ids)
        req.mechanism = f"{req.mechanism or 'container'} + {name}"


def _set_count(req: GpuRequest, n: int, span: Span | None, ids: list[str] | None = None) -> None:
    if req.count is None or req.all_visible or n < req.count:
        req.count = float(n)
        req.count_span = span
        req.all_visible = False
        if ids is not None:
            req.device_ids = ids
